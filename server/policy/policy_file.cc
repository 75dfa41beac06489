// server/policy/policy_file.cc — see policy_file.h.
#include "server/policy/policy_file.h"

#include <algorithm>
#include <limits>

namespace allot::policy {
namespace {

using nlohmann::json;

constexpr size_t kMaxNameLen = 64;

bool AllCharsIn(std::string_view s, std::string_view extra) {
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
  });
}

// Reads the fields in order; stops at the first problem.
std::string Fill(const json& doc, PolicySpec& spec) {
  if (!doc.is_object()) return "a policy file must be a JSON object";
  for (const auto& [key, value] : doc.items()) {
    (void)value;
    if (key != "name" && key != "plugin" && key != "priority" &&
        key != "config" && key != "tenants") {
      return "unknown field \"" + key +
             "\" (allowed: name, plugin, priority, config, tenants)";
    }
  }
  for (const char* required : {"name", "plugin", "priority", "config"}) {
    if (!doc.contains(required)) {
      return std::string("missing field \"") + required + "\"";
    }
  }
  const json& name = doc["name"];
  if (!name.is_string() || !IsValidPolicyName(name.get_ref<const std::string&>())) {
    return "\"name\" must be a string of 1-64 characters [A-Za-z0-9_.-]";
  }
  spec.name = name.get<std::string>();
  const json& plugin = doc["plugin"];
  if (!plugin.is_string() || !IsValidPluginName(plugin.get_ref<const std::string&>())) {
    return "\"plugin\" must be a plugin name of 1-64 characters [A-Za-z0-9_-] "
           "(the file <plugins dir>/<plugin>.so), not a path";
  }
  spec.plugin = plugin.get<std::string>();
  const json& priority = doc["priority"];
  if (!priority.is_number_integer() ||
      (priority.is_number_unsigned() &&
       priority.get<uint64_t>() > uint64_t{std::numeric_limits<int>::max()}) ||
      (!priority.is_number_unsigned() &&
       (priority.get<int64_t>() < std::numeric_limits<int>::min() ||
        priority.get<int64_t>() > std::numeric_limits<int>::max()))) {
    return "\"priority\" must be an integer (32-bit)";
  }
  spec.priority = priority.get<int>();
  if (!doc["config"].is_object()) return "\"config\" must be a JSON object";
  spec.config = doc["config"];
  if (doc.contains("tenants")) {
    const json& tenants = doc["tenants"];
    if (!tenants.is_array()) return "\"tenants\" must be an array of tenant ids";
    for (const json& t : tenants) {
      if (!t.is_string() || t.get_ref<const std::string&>().empty()) {
        return "\"tenants\" must be an array of non-empty strings";
      }
      spec.tenants.push_back(t.get<std::string>());
    }
    if (spec.tenants.empty()) {
      return "\"tenants\" must not be empty (leave it out to apply to every tenant)";
    }
  }
  return {};
}

}  // namespace

bool IsValidPolicyName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLen && AllCharsIn(name, "_.-");
}

bool IsValidPluginName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLen && AllCharsIn(name, "_-");
}

ParsedPolicy ParsePolicy(std::string_view text) {
  ParsedPolicy out;
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {  // stops here: its what() says where
    out.error = std::string("not valid JSON: ") + e.what();
    return out;
  }
  out.error = Fill(doc, out.spec);
  return out;
}

}  // namespace allot::policy
