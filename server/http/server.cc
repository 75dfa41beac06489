#include "server/http/server.h"

#include <httplib.h>
#include <openssl/ssl.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "server/base/log.h"
#include "server/base/random.h"
#include "server/http/error_table.h"

namespace allot::http {
namespace {

using Clock = std::chrono::steady_clock;

// How long the connection now being served waited for a worker thread.
thread_local Clock::duration t_queue_wait{};

// httplib's ThreadPool, plus the time each connection waited in the queue,
// so overload is answered with 429 instead of a client-side timeout.
class MeasuredThreadPool : public httplib::TaskQueue {
 public:
  explicit MeasuredThreadPool(size_t n) {
    for (size_t i = 0; i < n; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~MeasuredThreadPool() override = default;

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back({std::move(fn), Clock::now()});
    }
    cv_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  struct Job {
    std::function<void()> fn;
    Clock::time_point queued_at;
  };
  void Work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // shutdown and drained
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      t_queue_wait = Clock::now() - job.queued_at;
      job.fn();
    }
  }
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool shutdown_ = false;
};

bool SaneRequestId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

struct HttpServer::Impl {
  ServerOptions options;
  const Router& router;
  Authenticator authenticate;
  Metrics& metrics;
  std::unique_ptr<httplib::Server> server;
  std::string scheme;
  socket_t listen_socket = INVALID_SOCKET;  // set while binding

  void Handle(const httplib::Request& hreq, httplib::Response& hres);
  void Finish(const Request& req, Response& res, httplib::Response& hres,
              const std::string& route, Clock::time_point start);
};

HttpServer::HttpServer(ServerOptions options, const Router& router, Authenticator authenticate,
                       Metrics& metrics)
    : impl_(new Impl{std::move(options), router, std::move(authenticate), metrics, nullptr, ""}) {}

HttpServer::~HttpServer() = default;

Result<int> HttpServer::Bind() {
  Impl& d = *impl_;
  if (d.options.tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(d.options.cert_file.c_str(),
                                                    d.options.key_file.c_str());
    if (!ssl->is_valid()) {
      return Fail(ErrorCode::kInvalidRequest,
                  "cannot load the TLS certificate '" + d.options.cert_file + "' and key '" +
                      d.options.key_file + "': check that both exist, are readable PEM files and match");
    }
    SSL_CTX_set_min_proto_version(ssl->ssl_context(), TLS1_2_VERSION);
    d.server = std::move(ssl);
    d.scheme = "https";
  } else {
    d.server = std::make_unique<httplib::Server>();
    d.scheme = "http";
  }
  httplib::Server& s = *d.server;
  const size_t threads = static_cast<size_t>(std::max(1, d.options.threads));
  s.new_task_queue = [threads] { return new MeasuredThreadPool(threads); };
  // Debian's build leaves TCP_NODELAY off, which costs ~40 ms per keep-alive
  // response (Nagle + delayed ACK).
  s.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which lets a second server bind
  // the same port silently and steal half the connections; a busy port must
  // be an error instead.
  s.set_socket_options([&d](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    d.listen_socket = sock;
  });
  s.set_keep_alive_max_count(static_cast<size_t>(d.options.keep_alive_max_requests));
  s.set_keep_alive_timeout(d.options.keep_alive_timeout_seconds);
  s.set_read_timeout(d.options.read_timeout_seconds, 0);
  s.set_write_timeout(d.options.write_timeout_seconds, 0);
  s.set_payload_max_length(d.options.max_body_bytes);

  auto handler = [&d](const httplib::Request& req, httplib::Response& res) { d.Handle(req, res); };
  for (const char* pattern : {".*"}) {
    s.Get(pattern, handler);
    s.Post(pattern, handler);
    s.Put(pattern, handler);
    s.Patch(pattern, handler);
    s.Delete(pattern, handler);
    s.Options(pattern, handler);
  }
  // httplib answers some requests itself (413 over the body limit, 400 for a
  // malformed request line); give those the API's error body.
  s.set_error_handler([&d](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    Response out;
    const Surface surface = SurfaceOf(req.path);
    if (res.status == 413) {
      RenderError(surface,
                  {ErrorCode::kPayloadTooLarge,
                   "the request body exceeds the limit of " +
                       std::to_string(d.options.max_body_bytes) + " bytes"},
                  out);
    } else if (res.status == 404) {
      RenderError(surface, {ErrorCode::kNotFound, "no such endpoint: " + req.path}, out);
    } else {
      out.status = res.status;
      RenderAdminError(res.status, "invalid_request", "the HTTP request is malformed", out);
    }
    res.set_content(out.body, out.content_type.c_str());
    for (auto& [k, v] : out.headers) res.set_header(k.c_str(), v);
  });
  s.set_exception_handler([](const httplib::Request& req, httplib::Response& res,
                             std::exception_ptr ep) {
    std::string what = "unknown";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log::Error("unhandled exception", {{"path", req.path}, {"error", what}});
    Response out;
    RenderError(SurfaceOf(req.path), {ErrorCode::kInternal, "internal error"}, out);
    res.status = out.status;
    res.set_content(out.body, out.content_type.c_str());
  });

  int port = d.options.port;
  if (port == 0) {
    port = s.bind_to_any_port(d.options.host);
    if (port < 0) port = 0;
  } else if (!s.bind_to_port(d.options.host, port)) {
    port = 0;
  }
  if (port <= 0) {
    return Fail(ErrorCode::kUnavailable,
                "cannot listen on " + d.options.host + ":" + std::to_string(d.options.port) +
                    ": the address is in use or not available; choose another with --listen");
  }
  // httplib (Debian builds it as a shared library, so its compile-time
  // setting cannot be changed here) listens with a backlog of 5: a burst of
  // new connections (an IdP's provisioning cycle, 40 clients at once)
  // overflowed it while the acceptor was busy, and the kernel dropped
  // connections that their clients saw fail without an answer. listen()
  // again on the bound socket raises the backlog (capped by somaxconn).
  if (d.listen_socket != INVALID_SOCKET) ::listen(d.listen_socket, 1024);
  return port;
}

void HttpServer::Run() { impl_->server->listen_after_bind(); }

void HttpServer::Stop() {
  if (impl_->server) impl_->server->stop();
}

void HttpServer::Impl::Handle(const httplib::Request& hreq, httplib::Response& hres) {
  const auto start = Clock::now();
  Request req;
  req.method = hreq.method;
  req.path = hreq.path;
  req.body = hreq.body;
  for (const auto& [k, v] : hreq.headers) req.headers.emplace(k, v);
  for (const auto& [k, v] : hreq.params) req.query.emplace(k, v);
  std::string incoming_id = req.Header("X-Request-Id");
  req.request_id = SaneRequestId(incoming_id) ? incoming_id : RandomUuid();
  std::string host = req.Header("Host");
  if (host.empty() || host.find_first_of("/ \"<>") != std::string::npos) {
    host = options.host + ":" + std::to_string(options.port);
  }
  req.base_url = scheme + "://" + host;

  Response res;
  const Surface surface = SurfaceOf(req.path);
  std::string route = "unmatched";

  if (t_queue_wait > std::chrono::milliseconds(options.queue_timeout_ms)) {
    RenderError(surface, {ErrorCode::kTooManyRequests, "the server is overloaded; retry later"},
                res);
    return Finish(req, res, hres, "overloaded", start);
  }
  t_queue_wait = {};  // later requests on this connection did not queue

  // Authenticate before routing: without a credential, an API path tells
  // nothing, not even whether it exists.
  auth::Principal principal;
  if (surface != Surface::kOps) {
    const auto kind = surface == Surface::kScim ? auth::TokenKind::kScim : auth::TokenKind::kAdmin;
    auto who = authenticate(req.Header("Authorization"), kind);
    if (!who) {
      RenderError(surface, who.error(), res);
      return Finish(req, res, hres, "unauthenticated", start);
    }
    principal = std::move(*who);
    req.principal = &principal;
  }

  Router::Match match = router.Find(req.method, req.path);
  if (match.kind == Router::Match::Kind::kNotFound) {
    RenderError(surface, {ErrorCode::kNotFound, "no such endpoint: " + req.method + " " + req.path},
                res);
    return Finish(req, res, hres, route, start);
  }
  if (match.kind == Router::Match::Kind::kMethodNotAllowed) {
    std::string detail = "method " + req.method + " is not allowed on " + req.path +
                         "; allowed: " + match.allowed_methods;
    if (surface == Surface::kScim) {
      RenderScimError(405, "", detail, res);
    } else {
      RenderAdminError(405, "method_not_allowed", detail, res);
    }
    res.SetHeader("Allow", match.allowed_methods);
    return Finish(req, res, hres, route, start);
  }
  route = match.pattern;
  req.path_params = std::move(match.params);

  try {
    (*match.handler)(req, res);
  } catch (const std::exception& e) {
    log::Error("handler failed", {{"request_id", req.request_id}, {"error", e.what()}});
    res = Response{};
    RenderError(surface, {ErrorCode::kInternal, "internal error; request id " + req.request_id},
                res);
  }
  Finish(req, res, hres, route, start);
}

void HttpServer::Impl::Finish(const Request& req, Response& res, httplib::Response& hres,
                              const std::string& route, Clock::time_point start) {
  hres.status = res.status;
  for (auto& [k, v] : res.headers) hres.set_header(k.c_str(), v);
  hres.set_header("X-Request-Id", req.request_id);
  if (!res.body.empty() || res.status != 204) {
    hres.set_content(std::move(res.body), res.content_type.c_str());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  metrics.ObserveRequest(req.method, route, res.status, seconds);
  log::Info("request", {{"request_id", req.request_id},
                        {"method", req.method},
                        {"path", req.path},
                        {"route", route},
                        {"status", res.status},
                        {"duration_ms", seconds * 1000.0},
                        {"tenant", req.principal ? req.principal->tenant_id : std::string()}});
}

}  // namespace allot::http
