// server/policy/plugin_host_main.h — `allot plugin-host`: the process a
// plugin runs in. The server starts one per (tenant, plugin file) with the
// socketpair's end on `fd`; the host loads the plugin, answers kReady (or
// kLoadFailed), then serves kCreate / kDestroy / kEvaluate (wire.h) until the
// server closes the socket or dies (the host dies with it:
// PR_SET_PDEATHSIG). A plugin that crashes takes only this process down.
// Thread-safety: runs single-threaded; one call per process.
#pragma once

#include <sys/types.h>

#include <string>

namespace allot::policy {

struct PluginHostOptions {
  int fd = 3;
  std::string plugin_path;
  std::string tenant;  // for log lines
  pid_t parent = 0;    // exit at once if the parent is already another
};

// Returns the exit status: 0 when the server closed the socket, non-zero on
// a protocol error.
int RunPluginHost(const PluginHostOptions& options);

}  // namespace allot::policy
