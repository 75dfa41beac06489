#include "server/http/dispatcher.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "server/base/ascii.h"
#include "server/base/log.h"
#include "server/http/error_table.h"

namespace allot::http {
namespace {

using Clock = std::chrono::steady_clock;

// A request id: a version 4 UUID from a per-thread generator seeded once
// from the system's randomness. Ids must be unique, not secret, so this
// spares every request a call into OpenSSL's CSPRNG.
std::string NewRequestId() {
  thread_local uint64_t state = [] {
    std::random_device seed;
    return (static_cast<uint64_t>(seed()) << 32) ^ seed() ^
           static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&state));
  }();
  auto next = [] {  // splitmix64
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  const uint64_t hi = (next() & ~0xf000ULL) | 0x4000ULL;                // version 4
  const uint64_t lo = (next() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xffff), static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

// A Host header fit to go into resource URLs: a name or address and a port.
bool SaneHost(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != ':' &&
        c != '[' && c != ']' && c != '_') {
      return false;
    }
  }
  return true;
}

std::string_view Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

// Header names and values from handlers go on the wire as they are, except
// for line breaks, which would let a value start a header of its own.
void AppendHeaderText(std::string& out, std::string_view text) {
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
}

// What a 5xx handler wrote, for the log: the error's own words when the body
// is an error of either API, else the body itself; bounded.
std::string CauseOf(const std::string& body) {
  std::string cause = body;
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (j.contains("detail") && j["detail"].is_string()) {
      cause = j["detail"].get<std::string>();
    } else if (j.contains("error") && j["error"].is_object() && j["error"].contains("message") &&
               j["error"]["message"].is_string()) {
      cause = j["error"]["message"].get<std::string>();
    }
  }
  constexpr size_t kMaxCause = 4096;
  if (cause.size() > kMaxCause) cause.resize(kMaxCause);
  return cause;
}

// HEAD is GET without the body (RFC 9110 §9.3.2): the GET route answers it
// and the body is not sent.
std::string_view RouteMethod(std::string_view method) { return method == "HEAD" ? "GET" : method; }

}  // namespace

Dispatcher::Dispatcher(Options options, const Router& router, Authenticator authenticate,
                       Metrics& metrics)
    : options_(std::move(options)),
      router_(router),
      authenticate_(std::move(authenticate)),
      metrics_(metrics) {}

void Dispatcher::Begin(Exchange& x) const {
  Request& req = x.request;
  const std::string incoming_id = req.Header("X-Request-Id");
  req.request_id = SaneRequestId(incoming_id) ? incoming_id : NewRequestId();
  const std::string host = req.Header("Host");
  req.base_url = options_.scheme + "://" + (SaneHost(host) ? host : options_.default_host);
  x.rule = &SurfaceRuleOf(req.path);
}

bool Dispatcher::NeedsCredential(const Exchange& x) const {
  return x.rule != nullptr && x.rule->credential != Credential::kNone;
}

void Dispatcher::RenderFor(const Exchange& x, const Error& error, Response& response) const {
  RenderError(x.rule ? x.rule->surface : Surface::kOps, error, response);
}

bool Dispatcher::Authenticate(Exchange& x) const {
  x.authenticated = true;
  Result<auth::Principal> who = Fail(ErrorCode::kUnauthorized, "no credential");
  try {
    who = authenticate_(x.request, *x.rule);
  } catch (const std::exception& e) {
    who = Fail(ErrorCode::kInternal, std::string("authentication failed: ") + e.what());
  }
  if (!who) {
    RenderFor(x, who.error(), x.response);
    if (x.response.status >= 500) x.cause = who.error().message;
    x.route = "unauthenticated";
    return false;
  }
  x.principal = std::move(*who);
  x.request.principal = &x.principal;
  return true;
}

bool Dispatcher::TakesBody(Exchange& x) const {
  if (NeedsCredential(x)) return true;
  if (!x.match) x.match = router_.Find(RouteMethod(x.request.method), x.request.path);
  return x.match->kind == Router::Match::Kind::kFound;
}

bool Dispatcher::RunsInline(Exchange& x) const {
  if (NeedsCredential(x)) return false;
  if (!x.match) x.match = router_.Find(RouteMethod(x.request.method), x.request.path);
  return x.match->kind != Router::Match::Kind::kFound ||
         x.match->execution == Router::Execution::kNonBlocking;
}

void Dispatcher::Serve(Exchange& x) const {
  // Authenticate before routing: without a credential, an API path tells
  // nothing, not even whether it exists.
  if (NeedsCredential(x) && !x.authenticated && !Authenticate(x)) return;
  Request& req = x.request;
  Response& res = x.response;
  if (!x.match) x.match = router_.Find(RouteMethod(req.method), req.path);
  Router::Match& match = *x.match;
  if (match.kind == Router::Match::Kind::kNotFound) {
    RenderFor(x, {ErrorCode::kNotFound, "no such endpoint: " + req.method + " " + req.path}, res);
    return;
  }
  if (match.kind == Router::Match::Kind::kMethodNotAllowed) {
    const std::string detail = "method " + req.method + " is not allowed on " + req.path +
                               "; allowed: " + match.allowed_methods;
    if (x.rule->surface == Surface::kScim) {
      RenderScimError(405, "", detail, res);
    } else {
      RenderAdminError(405, "method_not_allowed", detail, res);
    }
    res.SetHeader("Allow", match.allowed_methods);
    return;
  }
  x.route = match.pattern;
  req.path_params = std::move(match.params);
  try {
    (*match.handler)(req, res);
  } catch (const std::exception& e) {
    res = Response{};
    res.status = 500;
    x.cause = std::string("the handler threw: ") + e.what();
  } catch (...) {
    res = Response{};
    res.status = 500;
    x.cause = "the handler threw a non-standard exception";
  }
}

void Dispatcher::Overloaded(Exchange& x) const {
  x.response = Response{};
  RenderFor(x, {ErrorCode::kTooManyRequests, "the server is overloaded; retry later"},
            x.response);
  x.route = "overloaded";
}

void Dispatcher::Refuse(Exchange& x, int status, const std::string& reason) const {
  x.response = Response{};
  const Surface surface = x.rule ? x.rule->surface : Surface::kOps;
  if (surface == Surface::kScim) {
    RenderScimError(status, status == 400 ? "invalidSyntax" : "", reason, x.response);
  } else {
    std::string_view code = "invalid_request";
    if (status == 413) code = "payload_too_large";
    if (status == 414) code = "uri_too_long";
    if (status == 431) code = "header_fields_too_large";
    RenderAdminError(status, code, reason, x.response);
  }
  x.route = "refused";
}

bool Dispatcher::SendsBody(const Exchange& x) {
  const int s = x.response.status;
  return x.request.method != "HEAD" && s != 204 && s != 304 && !(s >= 100 && s < 200);
}

bool Dispatcher::Streams(const Exchange& x) {
  return x.response.stream != nullptr && SendsBody(x);
}

void Dispatcher::StreamEnded(const Exchange& x, uint64_t bytes, const Status& outcome) const {
  const double ms =
      std::chrono::duration<double, std::milli>(Clock::now() - x.start).count();
  if (outcome) {
    log::Info("response stream ended", {{"request_id", x.request.request_id},
                                        {"route", x.route},
                                        {"bytes", static_cast<int64_t>(bytes)},
                                        {"duration_ms", ms}});
  } else {
    log::Error("response stream cut off", {{"request_id", x.request.request_id},
                                           {"route", x.route},
                                           {"bytes", static_cast<int64_t>(bytes)},
                                           {"duration_ms", ms},
                                           {"cause", outcome.error().message}});
  }
}

std::string Dispatcher::Finish(Exchange& x, bool keep_alive) const {
  Request& req = x.request;
  Response& res = x.response;
  if (res.status >= 500 && res.status <= 599) {
    // The one place 5xx bodies are made: whatever a handler wrote (SQL, a
    // file path, an exception's text) goes to the log, never to the client.
    log::Error("internal error", {{"request_id", req.request_id},
                                  {"status", res.status},
                                  {"cause", x.cause.empty() ? CauseOf(res.body) : x.cause}});
    Response generic;
    generic.status = res.status;
    const std::string message = "internal error; request id " + req.request_id;
    if (x.rule && x.rule->surface == Surface::kScim) {
      RenderScimError(res.status, "", message, generic);
    } else {
      RenderAdminError(res.status, res.status == 503 ? "unavailable" : "internal", message,
                       generic);
    }
    for (auto& [name, value] : res.headers) {
      if (EqualsIgnoreAsciiCase(name, "Retry-After")) generic.SetHeader(name, value);
    }
    res = std::move(generic);
  }

  const double seconds = std::chrono::duration<double>(Clock::now() - x.start).count();
  metrics_.ObserveRequest(req.method, x.route, res.status, seconds);
  log::Info("request", {{"request_id", req.request_id},
                        {"method", req.method},
                        {"path", req.path},
                        {"route", x.route},
                        {"status", res.status},
                        {"duration_ms", seconds * 1000.0},
                        {"tenant", req.principal ? req.principal->tenant_id : std::string()}});

  std::string head;
  head.reserve(160 + res.content_type.size() + req.request_id.size());
  head += "HTTP/1.1 ";
  head += std::to_string(res.status);
  head += ' ';
  head += Reason(res.status);
  head += "\r\n";
  const int s = res.status;
  if (res.stream && s != 200) res.stream.reset();  // only a success streams
  if (s != 204 && s != 304 && !(s >= 100 && s < 200)) {
    if (!res.body.empty() || res.stream) {
      head += "Content-Type: ";
      AppendHeaderText(head, res.content_type);
      head += "\r\n";
    }
    if (!res.stream) {
      head += "Content-Length: ";
      head += std::to_string(res.body.size());
      head += "\r\n";
    } else if (!x.http10) {
      head += "Transfer-Encoding: chunked\r\n";
    }  // HTTP/1.0: the body runs until the connection closes
  }
  for (const auto& [name, value] : res.headers) {
    AppendHeaderText(head, name);
    head += ": ";
    AppendHeaderText(head, value);
    head += "\r\n";
  }
  head += "X-Request-Id: ";
  head += req.request_id;
  head += "\r\n";
  if (!keep_alive) {
    head += "Connection: close\r\n";
  } else if (x.http10) {
    head += "Connection: keep-alive\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace allot::http
