// server/http/tls_socket.h — TLS over an accepted TCP socket for the
// transport: OpenSSL reads and writes the (non-blocking) socket itself, and
// Asio only says when the socket is ready. asio::ssl::stream keeps some
// 70 KB of buffers per connection for its whole life (its own two record
// buffers and a BIO pair); here an idle connection holds OpenSSL's session
// state alone (SSL_MODE_RELEASE_BUFFERS), and a connection that has not
// started its handshake holds no TLS state at all.
//
// Provides what the transport uses of an Asio stream: get_executor,
// async_handshake (server side), async_read_some and async_write_some
// (so asio::async_write composes over it). Completion handlers run on the
// socket's executor, never inside the initiating call. Errors: eof when the
// peer closes (cleanly or not), the socket's error, or a TLS failure.
//
// Thread-safety: like an Asio socket: at most one read and one write
// operation at a time, initiated from the thread that runs its executor.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <string>
#include <utility>

namespace allot::http {

class TlsSocket {
 public:
  using tcp = boost::asio::ip::tcp;
  using error_code = boost::system::error_code;
  using executor_type = tcp::socket::executor_type;

  TlsSocket(tcp::socket socket, SSL_CTX* context)
      : socket_(std::move(socket)), context_(context) {
    error_code ignored;
    socket_.non_blocking(true, ignored);  // OpenSSL calls read/write itself
  }
  ~TlsSocket() {
    if (ssl_ != nullptr) SSL_free(ssl_);
  }
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  tcp::socket& next_layer() { return socket_; }

  // Waits for the client's first bytes, then runs the server handshake.
  // handler(error_code).
  template <class Handler>
  void async_handshake(Handler&& handler) {
    socket_.async_wait(tcp::socket::wait_read,
                       [this, h = std::forward<Handler>(handler)](const error_code& ec) mutable {
                         if (ec) return h(ec);
                         ssl_ = SSL_new(context_);
                         if (ssl_ == nullptr || SSL_set_fd(ssl_, socket_.native_handle()) != 1) {
                           return h(error_code(boost::asio::error::no_memory));
                         }
                         SSL_set_accept_state(ssl_);
                         Run([this](size_t* n) {
                           *n = 0;
                           return SSL_do_handshake(ssl_);
                         },
                             [h = std::move(h)](const error_code& e, size_t) mutable { h(e); },
                             /*immediate=*/false);
                       });
  }

  // handler(error_code, size_t): at least one byte, or an error.
  template <class MutableBufferSequence, class Handler>
  void async_read_some(const MutableBufferSequence& buffers, Handler&& handler) {
    boost::asio::mutable_buffer b = FirstNonEmpty<boost::asio::mutable_buffer>(buffers);
    Run([this, b](size_t* n) { return SSL_read_ex(ssl_, b.data(), b.size(), n); },
        std::forward<Handler>(handler), /*immediate=*/true);
  }

  // handler(error_code, size_t). Small buffer sequences go out as one TLS
  // record (a response head and its body, typically).
  template <class ConstBufferSequence, class Handler>
  void async_write_some(const ConstBufferSequence& buffers, Handler&& handler) {
    constexpr size_t kCoalesce = 16 * 1024;
    boost::asio::const_buffer b = FirstNonEmpty<boost::asio::const_buffer>(buffers);
    if (boost::asio::buffer_size(buffers) <= kCoalesce && b.size() < boost::asio::buffer_size(buffers)) {
      scratch_.resize(boost::asio::buffer_size(buffers));
      boost::asio::buffer_copy(boost::asio::buffer(scratch_), buffers);
      b = boost::asio::buffer(scratch_);
    }
    Run([this, b](size_t* n) { return SSL_write_ex(ssl_, b.data(), b.size(), n); },
        std::forward<Handler>(handler), /*immediate=*/true);
  }

 private:
  template <class Buffer, class Sequence>
  static Buffer FirstNonEmpty(const Sequence& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      Buffer b(*it);
      if (b.size() > 0) return b;
    }
    return Buffer();
  }

  // Calls `attempt` (an OpenSSL call that returns 1 on success and sets *n);
  // when OpenSSL wants the socket readable or writable, waits for it and
  // calls again. `immediate`: the call is the initiating one, so a result is
  // posted rather than handed over inside it.
  template <class Attempt, class Handler>
  void Run(Attempt attempt, Handler&& handler, bool immediate) {
    if (ssl_ == nullptr) return Complete(std::forward<Handler>(handler), boost::asio::error::not_connected, 0, immediate);
    ERR_clear_error();
    size_t n = 0;
    const int r = attempt(&n);
    if (r == 1) return Complete(std::forward<Handler>(handler), {}, n, immediate);
    const int err = SSL_get_error(ssl_, r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      socket_.async_wait(
          err == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write,
          [this, attempt, h = std::forward<Handler>(handler)](const error_code& ec) mutable {
            if (ec) return h(ec, size_t{0});
            Run(attempt, std::move(h), /*immediate=*/false);
          });
      return;
    }
    error_code ec = boost::asio::error::eof;  // closed, cleanly or not
    if (err == SSL_ERROR_SYSCALL && errno != 0) {
      ec = error_code(errno, boost::asio::error::get_system_category());
    } else if (err == SSL_ERROR_SSL) {
      ec = error_code(static_cast<int>(ERR_get_error()), boost::asio::error::get_ssl_category());
    }
    ERR_clear_error();
    Complete(std::forward<Handler>(handler), ec, 0, immediate);
  }

  template <class Handler>
  void Complete(Handler&& handler, const error_code& ec, size_t n, bool immediate) {
    if (!immediate) return handler(ec, n);
    boost::asio::post(socket_.get_executor(),
                      [h = std::forward<Handler>(handler), ec, n]() mutable { h(ec, n); });
  }

  tcp::socket socket_;
  SSL_CTX* context_;
  SSL* ssl_ = nullptr;
  std::string scratch_;  // a coalesced write
};

}  // namespace allot::http
