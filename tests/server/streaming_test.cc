// Streamed response bodies (http::BodyStream) through the real transport,
// in process on loopback: chunked framing, keep-alive after a stream, a
// producer that fails after the head (the body is cut off, nothing of the
// error reaches the client), HTTP/1.0 and HEAD, and back-pressure — the
// producer is never more than a few pieces ahead of a slow reader.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "server/http/metrics.h"
#include "server/http/router.h"
#include "server/http/server.h"

namespace allot::http {
namespace {

// Pieces of `size` bytes ('a' + index % 26), `count` of them; fails instead
// of producing piece `fail_at` when set. Counts its pulls.
class Pieces final : public BodyStream {
 public:
  Pieces(size_t size, int count, int fail_at, std::atomic<int>& pulls)
      : size_(size), count_(count), fail_at_(fail_at), pulls_(pulls) {}
  Step Next(std::string& out, std::string& failure) override {
    const int i = ++pulls_;  // piece i (the handler's body is piece 0)
    if (i == fail_at_) {
      failure = "SELECT secret FROM /var/lib/allot";
      return Step::kFailed;
    }
    out.assign(size_, static_cast<char>('a' + i % 26));
    return i + 1 < count_ ? Step::kMore : Step::kLast;
  }

 private:
  size_t size_;
  int count_;
  int fail_at_;
  std::atomic<int>& pulls_;
};

class StreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/stream", [this](const Request& req, Response& res) {
      const size_t size = std::stoul(req.Query("size"));
      res.content_type = "text/plain";
      res.body.assign(size, 'a');
      res.stream = std::make_unique<Pieces>(size, std::stoi(req.Query("count")),
                                            req.HasQuery("fail_at") ? std::stoi(req.Query("fail_at")) : -1,
                                            pulls_);
    });
    router_.Add("GET", "/plain", [](const Request&, Response& res) { res.body = "plain"; });
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.tls = false;
    options.threads = 2;
    options.io_threads = 1;
    server_ = std::make_unique<HttpServer>(
        options, router_,
        [](const RequestHead&, const SurfaceRule&) -> Result<auth::Principal> {
          return Fail(ErrorCode::kUnauthorized, "none");
        },
        metrics_);
    auto port = server_->Bind();
    ASSERT_TRUE(port) << port.error().message;
    port_ = *port;
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    server_->Stop();
    thread_.join();
  }

  // A connected socket; `rcvbuf` > 0 shrinks its receive buffer.
  int Connect(int rcvbuf = 0) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval timeout{.tv_sec = 20, .tv_usec = 0};  // a hung server fails the test, never hangs it
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
  }
  static void Send(int fd, const std::string& bytes) {
    ASSERT_EQ(write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  // Everything until the peer closes (or the receive timeout).
  static std::string ReadToClose(int fd) {
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    return out;
  }

  // Decodes a chunked body from `data` (after the head). Returns the body and
  // sets `complete` when the terminating chunk was there; `rest` gets what
  // follows it.
  static std::string Dechunk(std::string_view data, bool* complete, std::string* rest = nullptr) {
    std::string body;
    *complete = false;
    size_t at = 0;
    for (;;) {
      const size_t eol = data.find("\r\n", at);
      if (eol == std::string_view::npos) return body;
      const size_t size = std::stoul(std::string(data.substr(at, eol - at)), nullptr, 16);
      if (size == 0) {
        *complete = data.substr(eol + 2, 2) == "\r\n";
        if (rest && *complete) *rest = data.substr(eol + 4);
        return body;
      }
      if (data.size() < eol + 2 + size + 2) return body;
      body += data.substr(eol + 2, size);
      at = eol + 2 + size + 2;
    }
  }

  Router router_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> pulls_{0};
};

TEST_F(StreamingTest, ChunkedBodyArrivesWholeAndTheConnectionCarriesOn) {
  const int fd = Connect();
  Send(fd, "GET /stream?size=1000&count=5 HTTP/1.1\r\nHost: t\r\n\r\nGET /plain HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const std::string all = ReadToClose(fd);
  close(fd);
  const size_t end_of_head = all.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos);
  const std::string head = all.substr(0, end_of_head);
  EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  bool complete = false;
  std::string rest;
  const std::string body = Dechunk(std::string_view(all).substr(end_of_head + 4), &complete, &rest);
  EXPECT_TRUE(complete);
  ASSERT_EQ(body.size(), 5000u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(body[i * 1000], 'a' + i) << i;
  EXPECT_NE(rest.find("HTTP/1.1 200"), std::string::npos) << "the next request was answered";
  EXPECT_NE(rest.find("plain"), std::string::npos);
}

TEST_F(StreamingTest, AFailureAfterTheHeadCutsTheBodyOffWithoutItsCause) {
  const int fd = Connect();
  Send(fd, "GET /stream?size=100&count=10&fail_at=3 HTTP/1.1\r\nHost: t\r\n\r\n");
  const std::string all = ReadToClose(fd);  // the server closes
  close(fd);
  const size_t end_of_head = all.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos);
  EXPECT_NE(all.find("HTTP/1.1 200"), std::string::npos);
  bool complete = true;
  const std::string body = Dechunk(std::string_view(all).substr(end_of_head + 4), &complete);
  EXPECT_FALSE(complete) << "no terminating chunk: the client can tell the body is cut off";
  EXPECT_EQ(body.size(), 300u) << "pieces 0-2, then the failure";
  EXPECT_EQ(all.find("secret"), std::string::npos);
  EXPECT_EQ(all.find("/var/lib"), std::string::npos);
}

TEST_F(StreamingTest, Http10GetsThePlainBodyUntilTheClose) {
  const int fd = Connect();
  Send(fd, "GET /stream?size=10&count=3 HTTP/1.0\r\n\r\n");
  const std::string all = ReadToClose(fd);
  close(fd);
  const size_t end_of_head = all.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos);
  EXPECT_EQ(all.find("Transfer-Encoding"), std::string::npos);
  EXPECT_NE(all.find("Connection: close"), std::string::npos);
  EXPECT_EQ(all.substr(end_of_head + 4), std::string(10, 'a') + std::string(10, 'b') + std::string(10, 'c'));
}

TEST_F(StreamingTest, HeadNeverPullsTheStream) {
  const int fd = Connect();
  Send(fd, "HEAD /stream?size=10&count=3 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const std::string all = ReadToClose(fd);
  close(fd);
  EXPECT_NE(all.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_TRUE(all.ends_with("\r\n\r\n")) << all;
  EXPECT_EQ(pulls_.load(), 0);
}

// The producer is pulled only when the previous piece has been written, so
// however slowly the client reads, the pieces made and not yet received
// stay a handful (the one being written and what the kernel's socket buffers
// hold), never the whole body. Checked at every read; no timing decides it.
TEST_F(StreamingTest, TheProducerWaitsForASlowReader) {
  constexpr size_t kPiece = 2 << 20;  // 2 MiB
  constexpr int kPieces = 32;         // 64 MiB in all
  const int fd = Connect(/*rcvbuf=*/64 << 10);
  Send(fd, "GET /stream?size=" + std::to_string(kPiece) + "&count=" + std::to_string(kPieces) +
               " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  size_t received = 0;
  int most_ahead = 0;
  char buf[16 << 10];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
    received += static_cast<size_t>(n);
    // Pieces made beyond those the client has wholly received (piece 0 is
    // the handler's body, made before any pull).
    const int ahead = pulls_.load() + 1 - static_cast<int>(received / kPiece);
    most_ahead = std::max(most_ahead, ahead);
    std::this_thread::sleep_for(std::chrono::microseconds(50));  // a slow reader
  }
  close(fd);
  EXPECT_GE(received, kPiece * kPieces);
  EXPECT_EQ(pulls_.load(), kPieces - 1);
  EXPECT_LE(most_ahead, 6) << "pieces made ahead of the reader: the server buffered the body";
}

}  // namespace
}  // namespace allot::http
