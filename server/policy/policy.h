// server/policy/policy.h — the policy host: loads policy files, their plugins
// (dlopen, ABI checks) and evaluates batches of users against them.
//
// This is what the licensing engine calls. Nothing here throws across the
// interface and nothing a plugin does (short of crashing the process) can make
// it fail as a whole: a broken policy is kept with ok=false and an error that
// names the policy, the file and what is wrong, and its evaluations report
// failure so the caller keeps the policy's previous grants.
//
// Thread-safety: a loaded PolicySet is immutable; Evaluate may be called from
// any number of threads at once. Calls into one plugin instance are
// serialised by the host unless the plugin declares ALLOT_PLUGIN_FLAG_CONCURRENT.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace allot::policy {

struct GroupFacts {
  std::string id, display_name, external_id;
};

// One user as the policies see it. Nothing is owned: everything pointed to
// must outlive the Evaluate call.
struct UserFacts {
  std::string id;  // SCIM id
  bool active = false;
  // The SCIM User resource: core attributes at the top level, extensions
  // under their URN key. May be null (then every attribute is absent).
  const nlohmann::json* resource = nullptr;
  std::vector<const GroupFacts*> groups;
};

struct Grant {
  std::string subscription_id;
  std::string reason;
  bool operator==(const Grant&) const = default;
};

struct PolicyStatus {
  std::string name;    // from the file, or the file's stem if unreadable
  std::string plugin;  // plugin name as written in the file (may be empty)
  std::string file;    // path of the policy file
  int priority = 0;
  std::vector<std::string> tenants;  // empty: applies to every tenant
  bool ok = false;
  std::string error;      // why the policy failed; empty when ok
  std::string loaded_at;  // RFC 3339 UTC
};

// One policy's verdict over one batch: on success, grants index-aligned with
// the batch; on failure, an error and no grants (keep the previous ones).
struct BatchResult {
  bool ok = false;
  std::string error;
  std::vector<std::vector<Grant>> grants_by_user;
};

class PolicySet {
 public:
  // Loads every *.json in policies_dir (sorted by file name), each naming
  // `<plugins_dir>/<plugin>.so`. Never fails as a whole: broken policies are
  // kept with ok=false; a missing policies_dir gives an empty set (logged).
  static std::shared_ptr<const PolicySet> Load(const std::string& policies_dir,
                                               const std::string& plugins_dir);

  PolicySet(const PolicySet&) = delete;
  PolicySet& operator=(const PolicySet&) = delete;
  ~PolicySet();  // destroys plugin instances, then unloads plugins

  // Every policy file found, in load order.
  const std::vector<PolicyStatus>& Statuses() const { return statuses_; }

  // Evaluates the policies that apply to `tenant` (failed ones included, as
  // failed results) over `users`. `subscriptions` are the tenant's
  // subscription ids: a grant naming any other fails that policy's batch.
  // The PolicyStatus pointers live as long as this set.
  std::vector<std::pair<const PolicyStatus*, BatchResult>> Evaluate(
      std::string_view tenant, std::span<const UserFacts> users,
      const std::unordered_set<std::string>& subscriptions) const;

 private:
  struct Entry;  // a status plus, when ok, the plugin and its instance
  PolicySet();

  std::vector<PolicyStatus> statuses_;
  std::vector<std::unique_ptr<Entry>> entries_;  // index-aligned with statuses_
};

}  // namespace allot::policy
