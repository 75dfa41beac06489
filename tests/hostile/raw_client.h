// tests/hostile/raw_client.h — raw TCP and TLS connections for the hostile
// client suite: they send exactly the bytes a test writes, as slowly or as
// much as it likes, and read exactly what comes back, which a polite HTTP
// client library would not do. Also the server's memory from /proc.
// Thread-safety: one RawConnection per thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace allot::testing {

// One response as read off the wire.
struct RawResponse {
  int status = 0;  // 0: none (closed, reset or timed out first)
  std::string head;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string Header(const std::string& lower_name) const;
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port, with a TLS handshake when `tls` (the
  // certificate is not checked: the suite attacks, it does not trust).
  // `handshake` false leaves a TLS connection before its handshake.
  static std::unique_ptr<RawConnection> Open(int port, bool tls = false, bool handshake = true);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  int fd() const { return fd_; }

  // Sends everything; false when the peer closed or reset the connection.
  bool Send(const std::string& bytes);

  // Reads one response (head, and a Content-Length body) within `timeout`.
  RawResponse ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // True when the peer closes the connection (EOF or reset) within
  // `timeout`; bytes that arrive meanwhile are dropped.
  bool ClosedWithin(std::chrono::milliseconds timeout);

  // Sends `next()` chunk after chunk while reading whatever comes back,
  // until a whole response has arrived, the peer closed, `max_bytes` were
  // sent or `timeout` passed. Returns the response (status 0 if none) and
  // sets `*sent` to the bytes sent. For floods: the server may answer and
  // close long before the client is done writing.
  RawResponse FloodUntilAnswered(const std::function<std::string()>& next, uint64_t max_bytes,
                                 std::chrono::milliseconds timeout, uint64_t* sent);

 private:
  RawConnection() = default;
  // Reads what is there within `timeout` into buffer_; false on EOF/error.
  bool ReadSome(std::chrono::milliseconds timeout);
  ssize_t WriteSome(const char* data, size_t size);
  bool TryParse(RawResponse& out);

  int fd_ = -1;
  void* ssl_ = nullptr;  // SSL*
  std::string buffer_;
};

// The server's resident memory, from /proc/PID/status, in bytes: the
// current size (VmRSS) and the peak (VmHWM). 0 when unreadable.
int64_t ResidentBytes(pid_t pid);
int64_t PeakResidentBytes(pid_t pid);
// Resets the peak to the current size (/proc/PID/clear_refs); false when
// the kernel does not allow it.
bool ResetPeakResident(pid_t pid);

// True when this build runs under AddressSanitizer (memory numbers are then
// meaningless: its quarantine holds freed memory on purpose).
constexpr bool kUnderAsan =
#if defined(__SANITIZE_ADDRESS__)
    true;
#else
    false;
#endif

}  // namespace allot::testing
