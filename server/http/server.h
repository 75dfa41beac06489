// server/http/server.h — the HTTP(S) server: cpp-httplib with OpenSSL,
// authentication by surface, request ids, JSON access logs, metrics, body
// limits, load shedding and graceful shutdown.
//
// Every request passes, in order: load shedding (429 when it waited in the
// accept queue longer than `queue_timeout_ms`), routing (404 / 405),
// authentication (401; SCIM tokens under /scim/v2, admin tokens under
// /admin/v1 and /metrics, none for /healthz and /readyz), then the handler.
// A handler that throws gets a 500 with the request id; nothing else does.
// Thread-safety: Bind and Run from one thread; Stop from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "server/auth/principal.h"
#include "server/base/error.h"
#include "server/http/metrics.h"
#include "server/http/router.h"

namespace allot::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8443;             // 0 picks a free port (see Bind)
  bool tls = true;
  std::string cert_file;       // PEM, required when tls
  std::string key_file;        // PEM, required when tls
  int threads = 32;            // each keep-alive connection holds one
  size_t max_body_bytes = 4 * 1024 * 1024;
  int read_timeout_seconds = 30;
  int write_timeout_seconds = 30;
  int keep_alive_timeout_seconds = 5;
  int keep_alive_max_requests = 10000;
  int queue_timeout_ms = 5000;  // waited longer in the queue → 429
};

using Authenticator =
    std::function<Result<auth::Principal>(std::string_view authorization, auth::TokenKind kind)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, Authenticator authenticate,
             Metrics& metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the certificate (when TLS) and binds the listening socket. Returns
  // the bound port. Fails with a message naming the file or address.
  Result<int> Bind();

  // Serves until Stop(); then finishes the requests in flight and returns.
  void Run();

  // Stops accepting; Run returns once in-flight requests are done.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace allot::http
