#include "server/webhooks/sender.h"

#include <httplib.h>

#include <memory>

namespace allot::webhooks {
namespace {

constexpr size_t kMaxAnswerBytes = 64 * 1024;

// The host as the client names it (Host header, SNI, certificate check):
// an IPv6 literal in brackets.
std::string HostName(const WebhookUrl& url) {
  return url.ipv6_literal ? "[" + url.host + "]" : url.host;
}

std::unique_ptr<httplib::ClientImpl> MakeClient(const WebhookUrl& url,
                                                const SendOptions& options) {
  if (!url.https) return std::make_unique<httplib::ClientImpl>(HostName(url), url.port);
  auto tls = std::make_unique<httplib::SSLClient>(HostName(url), url.port);
  tls->enable_server_certificate_verification(true);
  if (!options.ca_file.empty()) tls->set_ca_cert_path(options.ca_file);
  return tls;
}

// What an attempt that got no answer ran into, for the delivery log.
std::string Describe(httplib::Error error, const WebhookUrl& url) {
  switch (error) {
    case httplib::Error::Connection: return "could not connect";
    case httplib::Error::ConnectionTimeout: return "connecting timed out";
    case httplib::Error::Read: return "the answer did not arrive in time or was cut off";
    case httplib::Error::Write: return "sending the request failed or timed out";
    case httplib::Error::SSLConnection: return "the TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "the trusted certificates could not be loaded";
    case httplib::Error::SSLServerVerification:
      return "the receiver's certificate is not trusted or does not name " + url.host;
    default: return "the request failed (" + httplib::to_string(error) + ")";
  }
}

}  // namespace

void SendAbort::Abort() {
  std::lock_guard lock(mu_);
  aborted_ = true;
  if (stop_current_) stop_current_();
}

bool SendAbort::aborted() const {
  std::lock_guard lock(mu_);
  return aborted_;
}

// Registers a client with a SendAbort for the time of one send.
class SendInFlight {
 public:
  SendInFlight(SendAbort* abort, httplib::ClientImpl& client) : abort_(abort) {
    if (abort_ == nullptr) return;
    std::lock_guard lock(abort_->mu_);
    if (abort_->aborted_) {
      refused_ = true;
      return;
    }
    // ClientImpl::stop() shuts the socket of a request in flight down.
    abort_->stop_current_ = [&client] { client.stop(); };
  }
  ~SendInFlight() {
    if (abort_ == nullptr) return;
    std::lock_guard lock(abort_->mu_);
    abort_->stop_current_ = nullptr;
  }
  bool refused() const { return refused_; }

 private:
  SendAbort* abort_;
  bool refused_ = false;
};

SendResult PostJson(const WebhookUrl& url, const std::string& address,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body, const SendOptions& options, SendAbort* abort) {
  auto client = MakeClient(url, options);
  // Connect to the checked address, whatever DNS says by now.
  client->set_hostname_addr_map({{HostName(url), address}});
  client->set_connection_timeout(options.timeout);
  client->set_read_timeout(options.timeout);
  client->set_write_timeout(options.timeout);
  client->set_follow_location(false);
  client->set_keep_alive(false);

  httplib::Request req;
  req.method = "POST";
  req.path = url.target;
  for (const auto& [name, value] : headers) req.headers.emplace(name, value);
  req.headers.emplace("User-Agent", "allot-webhooks");
  req.headers.emplace("Content-Type", "application/json");
  req.body = body;
  SendResult out;
  size_t received = 0;
  req.response_handler = [&out](const httplib::Response& r) {
    out.status = r.status;
    return true;
  };
  req.content_receiver = [&received](const char*, size_t n, uint64_t, uint64_t) {
    received += n;
    return received <= kMaxAnswerBytes;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  bool sent = false;
  {
    SendInFlight in_flight(abort, *client);
    if (in_flight.refused()) return {.status = 0, .error = "stopped"};
    sent = client->send(req, res, error);
  }
  if (abort != nullptr && abort->aborted()) return {.status = 0, .error = "stopped"};
  if (!sent) {
    // A body cut short after the status arrived still has its status.
    if (error == httplib::Error::Canceled && out.status != 0) return out;
    out.status = 0;
    out.error = Describe(error, url);
    return out;
  }
  out.status = res.status;
  return out;
}

}  // namespace allot::webhooks
