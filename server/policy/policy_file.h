// server/policy/policy_file.h — parses and validates one policy file:
//   {"name": "...", "plugin": "group_map", "priority": 10, "config": {...},
//    "tenants": ["default"]}            // tenants optional: absent = all
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace allot::policy {

struct PolicySpec {
  std::string name;    // [A-Za-z0-9_.-]{1,64}
  std::string plugin;  // [A-Za-z0-9_-]{1,64}: a file name, never a path
  int priority = 0;
  nlohmann::json config = nlohmann::json::object();
  std::vector<std::string> tenants;  // empty: every tenant
};

// What parsing produced: `error` is empty on success. On failure `spec` holds
// whatever was read before the error (e.g. the name), for the status report.
struct ParsedPolicy {
  PolicySpec spec;
  std::string error;  // e.g. `unknown field "prio" (allowed: ...)`
};

ParsedPolicy ParsePolicy(std::string_view text);

// True for a policy name: [A-Za-z0-9_.-]{1,64}.
bool IsValidPolicyName(std::string_view name);

// True for a plugin name that maps safely to `<dir>/<name>.so`.
bool IsValidPluginName(std::string_view name);

}  // namespace allot::policy
