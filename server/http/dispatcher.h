// server/http/dispatcher.h — what happens to a request between the bytes
// (the transport's business) and the handler: request ids, the surface and
// its credential, authentication, routing, load shedding, the one place
// where 5xx bodies lose their details, access logs, metrics and the
// response head on the wire.
//
// The transport calls, in order: Begin when the head is parsed;
// Authenticate (on a worker) before any body is read when the surface needs
// a credential; Serve once the body is complete (on a worker, or on the I/O
// thread when RunsInline says the route cannot block); Finish to get the
// bytes to send. Refusals of the transport itself (400, 413, 414, 431, 429)
// go through Refuse / Overloaded and Finish as well, so every answer has a
// request id, a log line and the API's error shape.
//
// Thread-safety: the Dispatcher is immutable once built and may be used from
// any thread; an Exchange belongs to one thread at a time.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "server/auth/principal.h"
#include "server/base/error.h"
#include "server/http/metrics.h"
#include "server/http/router.h"
#include "server/http/surfaces.h"
#include "server/http/types.h"

namespace allot::http {

// Checks the credential a surface needs from the request head (no body). A
// failure (kUnauthorized, kForbidden, kUnavailable…) is rendered as the
// surface's error.
using Authenticator =
    std::function<Result<auth::Principal>(const RequestHead& head, const SurfaceRule& rule)>;

// One request on its way through the server.
struct Exchange {
  Request request;
  Response response;
  auth::Principal principal;
  const SurfaceRule* rule = nullptr;
  std::optional<Router::Match> match;
  std::string route = "unmatched";  // the metrics label
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  bool authenticated = false;  // Authenticate ran
  bool http10 = false;          // an HTTP/1.0 client (keep-alive must be said)
  std::string cause;            // why a 5xx happened, for the log only
};

class Dispatcher {
 public:
  struct Options {
    std::string scheme = "https";
    std::string default_host = "127.0.0.1:8443";  // for base_url without a usable Host
  };
  Dispatcher(Options options, const Router& router, Authenticator authenticate, Metrics& metrics);

  // Sets the request id (a sane X-Request-Id, else a new UUID), base_url and
  // the surface rule from the parsed head in `exchange.request`.
  void Begin(Exchange& exchange) const;

  bool NeedsCredential(const Exchange& exchange) const;

  // Checks the credential (blocking: run it on a worker). True when the
  // request may proceed; false with the error response rendered.
  bool Authenticate(Exchange& exchange) const;

  // Whether the body is worth reading once the head is in: always when the
  // surface takes a credential (checked first, on a worker); without one,
  // only when the route exists (the one route without a credential that
  // takes a body, the console's sign-in, has a small limit of its own in
  // surfaces.h, so a client without credentials never makes the server
  // hold more than that).
  // Routes the request as a side effect when no credential is needed.
  bool TakesBody(Exchange& exchange) const;

  // True when Serve may run on an I/O thread: no credential is needed and
  // the route is unknown, refuses the method, or was registered as
  // non-blocking (/healthz). Routes the request as a side effect.
  bool RunsInline(Exchange& exchange) const;

  // Routes (404, 405) and runs the handler; a handler that throws gets a
  // 500. Authenticates first when that was not done yet.
  void Serve(Exchange& exchange) const;

  // 429 with Retry-After: the request waited too long for a worker.
  void Overloaded(Exchange& exchange) const;

  // A refusal of the transport (400, 413, 414, 431) with `reason`.
  void Refuse(Exchange& exchange, int status, const std::string& reason) const;

  // Completes the response — a 5xx body becomes "internal error" with the
  // request id and its cause goes to the log — writes the access log line
  // and the metrics, and returns the response head for the wire (status
  // line and headers, "Connection: close" unless `keep_alive`). The body
  // to send is exchange.response.body (nothing for HEAD, 204 and 304).
  std::string Finish(Exchange& exchange, bool keep_alive) const;

  // Whether the body of the finished response is sent.
  static bool SendsBody(const Exchange& exchange);

  // Whether the finished response's body is a stream the transport pulls
  // (chunked on HTTP/1.1; on HTTP/1.0, the body until the connection closes).
  static bool Streams(const Exchange& exchange);

  // Logs the end of a streamed body: `bytes` sent after the head, and the
  // outcome (an error's message goes to the log only).
  void StreamEnded(const Exchange& exchange, uint64_t bytes, const Status& outcome) const;

 private:
  void RenderFor(const Exchange& exchange, const Error& error, Response& response) const;

  Options options_;
  const Router& router_;
  Authenticator authenticate_;
  Metrics& metrics_;
};

}  // namespace allot::http
