// The entitlement check is a point query (issue 13: the hottest path): on
// SQLite every table of its one statement is reached by an index probe,
// never a scan — in particular the user's assignments by the primary key's
// (tenant, user) prefix, not a walk of the subscription's, and a user named
// by externalId in one probe, not a walk of the tenant's users.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "server/entitlements/entitlements.h"
#include "server/store/database.h"
#include "server/store/migrations.h"
#include "tests/integration/harness.h"

namespace allot::entitlements {
namespace {

TEST(EntitlementQuery, EveryTableIsAnIndexProbe) {
  allot::testing::TempDir dir;
  const std::string file = dir.path() + "/allot.db";
  {
    auto db = store::Database::Open({.url = file, .pool_size = 1});
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(store::Migrate(**db));
  }
  sqlite3* conn = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &conn), SQLITE_OK);
  sqlite3_stmt* plan = nullptr;
  const std::string text = "EXPLAIN QUERY PLAN " + UserLicensesSql();
  ASSERT_EQ(sqlite3_prepare_v2(conn, text.c_str(), -1, &plan, nullptr), SQLITE_OK)
      << sqlite3_errmsg(conn);
  std::string all;
  std::vector<std::string> lines;
  while (sqlite3_step(plan) == SQLITE_ROW) {
    lines.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(plan, 3)));
    all += lines.back() + "\n";
  }
  sqlite3_finalize(plan);
  sqlite3_close(conn);
  ASSERT_FALSE(lines.empty());
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("SCAN"), std::string::npos) << all;
    EXPECT_EQ(line.find("TEMP B-TREE"), std::string::npos) << all;
  }
  EXPECT_NE(all.find("SEARCH a USING INDEX sqlite_autoindex_assignments_1 (tenant_id=? AND user_id=?)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("scim_users_external_id_live (tenant_id=? AND external_id=?)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("scim_users_user_name (tenant_id=? AND user_name_lower=?)"),
            std::string::npos)
      << all;
}

}  // namespace
}  // namespace allot::entitlements
