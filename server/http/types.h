// server/http/types.h — the HTTP request and response as handlers see them.
//
// Handlers never see the transport (Boost.Beast): the server copies what
// they need into these plain values, so handlers can be called directly in
// tests. Thread-safety: plain values, one per request.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/auth/principal.h"
#include "server/http/surfaces.h"

namespace allot::http {

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// What arrives before the body: all the authenticator may look at.
struct RequestHead {
  std::string method;
  std::string path;  // decoded, without the query
  std::multimap<std::string, std::string, CaseInsensitiveLess> headers;
  std::multimap<std::string, std::string> query;  // decoded ('+' is a space)

  // The first value of a header or query parameter, or "" when absent.
  std::string Header(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
  std::string Query(std::string_view name) const;
};

struct Request : RequestHead {
  std::vector<std::string> path_params;  // the {…} segments of the route, in order
  std::string body;
  std::string request_id;
  std::string base_url;  // "https://host:port", as the client addressed us
  const auth::Principal* principal = nullptr;  // set on authenticated routes
};

// A response body made piece by piece after the head has been sent, for
// answers too big to hold (a CSV export of 100,000 users). The transport
// sends it with chunked transfer encoding and pulls the next piece only once
// the previous one has been written to the client, so a connection holds one
// piece at a time: a slow reader slows the producer instead of making the
// server buffer the answer. The write deadline (write_timeout_seconds)
// applies to each piece.
// Thread-safety: called from one thread at a time (a worker per piece, never
// two at once); it may do blocking work (database reads).
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // What a pull produced: more may follow, that was the last piece, or the
  // stream failed. (A plain enum, not Result: this header is part of the
  // request reader that the fuzz harnesses build with clang 14, which has
  // no std::expected.)
  enum class Step { kMore, kLast, kFailed };
  // Appends the next piece of the body to `out` (which is empty). A failure
  // (kFailed, with `failure` naming the cause, or an exception) after the
  // head went out cannot change the status any more: the transport ends the
  // response without its final chunk, so the client sees a cut-off body
  // rather than a complete-looking one, logs the cause with the request id,
  // and closes the connection. Nothing of the failure reaches the client.
  virtual Step Next(std::string& out, std::string& failure) = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set (with status 200), `body` is the first piece and the rest comes
  // from the stream, chunked; HEAD gets the head alone and the stream is
  // never pulled. A 5xx response drops it.
  std::unique_ptr<BodyStream> stream;

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

using Handler = std::function<void(const Request&, Response&)>;

}  // namespace allot::http
