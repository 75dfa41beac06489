// tests/hostile/hostile_util.h — what the hostile suites share: starting a
// server for them and writing raw requests.
#pragma once

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/hostile/raw_client.h"
#include "tests/integration/harness.h"

namespace allot::testing {

// Starts `allot serve` with `extra_args`, failing the test if it does not
// come up.
inline std::unique_ptr<TestServer> StartServer(std::vector<std::string> extra_args = {},
                                               bool tls = false) {
  std::string error;
  auto server = TestServer::Start({.tls = tls, .extra_args = std::move(extra_args)}, &error);
  EXPECT_TRUE(server) << error;
  return server;
}

// The suites open hundreds of sockets; the usual soft limit is 1024.
inline void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

inline std::string Bearer(const std::string& token) {
  return "Authorization: Bearer " + token + "\r\n";
}

// GET /healthz on a new connection; status 0 when no answer within `timeout`.
inline RawResponse HealthzOnNewConnection(int port, bool tls = false,
                                          std::chrono::milliseconds timeout =
                                              std::chrono::seconds(5)) {
  auto c = RawConnection::Open(port, tls);
  if (!c) return {};
  if (!c->Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")) return {};
  return c->ReadResponse(timeout);
}

constexpr int64_t kMiB = 1024 * 1024;

// Peak resident growth allowed under a flood (the contract's bound).
constexpr int64_t kFloodMemoryBound = 64 * kMiB;

}  // namespace allot::testing
