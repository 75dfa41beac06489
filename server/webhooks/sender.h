// server/webhooks/sender.h — one signed POST to a webhook receiver with
// cpp-httplib's client: TLS with the server's certificate verified (against
// the system's trust store, or `ca_file`) for https://, plain HTTP for
// http:// (allowed to private networks only, target.h), connecting to the
// address the caller checked while the Host header, SNI and the certificate
// check use the URL's host name. Redirects are not followed (a 3xx is a
// failed attempt). The answer's body is read and dropped, at most 64 KiB.
// Thread-safety: thread-safe (one client per call).
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/webhooks/target.h"

namespace allot::webhooks {

struct SendOptions {
  std::chrono::milliseconds timeout{5000};  // to connect, and for each read and write
  std::string ca_file;                      // PEM trust anchors; "" for the system's
};

struct SendResult {
  int status = 0;     // the HTTP status; 0 when there was no answer
  std::string error;  // why there was no answer, or "" 
  bool ok() const { return status >= 200 && status < 300; }
};

// Lets another thread cut sends short (a server shutting down must not wait
// for a receiver that answers slowly). Thread-safe.
class SendAbort {
 public:
  // Closes the connection of the send in flight, if any, and makes every
  // later send fail at once.
  void Abort();
  bool aborted() const;

 private:
  friend class SendInFlight;
  mutable std::mutex mu_;
  bool aborted_ = false;
  std::function<void()> stop_current_;  // guarded by mu_
};

// POSTs `body` (application/json) with `headers` to `url` at `address`.
// With `abort`, the send can be cut short from another thread (then: no
// answer, error "stopped").
SendResult PostJson(const WebhookUrl& url, const std::string& address,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body, const SendOptions& options,
                    SendAbort* abort = nullptr);

}  // namespace allot::webhooks
