// server/licensing/engine_background.cc — the engine's background: one
// evaluation thread per tenant with work (started on demand, ended when
// idle), and the poller that learns of other instances' changes and of work
// left behind. See engine.h.
#include <soci/soci.h>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/licensing/engine.h"
#include "server/licensing/engine_tenant.h"
#include "server/licensing/evaluate.h"
#include "server/licensing/sql.h"
#include "server/policy/plugin_host.h"

namespace allot::licensing {
namespace {

// An evaluation thread with nothing to do for this long ends.
constexpr auto kIdleThread = std::chrono::seconds(30);
// After a wake that found nothing (the waking transaction may not have
// committed yet), look again this often until the retry window closes.
constexpr auto kRetryStep = std::chrono::milliseconds(10);
constexpr auto kRetryWindow = std::chrono::milliseconds(1000);

}  // namespace

void Engine::Start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) return;
  started_ = true;
  poller_ = std::thread([this] { Poll(); });
}

void Engine::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [id, t] : tenants_) t->cv.notify_all();
  }
  poll_cv_.notify_all();
  // Ends every plugin call in flight, so that no thread stays in a plugin.
  if (hosted_) hosted_->Shutdown();
  if (poller_.joinable()) poller_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, t] : tenants_) {
      if (t->thread.joinable()) threads.push_back(std::move(t->thread));
    }
  }
  for (auto& th : threads) th.join();
}

void Engine::ReloadPolicies() {
  auto files = std::make_shared<const std::vector<policy::PolicyDef>>(
      policy::ReadPolicyFiles(options_.policies_dir));
  int ok = 0, failed = 0;
  for (const auto& d : *files) (d.error.empty() ? ok : failed) += 1;
  log::Info("policy files read", {{"dir", options_.policies_dir}, {"ok", ok}, {"failed", failed}});
  std::vector<std::string> tenants;
  Status read = db_.Read([&](soci::session& sql) {
    // Every tenant (`:p0 = :p0` is two parameters on PostgreSQL).
    return sql::Run(sql, "SELECT id FROM tenants WHERE id <> :p0", {""},
                    [&](const soci::row& r) { tenants.push_back(sql::Str(r, 0)); });
  });
  if (!read) log::Error("cannot list tenants to reload", {{"error", read.error().message}});
  {
    std::lock_guard lock(mu_);
    files_ = std::move(files);
    files_generation_ = ++generations_;
    for (const std::string& id : tenants) {
      auto& t = tenants_[id];
      if (t == nullptr) t = std::make_unique<Tenant>(id);
    }
    for (auto& [id, t] : tenants_) {
      t->files = nullptr;
      t->pass_requested = true;
      t->pass_actor = {Actor::Kind::kSystem, "allot"};
    }
  }
  for (const std::string& id : tenants) Wake(id);
}

void Engine::Wake(const std::string& tenant) {
  std::lock_guard lock(mu_);
  if (!started_ || stopping_) return;
  auto& slot = tenants_[tenant];
  if (slot == nullptr) slot = std::make_unique<Tenant>(tenant);
  Tenant& t = *slot;
  t.wake = true;
  t.retry_until = Clock::now() + kRetryWindow;
  if (t.running) {
    t.cv.notify_one();
    return;
  }
  // The previous thread has ended (it clears `running` as its last step).
  if (t.thread.joinable()) t.thread.join();
  t.running = true;
  t.thread = std::thread([this, &t] { Work(t); });
}

void Engine::Work(Tenant& t) {
  std::unique_lock lock(mu_);
  for (;;) {
    t.cv.wait_for(lock, kIdleThread, [&] { return t.wake || stopping_; });
    if (stopping_ || !t.wake) break;
    t.wake = false;
    lock.unlock();
    bool found = false;
    try {
      found = RunTenantWork(t.id);
    } catch (const std::exception& e) {
      log::Error("tenant evaluation failed", {{"tenant", t.id}, {"error", std::string_view(e.what())}});
    }
    lock.lock();
    if (!found && !t.wake && Clock::now() < t.retry_until) {
      // The change that woke us may still be committing: look again soon.
      t.cv.wait_for(lock, kRetryStep, [&] { return t.wake || stopping_; });
      t.wake = true;
    }
  }
  t.running = false;
}

bool Engine::RunTenantWork(const std::string& tenant) {
  Tenant& t = TenantOf(tenant);
  bool found = false;
  auto built = Policies(tenant);
  if (!built) {
    log::Warn("cannot load the tenant's policies", {{"tenant", tenant}, {"error", built.error().message}});
    return false;
  }
  // A change of the tenant's policies: everyone, once, by one instance.
  auto version = db_.ReadValue<Backlog>([&](soci::session& sql) -> Result<Backlog> {
    Backlog b;
    auto s = sql::Run(sql,
                      "SELECT version, reconciled_version FROM tenant_policy_state WHERE "
                      "tenant_id = :p0",
                      {tenant}, [&](const soci::row& r) {
                        b.policy_version = sql::Int(r, 0);
                        b.reconciled_version = sql::Int(r, 1);
                      });
    if (!s) return std::unexpected(s.error());
    return b;
  });
  bool pass_now = false;
  Actor actor{Actor::Kind::kSystem, "allot"};
  std::string lease;
  if (version && version->reconciled_version < version->policy_version) {
    const auto now = std::chrono::system_clock::now();
    auto claimed = db_.WriteValue<bool>([&](soci::session& sql) {
      return ClaimPass(sql, tenant, instance_id_, TimeRfc3339(now),
                       TimeRfc3339(now + std::chrono::seconds(30)));
    });
    if (claimed && *claimed) {
      pass_now = true;
      lease = instance_id_;
    }
  }
  {
    std::lock_guard lock(mu_);
    if (t.pass_requested) {
      t.pass_requested = false;
      pass_now = true;
    }
    if (pass_now) {
      actor = t.pass_actor;
      t.pass_actor = {Actor::Kind::kSystem, "allot"};
    }
  }
  if (pass_now) {
    found = true;
    std::unique_lock pass(t.pass_mu);
    auto counts = RunPass(tenant, actor, lease);
    if (!counts) {
      log::Error("re-evaluation of the tenant failed", {{"tenant", tenant}, {"error", counts.error().message}});
    }
  }
  auto marked = EvaluateMarked(tenant);
  if (!marked) {
    log::Warn("evaluation of changed users failed; retried later",
              {{"tenant", tenant}, {"error", marked.error().message}});
  } else if (marked->batches > 0) {
    found = true;
  }
  return found;
}

void Engine::Poll() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    poll_cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_.load(); });
    if (stopping_) break;
    lock.unlock();
    const auto now = std::chrono::system_clock::now();
    std::vector<std::string> wake;
    auto versions = db_.ReadValue<std::map<std::string, PolicyVersion>>(
        [&](soci::session& sql) { return AllPolicyVersions(sql); });
    if (versions) {
      const std::string now_text = TimeRfc3339(now);
      std::lock_guard guard(mu_);
      for (const auto& [tenant, v] : *versions) {
        auto it = tenants_.find(tenant);
        const bool stale_set = it != tenants_.end() && it->second->set != nullptr &&
                               it->second->set_version != v.version;
        const bool pass_due = v.reconciled < v.version &&
                              (v.pass_until.empty() || v.pass_until < now_text);
        if (stale_set || pass_due) wake.push_back(tenant);
      }
    }
    auto orphans = db_.ReadValue<std::vector<std::string>>([&](soci::session& sql) {
      return TenantsWithOldMarks(
          sql, TimeRfc3339(now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                 options_.orphan_age)));
    });
    if (orphans) wake.insert(wake.end(), orphans->begin(), orphans->end());
    if (!versions || !orphans) {
      log::Warn("policy poll failed", {{"error", !versions ? versions.error().message
                                                            : orphans.error().message}});
    }
    for (const std::string& tenant : wake) Wake(tenant);
    if (hosted_) hosted_->StopIdleHosts();
    lock.lock();
  }
}

}  // namespace allot::licensing
