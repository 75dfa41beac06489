// Issue 9, item 8: a full disk at the first HTTPS start left an empty or
// half-written cert.pem/key.pem, and every later start failed. The disk is
// "full" for real here: the server runs under RLIMIT_FSIZE (works as root
// or not), so its writes past the limit fail with EFBIG. The start fails,
// leaves no certificate file behind, and the next start succeeds.
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>

#include "hardening_util.h"

namespace allot::hardening {
namespace {

// While alive, files this process (and what it starts) writes are limited
// to `bytes`, and a write past the limit fails instead of raising SIGXFSZ.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_signal_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = old_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_signal_);
  }

 private:
  rlimit old_{};
  sighandler_t old_signal_;
};

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    out.push_back(e.path().filename().string());
  }
  return out;
}

// A data directory with a database and no certificate yet.
std::string InitialisedDataDir(const testing::TempDir& dir) {
  const std::string data = dir.path() + "/data";
  std::string error;
  auto server = TestServer::Start({.data_dir = data}, &error);
  EXPECT_TRUE(server) << error;
  if (server) {
    EXPECT_EQ(server->Stop(), 0);
  }
  return data;
}

TEST(Certificate, FullDiskAtFirstHttpsStartLeavesNoHalfWrittenPair) {
  testing::TempDir dir;
  const std::string data = InitialisedDataDir(dir);
  // 100 bytes: the key (about 240) fails. 400: the key is written, the
  // certificate (about 700) fails — and the key must not stay alone.
  for (rlim_t limit : {100, 400}) {
    SCOPED_TRACE(limit);
    std::string error;
    std::unique_ptr<TestServer> server;
    {
      FileSizeLimit full(limit);
      server = TestServer::Start({.tls = true, .data_dir = data}, &error);
    }
    EXPECT_FALSE(server) << "served with a partly written certificate";
    EXPECT_NE(error.find("cannot write the development certificate"), std::string::npos) << error;
    EXPECT_EQ(Files(data + "/certs"), std::vector<std::string>{});
  }
  std::string error;
  auto server = TestServer::Start({.tls = true, .data_dir = data}, &error);
  ASSERT_TRUE(server) << error;
  EXPECT_EQ(server->Client().Get("/healthz", "").status, 200);  // the client verifies the cert
}

// What older versions left on a full disk: both files, empty. The next start
// now replaces them instead of failing forever.
TEST(Certificate, EmptyPairLeftByAnOlderVersionIsReplaced) {
  testing::TempDir dir;
  const std::string data = InitialisedDataDir(dir);
  std::filesystem::create_directories(data + "/certs");
  std::ofstream(data + "/certs/cert.pem").close();
  std::ofstream(data + "/certs/key.pem").close();
  std::string error;
  auto server = TestServer::Start({.tls = true, .data_dir = data}, &error);
  ASSERT_TRUE(server) << error;
  EXPECT_EQ(server->Client().Get("/healthz", "").status, 200);
}

}  // namespace
}  // namespace allot::hardening
