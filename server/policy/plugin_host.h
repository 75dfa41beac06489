// server/policy/plugin_host.h — plugins out of the server's process: the
// hosted PluginRuntime runs every instance in a plugin host process (`allot
// plugin-host`, plugin_host_main.cc), one per (tenant, plugin file), and talks
// to it over a socketpair with the protocol of wire.h.
//
// Isolation: a host serves one tenant, so nothing one tenant's policy does
// to its host (crash, loop, garbage) reaches another tenant's evaluations.
// Every call has a deadline (`timeout_ms`, the config key plugin_timeout_ms).
// A host that crashes, aborts, sends a malformed frame or misses its deadline
// is killed (SIGKILL) and reaped; the call in progress fails for the policy
// it was running ("crashed", "timed out"), and the others of the same batch
// are sent again to a new host. The next start waits for a back-off that
// grows with consecutive failures (0, 250 ms, 500 ms, … up to 60 s), reset
// by the first successful evaluation; while a host is down, its calls fail
// at once. A new host re-creates the instances of the old one; an instance
// whose on_create crashes is left out for good (its policy stays failed).
//
// Thread-safety: thread-safe. Calls to one host are serialised (the ABI's
// rule for instances that are not concurrent, and one request at a time on
// the socket); hosts of different tenants or plugins run in parallel.
// Shutdown() may be called from any thread, also while a call is blocked in
// a looping plugin: that call then returns at once.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/policy/policy.h"

namespace allot::policy {

struct HostedRuntimeOptions {
  std::string plugins_dir;
  // The allot binary to run as `plugin-host`. "/proc/self/exe" is this very
  // binary, even if the file was replaced since the server started.
  std::string executable = "/proc/self/exe";
  int timeout_ms = 2000;
  // A host unused this long is stopped (started again when needed).
  std::chrono::seconds idle_stop{600};
};

// What a host is doing, for logs and tests.
struct HostInfo {
  std::string tenant, plugin;
  pid_t pid = -1;  // -1 when not running
  int consecutive_failures = 0;
  int64_t starts = 0;
  std::string last_failure;
};

class HostProcess;

class HostedRuntime final : public PluginRuntime {
 public:
  explicit HostedRuntime(HostedRuntimeOptions options);
  ~HostedRuntime() override;  // stops every host

  std::expected<std::shared_ptr<PolicyInstance>, std::string> Create(
      std::string_view tenant, const std::string& plugin, const std::string& policy_name,
      const nlohmann::json& config) override;
  std::vector<BatchResult> Evaluate(std::span<PolicyInstance* const> instances,
                                    const FactsBatch& facts) override;
  std::string PluginPath(const std::string& plugin) const override;
  // Runs a host of its own for `plugin` just long enough to load it.
  std::expected<uint32_t, std::string> Probe(const std::string& plugin) override;

  // Kills every host; any later call fails at once.
  void Shutdown();
  // Stops hosts idle for longer than idle_stop, and forgets those with no
  // instance left. Call now and then (the engine's poller does).
  void StopIdleHosts();
  std::vector<HostInfo> Hosts() const;

 private:
  std::shared_ptr<HostProcess> HostFor(std::string_view tenant, const std::string& plugin);

  const HostedRuntimeOptions options_;
  mutable std::mutex mu_;
  bool shut_down_ = false;  // guarded by mu_
  std::map<std::pair<std::string, std::string>, std::shared_ptr<HostProcess>> hosts_;  // mu_
};

}  // namespace allot::policy
