#include "tests/hostile/raw_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace allot::testing {
namespace {

using Clock = std::chrono::steady_clock;

SSL_CTX* ClientContext() {
  static SSL_CTX* ctx = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return c;
  }();
  return ctx;
}

int Remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int64_t StatusField(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream value(line.substr(field.size() + 1));
      int64_t kb = 0;
      value >> kb;
      return kb * 1024;
    }
  }
  return 0;
}

}  // namespace

std::string RawResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::unique_ptr<RawConnection> RawConnection::Open(int port, bool tls, bool handshake) {
  std::unique_ptr<RawConnection> c(new RawConnection());
  c->fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd_ < 0) return nullptr;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return nullptr;
  int yes = 1;
  setsockopt(c->fd_, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  fcntl(c->fd_, F_SETFL, fcntl(c->fd_, F_GETFL) | O_NONBLOCK);
  if (!tls) return c;
  SSL* ssl = SSL_new(ClientContext());
  c->ssl_ = ssl;
  SSL_set_fd(ssl, c->fd_);
  SSL_set_connect_state(ssl);
  if (!handshake) return c;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (;;) {
    const int r = SSL_do_handshake(ssl);
    if (r == 1) return c;
    const int err = SSL_get_error(ssl, r);
    pollfd p{c->fd_, static_cast<short>(err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
    if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) ||
        poll(&p, 1, Remaining(deadline)) <= 0) {
      ERR_clear_error();
      return nullptr;
    }
  }
}

RawConnection::~RawConnection() {
  if (ssl_ != nullptr) SSL_free(static_cast<SSL*>(ssl_));
  if (fd_ >= 0) close(fd_);
}

ssize_t RawConnection::WriteSome(const char* data, size_t size) {
  if (ssl_ == nullptr) {
    const ssize_t n = send(fd_, data, size, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return n;
  }
  SSL* ssl = static_cast<SSL*>(ssl_);
  const int n = SSL_write(ssl, data, static_cast<int>(std::min<size_t>(size, 1 << 20)));
  if (n > 0) return n;
  const int err = SSL_get_error(ssl, n);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
  ERR_clear_error();
  return -1;
}

bool RawConnection::Send(const std::string& bytes) {
  size_t at = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (at < bytes.size()) {
    const ssize_t n = WriteSome(bytes.data() + at, bytes.size() - at);
    if (n < 0) return false;
    at += static_cast<size_t>(n);
    if (n == 0) {
      pollfd p{fd_, POLLOUT, 0};
      if (poll(&p, 1, Remaining(deadline)) <= 0) return false;
    }
  }
  return true;
}

bool RawConnection::ReadSome(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char chunk[16384];
  for (;;) {
    ssize_t n;
    if (ssl_ == nullptr) {
      n = recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) n = -2;
    } else {
      SSL* ssl = static_cast<SSL*>(ssl_);
      n = SSL_read(ssl, chunk, sizeof chunk);
      if (n <= 0) {
        const int err = SSL_get_error(ssl, static_cast<int>(n));
        ERR_clear_error();
        n = (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) ? -2 : -1;
      }
    }
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n != -2) return false;  // EOF or error
    pollfd p{fd_, POLLIN, 0};
    const int left = Remaining(deadline);
    if (left == 0 || poll(&p, 1, left) <= 0) return true;  // timed out: nothing new
  }
}

bool RawConnection::TryParse(RawResponse& out) {
  const size_t end = buffer_.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  RawResponse r;
  r.head = buffer_.substr(0, end + 4);
  std::istringstream lines(r.head);
  std::string line;
  std::getline(lines, line);
  if (line.size() < 12 || line.rfind("HTTP/1.", 0) != 0) return false;
  r.status = std::atoi(line.c_str() + 9);
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers[Lower(line.substr(0, colon))] = value;
  }
  size_t length = 0;
  if (!r.Header("content-length").empty()) length = std::stoul(r.Header("content-length"));
  if (r.status == 100) length = 0;
  if (buffer_.size() < end + 4 + length) return false;
  r.body = buffer_.substr(end + 4, length);
  buffer_.erase(0, end + 4 + length);
  out = std::move(r);
  return true;
}

RawResponse RawConnection::ReadResponse(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  RawResponse out;
  while (!TryParse(out)) {
    const size_t before = buffer_.size();
    if (!ReadSome(std::chrono::milliseconds(Remaining(deadline)))) {
      TryParse(out);
      return out;
    }
    if (buffer_.size() == before && Clock::now() >= deadline) return out;
  }
  return out;
}

bool RawConnection::ClosedWithin(std::chrono::milliseconds timeout) {
  // At the TCP level, even for TLS: reading through TLS could start a
  // handshake the test means to withhold.
  const auto deadline = Clock::now() + timeout;
  char chunk[16384];
  for (;;) {
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return true;
    if (n > 0) continue;
    pollfd p{fd_, POLLIN, 0};
    const int left = Remaining(deadline);
    if (left == 0 || poll(&p, 1, left) <= 0) return false;
  }
}

RawResponse RawConnection::FloodUntilAnswered(const std::function<std::string()>& next,
                                              uint64_t max_bytes,
                                              std::chrono::milliseconds timeout, uint64_t* sent) {
  const auto deadline = Clock::now() + timeout;
  RawResponse out;
  std::string pending;
  size_t at = 0;
  bool writing = true;
  *sent = 0;
  while (Clock::now() < deadline) {
    if (writing && at == pending.size()) {
      if (*sent >= max_bytes) {
        writing = false;
      } else {
        pending = next();
        at = 0;
      }
    }
    pollfd p{fd_, static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
    if (poll(&p, 1, std::min(Remaining(deadline), 100)) < 0) break;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      const bool open = ReadSome(std::chrono::milliseconds(0));
      if (TryParse(out)) return out;
      if (!open) return out;
    }
    if (writing && (p.revents & POLLOUT)) {
      const ssize_t n = WriteSome(pending.data() + at, pending.size() - at);
      if (n < 0) {
        writing = false;  // reset or closed: read what was answered
      } else {
        at += static_cast<size_t>(n);
        *sent += static_cast<uint64_t>(n);
      }
    }
  }
  return out;
}

int64_t ResidentBytes(pid_t pid) { return StatusField(pid, "VmRSS"); }
int64_t PeakResidentBytes(pid_t pid) { return StatusField(pid, "VmHWM"); }

bool ResetPeakResident(pid_t pid) {
  std::ofstream out("/proc/" + std::to_string(pid) + "/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace allot::testing
