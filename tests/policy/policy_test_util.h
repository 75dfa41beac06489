// tests/policy/policy_test_util.h — helpers for the policy host tests: a
// scratch policies directory, and users built from JSON.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <unistd.h>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/policy/policy.h"

namespace allot::policy::testutil {

// Where the build put the plugins (see tests/policy/CMakeLists.txt).
inline const std::string kPluginDir = ALLOT_PLUGIN_DIR;
inline const std::string kBrokenPluginDir = ALLOT_BROKEN_PLUGIN_DIR;
inline const std::string kExamplePluginDir = ALLOT_EXAMPLE_PLUGIN_DIR;
inline const std::string kPoliciesDir = ALLOT_POLICIES_DIR;

// A fresh directory under $TMPDIR, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "allot-policy-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

  // Writes `text` to <dir>/<file>.
  void Write(const std::string& file, const std::string& text) const {
    std::ofstream(path_ + "/" + file) << text;
  }
  // Writes a policy file <name>.json for `plugin` with `config`.
  void WritePolicy(const std::string& name, const std::string& plugin,
                   const nlohmann::json& config, int priority = 10) const {
    Write(name + ".json", nlohmann::json{{"name", name},
                                         {"plugin", plugin},
                                         {"priority", priority},
                                         {"config", config}}
                              .dump());
  }

 private:
  std::string path_;
};

// Owns the users, resources and groups a batch points into.
class Users {
 public:
  // Adds a user with SCIM `resource` (its "id" and "active" are read from
  // it; active defaults to true) in `groups`.
  Users& Add(nlohmann::json resource, std::vector<GroupFacts> groups = {}) {
    resources_.push_back(std::move(resource));
    const nlohmann::json& r = resources_.back();
    UserFacts u;
    u.id = r.value("id", "user" + std::to_string(users_.size()));
    u.active = r.value("active", true);
    u.resource = &r;
    for (GroupFacts& g : groups) {
      groups_.push_back(std::move(g));
      u.groups.push_back(&groups_.back());
    }
    users_.push_back(std::move(u));
    return *this;
  }
  const std::vector<UserFacts>& batch() const { return users_; }

 private:
  std::deque<nlohmann::json> resources_;  // deques: stable addresses
  std::deque<GroupFacts> groups_;
  std::vector<UserFacts> users_;
};

inline GroupFacts Group(std::string display_name, std::string external_id = "") {
  return GroupFacts{"g-" + display_name, std::move(display_name), std::move(external_id)};
}

// The only result of evaluating `set` (which must hold one applicable policy).
inline BatchResult EvaluateOne(const PolicySet& set, const Users& users,
                               const std::unordered_set<std::string>& subs,
                               std::string_view tenant = "default") {
  auto results = set.Evaluate(tenant, users.batch(), subs);
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? BatchResult{} : std::move(results[0].second);
}

// Subscription ids granted to each user, in emission order.
inline std::vector<std::vector<std::string>> GrantedIds(const BatchResult& r) {
  std::vector<std::vector<std::string>> out;
  for (const auto& grants : r.grants_by_user) {
    out.emplace_back();
    for (const Grant& g : grants) out.back().push_back(g.subscription_id);
  }
  return out;
}

}  // namespace allot::policy::testutil
