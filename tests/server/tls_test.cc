// EnsureSelfSignedCertificate: modes whatever the umask, and a write that
// fails part-way (a full disk, made real with RLIMIT_FSIZE in a child
// process) leaves neither a half-written file nor a key without its
// certificate.
#include "server/http/tls.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace allot::http {
namespace {

class TlsFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("allot-tls-" + std::to_string(getpid()) + "-" + std::to_string(++counter_));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string certs() const { return (dir_ / "certs").string(); }
  std::vector<std::string> Files() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(certs(), ec)) {
      out.push_back(e.path().filename().string());
    }
    return out;
  }

  std::filesystem::path dir_;
  static inline int counter_ = 0;
};

int Mode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

TEST_F(TlsFiles, ModesAreSetWhateverTheUmask) {
  const mode_t old = ::umask(0);
  auto paths = EnsureSelfSignedCertificate(certs());
  ::umask(old);
  ASSERT_TRUE(paths.has_value()) << paths.error().message;
  EXPECT_EQ(Mode(paths->key_file), 0600);
  EXPECT_EQ(Mode(paths->cert_file), 0644);
  EXPECT_EQ(Mode(certs()), 0700);
  auto again = EnsureSelfSignedCertificate(certs());  // kept: same files
  ASSERT_TRUE(again.has_value());
}

// Runs EnsureSelfSignedCertificate in a child whose files may not grow past
// `limit` bytes; returns the child's exit code (0: it succeeded).
int RunUnderFileSizeLimit(const std::string& dir, rlim_t limit) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG
    rlimit r{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &r);
    ::_exit(EnsureSelfSignedCertificate(dir).has_value() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(TlsFiles, FailedWriteLeavesNothingBehind) {
  for (rlim_t limit : {0, 100, 400}) {
    SCOPED_TRACE(limit);
    EXPECT_EQ(RunUnderFileSizeLimit(certs(), limit), 1);
    EXPECT_EQ(Files(), std::vector<std::string>{});
  }
  EXPECT_EQ(RunUnderFileSizeLimit(certs(), RLIM_INFINITY), 0);
  EXPECT_EQ(Files().size(), 2u);
}

TEST_F(TlsFiles, PairThatDoesNotLoadIsReplaced) {
  std::filesystem::create_directories(certs());
  std::ofstream(certs() + "/cert.pem") << "half a certificate";
  std::ofstream(certs() + "/key.pem").close();
  auto paths = EnsureSelfSignedCertificate(certs());
  ASSERT_TRUE(paths.has_value()) << paths.error().message;
  EXPECT_GT(std::filesystem::file_size(paths->cert_file), 100u);
  EXPECT_GT(std::filesystem::file_size(paths->key_file), 100u);
}

}  // namespace
}  // namespace allot::http
