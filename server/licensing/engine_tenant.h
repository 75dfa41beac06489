// server/licensing/engine_tenant.h — what the engine keeps per tenant (its
// built policies, its evaluation thread, its limit of admin requests that
// wait for plugins). Internal to engine*.cc.
// Thread-safety: fields are guarded as marked (mu_ is Engine::mu_).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/licensing/engine.h"
#include "server/policy/policy.h"

namespace allot::licensing {

struct Engine::Tenant {
  explicit Tenant(std::string tenant_id) : id(std::move(tenant_id)) {}

  const std::string id;
  std::mutex build_mu;        // one build of `set` at a time
  std::timed_mutex pass_mu;   // one full pass at a time in this process

  // ---- guarded by Engine::mu_
  std::shared_ptr<const policy::PolicySet> set;
  int64_t set_version = -1;             // the database version it was built from
  uint64_t set_files_generation = 0;    // the files it was built from
  // The policy files this tenant uses: its own after a reload of its own
  // (POST /policies/reload), else the engine's.
  std::shared_ptr<const std::vector<policy::PolicyDef>> files;
  uint64_t files_generation = 0;
  bool pass_requested = false;          // re-evaluate everyone (files reloaded)
  Actor pass_actor{Actor::Kind::kSystem, "allot"};
  bool wake = false;
  std::chrono::steady_clock::time_point retry_until{};
  bool running = false;
  std::thread thread;
  std::condition_variable cv;
  int plugin_requests = 0;
};

}  // namespace allot::licensing

namespace allot::licensing {

// One admin request that may wait for the tenant's plugins: counted against
// the tenant's limit while it lives.
class Engine::PluginRequest {
 public:
  PluginRequest(Engine* engine, Tenant* tenant) : engine_(engine), tenant_(tenant) {}
  PluginRequest(PluginRequest&& other) noexcept
      : engine_(other.engine_), tenant_(std::exchange(other.tenant_, nullptr)) {}
  PluginRequest& operator=(PluginRequest&&) = delete;
  ~PluginRequest() {
    if (tenant_ == nullptr) return;
    std::lock_guard lock(engine_->mu_);
    --tenant_->plugin_requests;
  }

 private:
  Engine* engine_;
  Tenant* tenant_;
};

}  // namespace allot::licensing
