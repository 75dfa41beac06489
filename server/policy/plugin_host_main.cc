// server/policy/plugin_host_main.cc — see plugin_host_main.h.
#include "server/policy/plugin_host_main.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "server/base/log.h"
#include "server/policy/host_api.h"
#include "server/policy/local_instance.h"
#include "server/policy/plugin.h"
#include "server/policy/wire.h"

namespace allot::policy {
namespace {

// The server's requests are trusted, but a batch is never near this.
constexpr size_t kMaxRequest = size_t{1} << 30;

// What a plugin may not take from the machine: core files of deliberate
// crashes, and the server's place when memory runs out (the kernel's OOM
// killer picks this process first).
void Confine(int fd) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::signal(SIGPIPE, SIG_IGN);
  // The server decides when a host ends: Ctrl-C in a terminal reaches the
  // whole process group, and the server's orderly stop kills its hosts.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  std::ofstream("/proc/self/oom_score_adj") << 1000;
  ::close_range(static_cast<unsigned>(fd) + 1, ~0U, 0);
}

// The next request, or the exit status: 0 when the server closed the socket.
std::expected<std::string, int> ReadFrameOrEnd(int fd) {
  auto frame = wire::ReadFrame(fd, kMaxRequest);
  if (frame) return std::move(*frame);
  return std::unexpected(frame.error() == "closed" ? 0 : 3);
}

int Serve(int fd, const std::shared_ptr<const Plugin>& plugin) {
  std::unordered_map<uint64_t, std::unique_ptr<LocalInstance>> instances;
  for (;;) {
    auto frame = ReadFrameOrEnd(fd);
    if (!frame) return frame.error();
    const std::string& payload = *frame;
    switch (static_cast<wire::Type>(wire::TypeOf(payload))) {
      case wire::Type::kCreate: {
        auto create = wire::DecodeCreate(payload);
        if (!create) return 2;
        const nlohmann::json config = nlohmann::json::parse(create->config_json, nullptr, false);
        auto made = config.is_discarded()
                        ? std::unexpected(std::string("the config is not valid JSON"))
                        : LocalInstance::Create(plugin, config, create->policy);
        std::string reply;
        if (made) {
          reply = wire::EncodeCreated(create->id, (*made)->paths());
          instances[create->id] = std::move(*made);
        } else {
          reply = wire::EncodeCreateFailed(create->id, made.error());
        }
        if (!wire::WriteFrame(fd, reply)) return 3;
        break;
      }
      case wire::Type::kDestroy: {
        auto id = wire::DecodeDestroy(payload);
        if (!id) return 2;
        instances.erase(*id);
        if (!wire::WriteFrame(fd, wire::EncodeDone())) return 3;
        break;
      }
      case wire::Type::kEvaluate: {
        auto request = wire::DecodeEvaluate(payload);
        if (!request) return 2;
        for (uint64_t id : request->ids) {
          auto it = instances.find(id);
          BatchResult r = it == instances.end()
                              ? BatchResult{false, "no such instance in the plugin host", {}}
                              : it->second->Evaluate(*request->facts);
          // Each result leaves as soon as it is known, so the server can
          // tell which instance a crash or a timeout belongs to.
          if (!wire::WriteFrame(fd, wire::EncodeResult(r))) return 3;
        }
        if (!wire::WriteFrame(fd, wire::EncodeDone())) return 3;
        break;
      }
      default:
        return 2;
    }
  }
}

}  // namespace

int RunPluginHost(const PluginHostOptions& options) {
  if (options.parent != 0 && ::getppid() != options.parent) return 1;
  Confine(options.fd);
  SetLogTenant(options.tenant);
  try {
    auto plugin = Plugin::Open(options.plugin_path);
    if (!plugin) {
      wire::WriteFrame(options.fd, wire::EncodeLoadFailed(plugin.error()));
      return 0;
    }
    if (!wire::WriteFrame(options.fd, wire::EncodeReady((*plugin)->api().abi_version))) return 3;
    return Serve(options.fd, *plugin);
  } catch (const std::exception& e) {
    log::Error("plugin host failed", {{"error", std::string_view(e.what())}});
    return 4;
  }
}

}  // namespace allot::policy
