// server/policy/local_instance.cc — see local_instance.h.
#include "server/policy/local_instance.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "server/policy/host_api.h"
#include "server/policy/plugin.h"

namespace allot::policy {

std::expected<std::unique_ptr<LocalInstance>, std::string> LocalInstance::Create(
    std::shared_ptr<const Plugin> plugin, const nlohmann::json& config, std::string policy_name) {
  std::unique_ptr<LocalInstance> out(new LocalInstance());
  out->plugin_ = std::move(plugin);
  out->policy_name_ = std::move(policy_name);
  allot_create_ctx ctx{&out->resolved_};
  allot_error err;
  allot_instance* instance = nullptr;
  int32_t rc;
  {
    LogScope scope(&out->policy_name_);
    rc = out->plugin_->api().on_create(&ctx, ToConfig(config), &err, &instance);
  }
  if (rc != ALLOT_OK || instance == nullptr) {
    // A plugin that returned an instance with an error still owns it.
    if (instance != nullptr) out->plugin_->api().on_destroy(instance);
    return std::unexpected(std::string("invalid config: ") +
                           (err.set ? err.message
                                    : rc == ALLOT_OK ? "on_create returned no instance"
                                                     : "on_create failed with no message"));
  }
  out->instance_ = instance;
  for (const auto& p : out->resolved_) out->path_texts_.push_back(p->text);
  return out;
}

LocalInstance::~LocalInstance() {
  // The instance goes first, while its paths and its code are still there.
  if (instance_ != nullptr) plugin_->api().on_destroy(instance_);
}

BatchResult LocalInstance::Evaluate(const FactsBatch& facts) const {
  BatchResult r;
  std::vector<int32_t> columns(path_texts_.size(), -1);
  for (size_t p = 0; p < path_texts_.size(); ++p) {
    auto it = std::find(facts.paths().begin(), facts.paths().end(), path_texts_[p]);
    if (it != facts.paths().end()) columns[p] = static_cast<int32_t>(it - facts.paths().begin());
  }
  const allot_batch batch{&facts, columns};
  r.grants_by_user.resize(facts.size());
  allot_grant_sink sink{&batch, &r.grants_by_user, {}};
  allot_error err;
  int32_t rc;
  {
    LogScope scope(&policy_name_);
    std::unique_lock lock(mu_, std::defer_lock);
    if (!plugin_->concurrent()) lock.lock();
    rc = plugin_->api().on_evaluate(instance_, &batch, &sink, &err);
  }
  if (!sink.error.empty()) {
    r.error = "invalid output: " + sink.error;
  } else if (rc != ALLOT_OK) {
    r.error = "evaluation failed (code " + std::to_string(rc) +
              "): " + (err.set ? err.message : "no message given");
  }
  r.ok = r.error.empty();
  if (!r.ok) r.grants_by_user.clear();
  return r;
}

}  // namespace allot::policy
