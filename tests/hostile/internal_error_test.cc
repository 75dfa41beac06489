// A 5xx body never carries SQL, a file path or an exception's text: it says
// "internal error" with the request id, and the cause goes to the log.
// Provoked from outside as a real failure would be: the database loses a
// table under the running server.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "tests/hostile/hostile_util.h"

namespace allot::testing {
namespace {

// Runs `sql` on the server's SQLite file from another connection.
void Execute(const std::string& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

void ExpectNoInternals(const RawResponse& r, const std::string& data_dir) {
  for (const char* leak : {"scim_users", "SELECT", "select", "no such table", "sqlite", "SQL",
                           "soci", ".db", ".cc", "what()"}) {
    EXPECT_EQ(r.body.find(leak), std::string::npos) << leak << " in " << r.body;
  }
  EXPECT_EQ(r.body.find(data_dir), std::string::npos) << r.body;
}

TEST(InternalErrors, AFailingDatabaseGivesAGenericBodyAndLogsTheCause) {
  if (std::getenv("ALLOT_TEST_PG_URL") != nullptr) GTEST_SKIP() << "SQLite only";
  auto server = StartServer();
  ASSERT_TRUE(server);
  Execute(server->db_url(), "ALTER TABLE scim_users RENAME TO scim_users_gone");

  auto c = RawConnection::Open(server->port());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send("GET /scim/v2/Users?filter=userName%20eq%20%22a%22 HTTP/1.1\r\nHost: t\r\n" +
                      Bearer(server->scim_token()) + "X-Request-Id: broken-scim\r\n\r\n"));
  RawResponse scim = c->ReadResponse();
  EXPECT_EQ(scim.status, 500) << scim.body;
  ExpectNoInternals(scim, server->data_dir());
  auto body = nlohmann::json::parse(scim.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << scim.body;
  EXPECT_EQ(body["status"], "500");
  EXPECT_EQ(body["detail"], "internal error; request id broken-scim");
  EXPECT_EQ(scim.Header("x-request-id"), "broken-scim");

  ASSERT_TRUE(c->Send("GET /admin/v1/users HTTP/1.1\r\nHost: t\r\n" +
                      Bearer(server->admin_token()) + "X-Request-Id: broken-admin\r\n\r\n"));
  RawResponse admin = c->ReadResponse();
  EXPECT_EQ(admin.status, 500) << admin.body;
  ExpectNoInternals(admin, server->data_dir());
  body = nlohmann::json::parse(admin.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << admin.body;
  EXPECT_EQ(body["error"]["code"], "internal");
  EXPECT_EQ(body["error"]["message"], "internal error; request id broken-admin");

  // The operator finds the cause in the log, under the request id.
  const std::string log = server->Log();
  bool found = false;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"internal error\"") != std::string::npos &&
        line.find("broken-scim") != std::string::npos &&
        line.find("scim_users") != std::string::npos) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << log;

  // Other surfaces keep working.
  EXPECT_EQ(HealthzOnNewConnection(server->port()).status, 200);
}

}  // namespace
}  // namespace allot::testing
