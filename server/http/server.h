// server/http/server.h — the HTTP(S) server: Boost.Beast over Boost.Asio,
// with OpenSSL.
//
// A few I/O threads accept connections, run the TLS handshakes and read
// requests asynchronously; a slow, idle or half-open connection costs a
// socket and a few kilobytes, never a thread. Each connection has one
// deadline at a time: the TLS handshake and the whole request head within
// header_timeout_seconds, the body within read_timeout_seconds, the
// response written within write_timeout_seconds, and an idle keep-alive
// connection is closed after keep_alive_timeout_seconds. Past
// max_connections, new connections are closed at once. Request heads and
// bodies are read with the limits of request_reader.h; the credential a
// path needs (surfaces.h) is checked once the head has arrived, before any
// byte of the body is read. Handlers run on a bounded worker pool (they do
// blocking database work); a request that waited for a worker longer than
// queue_timeout_ms gets 429 with Retry-After. Routes registered
// non-blocking (/healthz) are answered on the I/O thread. Keep-alive and
// pipelined requests are answered in order, one at a time per connection.
//
// Thread-safety: Bind and Run from one thread; Stop from any thread.
#pragma once

#include <memory>
#include <string>

#include "server/base/error.h"
#include "server/http/dispatcher.h"
#include "server/http/metrics.h"
#include "server/http/request_reader.h"
#include "server/http/router.h"

namespace allot::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8443;        // 0 picks a free port (see Bind)
  bool tls = true;
  std::string cert_file;  // PEM, required when tls
  std::string key_file;   // PEM, required when tls
  int threads = 32;       // workers that run handlers
  int io_threads = 2;     // threads that accept, handshake, read and write
  ReadLimits limits;
  int header_timeout_seconds = 10;     // TLS handshake plus the whole request head
  int keep_alive_timeout_seconds = 5;  // idle between requests
  int read_timeout_seconds = 30;       // the whole body, once the head is in
  int write_timeout_seconds = 30;      // the whole response
  int max_connections = 10000;
  int queue_timeout_ms = 5000;  // waited longer for a worker → 429
};

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

  // Stops accepting and closes idle connections; Run returns once the
  // requests in flight have been answered. Safe from a signal thread.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace allot::http
