#include "server/store/database.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <filesystem>

#include "server/store/database_url.h"
#include "server/store/migrations.h"

namespace allot::store {
namespace {

TEST(ParseUrl, PostgresUrlBecomesKeywordValuePairs) {
  auto p = ParseUrl({.url = "postgresql://al%40ice:p%27w@db.local:5433/allot?sslmode=require"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->backend, Backend::kPostgres);
  EXPECT_NE(p->connect_string.find("host='db.local'"), std::string::npos);
  EXPECT_NE(p->connect_string.find("port='5433'"), std::string::npos);
  EXPECT_NE(p->connect_string.find("dbname='allot'"), std::string::npos);
  EXPECT_NE(p->connect_string.find("user='al@ice'"), std::string::npos);
  EXPECT_NE(p->connect_string.find(R"(password='p\'w')"), std::string::npos);
  EXPECT_NE(p->connect_string.find("sslmode='require'"), std::string::npos);
  EXPECT_EQ(p->display.find("p%27w"), std::string::npos) << "the password must not be displayed";
}

TEST(ParseUrl, RejectsParametersThatCouldInjectKeywords) {
  EXPECT_FALSE(ParseUrl({.url = "postgresql://h/db?host x=1"}));
  EXPECT_FALSE(ParseUrl({.url = "postgresql://h/db?=1"}));
}

TEST(ParseUrl, AnythingElseIsASqliteFile) {
  auto p = ParseUrl({.url = "sqlite:///tmp/x.db"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->backend, Backend::kSqlite);
  EXPECT_NE(p->connect_string.find("db=\"/tmp/x.db\""), std::string::npos);
  EXPECT_FALSE(ParseUrl({.url = ""}));
}

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("allot-db-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto db = Database::Open({.url = (dir_ / "t.db").string(), .pool_size = 4});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(Migrate(*db_));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  int CountTenants() {
    return *db_->ReadValue<int>([](soci::session& sql) -> Result<int> {
      int n = 0;
      sql << "SELECT COUNT(*) FROM tenants", soci::into(n);
      return n;
    });
  }
  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(DatabaseTest, WriteCommitsOnSuccess) {
  ASSERT_TRUE(db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO tenants (id, created_at) VALUES ('a', 'now')";
    return Ok();
  }));
  EXPECT_EQ(CountTenants(), 1);
}

TEST_F(DatabaseTest, WriteRollsBackOnAnErrorValue) {
  auto s = db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO tenants (id, created_at) VALUES ('a', 'now')";
    return Fail(ErrorCode::kInvalidRequest, "changed my mind");
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(CountTenants(), 0);
}

TEST_F(DatabaseTest, ConstraintViolationBecomesConflictAndRollsBack) {
  auto s = db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO tenants (id, created_at) VALUES ('a', 'now')";
    sql << "INSERT INTO tenants (id, created_at) VALUES ('a', 'again')";
    return Ok();
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_EQ(CountTenants(), 0);
}

TEST_F(DatabaseTest, MigrateTwiceAppliesNothingTwice) {
  auto rows = [&] {
    return *db_->ReadValue<int>([](soci::session& sql) -> Result<int> {
      int n = 0;
      sql << "SELECT COUNT(*) FROM schema_migrations", soci::into(n);
      return n;
    });
  };
  const int before = rows();
  EXPECT_GE(before, 2);
  ASSERT_TRUE(Migrate(*db_));
  EXPECT_EQ(rows(), before);
}

TEST_F(DatabaseTest, ForeignKeysAreEnforced) {
  auto s = db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO principals (tenant_id, id, kind, name, created_at) "
           "VALUES ('no-such-tenant', 'p', 'admin', 'x', 'now')";
    return Ok();
  });
  EXPECT_FALSE(s);
}

TEST_F(DatabaseTest, RefusesADatabaseNewerThanTheBinary) {
  ASSERT_TRUE(db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 'x')";
    return Ok();
  }));
  auto s = Migrate(*db_);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("newer allot"), std::string::npos);
}

}  // namespace
}  // namespace allot::store
