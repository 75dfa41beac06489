#include "server/store/database.h"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/store/database_url.h"
#include "server/store/migrations.h"
#include "server/store/statement_cache.h"

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

// Caches of database state (auth/principal_cache.h) rely on
// write_generation: every write moves it before returning, committed or
// not, and reads leave it alone.
TEST_F(DatabaseTest, WriteGenerationMovesWithEveryWriteAndNoRead) {
  const uint64_t start = db_->write_generation();
  CountTenants();
  EXPECT_EQ(db_->write_generation(), start) << "a read moved it";
  ASSERT_TRUE(db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO tenants (id, created_at) VALUES ('a', 'now')";
    return Ok();
  }));
  EXPECT_EQ(db_->write_generation(), start + 1);
  ASSERT_FALSE(db_->Write([](soci::session&) -> Status {
    return Fail(ErrorCode::kInvalidRequest, "changed my mind");
  }));
  EXPECT_EQ(db_->write_generation(), start + 2);
  ASSERT_FALSE(db_->WriteValue<int>([](soci::session& sql) -> Result<int> {
    sql << "INSERT INTO no_such_table VALUES (1)";  // throws
    return 1;
  }));
  EXPECT_EQ(db_->write_generation(), start + 3);
}

// SQLite lets a read transaction change rows (PostgreSQL's are READ ONLY);
// one that does moves write_generation all the same.
TEST_F(DatabaseTest, AReadThatChangesRowsMovesWriteGeneration) {
  const uint64_t start = db_->write_generation();
  ASSERT_TRUE(db_->Read([](soci::session& sql) -> Status {
    sql << "INSERT INTO tenants (id, created_at) VALUES ('a', 'now')";
    return Ok();
  }));
  EXPECT_GT(db_->write_generation(), start);
}

// Concurrent writes are committed in groups (one transaction, a savepoint
// each). Every write must still commit or vanish on its own: the failures
// of a group, whatever their kind, leave no row, and the others all land.
TEST_F(DatabaseTest, ConcurrentWritesCommitOrFailEachAlone) {
  constexpr int kThreads = 16, kWrites = 40;
  std::atomic<int> ok{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto s = db_->Write([&](soci::session& sql) -> Status {
          sql << "INSERT INTO tenants (id, created_at) VALUES (:id, 'now')", soci::use(id);
          switch (i % 4) {
            case 1:
              return Fail(ErrorCode::kInvalidRequest, "changed my mind");
            case 2:
              sql << "INSERT INTO tenants (id, created_at) VALUES (:id, 'again')", soci::use(id);
              return Ok();
            case 3:
              throw std::runtime_error("a bug in the caller");
            default:
              return Ok();
          }
        });
        const ErrorCode want[] = {ErrorCode::kInternal, ErrorCode::kInvalidRequest,
                                  ErrorCode::kConflict, ErrorCode::kInternal};
        if (i % 4 == 0 ? s.has_value() : (!s && s.error().code == want[i % 4])) {
          if (s) ++ok;
        } else {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(ok.load(), kThreads * kWrites / 4);
  EXPECT_EQ(CountTenants(), kThreads * kWrites / 4);
  const int stray = *db_->ReadValue<int>([](soci::session& sql) -> Result<int> {
    int n = 0;
    sql << "SELECT COUNT(*) FROM tenants WHERE substr(id, instr(id, '-') + 1) % 4 <> 0",
        soci::into(n);
    return n;
  });
  EXPECT_EQ(stray, 0) << "a failed write left its row";
}

// Writes of one group run one after another and see each other: a
// read-modify-write from many threads loses no update.
TEST_F(DatabaseTest, ConcurrentReadModifyWritesLoseNoUpdate) {
  ASSERT_TRUE(db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO tenants (id, created_at) VALUES ('counter', '0')";
    return Ok();
  }));
  constexpr int kThreads = 12, kWrites = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWrites; ++i) {
        ASSERT_TRUE(db_->Write([](soci::session& sql) -> Status {
          std::string n;
          sql << "SELECT created_at FROM tenants WHERE id = 'counter'", soci::into(n);
          const std::string next = std::to_string(std::stoi(n) + 1);
          sql << "UPDATE tenants SET created_at = :n WHERE id = 'counter'", soci::use(next);
          return Ok();
        }));
      }
    });
  }
  for (auto& th : threads) th.join();
  const std::string final_value = *db_->ReadValue<std::string>([](soci::session& sql) -> Result<std::string> {
    std::string n;
    sql << "SELECT created_at FROM tenants WHERE id = 'counter'", soci::into(n);
    return n;
  });
  EXPECT_EQ(final_value, std::to_string(kThreads * kWrites));
}

// When the group's BEGIN fails (here: another process holds SQLite's write
// lock past the busy timeout), every write of the group reports it as
// kUnavailable (503 + Retry-After) and none of them is applied.
TEST_F(DatabaseTest, AGroupWhoseTransactionCannotStartFailsEveryWriteInIt) {
  auto impatient =
      Database::Open({.url = (dir_ / "t.db").string(), .pool_size = 4, .busy_timeout_ms = 50});
  ASSERT_TRUE(impatient);
  soci::session other(*soci::factory_sqlite3(), "db=" + (dir_ / "t.db").string());
  other << "BEGIN IMMEDIATE";
  std::vector<std::thread> threads;
  std::atomic<int> unavailable{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string id = "blocked-" + std::to_string(t);
      auto s = (*impatient)->Write([&](soci::session& sql) -> Status {
        sql << "INSERT INTO tenants (id, created_at) VALUES (:id, 'now')", soci::use(id);
        return Ok();
      });
      if (!s && s.error().code == ErrorCode::kUnavailable) ++unavailable;
    });
  }
  for (auto& th : threads) th.join();
  other << "ROLLBACK";
  EXPECT_EQ(unavailable.load(), 4);
  EXPECT_EQ(CountTenants(), 0);
  // The lock gone, the same database writes again.
  ASSERT_TRUE((*impatient)->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO tenants (id, created_at) VALUES ('after', 'now')";
    return Ok();
  }));
  EXPECT_EQ(CountTenants(), 1);
}

struct CountingStatement : CachedStatement {
  explicit CountingStatement(int* made) { ++*made; }
};

TEST_F(DatabaseTest, PreparedStatementsAreKeptPerConnectionAcrossTransactions) {
  auto one = Database::Open({.url = (dir_ / "t.db").string(), .pool_size = 1});
  ASSERT_TRUE(one);
  int made = 0;
  auto make = [&](soci::session&) { return std::make_unique<CountingStatement>(&made); };
  CachedStatement* first = nullptr;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE((*one)->Read([&](soci::session& sql) -> Status {
      std::unique_ptr<CachedStatement> scratch;
      auto* q = Prepared<CountingStatement>(sql, "k", make, &scratch);
      EXPECT_EQ(scratch, nullptr) << "kept by the connection, not the caller";
      if (first == nullptr) first = q;
      EXPECT_EQ(q, first);
      return Ok();
    }));
  }
  EXPECT_EQ(made, 1);
  // After Forget the next use prepares again.
  ASSERT_TRUE((*one)->Write([&](soci::session& sql) -> Status {
    CacheOf(sql)->Forget("k");
    std::unique_ptr<CachedStatement> scratch;
    Prepared<CountingStatement>(sql, "k", make, &scratch);
    return Ok();
  }));
  EXPECT_EQ(made, 2);
}

TEST_F(DatabaseTest, ASessionOutsideATransactionGetsAOneOffStatement) {
  soci::session raw(*soci::factory_sqlite3(), "db=" + (dir_ / "t.db").string());
  EXPECT_EQ(CacheOf(raw), nullptr);
  int made = 0;
  for (int i = 0; i < 2; ++i) {
    std::unique_ptr<CachedStatement> scratch;
    auto* q = Prepared<CountingStatement>(
        raw, "k", [&](soci::session&) { return std::make_unique<CountingStatement>(&made); },
        &scratch);
    EXPECT_EQ(q, scratch.get());
  }
  EXPECT_EQ(made, 2);
}

TEST_F(DatabaseTest, AFullCacheHandsOutOneOffStatements) {
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> Status {
    int made = 0;
    auto make = [&](soci::session&) { return std::make_unique<CountingStatement>(&made); };
    // The connection keeps a few statements of its own (BEGIN, COMMIT…).
    size_t kept = 0;
    for (size_t i = 0; i < StatementCache::kMaxEntries; ++i) {
      std::unique_ptr<CachedStatement> scratch;
      Prepared<CountingStatement>(sql, "k" + std::to_string(i), make, &scratch);
      if (scratch == nullptr) ++kept;
    }
    EXPECT_GT(kept, StatementCache::kMaxEntries - 10);
    EXPECT_LT(kept, StatementCache::kMaxEntries);
    std::unique_ptr<CachedStatement> scratch;
    auto* q = Prepared<CountingStatement>(sql, "one too many", make, &scratch);
    EXPECT_EQ(q, scratch.get());
    // What was kept stays kept.
    std::unique_ptr<CachedStatement> again;
    Prepared<CountingStatement>(sql, "k0", make, &again);
    EXPECT_EQ(again, nullptr);
    return Ok();
  }));
}

}  // namespace
}  // namespace allot::store

namespace allot::store {
namespace {

// OnCommit (the webhook outbox's wake-up): after the commit, never for a
// rolled-back write, also inside a group commit where a neighbour failed.
class CommitHooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("allot-hooks-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto db = Database::Open({.url = (dir_ / "t.db").string(), .pool_size = 8});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Write([](soci::session& sql) -> Status {
      sql << "CREATE TABLE t (v INTEGER)";
      return Ok();
    }));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(CommitHooksTest, RunAfterTheCommitWithTheRowsVisible) {
  int visible_at_hook = -1;
  ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
    sql << "INSERT INTO t (v) VALUES (1)";
    OnCommit(sql, [&] {
      // Another connection sees the row: the transaction has committed.
      (void)db_->Read([&](soci::session& other) -> Status {
        other << "SELECT COUNT(*) FROM t", soci::into(visible_at_hook);
        return Ok();
      });
    });
    return Ok();
  }));
  EXPECT_EQ(visible_at_hook, 1);
}

TEST_F(CommitHooksTest, NeverForARolledBackWriteEvenInAGroup) {
  std::atomic<int> ran{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 16; ++i) {
    writers.emplace_back([&, i] {
      (void)db_->Write([&](soci::session& sql) -> Status {
        sql << "INSERT INTO t (v) VALUES (:v)", soci::use(i);
        OnCommit(sql, [&] { ++ran; });
        if (i % 2 == 1) return Fail(ErrorCode::kConflict, "rolled back");
        return Ok();
      });
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(ran.load(), 8);
  int rows = 0;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> Status {
    sql << "SELECT COUNT(*) FROM t", soci::into(rows);
    return Ok();
  }));
  EXPECT_EQ(rows, 8);
}

TEST_F(CommitHooksTest, ReadOneStatementReadsWithoutATransactionOfItsOwn) {
  ASSERT_TRUE(db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO t (v) VALUES (7)";
    return Ok();
  }));
  auto v = db_->ReadOneStatementValue<int>([](soci::session& sql) -> Result<int> {
    int out = 0;
    sql << "SELECT v FROM t", soci::into(out);
    return out;
  });
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, 7);
  auto bad = db_->ReadOneStatementValue<int>([](soci::session& sql) -> Result<int> {
    int out = 0;
    sql << "SELECT nope FROM t", soci::into(out);
    return out;
  });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
  // The connection is usable afterwards (nothing left open on it).
  EXPECT_TRUE(db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO t (v) VALUES (8)";
    return Ok();
  }));
}

TEST_F(CommitHooksTest, OutsideATransactionRunsAtOnce) {
  soci::session plain(*soci::factory_sqlite3(), (dir_ / "t.db").string());
  bool ran = false;
  OnCommit(plain, [&] { ran = true; });
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace allot::store
