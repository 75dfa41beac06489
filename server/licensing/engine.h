// server/licensing/engine.h — the licensing engine: each tenant's policies
// (the operator's policy files that apply to it, and its own policies kept in
// the database), their plugin instances (in plugin host processes in the
// server: policy/plugin_host.h), and the evaluation of users against them.
//
// How a change becomes seats, without a plugin ever running inside a
// transaction (evaluate.h has the three steps):
//   - the SCIM layer calls UsersChanged inside its transaction: the users
//     are marked (durably: a kill -9 loses nothing) and the seats of users
//     who are no longer active are released at once (no policy needed);
//   - after the commit, the tenant's evaluation thread reads the marked
//     users, runs the policies, and applies the outcome in a short
//     transaction that checks the facts are still those it read. A GET
//     right after a SCIM change may therefore show the licensing outcome a
//     moment later (Backlog says when it has settled);
//   - a change of a tenant's policies (PUT/DELETE /policies, a reload)
//     re-evaluates all its users in the background (a "full pass");
//   - every instance on one database polls each tenant's policy version
//     (tenant_policy_state) every poll_interval and rebuilds what changed;
//     the full pass after a change is leased so that one instance runs it;
//     marks older than orphan_age (left by a process that died) are picked
//     up by any instance.
//
// Isolation: each tenant has its own evaluation thread and its own plugin
// hosts, so one tenant's slow or broken policy delays only that tenant's
// licensing. Admin requests that wait for a tenant's plugins (PUT of a
// policy, reload, reconcile) are limited per tenant (429 beyond), so a
// tenant cannot take the HTTP workers either.
//
// Thread-safety: thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/licensing/apply.h"
#include "server/licensing/identity_listener.h"
#include "server/licensing/policy_store.h"
#include "server/store/database.h"

namespace allot::policy {
class PolicySet;
class PluginRuntime;
class HostedRuntime;
struct PolicyDef;
struct PolicyStatus;
}  // namespace allot::policy

namespace allot::licensing {

// Users per batch of a full pass (one read, one evaluation, one apply).
inline constexpr size_t kReconcileBatch = 1000;

struct EngineOptions {
  std::string policies_dir;  // the operator's policy files ("" for none)
  std::string plugins_dir;
  // The allot binary run as `plugin-host` for every (tenant, plugin); empty:
  // plugins are loaded into this process (tests and benchmarks only — a
  // plugin that crashes then takes the process down).
  std::string host_executable;
  int plugin_timeout_ms = 2000;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds orphan_age{2000};
  int max_plugin_requests_per_tenant = 2;
};

struct ReconcileCounts {
  int64_t users = 0;
  int64_t batches = 0;
  ApplyCounts changes;
  int64_t policy_failures = 0;
};

// A policy as GET /policies shows it.
struct PolicyView {
  std::string name, plugin, source, status, error, failed_at, loaded_at;
  int priority = 0;
  bool enabled = true;
  int64_t version = 0;
  nlohmann::json config = nlohmann::json::object();
};

// An installed plugin (a .so in the plugins directory).
struct PluginInfo {
  std::string name;
  int64_t abi_version = -1;  // -1 when it does not load
  std::string error;         // why it does not load
};

// What is left to evaluate for a tenant.
struct Backlog {
  int64_t marked_users = 0;
  int64_t policy_version = 0;
  int64_t reconciled_version = 0;
  bool pass_pending = false;  // a reload's re-evaluation not yet done here
  bool settled() const {
    return marked_users == 0 && reconciled_version >= policy_version && !pass_pending;
  }
};

struct ReloadOutcome {
  std::vector<PolicyView> policies;
  ReconcileCounts counts;
};

class Engine final : public IdentityListener {
 public:
  Engine(store::Database& db, EngineOptions options);
  // Plugins in this process, nothing in the background (tests).
  Engine(store::Database& db, std::string policies_dir, std::string plugins_dir);
  ~Engine() override;  // Stop()

  // Starts the background: the poller, and evaluation threads as tenants
  // need them. Reads the policy files.
  void Start();
  // Stops the background and every plugin host; a call blocked in a looping
  // plugin returns at once. Idempotent.
  void Stop();

  // ---- the operator's policy files
  // Reads the files again; every tenant's policies are rebuilt and all its
  // users re-evaluated (in the background once started). SIGHUP, and the
  // operator API's reload, call this.
  void ReloadPolicies();
  // Reads the files again for `tenant` only and re-evaluates its users now
  // (POST /admin/v1/policies/reload). Counts are the tenant's.
  Result<ReloadOutcome> ReloadTenantPolicies(const std::string& tenant, const Actor& actor);

  // ---- a tenant's policies
  std::vector<PluginInfo> Plugins();
  Result<std::vector<PolicyView>> ListPolicies(const std::string& tenant);
  Result<PolicyView> GetPolicy(const std::string& tenant, const std::string& name);
  // Validates by creating the plugin instance (kInvalidRequest with the
  // plugin's words, nothing stored), stores, audits, rebuilds the tenant's
  // policies and re-evaluates its users in the background. kConflict for
  // the name of an operator's policy file.
  struct PutResult {
    PolicyView policy;
    bool created = false;
  };
  Result<PutResult> PutPolicy(const std::string& tenant, const std::string& name,
                              const PolicyInput& input, const Actor& actor);
  Status DeletePolicy(const std::string& tenant, const std::string& name, const Actor& actor);
  // ListPolicies, or none on a database error (tests).
  std::vector<PolicyView> PolicyStatuses(const std::string& tenant);

  // ---- evaluation
  // IdentityListener: marks the users (in `sql`) and releases the seats of
  // those no longer active; the evaluation follows after the commit.
  Status UsersChanged(soci::session& sql, const std::string& tenant_id,
                      const std::vector<std::string>& user_ids, const Actor& actor) override;
  // Evaluates every user of `tenant` now, on this thread; counts are the
  // tenant's. Errors: the first failed batch's (earlier batches stay).
  Result<ReconcileCounts> ReconcileTenant(const std::string& tenant, const Actor& actor);
  Result<ReconcileCounts> ReconcileAll(const Actor& actor);
  // Evaluates the tenant's marked users now, on this thread (what its
  // evaluation thread does; tests call it directly).
  Result<ReconcileCounts> EvaluateMarked(const std::string& tenant);
  Result<Backlog> Pending(const std::string& tenant);

  // The plugin hosts (empty with plugins in this process).
  policy::HostedRuntime* hosted_runtime() const { return hosted_.get(); }
  store::Database& db() { return db_; }

 private:
  struct Tenant;
  using Clock = std::chrono::steady_clock;

  Tenant& TenantOf(const std::string& tenant);
  // The tenant's policies, rebuilt first when the database or the files
  // changed since they were built. Also returns the version built from.
  struct Built {
    std::shared_ptr<const policy::PolicySet> set;
    int64_t version = 0;
  };
  Result<Built> Policies(const std::string& tenant);
  std::vector<policy::PolicyDef> FileDefsFor(const Tenant& t, const std::string& tenant) const;
  // One batch: read, evaluate, apply. Returns the outcome (stale_policies
  // when the policies changed; then nothing was applied).
  struct BatchOutcome;
  Result<BatchOutcome> EvaluateBatch(const std::string& tenant,
                                     const std::vector<std::string>& ids, const Actor* actor);
  // Every user of the tenant; `lease_owner` renews the background lease.
  Result<ReconcileCounts> RunPass(const std::string& tenant, const Actor& actor,
                                  const std::string& lease_owner);
  // Background.
  void Wake(const std::string& tenant);
  void Work(Tenant& t);
  bool RunTenantWork(const std::string& tenant);
  void Poll();
  // Per-tenant limit of admin requests that wait for plugins.
  class PluginRequest;
  Result<PluginRequest> BeginPluginRequest(const std::string& tenant);

  store::Database& db_;
  const EngineOptions options_;
  std::shared_ptr<policy::PluginRuntime> runtime_;
  std::shared_ptr<policy::HostedRuntime> hosted_;  // runtime_ when plugins are hosted
  const std::string instance_id_;                  // owner of full-pass leases

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Tenant>> tenants_;  // guarded by mu_
  std::shared_ptr<const std::vector<policy::PolicyDef>> files_;  // guarded by mu_
  uint64_t files_generation_ = 0;                                // guarded by mu_
  uint64_t generations_ = 0;  // source of generation numbers; guarded by mu_
  std::map<std::string, std::pair<int64_t, PluginInfo>> plugin_cache_;  // by mtime; mu_
  bool started_ = false;                                         // guarded by mu_
  std::atomic<bool> stopping_{false};
  std::condition_variable poll_cv_;
  std::thread poller_;
};

}  // namespace allot::licensing
