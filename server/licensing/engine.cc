// server/licensing/engine.cc — the engine's policies per tenant and its
// evaluations (marked users, full passes). Background threads are in
// engine_background.cc, the admin side of policies in engine_policies.cc.
#include "server/licensing/engine.h"

#include <soci/soci.h>
#include <unistd.h>

#include <random>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/licensing/engine_tenant.h"
#include "server/licensing/evaluate.h"
#include "server/licensing/locks.h"
#include "server/licensing/sql.h"
#include "server/policy/plugin_host.h"
#include "server/policy/policy.h"
#include "server/store/row_locks.h"

namespace allot::licensing {
namespace {

std::string NewInstanceId() {
  char host[64] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + "/" + std::to_string(::getpid()) + "/" +
         std::to_string(std::random_device{}());
}

// How many times one batch is evaluated again because the policies changed
// under it before the engine gives up (the next round retries).
constexpr int kStaleRetries = 5;

}  // namespace

struct Engine::BatchOutcome {
  ApplyOutcome apply;
  int64_t version = 0;
  size_t users = 0;
};

Engine::Engine(store::Database& db, EngineOptions options)
    : db_(db), options_(std::move(options)), instance_id_(NewInstanceId()) {
  if (options_.host_executable.empty()) {
    runtime_ = policy::MakeLocalRuntime(options_.plugins_dir);
  } else {
    hosted_ = std::make_shared<policy::HostedRuntime>(
        policy::HostedRuntimeOptions{.plugins_dir = options_.plugins_dir,
                                     .executable = options_.host_executable,
                                     .timeout_ms = options_.plugin_timeout_ms});
    runtime_ = hosted_;
  }
  files_ = std::make_shared<const std::vector<policy::PolicyDef>>(
      policy::ReadPolicyFiles(options_.policies_dir));
  files_generation_ = ++generations_;
}

Engine::Engine(store::Database& db, std::string policies_dir, std::string plugins_dir)
    : Engine(db, EngineOptions{.policies_dir = std::move(policies_dir),
                               .plugins_dir = std::move(plugins_dir)}) {}

Engine::~Engine() { Stop(); }

Engine::Tenant& Engine::TenantOf(const std::string& tenant) {
  std::lock_guard lock(mu_);
  auto& t = tenants_[tenant];
  if (t == nullptr) t = std::make_unique<Tenant>(tenant);
  return *t;
}

std::vector<policy::PolicyDef> Engine::FileDefsFor(const Tenant& t, const std::string& tenant) const {
  // mu_ held by the caller.
  const auto& files = t.files != nullptr ? *t.files : *files_;
  std::vector<policy::PolicyDef> out;
  for (const policy::PolicyDef& d : files) {
    if (d.tenants.empty() || std::find(d.tenants.begin(), d.tenants.end(), tenant) != d.tenants.end()) {
      out.push_back(d);
    }
  }
  return out;
}

namespace {

// The tenant's version and its own policies, in one snapshot.
struct DatabasePolicies {
  int64_t version = 0;
  std::vector<StoredPolicy> policies;
};

Result<int64_t> ReadVersion(soci::session& sql, const std::string& tenant) {
  int64_t version = 0;
  auto s = sql::Run(sql, "SELECT version FROM tenant_policy_state WHERE tenant_id = :p0", {tenant},
                    [&](const soci::row& r) { version = sql::Int(r, 0); });
  if (!s) return std::unexpected(s.error());
  return version;
}

}  // namespace

Result<Engine::Built> Engine::Policies(const std::string& tenant) {
  Tenant& t = TenantOf(tenant);
  auto version = db_.ReadValue<int64_t>([&](soci::session& sql) { return ReadVersion(sql, tenant); });
  if (!version) return std::unexpected(version.error());
  auto current = [&]() -> std::optional<Built> {
    std::lock_guard lock(mu_);
    const uint64_t files = t.files != nullptr ? t.files_generation : files_generation_;
    if (t.set != nullptr && t.set_version == *version && t.set_files_generation == files) {
      return Built{t.set, t.set_version};
    }
    return std::nullopt;
  };
  if (auto built = current()) return *built;

  std::lock_guard build(t.build_mu);
  // Read again: another thread may have built it, or the version moved.
  auto stored = db_.ReadValue<DatabasePolicies>([&](soci::session& sql) -> Result<DatabasePolicies> {
    auto v = ReadVersion(sql, tenant);
    if (!v) return std::unexpected(v.error());
    auto list = ListStoredPolicies(sql, tenant);
    if (!list) return std::unexpected(list.error());
    return DatabasePolicies{*v, std::move(*list)};
  });
  if (!stored) return std::unexpected(stored.error());
  *version = stored->version;
  if (auto built = current()) return *built;

  std::vector<policy::PolicyDef> defs;
  std::shared_ptr<const policy::PolicySet> previous;
  uint64_t files_generation;
  {
    std::lock_guard lock(mu_);
    defs = FileDefsFor(t, tenant);
    previous = t.set;
    files_generation = t.files != nullptr ? t.files_generation : files_generation_;
  }
  const size_t file_count = defs.size();
  for (const StoredPolicy& p : stored->policies) {
    policy::PolicyDef d{.name = p.name,
                        .plugin = p.plugin,
                        .priority = p.priority,
                        .config = p.config,
                        .enabled = p.enabled,
                        .source = "api",
                        .version = p.version,
                        .loaded_at = p.updated_at};
    for (size_t i = 0; i < file_count; ++i) {
      if (defs[i].name == p.name) {
        d.error = "policy \"" + p.name + "\": shadowed by the operator's policy file " +
                  defs[i].file + " of the same name; rename this policy";
      }
    }
    defs.push_back(std::move(d));
  }
  auto set = policy::PolicySet::Build(std::move(defs), runtime_, tenant, previous.get());
  // Instances cannot be created while the server stops: that is no failure
  // of the policies.
  if (stopping_) return Fail(ErrorCode::kUnavailable, "the server is shutting down");
  // A policy that does not load is failed for every instance to see.
  Status recorded = db_.Write([&](soci::session& sql) -> Status {
    for (const policy::PolicyStatus& st : set->Statuses()) {
      if (st.ok) continue;
      if (auto w = RecordPolicyFailure(sql, tenant, st.name, st.error); !w) return w;
    }
    return Ok();
  });
  if (!recorded) log::Warn("cannot record policy load failures", {{"error", recorded.error().message}});
  int ok = 0, failed = 0;
  for (const auto& st : set->Statuses()) (st.ok ? ok : failed) += 1;
  log::Info("policies loaded", {{"tenant", tenant},
                                {"version", stored->version},
                                {"ok", ok},
                                {"failed", failed}});
  std::lock_guard lock(mu_);
  t.set = set;
  t.set_version = stored->version;
  t.set_files_generation = files_generation;
  return Built{set, stored->version};
}

Result<Engine::BatchOutcome> Engine::EvaluateBatch(const std::string& tenant,
                                                   const std::vector<std::string>& ids,
                                                   const Actor* actor) {
  for (int attempt = 0;; ++attempt) {
    auto built = Policies(tenant);
    if (!built) return std::unexpected(built.error());
    auto input = db_.ReadValue<EvaluationInput>([&](soci::session& sql) {
      return ReadEvaluation(sql, tenant, ids, built->set->AttributePaths());
    });
    if (!input) return std::unexpected(input.error());
    // The plugins run here, outside any transaction.
    PolicyResults results;
    if (input->facts->size() > 0) results = built->set->Evaluate(*input->facts);
    if (stopping_) return Fail(ErrorCode::kUnavailable, "the server is shutting down");
    auto applied = db_.WriteValue<ApplyOutcome>([&](soci::session& sql) {
      return ApplyEvaluation(sql, *input, results, built->version, actor);
    });
    if (!applied) return std::unexpected(applied.error());
    if (applied->stale_policies && attempt < kStaleRetries) continue;
    for (const PolicyFailure& f : applied->failures) {
      log::Warn("policy evaluation failed; its previous grants are kept",
                {{"tenant", tenant}, {"policy", f.policy}, {"error", f.error}});
    }
    return BatchOutcome{std::move(*applied), built->version, input->users.size()};
  }
}

Result<ReconcileCounts> Engine::EvaluateMarked(const std::string& tenant) {
  ReconcileCounts counts;
  for (;;) {
    auto ids = db_.ReadValue<std::vector<std::string>>(
        [&](soci::session& sql) { return ReadMarkedUsers(sql, tenant, kEvalBatch); });
    if (!ids) return std::unexpected(ids.error());
    if (ids->empty()) break;
    auto batch = EvaluateBatch(tenant, *ids, nullptr);
    if (!batch) return std::unexpected(batch.error());
    if (batch->apply.stale_policies) {
      return Fail(ErrorCode::kUnavailable, "the tenant's policies keep changing; retry later");
    }
    counts.users += batch->apply.applied;
    counts.batches += 1;
    counts.changes += batch->apply.changes;
    counts.policy_failures += static_cast<int64_t>(batch->apply.failures.size());
  }
  return counts;
}

Result<ReconcileCounts> Engine::RunPass(const std::string& tenant, const Actor& actor,
                                        const std::string& lease_owner) {
  ReconcileCounts counts;
  const auto start = Clock::now();
  {
    // This pass is the re-evaluation a reload of the files asked for.
    std::lock_guard lock(mu_);
    if (auto it = tenants_.find(tenant); it != tenants_.end()) it->second->pass_requested = false;
  }
  std::string after;
  int64_t first_version = -1;
  for (;;) {
    auto ids = db_.ReadValue<std::vector<std::string>>(
        [&](soci::session& sql) { return ReadUserPage(sql, tenant, after, kReconcileBatch); });
    if (!ids) return std::unexpected(ids.error());
    if (ids->empty()) break;
    auto batch = EvaluateBatch(tenant, *ids, &actor);
    if (!batch) {
      log::Error("reconcile batch failed", {{"tenant", tenant}, {"error", batch.error().message}});
      return std::unexpected(batch.error());
    }
    if (first_version < 0) first_version = batch->version;
    after = ids->back();
    counts.users += static_cast<int64_t>(ids->size());
    counts.batches += 1;
    counts.changes += batch->apply.changes;
    counts.policy_failures += static_cast<int64_t>(batch->apply.failures.size());
    if (counts.batches % 10 == 0) {
      log::Info("reconcile progress", {{"tenant", tenant}, {"users", counts.users}});
    }
    if (!lease_owner.empty()) {
      const auto now = std::chrono::system_clock::now();
      auto held = db_.WriteValue<bool>([&](soci::session& sql) {
        return ClaimPass(sql, tenant, lease_owner, TimeRfc3339(now),
                         TimeRfc3339(now + std::chrono::seconds(30)));
      });
      if (held && !*held) return Fail(ErrorCode::kConflict, "the re-evaluation lease was lost");
    }
  }
  if (first_version < 0) {
    auto built = Policies(tenant);
    if (!built) return std::unexpected(built.error());
    first_version = built->version;
  }
  // A pass that saw the policies change covers only the version it began
  // with; the newer one gets a pass of its own.
  Status finished = db_.Write(
      [&](soci::session& sql) { return FinishPass(sql, tenant, lease_owner, first_version); });
  if (!finished) return std::unexpected(finished.error());
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  log::Info("reconcile done", {{"tenant", tenant},
                               {"users", counts.users},
                               {"activated", counts.changes.activated},
                               {"queued", counts.changes.queued},
                               {"released", counts.changes.released},
                               {"promoted", counts.changes.promoted},
                               {"policy_failures", counts.policy_failures},
                               {"ms", ms}});
  return counts;
}

Result<ReconcileCounts> Engine::ReconcileTenant(const std::string& tenant, const Actor& actor) {
  Tenant& t = TenantOf(tenant);
  // A background pass of this tenant may be running: wait for it, boundedly.
  std::unique_lock pass(t.pass_mu, std::chrono::seconds(60));
  if (!pass.owns_lock()) {
    return Fail(ErrorCode::kConflict, "a re-evaluation of this tenant is already running; retry later");
  }
  return RunPass(tenant, actor, "");
}

Result<ReconcileCounts> Engine::ReconcileAll(const Actor& actor) {
  std::vector<std::string> tenants;
  Status read = db_.Read([&](soci::session& sql) {
    return sql::Run(sql, "SELECT id FROM tenants ORDER BY id", {},
                    [&](const soci::row& r) { tenants.push_back(sql::Str(r, 0)); });
  });
  if (!read) return std::unexpected(read.error());
  ReconcileCounts total;
  for (const std::string& t : tenants) {
    auto c = ReconcileTenant(t, actor);
    if (!c) return c;
    total.users += c->users;
    total.batches += c->batches;
    total.changes += c->changes;
    total.policy_failures += c->policy_failures;
  }
  return total;
}

Status Engine::UsersChanged(soci::session& sql, const std::string& tenant_id,
                            const std::vector<std::string>& user_ids, const Actor& actor) {
  if (user_ids.empty()) return Ok();
  // Lock order (store/row_locks.h): the users' rows (the SCIM write holds
  // them already), their state rows, subscriptions.
  if (auto s = store::LockUsers(sql, tenant_id, user_ids); !s) return s;
  if (auto s = MarkUsers(sql, tenant_id, user_ids, actor); !s) return s;
  // A user who is no longer active holds nothing whatever the policies say:
  // those seats go back now, in the SCIM change's transaction.
  if (auto s = sql::FillIdList(sql, user_ids); !s) return s;
  std::unordered_set<std::string> live;
  auto s = sql::Run(sql,
                    std::string("SELECT id FROM scim_users WHERE tenant_id = :p0 AND active <> 0 "
                                "AND deleted_at IS NULL AND id IN ") + sql::kIdList,
                    {tenant_id}, [&](const soci::row& r) { live.insert(sql::Str(r, 0)); });
  if (!s) return s;
  std::vector<std::string> gone;
  for (const std::string& id : user_ids) {
    if (!live.contains(id)) gone.push_back(id);
  }
  if (!gone.empty()) {
    auto released = Reapply(sql, tenant_id, gone, {actor, "policy"});
    if (!released) return std::unexpected(released.error());
  }
  Wake(tenant_id);
  return Ok();
}

Result<Backlog> Engine::Pending(const std::string& tenant) {
  auto backlog = db_.ReadValue<Backlog>([&](soci::session& sql) -> Result<Backlog> {
    Backlog b;
    auto s = sql::Run(sql,
                      "SELECT COUNT(*) FROM licensing_user_state WHERE tenant_id = :p0 AND "
                      "dirty_since IS NOT NULL",
                      {tenant}, [&](const soci::row& r) { b.marked_users = sql::Int(r, 0); });
    if (!s) return std::unexpected(s.error());
    s = sql::Run(sql,
                 "SELECT version, reconciled_version FROM tenant_policy_state WHERE tenant_id = :p0",
                 {tenant}, [&](const soci::row& r) {
                   b.policy_version = sql::Int(r, 0);
                   b.reconciled_version = sql::Int(r, 1);
                 });
    if (!s) return std::unexpected(s.error());
    return b;
  });
  if (!backlog) return backlog;
  std::lock_guard lock(mu_);
  auto it = tenants_.find(tenant);
  backlog->pass_pending = it != tenants_.end() && it->second->pass_requested;
  return backlog;
}

}  // namespace allot::licensing
