// Issue 9, item 9: with umask 022 the database (and -wal/-shm) were created
// 0644 and the data directory 0755. Through the binary, under umask 022:
// the data directory is 0700; the database, its -wal/-shm and the TLS key
// are 0600; and files left readable by an older version are tightened.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "hardening_util.h"

namespace allot::hardening {
namespace {

// The permission bits of `path`, or -1 when it does not exist.
int Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

bool OnPostgres() { return std::getenv("ALLOT_TEST_PG_URL") != nullptr; }

// Sets the umask for one test and puts the old one back.
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(::umask(mask)) {}
  ~Umask() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(FileModes, InitAndServeKeepFilesPrivateUnderUmask022) {
  Umask umask(022);
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  std::string error;
  auto server = TestServer::Start({.tls = true, .data_dir = data}, &error);
  ASSERT_TRUE(server) << error;
  // A write, so the -wal holds something and the -shm exists.
  HttpClient client = server->Client();
  HttpResponse r = client.Post("/scim/v2/Users", server->scim_token(),
                               json{{"userName", "modes"}}.dump(), kScimJson);
  ASSERT_EQ(r.status, 201) << r.body;

  EXPECT_EQ(Mode(data), 0700);
  EXPECT_EQ(Mode(data + "/certs"), 0700);
  EXPECT_EQ(Mode(data + "/certs/key.pem"), 0600);
  EXPECT_EQ(Mode(data + "/certs/cert.pem"), 0644);
  if (!OnPostgres()) {
    EXPECT_EQ(Mode(data + "/allot.db"), 0600);
    EXPECT_EQ(Mode(data + "/allot.db-wal"), 0600);
    EXPECT_EQ(Mode(data + "/allot.db-shm"), 0600);
  }
}

TEST(FileModes, InitAloneUnderUmask022) {
  Umask umask(022);
  testing::TempDir dir;
  const std::string data = dir.path() + "/fresh/data";
  std::vector<std::string> args = {"init", "--data-dir", data};
  testing::CommandResult init = testing::RunAllot(args);
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(Mode(data), 0700);
  EXPECT_EQ(Mode(data + "/allot.db"), 0600);
  for (const char* side : {"/allot.db-wal", "/allot.db-shm"}) {
    const int mode = Mode(data + side);
    EXPECT_TRUE(mode == -1 || mode == 0600) << side << " " << std::oct << mode;
  }
}

// Files an older version left readable are made private at the next start.
TEST(FileModes, ServeTightensWhatAnOlderVersionLeft) {
  if (OnPostgres()) GTEST_SKIP() << "the database files are SQLite's";
  Umask umask(022);
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  std::string error;
  auto first = TestServer::Start({.data_dir = data}, &error);
  ASSERT_TRUE(first) << error;
  ASSERT_EQ(first->Stop(), 0);
  ASSERT_EQ(::chmod(data.c_str(), 0755), 0);
  ASSERT_EQ(::chmod((data + "/allot.db").c_str(), 0644), 0);
  auto second = TestServer::Start({.data_dir = data}, &error);
  ASSERT_TRUE(second) << error;
  EXPECT_EQ(Mode(data), 0700);
  EXPECT_EQ(Mode(data + "/allot.db"), 0600);
  EXPECT_EQ(second->Client().Get("/readyz", "").status, 200);
}

}  // namespace
}  // namespace allot::hardening
