// server/policy/policy.h — the policy host as the licensing engine sees it:
// policies (from files or from the tenant's data), their plugin instances
// created through a PluginRuntime (in this process, or in plugin host
// processes: plugin_host.h), and the evaluation of batches of users.
//
// Nothing here throws across the interface and nothing a plugin does can make
// it fail as a whole: a broken policy is kept with ok=false and an error that
// names the policy and what is wrong, and its evaluations report failure so
// the caller keeps the policy's previous grants.
//
// Thread-safety: a built PolicySet is immutable; Evaluate may be called from
// any number of threads at once (the runtime serialises calls into one
// plugin instance as the ABI requires).
#pragma once

#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/policy/batch_result.h"
#include "server/policy/facts_batch.h"

namespace allot::policy {

struct GroupFacts {
  std::string id, display_name, external_id;
};

// One user as the policies see it, for PolicySet::Evaluate's convenience
// form. Nothing is owned: everything pointed to must outlive the call.
struct UserFacts {
  std::string id;  // SCIM id
  bool active = false;
  // The SCIM User resource: core attributes at the top level, extensions
  // under their URN key. May be null (then every attribute is absent).
  const nlohmann::json* resource = nullptr;
  std::vector<const GroupFacts*> groups;
};

// One policy as configured.
struct PolicyDef {
  std::string name;
  std::string plugin;  // the file <plugins dir>/<plugin>.so
  int priority = 0;
  nlohmann::json config = nlohmann::json::object();
  bool enabled = true;
  std::string source = "file";       // "file" (operator) or "api" (tenant data)
  std::string file;                  // the policy file, for source "file"
  std::vector<std::string> tenants;  // source "file": empty = every tenant
  int64_t version = 0;               // source "api": the stored version
  std::string loaded_at;             // when the definition was read (RFC 3339)
  std::string error;                 // set when the file did not parse: not loaded
};

struct PolicyStatus {
  std::string name;    // from the file, or the file's stem if unreadable
  std::string plugin;  // plugin name as written (may be empty)
  std::string file;    // path of the policy file ("" for an API policy)
  std::string source = "file";
  int priority = 0;
  bool enabled = true;
  int64_t version = 0;
  std::vector<std::string> tenants;  // empty: applies to every tenant
  bool ok = false;
  std::string error;      // why the policy failed to load; empty when ok
  std::string loaded_at;  // RFC 3339 UTC
};

// A created plugin instance, wherever it runs.
class PolicyInstance {
 public:
  virtual ~PolicyInstance() = default;
  // The attribute paths it resolved in on_create: the values it may read.
  virtual const std::vector<std::string>& paths() const = 0;
  // The plugin file, for messages.
  virtual const std::string& plugin_path() const = 0;
};

// Where plugin instances live and run.
class PluginRuntime {
 public:
  virtual ~PluginRuntime() = default;
  // Creates an instance of `plugin` (a name, <plugins dir>/<plugin>.so)
  // from `config` for `tenant`. Error: a message saying what is wrong — in
  // the plugin's own words when it refused the config ("invalid config: …").
  virtual std::expected<std::shared_ptr<PolicyInstance>, std::string> Create(
      std::string_view tenant, const std::string& plugin, const std::string& policy_name,
      const nlohmann::json& config) = 0;
  // Evaluates each of `instances` (created by this runtime for
  // facts.tenant()) over `facts`; the results are index-aligned with
  // `instances`. Never fails as a whole.
  virtual std::vector<BatchResult> Evaluate(std::span<PolicyInstance* const> instances,
                                            const FactsBatch& facts) = 0;
  // <plugins dir>/<plugin>.so, for messages.
  virtual std::string PluginPath(const std::string& plugin) const = 0;
  // Loads `plugin` (no instance) and returns the ABI version it declares.
  // Error: why it does not load.
  virtual std::expected<uint32_t, std::string> Probe(const std::string& plugin) = 0;
};

// Plugins loaded in this process with dlopen (tests, benchmarks, and the
// plugin host process itself). A plugin that crashes takes the process down.
std::shared_ptr<PluginRuntime> MakeLocalRuntime(std::string plugins_dir);

// Reads every *.json of `policies_dir` (sorted by file name) into
// definitions; a file that does not parse (or repeats a name) is a
// definition with `error` set. A missing directory gives none (logged).
std::vector<PolicyDef> ReadPolicyFiles(const std::string& policies_dir);

class PolicySet {
 public:
  // Creates the instances of `defs` through `runtime` (file policies that do
  // not apply to `tenant` are left out unless `tenant` is empty). Never
  // fails as a whole: a policy that cannot be created is kept as failed.
  // Instances of `previous` whose definition is unchanged are reused, not
  // created again.
  static std::shared_ptr<const PolicySet> Build(std::vector<PolicyDef> defs,
                                                std::shared_ptr<PluginRuntime> runtime,
                                                std::string_view tenant,
                                                const PolicySet* previous = nullptr);
  // Every policy file of `policies_dir`, every tenant, plugins in this
  // process (tests and benchmarks).
  static std::shared_ptr<const PolicySet> Load(const std::string& policies_dir,
                                               const std::string& plugins_dir);

  PolicySet(const PolicySet&) = delete;
  PolicySet& operator=(const PolicySet&) = delete;
  ~PolicySet();

  // Every policy, in definition order.
  const std::vector<PolicyStatus>& Statuses() const { return statuses_; }
  // The attribute paths the loaded instances read (a batch for them needs
  // the values of these, and no others).
  const std::vector<std::string>& AttributePaths() const { return paths_; }

  // Evaluates the enabled policies that apply to facts.tenant() (failed ones
  // included, as failed results). The PolicyStatus pointers live as long as
  // this set.
  std::vector<std::pair<const PolicyStatus*, BatchResult>> Evaluate(const FactsBatch& facts) const;

  // The same over `users`, whose facts are turned into a batch first;
  // `subscriptions` are the tenant's subscription ids.
  std::vector<std::pair<const PolicyStatus*, BatchResult>> Evaluate(
      std::string_view tenant, std::span<const UserFacts> users,
      const std::unordered_set<std::string>& subscriptions) const;

 private:
  struct Entry {
    std::shared_ptr<PolicyInstance> instance;  // null unless loaded
    std::string config;                        // the config as created (dump)
  };
  PolicySet() = default;

  std::shared_ptr<PluginRuntime> runtime_;
  std::vector<PolicyStatus> statuses_;
  std::vector<Entry> entries_;  // index-aligned with statuses_
  std::vector<std::string> paths_;
};

}  // namespace allot::policy
