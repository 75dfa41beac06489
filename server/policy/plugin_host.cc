// server/policy/plugin_host.cc — the server's side of plugin host processes:
// spawning, the calls with their deadlines, crashes, back-off. See
// plugin_host.h.
#include "server/policy/plugin_host.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "server/base/log.h"
#include "server/policy/wire.h"

extern char** environ;

namespace allot::policy {

using Clock = std::chrono::steady_clock;

namespace {

// How long a new host may take to start and load its plugin (at least).
constexpr std::chrono::seconds kStartTimeout{10};

// 0 for the first failure, then 250 ms doubling up to a minute.
Clock::duration Backoff(int failures) {
  if (failures <= 1) return Clock::duration::zero();
  const auto d = std::chrono::milliseconds(250) * (int64_t{1} << std::min(failures - 2, 10));
  return std::min<Clock::duration>(d, std::chrono::seconds(60));
}

std::string DescribeExit(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::sigdescr_np(sig);
    return std::string(sig == SIGABRT ? "aborted" : "crashed") + " (signal " + std::to_string(sig) +
           (name != nullptr ? std::string(", ") + name : std::string()) + ")";
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

}  // namespace

// One plugin host process for one (tenant, plugin file) and the instances it
// holds. Every call takes mu_ for its whole length.
class HostProcess {
 public:
  struct Made {
    uint64_t id = 0;
    std::vector<std::string> paths;
  };

  HostProcess(const HostedRuntimeOptions& options, std::string tenant, std::string plugin,
              std::string path)
      : options_(options),
        tenant_(std::move(tenant)),
        plugin_(std::move(plugin)),
        path_(std::move(path)),
        cancel_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

  ~HostProcess() {
    Shutdown();
    if (cancel_fd_ >= 0) ::close(cancel_fd_);
  }

  const std::string& path() const { return path_; }

  // Starts the host, returns the ABI version its plugin declared, stops it.
  std::expected<uint32_t, std::string> Probe() {
    std::lock_guard lock(mu_);
    auto up = EnsureRunning();
    Kill();
    if (!up) return std::unexpected(up.error());
    return abi_version_;
  }

  std::expected<Made, std::string> Create(const std::string& policy, const std::string& config) {
    std::lock_guard lock(mu_);
    FlushReleases();
    if (auto up = EnsureRunning(); !up) return std::unexpected(up.error());
    const uint64_t id = next_id_++;
    auto made = CreateOnHost(id, policy, config);
    if (!made) return std::unexpected("on_create: " + made.error());
    if (!made->ok) return std::unexpected(made->message);
    instances_[id] = Registered{policy, config, ""};
    last_used_ = Clock::now();
    return Made{id, std::move(made->paths)};
  }

  // Forgets instance `id`; its kDestroy goes with the next call, so that a
  // PolicySet released on any thread never waits for a busy host.
  void Release(uint64_t id) {
    std::lock_guard lock(release_mu_);
    released_.push_back(id);
  }

  std::vector<BatchResult> Evaluate(std::span<const uint64_t> ids, std::string_view encoded_facts,
                                    const FactsBatch& facts) {
    std::lock_guard lock(mu_);
    FlushReleases();
    std::vector<BatchResult> out(ids.size());
    std::vector<size_t> pending;  // indexes into ids, in order
    for (size_t k = 0; k < ids.size(); ++k) {
      auto it = instances_.find(ids[k]);
      if (it == instances_.end()) {
        out[k] = {false, "the instance is gone from its plugin host", {}};
      } else if (!it->second.poisoned.empty()) {
        out[k] = {false, it->second.poisoned, {}};
      } else {
        pending.push_back(k);
      }
    }
    bool failed = false, answered = false;
    // A host that fails mid-batch fails the instance it was running; the
    // rest of the batch goes to a new host once.
    for (int attempt = 0; attempt < 2 && !pending.empty(); ++attempt) {
      if (auto up = EnsureRunning(); !up) {
        for (size_t k : pending) out[k] = {false, up.error(), {}};
        failed = true;
        break;
      }
      std::vector<uint64_t> send;
      for (size_t k : pending) send.push_back(ids[k]);
      auto deadline = Clock::now() + Timeout();
      std::string failure;
      size_t done = 0;
      if (auto s = wire::SendFrame(fd_, cancel_fd_, wire::EncodeEvaluate(send, encoded_facts), deadline);
          !s) {
        failure = Fail(s.error());
      }
      while (failure.empty() && done < pending.size()) {
        auto frame = wire::ReceiveFrame(fd_, cancel_fd_, wire::kMaxFrameFromHost, deadline);
        if (!frame) {
          failure = Fail(frame.error());
          break;
        }
        auto result = wire::DecodeResult(*frame, facts);
        if (!result) {
          failure = FailProtocol(result.error());
          break;
        }
        out[pending[done++]] = std::move(*result);
        deadline = Clock::now() + Timeout();  // each instance has its own deadline
      }
      if (failure.empty()) {
        auto frame = wire::ReceiveFrame(fd_, cancel_fd_, wire::kMaxFrameFromHost, deadline);
        if (!frame) {
          Fail(frame.error());
          failed = true;
        } else if (wire::TypeOf(*frame) != static_cast<uint8_t>(wire::Type::kDone)) {
          FailProtocol("expected the end of the batch");
          failed = true;
        }
        answered = true;
        pending.clear();
        break;
      }
      failed = true;
      if (done < pending.size()) out[pending[done]] = {false, failure, {}};
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(
                                                           std::min(done + 1, pending.size())));
      if (shutdown_) {
        for (size_t k : pending) out[k] = {false, "the server is shutting down", {}};
        break;
      }
    }
    if (answered && !failed && failures_ != 0) {
      failures_ = 0;
      Publish();
    }
    last_used_ = Clock::now();
    return out;
  }

  void Shutdown() {
    shutdown_ = true;
    if (cancel_fd_ >= 0) {
      const uint64_t one = 1;
      [[maybe_unused]] ssize_t n = ::write(cancel_fd_, &one, sizeof one);
    }
    std::lock_guard lock(mu_);
    Kill();
  }

  // True when the host holds no instance any more (the runtime forgets it).
  bool StopIfIdle(Clock::time_point now, std::chrono::seconds idle) {
    std::unique_lock lock(mu_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    FlushReleases();
    if (instances_.empty()) {
      Kill();
      return true;
    }
    if (pid_ > 0 && now - last_used_ > idle) {
      log::Info("plugin host idle: stopped", {{"tenant", tenant_}, {"plugin", plugin_}});
      Kill();
    }
    return false;
  }

  HostInfo Info() const {
    std::lock_guard lock(info_mu_);
    return info_;
  }

 private:
  struct Registered {
    std::string policy, config;
    std::string poisoned;  // why the instance cannot be created again
  };

  std::chrono::milliseconds Timeout() const { return std::chrono::milliseconds(options_.timeout_ms); }

  void Publish() {
    std::lock_guard lock(info_mu_);
    info_ = {tenant_, plugin_, pid_, failures_, starts_, last_failure_};
  }

  std::expected<void, std::string> Spawn() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      return std::unexpected("cannot create the plugin host's socket: " +
                             std::string(std::strerror(errno)));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, 2, 1);  // a plugin's printf goes to the log
    posix_spawn_file_actions_adddup2(&actions, sv[1], 3);
    posix_spawn_file_actions_addclosefrom_np(&actions, 4);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2}) {
      sigaddset(&defaults, sig);
    }
    posix_spawnattr_setsigmask(&attr, &none);  // serve blocks its signals in every thread
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const std::string parent = std::to_string(::getpid());
    std::vector<std::string> args = {"allot",   "plugin-host", "--fd",     "3",
                                     "--plugin", path_,        "--tenant", tenant_,
                                     "--parent", parent};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, options_.executable.c_str(), &actions, &attr, argv.data(),
                                 environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(sv[1]);
    if (rc != 0) {
      ::close(sv[0]);
      return std::unexpected("cannot start the plugin host " + options_.executable + ": " +
                             std::strerror(rc));
    }
    ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    pid_ = pid;
    fd_ = sv[0];
    ++starts_;
    Publish();
    return {};
  }

  // Kills and reaps the process (if any); returns how it ended.
  int Kill() {
    int status = 0;
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    Publish();
    return status;
  }

  void NoteFailure(const std::string& why) {
    ++failures_;
    last_failure_ = why;
    next_start_ = Clock::now() + Backoff(failures_);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(Backoff(failures_));
    log::Warn("plugin host failed", {{"tenant", tenant_},
                                     {"plugin", plugin_},
                                     {"error", why},
                                     {"consecutive_failures", failures_},
                                     {"restart_in_ms", static_cast<int64_t>(wait.count())}});
    Publish();
  }

  // The host failed a call with `e`: kill it and say what happened.
  // `deadline` is the time the call had when it was not plugin_timeout_ms.
  std::string Fail(wire::IoError e, std::chrono::milliseconds deadline = {}) {
    const int status = Kill();
    std::string why;
    switch (e) {
      case wire::IoError::kTimeout:
        why = deadline.count() > 0
                  ? "did not start within " + std::to_string(deadline.count()) +
                        " ms: its plugin host was killed"
                  : "did not answer within " + std::to_string(options_.timeout_ms) +
                        " ms (plugin_timeout_ms): its plugin host was killed";
        break;
      case wire::IoError::kCancelled:
        return "the server is shutting down";
      case wire::IoError::kTooLarge:
        why = "its plugin host sent an oversized message and was killed";
        break;
      default:
        why = "its plugin host " + DescribeExit(status);
        break;
    }
    NoteFailure(why);
    return why;
  }

  std::string FailProtocol(const std::string& what) {
    Kill();
    const std::string why = "its plugin host broke the protocol (" + what + ") and was killed";
    NoteFailure(why);
    return why;
  }

  std::string Down(Clock::time_point now) const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_start_ - now);
    return "its plugin host is down after " + std::to_string(failures_) +
           " consecutive failures (last: " + last_failure_ + "); next restart in " +
           std::to_string(left.count()) + " ms";
  }

  // Sends kCreate and reads the answer. Error: the host failed (it is then
  // killed and the failure counted).
  std::expected<wire::Created, std::string> CreateOnHost(uint64_t id, const std::string& policy,
                                                         const std::string& config) {
    const auto deadline = Clock::now() + Timeout();
    if (auto s = wire::SendFrame(fd_, cancel_fd_, wire::EncodeCreate(id, policy, config), deadline);
        !s) {
      return std::unexpected(Fail(s.error()));
    }
    auto frame = wire::ReceiveFrame(fd_, cancel_fd_, wire::kMaxFrameFromHost, deadline);
    if (!frame) return std::unexpected(Fail(frame.error()));
    auto created = wire::DecodeCreated(*frame);
    if (!created || created->id != id) {
      return std::unexpected(FailProtocol(created ? "answer for another instance" : created.error()));
    }
    return std::move(*created);
  }

  // Starts the host when it is not running and the back-off allows, and
  // re-creates its instances.
  std::expected<void, std::string> EnsureRunning() {
    for (int attempt = 0;; ++attempt) {
      if (shutdown_) return std::unexpected("the server is shutting down");
      if (pid_ > 0) return {};
      const auto now = Clock::now();
      if (now < next_start_) return std::unexpected(Down(now));
      if (auto s = Spawn(); !s) {
        NoteFailure(s.error());
        return std::unexpected(s.error());
      }
      // Starting a process and loading a plugin may take longer than a call
      // on a busy machine: its own, more generous deadline.
      const auto start_deadline = now + std::max<Clock::duration>(Timeout(), kStartTimeout);
      auto frame = wire::ReceiveFrame(fd_, cancel_fd_, wire::kMaxFrameFromHost, start_deadline);
      if (!frame) {
        return std::unexpected("while loading the plugin, " +
                               Fail(frame.error(), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                       start_deadline - now)));
      }
      if (wire::TypeOf(*frame) == static_cast<uint8_t>(wire::Type::kLoadFailed)) {
        auto message = wire::DecodeLoadFailed(*frame);
        Kill();
        NoteFailure(message ? *message : message.error());
        return std::unexpected(last_failure_);
      }
      auto ready = wire::DecodeReady(*frame);
      if (!ready || ready->protocol != wire::kProtocolVersion) {
        return std::unexpected(FailProtocol(ready ? "another protocol version" : ready.error()));
      }
      abi_version_ = ready->abi_version;
      log::Info("plugin host started", {{"tenant", tenant_}, {"plugin", plugin_}, {"pid", pid_}});
      bool lost = false;
      for (auto& [id, reg] : instances_) {
        if (!reg.poisoned.empty()) continue;
        auto made = CreateOnHost(id, reg.policy, reg.config);
        if (!made) {
          // This instance took the new host down: leave it out from now on.
          reg.poisoned = "on_create failed when its plugin host was restarted: " + made.error();
          lost = true;
          break;
        }
        if (!made->ok) reg.poisoned = "the plugin refused the config on restart: " + made->message;
      }
      if (!lost) return {};
      if (attempt >= 3) return std::unexpected(last_failure_);
    }
  }

  void FlushReleases() {
    std::vector<uint64_t> ids;
    {
      std::lock_guard lock(release_mu_);
      ids.swap(released_);
    }
    for (uint64_t id : ids) {
      instances_.erase(id);
      if (pid_ <= 0) continue;
      const auto deadline = Clock::now() + Timeout();
      auto s = wire::SendFrame(fd_, cancel_fd_, wire::EncodeDestroy(id), deadline);
      auto frame = s ? wire::ReceiveFrame(fd_, cancel_fd_, wire::kMaxFrameFromHost, deadline)
                     : std::expected<std::string, wire::IoError>(std::unexpected(s.error()));
      if (!frame) {
        Fail(frame.error());
      } else if (wire::TypeOf(*frame) != static_cast<uint8_t>(wire::Type::kDone)) {
        FailProtocol("expected done after destroy");
      }
    }
  }

  const HostedRuntimeOptions& options_;
  const std::string tenant_, plugin_, path_;
  const int cancel_fd_;  // readable once Shutdown ran: every wait ends
  std::atomic<bool> shutdown_{false};

  std::mutex mu_;  // one call at a time; guards everything below
  pid_t pid_ = -1;
  int fd_ = -1;
  uint32_t abi_version_ = 0;
  std::map<uint64_t, Registered> instances_;
  uint64_t next_id_ = 1;
  int failures_ = 0;  // consecutive
  int64_t starts_ = 0;
  std::string last_failure_;
  Clock::time_point next_start_{};
  Clock::time_point last_used_ = Clock::now();

  std::mutex release_mu_;
  std::vector<uint64_t> released_;  // guarded by release_mu_

  mutable std::mutex info_mu_;
  HostInfo info_;  // guarded by info_mu_
};

namespace {

class HostedInstance final : public PolicyInstance {
 public:
  HostedInstance(std::shared_ptr<HostProcess> host, uint64_t id, std::vector<std::string> paths)
      : host_(std::move(host)), id_(id), paths_(std::move(paths)) {}
  ~HostedInstance() override { host_->Release(id_); }
  const std::vector<std::string>& paths() const override { return paths_; }
  const std::string& plugin_path() const override { return host_->path(); }
  HostProcess* host() const { return host_.get(); }
  uint64_t id() const { return id_; }

 private:
  std::shared_ptr<HostProcess> host_;
  uint64_t id_;
  std::vector<std::string> paths_;
};

}  // namespace

HostedRuntime::HostedRuntime(HostedRuntimeOptions options) : options_(std::move(options)) {}

HostedRuntime::~HostedRuntime() { Shutdown(); }

std::string HostedRuntime::PluginPath(const std::string& plugin) const {
  return options_.plugins_dir + "/" + plugin + ".so";
}

std::shared_ptr<HostProcess> HostedRuntime::HostFor(std::string_view tenant,
                                                    const std::string& plugin) {
  std::lock_guard lock(mu_);
  if (shut_down_) return nullptr;
  auto key = std::make_pair(std::string(tenant), plugin);
  auto it = hosts_.find(key);
  if (it == hosts_.end()) {
    it = hosts_.emplace(key, std::make_shared<HostProcess>(options_, key.first, plugin,
                                                           PluginPath(plugin)))
             .first;
  }
  return it->second;
}

std::expected<std::shared_ptr<PolicyInstance>, std::string> HostedRuntime::Create(
    std::string_view tenant, const std::string& plugin, const std::string& policy_name,
    const nlohmann::json& config) {
  auto host = HostFor(tenant, plugin);
  if (host == nullptr) return std::unexpected("the server is shutting down");
  auto made = host->Create(policy_name, config.dump());
  if (!made) return std::unexpected(made.error());
  return std::make_shared<HostedInstance>(host, made->id, std::move(made->paths));
}

std::vector<BatchResult> HostedRuntime::Evaluate(std::span<PolicyInstance* const> instances,
                                                 const FactsBatch& facts) {
  std::vector<BatchResult> out(instances.size());
  if (instances.empty()) return out;
  const std::string encoded = wire::EncodeFacts(facts);
  // One request per host, with all of its instances of this batch.
  std::vector<HostProcess*> hosts;
  for (PolicyInstance* i : instances) {
    HostProcess* h = static_cast<HostedInstance*>(i)->host();
    if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
  }
  auto run = [&](HostProcess* h) {
    std::vector<uint64_t> ids;
    std::vector<size_t> slots;
    for (size_t k = 0; k < instances.size(); ++k) {
      auto* hosted = static_cast<HostedInstance*>(instances[k]);
      if (hosted->host() != h) continue;
      ids.push_back(hosted->id());
      slots.push_back(k);
    }
    std::vector<BatchResult> results = h->Evaluate(ids, encoded, facts);
    for (size_t k = 0; k < slots.size(); ++k) out[slots[k]] = std::move(results[k]);
  };
  // The hosts work at the same time: a batch costs the slowest plugin's
  // round trip, not the sum of them.
  std::vector<std::thread> others;
  for (size_t i = 1; i < hosts.size(); ++i) others.emplace_back(run, hosts[i]);
  run(hosts[0]);
  for (std::thread& t : others) t.join();
  return out;
}

std::expected<uint32_t, std::string> HostedRuntime::Probe(const std::string& plugin) {
  HostProcess probe(options_, "", plugin, PluginPath(plugin));
  return probe.Probe();
}

void HostedRuntime::Shutdown() {
  std::map<std::pair<std::string, std::string>, std::shared_ptr<HostProcess>> hosts;
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    hosts = hosts_;
  }
  for (auto& [key, host] : hosts) host->Shutdown();
}

void HostedRuntime::StopIdleHosts() {
  std::map<std::pair<std::string, std::string>, std::shared_ptr<HostProcess>> hosts;
  {
    std::lock_guard lock(mu_);
    hosts = hosts_;
  }
  const auto now = Clock::now();
  for (auto& [key, host] : hosts) {
    if (!host->StopIfIdle(now, options_.idle_stop)) continue;
    std::lock_guard lock(mu_);
    // Forget it unless a Create raced in (it then holds a new instance).
    auto it = hosts_.find(key);
    if (it != hosts_.end() && it->second == host && host.use_count() == 2) hosts_.erase(it);
  }
}

std::vector<HostInfo> HostedRuntime::Hosts() const {
  std::vector<std::shared_ptr<HostProcess>> hosts;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, host] : hosts_) hosts.push_back(host);
  }
  std::vector<HostInfo> out;
  for (const auto& h : hosts) out.push_back(h->Info());
  return out;
}

}  // namespace allot::policy
