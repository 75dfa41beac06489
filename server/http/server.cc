#include "server/http/server.h"

#include <sys/resource.h>

#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/base/log.h"
#include "server/http/tls_context.h"
#include "server/http/tls_socket.h"
#include "server/http/worker_pool.h"

namespace allot::http {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 16 * 1024;
// After an answer that closes the connection, what the client still sends
// is read and dropped (never kept) for a moment, so that closing with unread
// bytes does not reset the connection before the client has read the
// answer: most clients send a whole body before they read. Bounded by time
// and by max_body_bytes plus kLingerBytes.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1024 * 1024;
constexpr std::string_view k100Continue = "HTTP/1.1 100 Continue\r\n\r\n";

class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  // At shutdown: closes the connection if no request is under way. Called
  // on the connection's I/O thread.
  virtual void CloseIfIdle() = 0;
};

// One I/O thread: its io_context and the connections that live on it.
struct IoSlot {
  // Declared before ioc: handlers the io_context destroys may end
  // connections, which unregister here.
  std::mutex mutex;  // guards `connections`
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> connections;
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(ioc);
  std::thread thread;
};

// What every connection shares: options, dispatcher, pool, TLS, counters.
struct ServerCore {
  ServerCore(ServerOptions o, const Router& r, Authenticator a, Metrics& m)
      : options(std::move(o)), router(r), authenticate(std::move(a)), metrics(m) {}

  ServerOptions options;
  const Router& router;
  Authenticator authenticate;
  Metrics& metrics;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<ssl::context> tls;
  std::vector<std::unique_ptr<IoSlot>> slots;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  size_t next_slot = 0;
  std::atomic<int> open_connections{0};
  std::atomic<bool> stopping{false};
  std::atomic<bool> released{false};

  void Accept();
  void OnAccepted(const error_code& ec, tcp::socket socket, IoSlot& slot);
  void CloseIdle(IoSlot& slot);
  void ConnectionClosed();
  void ReleaseIoThreads();
};

std::string_view View(const boost::beast::flat_buffer& b) {
  auto d = b.data();
  return {static_cast<const char*>(d.data()), d.size()};
}

template <class Stream>
class Connection final : public ConnectionBase,
                         public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;

  template <class... StreamArgs>
  Connection(ServerCore& core, IoSlot& slot, StreamArgs&&... stream_args)
      : core_(core),
        slot_(slot),
        stream_(std::forward<StreamArgs>(stream_args)...),
        timer_(slot.ioc) {}

  ~Connection() override {
    {
      std::lock_guard lock(slot_.mutex);
      slot_.connections.erase(this);
    }
    core_.ConnectionClosed();
  }

  void Start() {
    {
      std::lock_guard lock(slot_.mutex);
      slot_.connections.emplace(this, this->weak_from_this());
    }
    if (core_.stopping) return Close();
    reader_.emplace(core_.options.limits);
    // The handshake and the first request's head share one deadline.
    ArmDeadline(Clock::now() + std::chrono::seconds(core_.options.header_timeout_seconds));
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      stream_.async_handshake([self = this->shared_from_this()](const error_code& ec) {
                                if (self->phase_ == Phase::kClosed) return;
                                if (ec) return self->Close();
                                self->phase_ = Phase::kIdle;
                                self->ReadMore();
                              });
    } else {
      phase_ = Phase::kIdle;
      ReadMore();
    }
  }

  void CloseIfIdle() override {
    if (phase_ == Phase::kIdle || phase_ == Phase::kHandshake) Close();
  }

 private:
  enum class Phase {
    kHandshake,  // TLS handshake
    kIdle,       // waiting for the first byte of a request
    kHead,       // reading a request head
    kAuth,       // a worker checks the credential (and, when the body came with
                 // the head, runs the handler); nothing is read meanwhile
    kBody,       // reading the body
    kWork,       // a worker runs the handler
    kWrite,      // writing the response
    kLinger,     // closing: dropping what the client still sends
    kClosed,
  };

  tcp::socket& Socket() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  void ArmDeadline(Clock::time_point when) {
    timer_.expires_at(when);
    timer_.async_wait([self = this->shared_from_this(), generation = ++deadline_generation_](
                          const error_code& ec) {
      if (ec || generation != self->deadline_generation_) return;
      self->Close();
    });
  }

  void DisarmDeadline() {
    ++deadline_generation_;
    timer_.cancel();
  }

  void ReadMore() {
    auto space = buffer_.prepare(kReadChunk);
    auto on_read = [self = this->shared_from_this()](const error_code& ec, size_t n) {
      self->OnRead(ec, n);
    };
    if (phase_ == Phase::kLinger) {
      Socket().async_read_some(space, std::move(on_read));
    } else {
      stream_.async_read_some(space, std::move(on_read));
    }
  }

  void OnRead(const error_code& ec, size_t n) {
    if (phase_ == Phase::kClosed) return;
    if (ec) return Close();  // end of stream, reset, or closed by the deadline
    buffer_.commit(n);
    if (phase_ == Phase::kLinger) {
      buffer_.consume(buffer_.size());
      lingered_ += n;
      if (lingered_ > core_.options.limits.max_body_bytes + kLingerBytes) return Close();
      return ReadMore();
    }
    if (phase_ == Phase::kIdle) {
      phase_ = Phase::kHead;
      if (!first_request_) {
        ArmDeadline(Clock::now() + std::chrono::seconds(core_.options.header_timeout_seconds));
      }
    }
    Process();
  }

  // Feeds what was received to the reader and acts on its verdict.
  void Process() {
    for (;;) {
      const auto before = reader_->state();
      const std::string_view data = View(buffer_);
      const size_t used = data.empty() ? 0 : reader_->Feed(data);
      buffer_.consume(used);
      const auto after = reader_->state();
      if (after == before) {
        if (used > 0 && buffer_.size() > 0) continue;
        return ReadMore();
      }
      if (after == RequestReader::State::kFailed) return Refuse();
      if (before == RequestReader::State::kHead) return OnHead();
      return Dispatch();  // the body is complete
    }
  }

  void TakeHead() {
    static_cast<RequestHead&>(exchange_->request) =
        std::move(static_cast<RequestHead&>(reader_->request()));
    exchange_->http10 = reader_->version() == 10;
  }

  void OnHead() {
    exchange_ = std::make_unique<Exchange>();
    TakeHead();
    Dispatcher& d = *core_.dispatcher;
    d.Begin(*exchange_);
    if (reader_->state() == RequestReader::State::kDone) return Dispatch();
    if (const size_t cap = exchange_->rule->max_body_bytes; cap != 0) {
      reader_->LowerBodyLimit(cap);
      if (reader_->state() == RequestReader::State::kFailed) return Refuse();
    }
    if (!d.NeedsCredential(*exchange_)) {
      if (d.TakesBody(*exchange_)) return ReadBody();
      // 404 or 405 without a credential: answered without reading the body,
      // which leaves the connection unusable for another request.
      keep_alive_ = false;
      d.Serve(*exchange_);
      wire_head_ = d.Finish(*exchange_, false);
      return Write();
    }
    // Check the credential before a byte of the body is read. When the
    // whole body came with the head (a small request, the usual case), the
    // same worker job then takes it from the read buffer and runs the
    // handler: one job and two handoffs instead of two and four. Its bytes
    // are in the buffer either way; they become the request's body only once
    // the credential passed, and a failed credential is answered as when
    // the body is still on its way.
    const std::optional<uint64_t> length = reader_->content_length();
    const bool body_buffered = length && *length <= buffer_.size();
    phase_ = Phase::kAuth;
    DisarmDeadline();
    core_.pool->Post([self = this->shared_from_this(), body_buffered](bool overloaded) mutable {
      Connection& c = *self;
      Dispatcher& dispatcher = *c.core_.dispatcher;
      bool proceed = false;
      if (overloaded) {
        dispatcher.Overloaded(*c.exchange_);
      } else {
        proceed = dispatcher.Authenticate(*c.exchange_);
      }
      if (!proceed) {
        // The body stays unread, so the connection cannot carry another
        // request.
        c.keep_alive_ = false;
        c.wire_head_ = dispatcher.Finish(*c.exchange_, false);
      } else if (body_buffered && c.ReadBufferedBody()) {
        // phase_ stays kAuth: the I/O thread reads it (CloseIfIdle).
        c.TakeBody();
        return c.RunHandler(std::move(self), /*overloaded=*/false);
      }
      IoSlot& slot = c.slot_;
      asio::post(slot.ioc, [self = std::move(self), proceed] {
        if (!proceed) return self->Write();
        // A request the reader refused while its buffered body was read
        // (not expected: the head announced a length within the limit).
        if (self->reader_->state() == RequestReader::State::kFailed) return self->Refuse();
        self->ReadBody();
      });
    });
  }

  // On a worker, once the credential passed: feeds the body that is already
  // in the read buffer to the reader. True when the request is complete.
  bool ReadBufferedBody() {
    while (reader_->state() == RequestReader::State::kBody && buffer_.size() > 0) {
      const size_t used = reader_->Feed(View(buffer_));
      buffer_.consume(used);
      if (used == 0) break;
    }
    return reader_->state() == RequestReader::State::kDone;
  }

  void ReadBody() {
    phase_ = Phase::kBody;
    ArmDeadline(Clock::now() + std::chrono::seconds(core_.options.read_timeout_seconds));
    if (reader_->expects_continue() && reader_->version() >= 11 && buffer_.size() == 0) {
      asio::async_write(stream_, asio::buffer(k100Continue.data(), k100Continue.size()),
                        [self = this->shared_from_this()](const error_code& ec, size_t) {
                          if (self->phase_ == Phase::kClosed) return;
                          if (ec) return self->Close();
                          self->Process();
                        });
      return;
    }
    Process();
  }

  // The complete body becomes the request's; the head says whether the
  // connection carries another request.
  void TakeBody() {
    exchange_->request.body = std::move(reader_->request().body);
    keep_alive_ = reader_->keep_alive() && !core_.stopping;
  }

  void Dispatch() {
    TakeBody();
    Dispatcher& d = *core_.dispatcher;
    if (d.RunsInline(*exchange_)) {
      d.Serve(*exchange_);
      wire_head_ = d.Finish(*exchange_, keep_alive_);
      return Write();
    }
    phase_ = Phase::kWork;
    DisarmDeadline();
    core_.pool->Post([self = this->shared_from_this()](bool overloaded) mutable {
      Connection& c = *self;
      c.RunHandler(std::move(self), overloaded);
    });
  }

  // On a worker: runs the handler (or answers 429) and hands the answer to
  // the I/O thread. `self` is this connection.
  void RunHandler(std::shared_ptr<Connection> self, bool overloaded) {
    Dispatcher& dispatcher = *core_.dispatcher;
    if (overloaded) {
      dispatcher.Overloaded(*exchange_);
    } else {
      dispatcher.Serve(*exchange_);
    }
    keep_alive_ = keep_alive_ && !core_.stopping;
    // An HTTP/1.0 client learns where a streamed body ends by the close.
    if (exchange_->response.stream && exchange_->http10) keep_alive_ = false;
    wire_head_ = dispatcher.Finish(*exchange_, keep_alive_);
    asio::post(slot_.ioc, [self = std::move(self)] { self->Write(); });
  }

  // The reader refused the request (400, 413, 414, 431).
  void Refuse() {
    Dispatcher& d = *core_.dispatcher;
    if (!exchange_) {
      exchange_ = std::make_unique<Exchange>();
      if (reader_->head_parsed()) TakeHead();
      d.Begin(*exchange_);
    }
    d.Refuse(*exchange_, reader_->error_status(), reader_->error_reason());
    keep_alive_ = false;
    wire_head_ = d.Finish(*exchange_, false);
    Write();
  }

  void Write() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kWrite;
    ArmDeadline(Clock::now() + std::chrono::seconds(core_.options.write_timeout_seconds));
    if (Dispatcher::Streams(*exchange_)) return WriteStreamHead();
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(wire_head_), asio::const_buffer()};
    if (Dispatcher::SendsBody(*exchange_)) buffers[1] = asio::buffer(exchange_->response.body);
    asio::async_write(stream_, buffers,
                      [self = this->shared_from_this()](const error_code& ec, size_t) {
                        if (self->phase_ == Phase::kClosed) return;
                        if (ec) return self->Close();
                        if (!self->keep_alive_) return self->Linger();
                        self->NextRequest();
                      });
  }

  // A streamed body (types.h, BodyStream): the head with the first piece,
  // then one piece at a time, each pulled on a worker only once the one
  // before it has been written, so the connection never holds more than one
  // piece. Each write has its own deadline (write_timeout_seconds): a
  // reader that stops reading is cut off, one that reads slowly is not.
  void WriteStreamHead() {
    piece_.clear();
    Frame(exchange_->response.body, piece_);
    std::string().swap(exchange_->response.body);
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(wire_head_), asio::buffer(piece_)};
    asio::async_write(stream_, buffers,
                      [self = this->shared_from_this()](const error_code& ec, size_t n) {
                        if (self->phase_ == Phase::kClosed) return;
                        const size_t head = self->wire_head_.size();
                        self->streamed_ += n > head ? n - head : 0;
                        if (ec) return self->EndStream(Fail(ErrorCode::kUnavailable, "the client went away"));
                        self->PullPiece();
                      });
  }

  // Appends `data` as one chunk (HTTP/1.1) or as it is (HTTP/1.0).
  void Frame(std::string_view data, std::string& out) const {
    if (data.empty()) return;
    if (exchange_->http10) {
      out += data;
      return;
    }
    char size[20];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    out.append(size, static_cast<size_t>(n));
    out += data;
    out += "\r\n";
  }

  void PullPiece() {
    phase_ = Phase::kWork;
    DisarmDeadline();
    // Pulled even when the job waited past the queue timeout: the answer is
    // under way, and a 429 can no longer be sent.
    core_.pool->Post([self = this->shared_from_this()](bool /*overloaded*/) mutable {
      Connection& c = *self;
      std::string piece;
      std::string failure;
      BodyStream::Step step = BodyStream::Step::kFailed;
      try {
        step = c.exchange_->response.stream->Next(piece, failure);
      } catch (const std::exception& e) {
        step = BodyStream::Step::kFailed;
        failure = std::string("the body stream threw: ") + e.what();
      }
      c.piece_.clear();
      Result<bool> more = step == BodyStream::Step::kFailed
                              ? Result<bool>(Fail(ErrorCode::kInternal, std::move(failure)))
                              : Result<bool>(step == BodyStream::Step::kMore);
      if (more) {
        c.Frame(piece, c.piece_);
        if (!*more && !c.exchange_->http10) c.piece_ += "0\r\n\r\n";
      }
      IoSlot& slot = c.slot_;
      asio::post(slot.ioc, [self = std::move(self), more = std::move(more)]() mutable {
        self->WritePiece(std::move(more));
      });
    });
  }

  void WritePiece(Result<bool> more) {
    if (phase_ == Phase::kClosed) return;
    if (!more) return EndStream(std::unexpected(more.error()));
    if (piece_.empty() && *more) return PullPiece();  // nothing this time
    phase_ = Phase::kWrite;
    ArmDeadline(Clock::now() + std::chrono::seconds(core_.options.write_timeout_seconds));
    asio::async_write(stream_, asio::buffer(piece_),
                      [self = this->shared_from_this(), last = !*more](const error_code& ec,
                                                                       size_t n) {
                        if (self->phase_ == Phase::kClosed) return;
                        self->streamed_ += n;
                        if (ec) return self->EndStream(Fail(ErrorCode::kUnavailable, "the client went away"));
                        if (!last) return self->PullPiece();
                        self->EndStream(Ok());
                      });
  }

  // The body is complete (`outcome` ok) or cut off: a failure closes the
  // connection without the final chunk, so the client cannot take a partial
  // body for a whole one.
  void EndStream(const Status& outcome) {
    core_.dispatcher->StreamEnded(*exchange_, streamed_, outcome);
    streamed_ = 0;
    std::string().swap(piece_);
    exchange_->response.stream.reset();
    if (!outcome) return Close();
    if (!keep_alive_) return Linger();
    NextRequest();
  }

  void NextRequest() {
    exchange_.reset();
    wire_head_.clear();
    first_request_ = false;
    reader_.emplace(core_.options.limits);
    if (core_.stopping) return Linger();
    if (buffer_.size() > 0) {  // a pipelined request is already here
      phase_ = Phase::kHead;
      ArmDeadline(Clock::now() + std::chrono::seconds(core_.options.header_timeout_seconds));
      return Process();
    }
    if (buffer_.capacity() > 2 * kReadChunk) buffer_.shrink_to_fit();
    phase_ = Phase::kIdle;
    ArmDeadline(Clock::now() + std::chrono::seconds(core_.options.keep_alive_timeout_seconds));
    ReadMore();
  }

  // Closes after a last answer: stop sending, drop what still arrives for a
  // moment, then close.
  void Linger() {
    phase_ = Phase::kLinger;
    exchange_.reset();
    error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.consume(buffer_.size());
    lingered_ = 0;
    ArmDeadline(Clock::now() + kLingerTime);
    ReadMore();
  }

  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    ++deadline_generation_;
    timer_.cancel();
    error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().close(ignored);
  }

  ServerCore& core_;
  IoSlot& slot_;
  Stream stream_;
  asio::steady_timer timer_;
  uint64_t deadline_generation_ = 0;
  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestReader> reader_;
  // Written by a worker while the connection waits in kAuth or kWork, read
  // on the I/O thread after the worker's post; so are reader_, buffer_ and
  // keep_alive_ when a worker takes a buffered body in kAuth.
  std::unique_ptr<Exchange> exchange_;
  std::string wire_head_;
  bool keep_alive_ = false;
  size_t lingered_ = 0;
  // A streamed body: the piece being written (framed), and the bytes sent
  // after the head so far. Written by a worker in PullPiece while the I/O
  // thread waits for its post.
  std::string piece_;
  uint64_t streamed_ = 0;
};

void ServerCore::Accept() {
  IoSlot& slot = *slots[next_slot++ % slots.size()];
  acceptor->async_accept(slot.ioc, [this, &slot](const error_code& ec, tcp::socket socket) {
    OnAccepted(ec, std::move(socket), slot);
  });
}

void ServerCore::OnAccepted(const error_code& ec, tcp::socket socket, IoSlot& slot) {
  if (ec == asio::error::operation_aborted || stopping) return;
  if (ec) {
    // Out of descriptors or memory: retry shortly instead of spinning.
    log::Warn("accept failed; retrying in 100 ms", {{"error", ec.message()}});
    accept_retry->expires_after(std::chrono::milliseconds(100));
    accept_retry->async_wait([this](const error_code& e) {
      if (!e && !stopping) Accept();
    });
    return;
  }
  error_code ignored;
  if (open_connections.load() >= options.max_connections) {
    socket.close(ignored);
    return Accept();
  }
  ++open_connections;
  socket.set_option(tcp::no_delay(true), ignored);
  asio::post(slot.ioc, [this, &slot, s = std::move(socket)]() mutable {
    if (tls) {
      auto c = std::make_shared<Connection<TlsSocket>>(*this, slot, std::move(s),
                                                       tls->native_handle());
      c->Start();
    } else {
      auto c = std::make_shared<Connection<tcp::socket>>(*this, slot, std::move(s));
      c->Start();
    }
  });
  Accept();
}

void ServerCore::CloseIdle(IoSlot& slot) {
  std::vector<std::weak_ptr<ConnectionBase>> all;
  {
    std::lock_guard lock(slot.mutex);
    for (auto& [raw, weak] : slot.connections) all.push_back(weak);
  }
  for (auto& weak : all) {
    if (auto c = weak.lock()) c->CloseIfIdle();
  }
}

void ServerCore::ConnectionClosed() {
  if (--open_connections == 0 && stopping) ReleaseIoThreads();
}

void ServerCore::ReleaseIoThreads() {
  if (released.exchange(true)) return;
  for (auto& slot : slots) slot->guard.reset();
}

void RunIoThread(asio::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      log::Error("I/O thread: unexpected exception; continuing", {{"error", e.what()}});
    }
  }
}

// Lifts the soft limit on open files to the hard one: each connection is a
// descriptor, and the usual soft limit (1024) is far below max_connections.
void RaiseOpenFileLimit(int max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur < static_cast<rlim_t>(max_connections) + 64) {
    log::Warn("the open-file limit is below max_connections; raise it (ulimit -n) or lower "
              "max_connections",
              {{"limit", static_cast<int64_t>(limit.rlim_cur)},
               {"max_connections", max_connections}});
  }
}

}  // namespace

struct HttpServer::Impl : ServerCore {
  using ServerCore::ServerCore;
};

HttpServer::HttpServer(ServerOptions options, const Router& router, Authenticator authenticate,
                       Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(authenticate), metrics)) {}

HttpServer::~HttpServer() {
  if (impl_->pool) impl_->pool->Shutdown();
}

Result<int> HttpServer::Bind() {
  ServerCore& core = *impl_;
  const ServerOptions& o = core.options;
  if (o.tls) {
    auto context = MakeServerTlsContext(o.cert_file, o.key_file);
    if (!context) return std::unexpected(context.error());
    core.tls = std::move(*context);
  }
  for (int i = 0; i < std::max(1, o.io_threads); ++i) {
    core.slots.push_back(std::make_unique<IoSlot>());
  }
  asio::io_context& ioc = core.slots.front()->ioc;
  RaiseOpenFileLimit(o.max_connections);

  const std::string where = o.host + ":" + std::to_string(o.port);
  auto refuse = [&] {
    return Fail(ErrorCode::kUnavailable,
                "cannot listen on " + where +
                    ": the address is in use or not available; choose another with --listen");
  };
  error_code ec;
  tcp::endpoint endpoint;
  const auto address = asio::ip::make_address(o.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, static_cast<unsigned short>(o.port));
  } else {
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(o.host, std::to_string(o.port), ec);
    if (ec || results.empty()) return refuse();
    endpoint = results.begin()->endpoint();
  }
  core.acceptor.emplace(ioc);
  core.acceptor->open(endpoint.protocol(), ec);
  // SO_REUSEADDR only: SO_REUSEPORT would let a second server bind the same
  // port silently and steal half the connections.
  if (!ec) core.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) core.acceptor->bind(endpoint, ec);
  if (!ec) core.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return refuse();
  const int port = core.acceptor->local_endpoint().port();

  const std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  core.dispatcher = std::make_unique<Dispatcher>(
      Dispatcher::Options{.scheme = o.tls ? "https" : "http",
                          .default_host = host + ":" + std::to_string(port)},
      core.router, core.authenticate, core.metrics);
  core.pool = std::make_unique<WorkerPool>(o.threads, std::chrono::milliseconds(o.queue_timeout_ms));
  core.accept_retry.emplace(ioc);
  return port;
}

void HttpServer::Run() {
  ServerCore& core = *impl_;
  asio::post(core.slots.front()->ioc, [&core] {
    if (!core.stopping) core.Accept();
  });
  for (auto& slot : core.slots) {
    slot->thread = std::thread([s = slot.get()] { RunIoThread(s->ioc); });
  }
  for (auto& slot : core.slots) slot->thread.join();
  core.pool->Shutdown();
}

void HttpServer::Stop() {
  ServerCore& core = *impl_;
  if (core.slots.empty() || core.stopping.exchange(true)) return;
  asio::post(core.slots.front()->ioc, [&core] {
    error_code ignored;
    if (core.acceptor) core.acceptor->close(ignored);
    if (core.accept_retry) core.accept_retry->cancel();
    for (auto& slot : core.slots) {
      asio::post(slot->ioc, [&core, s = slot.get()] { core.CloseIdle(*s); });
    }
    if (core.open_connections == 0) core.ReleaseIoThreads();
  });
}

}  // namespace allot::http
