#include "server/licensing/engine.h"

#include <soci/soci.h>

#include <chrono>

#include "server/base/log.h"
#include "server/licensing/evaluate.h"
#include "server/licensing/sql.h"
#include "server/policy/policy.h"
#include "server/store/row_locks.h"

namespace allot::licensing {

Engine::Engine(store::Database& db, std::string policies_dir, std::string plugins_dir)
    : db_(db), policies_dir_(std::move(policies_dir)), plugins_dir_(std::move(plugins_dir)) {}

Engine::~Engine() = default;

void Engine::ReloadPolicies() {
  std::shared_ptr<const policy::PolicySet> set;
  if (!policies_dir_.empty()) set = policy::PolicySet::Load(policies_dir_, plugins_dir_);
  int ok = 0, failed = 0;
  if (set) {
    for (const auto& s : set->Statuses()) {
      if (s.ok) {
        ++ok;
      } else {
        ++failed;
        log::Warn("policy failed to load", {{"policy", s.name}, {"error", s.error}});
      }
    }
  }
  log::Info("policies loaded", {{"dir", policies_dir_}, {"ok", ok}, {"failed", failed}});
  SetPolicies(std::move(set));
}

void Engine::SetPolicies(std::shared_ptr<const policy::PolicySet> set) {
  std::lock_guard lock(mu_);
  policies_ = std::move(set);
  eval_errors_.clear();
}

std::shared_ptr<const policy::PolicySet> Engine::policies() const {
  std::lock_guard lock(mu_);
  return policies_;
}

std::vector<PolicyView> Engine::PolicyStatuses(const std::string& tenant) const {
  std::lock_guard lock(mu_);
  std::vector<PolicyView> out;
  if (!policies_) return out;
  for (const policy::PolicyStatus& s : policies_->Statuses()) {
    if (!s.tenants.empty() &&
        std::find(s.tenants.begin(), s.tenants.end(), tenant) == s.tenants.end()) {
      continue;
    }
    PolicyView v{s.name, s.plugin, s.ok ? "ok" : "failed", s.error, s.loaded_at, s.priority};
    if (auto it = eval_errors_.find({tenant, s.name}); s.ok && it != eval_errors_.end()) {
      v.status = "failed";
      v.error = it->second;
    }
    out.push_back(std::move(v));
  }
  return out;
}

void Engine::NoteFailures(const std::string& tenant, const std::vector<std::string>& evaluated,
                          const std::vector<std::pair<std::string, std::string>>& failures) {
  std::lock_guard lock(mu_);
  for (const std::string& name : evaluated) eval_errors_.erase({tenant, name});
  for (const auto& [name, error] : failures) eval_errors_[{tenant, name}] = error;
}

Status Engine::UsersChanged(soci::session& sql, const std::string& tenant_id,
                            const std::vector<std::string>& user_ids, const Actor& actor) {
  if (user_ids.empty()) return Ok();
  // The users first (store/row_locks.h): their stored grants change below.
  if (auto l = store::LockUsers(sql, tenant_id, user_ids); !l) return l;
  auto set = policies();
  EvaluatedUsers known;
  auto failures = EvaluateAndStore(sql, tenant_id, user_ids, set.get(), actor, &known);
  if (!failures) return std::unexpected(failures.error());
  std::vector<std::string> evaluated;
  if (set) {
    for (const auto& s : set->Statuses()) evaluated.push_back(s.name);
  }
  std::vector<std::pair<std::string, std::string>> failed;
  for (const PolicyFailure& f : *failures) {
    failed.emplace_back(f.policy, f.error);
    log::Warn("policy evaluation failed; its previous grants are kept",
              {{"tenant", tenant_id}, {"policy", f.policy}, {"error", f.error}});
  }
  NoteFailures(tenant_id, evaluated, failed);
  auto applied = Reapply(sql, tenant_id, user_ids, {actor, "policy"}, &known);
  if (!applied) return std::unexpected(applied.error());
  return Ok();
}

Result<ReconcileCounts> Engine::ReconcileTenant(const std::string& tenant, const Actor& actor) {
  ReconcileCounts counts;
  const auto start = std::chrono::steady_clock::now();
  std::string after;
  for (;;) {
    std::vector<std::string> ids;
    Status read = db_.Read([&](soci::session& sql) {
      return sql::Run(sql,
                      "SELECT id FROM scim_users WHERE tenant_id = :p0 AND id > :p1 ORDER BY id "
                      "LIMIT " +
                          std::to_string(kReconcileBatch),
                      {tenant, after}, [&](const soci::row& r) { ids.push_back(sql::Str(r, 0)); });
    });
    if (!read) return std::unexpected(read.error());
    if (ids.empty()) break;
    after = ids.back();
    ApplyCounts batch_counts;
    size_t batch_failures = 0;
    Status s = db_.Write([&](soci::session& sql) -> Status {
      // The batch's users first (store/row_locks.h): a SCIM change of one of
      // them waits for the batch, or the batch for it, and neither is lost.
      if (auto l = store::LockUsers(sql, tenant, ids); !l) return l;
      auto set = policies();
      EvaluatedUsers known;
      auto failures = EvaluateAndStore(sql, tenant, ids, set.get(), actor, &known);
      if (!failures) return std::unexpected(failures.error());
      batch_failures = failures->size();
      auto applied = Reapply(sql, tenant, ids, {actor, "policy"}, &known);
      if (!applied) return std::unexpected(applied.error());
      batch_counts = *applied;
      return Ok();
    });
    if (!s) {
      log::Error("reconcile batch failed", {{"tenant", tenant}, {"error", s.error().message}});
      return std::unexpected(s.error());
    }
    counts.users += static_cast<int64_t>(ids.size());
    counts.batches += 1;
    counts.changes += batch_counts;
    counts.policy_failures += static_cast<int64_t>(batch_failures);
    if (counts.batches % 10 == 0) {
      log::Info("reconcile progress", {{"tenant", tenant}, {"users", counts.users}});
    }
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
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

}  // namespace allot::licensing
