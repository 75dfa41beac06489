// tests/webhooks/receiver.h — a webhook receiver inside the test: a
// cpp-httplib server on 127.0.0.1 (plain HTTP, or HTTPS with a given
// certificate) that records every request and answers with the status its
// `answer` function picks; it can also hold requests unanswered until
// released. Nothing here leaves loopback.
// Thread-safety: thread-safe; handlers run on the server's threads.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace allot::webhooks_testing {

struct Received {
  std::string id, timestamp, signature, body;
  nlohmann::json json;  // the body parsed
  int answered = 0;     // the status the receiver answered (0: held, then dropped)
};

class Receiver {
 public:
  // HTTPS when cert and key files are given.
  explicit Receiver(const std::string& cert_file = "", const std::string& key_file = "") {
    if (cert_file.empty()) {
      server_ = std::make_unique<httplib::Server>();
    } else {
      server_ = std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str());
    }
    scheme_ = cert_file.empty() ? "http" : "https";
    server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      Received r{req.get_header_value("webhook-id"), req.get_header_value("webhook-timestamp"),
                 req.get_header_value("webhook-signature"), req.body,
                 nlohmann::json::parse(req.body, nullptr, false)};
      int status = 200;
      {
        std::unique_lock lock(mu_);
        const uint64_t generation = drops_;
        if (holding_) ++held_;
        cv_.wait(lock, [this] { return !holding_ || stopping_; });
        if (stopping_ || generation != drops_) return;  // dropped unrecorded
        status = answer_ ? answer_(r, static_cast<int>(received_.size())) : 200;
        r.answered = status;
        received_.push_back(std::move(r));
      }
      cv_.notify_all();
      res.status = status;
      res.set_content("{}", "application/json");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    // Bound and listening already: connections wait in the backlog until
    // the accept loop runs.
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // cpp-httplib's stop() does nothing until the accept loop runs: a
    // receiver destroyed before that would wait on its thread for ever.
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    server_->stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::string Url(const std::string& path = "/hook") const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
  }

  // The status for a request, given how many were answered before it.
  void SetAnswer(std::function<int(const Received&, int answered_before)> answer) {
    std::lock_guard lock(mu_);
    answer_ = std::move(answer);
  }
  // While held, requests wait unanswered (and unrecorded); released, they
  // are answered and recorded.
  void Hold(bool hold) {
    {
      std::lock_guard lock(mu_);
      holding_ = hold;
    }
    cv_.notify_all();
  }
  // Ends the hold, dropping the requests held so far unanswered and
  // unrecorded (as if the receiver had lost them).
  void DropHeld() {
    {
      std::lock_guard lock(mu_);
      ++drops_;
      holding_ = false;
    }
    cv_.notify_all();
  }
  // How many requests arrived while held.
  int held() const {
    std::lock_guard lock(mu_);
    return held_;
  }

  std::vector<Received> requests() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  // Waits until `done(requests)` holds; false after `limit` (a deadline,
  // not a timing check).
  bool WaitFor(const std::function<bool(const std::vector<Received>&)>& done,
               std::chrono::seconds limit = std::chrono::seconds(60)) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return done(received_); });
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<Received> received_;
  std::function<int(const Received&, int)> answer_;
  bool holding_ = false;
  bool stopping_ = false;
  uint64_t drops_ = 0;
  int held_ = 0;
};

}  // namespace allot::webhooks_testing
