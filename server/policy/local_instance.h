// server/policy/local_instance.h — one policy's plugin instance in THIS
// process: on_create from the policy's config, on_evaluate over a FactsBatch
// (every grant checked as it is emitted), on_destroy. The plugin host process
// (plugin_host_main.cc) keeps its instances as these; so does the in-process
// runtime that tests and benchmarks use.
// Thread-safety: Evaluate may be called from several threads; calls are
// serialised unless the plugin declares ALLOT_PLUGIN_FLAG_CONCURRENT.
#pragma once

#include <expected>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "allot_plugin.h"
#include "server/policy/batch_result.h"
#include "server/policy/facts_batch.h"

namespace allot::policy {

class Plugin;
struct ResolvedPath;

class LocalInstance {
 public:
  // Runs on_create with `config`. Error: what the plugin said, as
  // "invalid config: <the plugin's words>", or what it failed to do.
  // `policy_name` attributes the plugin's log lines.
  static std::expected<std::unique_ptr<LocalInstance>, std::string> Create(
      std::shared_ptr<const Plugin> plugin, const nlohmann::json& config, std::string policy_name);
  ~LocalInstance();  // on_destroy
  LocalInstance(const LocalInstance&) = delete;
  LocalInstance& operator=(const LocalInstance&) = delete;

  // The attribute paths the instance resolved in on_create, in order: the
  // values a batch must carry for it.
  const std::vector<std::string>& paths() const { return path_texts_; }

  // Runs on_evaluate over `facts`. On failure the error says what went
  // wrong ("evaluation failed (code 1): …", "invalid output: …") and no
  // grants are returned.
  BatchResult Evaluate(const FactsBatch& facts) const;

 private:
  LocalInstance() = default;

  std::shared_ptr<const Plugin> plugin_;
  allot_instance* instance_ = nullptr;  // plugin-owned
  std::vector<std::unique_ptr<ResolvedPath>> resolved_;
  std::vector<std::string> path_texts_;
  std::string policy_name_;
  mutable std::mutex mu_;  // serialises on_evaluate unless the plugin is concurrent
};

}  // namespace allot::policy
