// A CSV export far bigger than one page, read slowly, through the real
// binary: the body arrives whole (chunked, with its final chunk) and the
// server's resident memory grows by a fraction of the export's size, because
// it streams page by page (server/admin/csv_export.h) and pulls the next page
// only when the client has taken the last (server/http/types.h, BodyStream).
// Before, the whole CSV was built in memory first.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "tests/hostile/hostile_util.h"

namespace allot::testing {
namespace {

constexpr int kUsers = 20'000;
constexpr int kNameBytes = 3'000;  // display names, so the export is ~60 MiB
// The whole export is ~60 MiB; streaming keeps a page (500 users) and the
// database's page caches. Building it in memory costs the whole of it.
constexpr int64_t kGrowthBound = 30 * kMiB;

void Seed(const std::string& db_file) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10'000);
  const std::string sql =
      "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < " +
      std::to_string(kUsers) +
      ") INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, display_name, active, "
      "resource, version, created_at, updated_at, search_text) SELECT 'default', printf('s-%05d', "
      "i), printf('s%05d@example.com', i), printf('s%05d@example.com', i), printf('%05d ', i) || "
      "substr(replace(hex(zeroblob(" +
      std::to_string(kNameBytes / 2) +
      ")), '0', 'x'), 1, " + std::to_string(kNameBytes) +
      "), 1, '{}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '' FROM c";
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(CsvStream, ALargeExportToASlowReaderArrivesWholeWithBoundedServerMemory) {
  if (kUnderAsan) GTEST_SKIP() << "AddressSanitizer's quarantine keeps freed memory resident";
  if (std::getenv("ALLOT_TEST_PG_URL")) GTEST_SKIP() << "seeds the SQLite file directly";
  // Two workers: few pooled connections, so few SQLite page caches (4 MiB each).
  auto server = StartServer({"--threads", "2"});
  ASSERT_TRUE(server);
  Seed(server->data_dir() + "/allot.db");
  const std::string request = "GET /admin/v1/users?format=csv HTTP/1.1\r\nHost: t\r\n" +
                              Bearer(server->admin_token()) + "Connection: close\r\n\r\n";
  // Warm up: the first export fills the caches and the allocator's pools.
  {
    auto c = RawConnection::Open(server->port());
    ASSERT_TRUE(c && c->Send(request));
    EXPECT_TRUE(c->ClosedWithin(std::chrono::seconds(60)));
  }
  const bool measure = ResetPeakResident(server->pid());
  const int64_t before = ResidentBytes(server->pid());

  auto c = RawConnection::Open(server->port());
  ASSERT_TRUE(c);
  // Blocking reads (RawConnection's socket is non-blocking) from a small
  // receive window.
  fcntl(c->fd(), F_SETFL, fcntl(c->fd(), F_GETFL) & ~O_NONBLOCK);
  const int rcvbuf = 64 << 10;
  setsockopt(c->fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  timeval timeout{.tv_sec = 60, .tv_usec = 0};
  setsockopt(c->fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ASSERT_TRUE(c->Send(request));
  std::string received;
  char buf[16 << 10];
  for (ssize_t n; (n = read(c->fd(), buf, sizeof buf)) > 0;) {
    received.append(buf, static_cast<size_t>(n));
    std::this_thread::sleep_for(std::chrono::microseconds(20));  // a slow reader
  }
  const size_t end_of_head = received.find("\r\n\r\n");
  ASSERT_NE(end_of_head, std::string::npos) << received.size() << " bytes: " << received.substr(0, 200);
  EXPECT_NE(received.substr(0, end_of_head).find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_TRUE(received.ends_with("\r\n0\r\n\r\n")) << "the final chunk arrived";
  // Every user's row (the first column is the id).
  size_t rows = 0;
  for (size_t at = received.find("\ns-"); at != std::string::npos; at = received.find("\ns-", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, static_cast<size_t>(kUsers));
  EXPECT_GT(received.size(), static_cast<size_t>(kUsers) * kNameBytes);
  if (measure) {
    const int64_t growth = PeakResidentBytes(server->pid()) - before;
    EXPECT_LT(growth, kGrowthBound) << "the server held " << growth / kMiB
                                    << " MiB more at its peak while streaming a "
                                    << received.size() / kMiB << " MiB export";
    std::printf("peak growth %lld MiB for a %zu MiB export\n", static_cast<long long>(growth / kMiB),
                received.size() / kMiB);
  }
}

}  // namespace
}  // namespace allot::testing
