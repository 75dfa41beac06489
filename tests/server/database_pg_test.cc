// The store on PostgreSQL (runs when ALLOT_TEST_PG_URL names a server, as in
// CI's PostgreSQL pass of scripts/test.sh; skipped otherwise): isolation
// levels, contention that waits instead of failing, retries of deadlocks
// and lost connections until a deadline, libpq notices as JSON log lines,
// no stray ROLLBACK after a failed COMMIT, and row locks.
#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <atomic>
#include <latch>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "server/store/database.h"
#include "server/store/database_url.h"
#include "server/store/migrations.h"
#include "server/store/row_locks.h"
#include "tests/support/test_database.h"

namespace allot::store {
namespace {

class PgDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::UsingPostgres()) GTEST_SKIP() << "needs ALLOT_TEST_PG_URL";
    std::string error;
    url_ = testing::NewTestDatabase("", &error);
    ASSERT_FALSE(url_.empty()) << error;
    db_ = OpenDb();
    ASSERT_NE(db_, nullptr);
  }
  std::unique_ptr<Database> OpenDb(int retry_deadline_ms = 10000) {
    auto db = Database::Open({.url = url_, .pool_size = 4, .retry_deadline_ms = retry_deadline_ms});
    EXPECT_TRUE(db) << db.error().message;
    return db ? std::move(*db) : nullptr;
  }
  // A session of its own, outside the pool.
  std::unique_ptr<soci::session> Raw() {
    auto parsed = ParseUrl({.url = url_});
    return std::make_unique<soci::session>(*soci::factory_postgresql(), parsed->connect_string);
  }
  Status Exec(const std::string& statement) {
    return db_->Write([&](soci::session& sql) -> Status {
      sql << statement;
      return Ok();
    });
  }
  std::string url_;
  std::unique_ptr<Database> db_;
};

TEST_F(PgDatabaseTest, WritesRunUnderReadCommittedAndReadsInOneSnapshot) {
  std::string write_level, read_level;
  ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
    sql << "SHOW transaction_isolation", soci::into(write_level);
    return Ok();
  }));
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> Status {
    sql << "SHOW transaction_isolation", soci::into(read_level);
    return Ok();
  }));
  EXPECT_EQ(write_level, "read committed");
  EXPECT_EQ(read_level, "repeatable read");
}

// A conditional increment of one hot row from many threads: every write
// waits for the row and re-checks its condition; none fails, and the row
// stops exactly at its limit.
TEST_F(PgDatabaseTest, ConditionalUpdatesOfOneHotRowWaitInsteadOfFailing) {
  ASSERT_TRUE(
      Exec("CREATE TABLE pool (id INT PRIMARY KEY, taken INT NOT NULL, seats INT NOT NULL, "
           "CHECK (taken <= seats))"));
  ASSERT_TRUE(Exec("INSERT INTO pool VALUES (1, 0, 50)"));
  constexpr int kThreads = 12, kWrites = 10;
  std::atomic<int> failed{0}, took{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kWrites; ++i) {
        Status s = db_->Write([&](soci::session& sql) -> Status {
          soci::statement st =
              (sql.prepare << "UPDATE pool SET taken = taken + 1 WHERE id = 1 AND taken < seats");
          st.execute(true);
          if (st.get_affected_rows() == 1) ++took;
          return Ok();
        });
        if (!s) ++failed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(took, 50);
  int taken = 0;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> Status {
    sql << "SELECT taken FROM pool WHERE id = 1", soci::into(taken);
    return Ok();
  }));
  EXPECT_EQ(taken, 50);
}

// Two writers lock two rows in opposite orders: PostgreSQL aborts one with
// a deadlock, which is run again and commits.
TEST_F(PgDatabaseTest, ADeadlockIsRunAgainAndCommits) {
  ASSERT_TRUE(Exec("CREATE TABLE pair (id INT PRIMARY KEY, n INT NOT NULL)"));
  ASSERT_TRUE(Exec("INSERT INTO pair VALUES (1, 0), (2, 0)"));
  std::latch both_hold_one(2);
  std::atomic<int> runs{0};
  auto writer = [&](int first, int second) {
    bool waited = false;
    return db_->Write([&, first, second](soci::session& sql) -> Status {
      ++runs;
      sql << "UPDATE pair SET n = n + 1 WHERE id = :i", soci::use(first);
      if (!waited) {  // only the first run meets the other writer halfway
        waited = true;
        both_hold_one.arrive_and_wait();
      }
      sql << "UPDATE pair SET n = n + 1 WHERE id = :i", soci::use(second);
      return Ok();
    });
  };
  Status a, b;
  std::thread ta([&] { a = writer(1, 2); });
  std::thread tb([&] { b = writer(2, 1); });
  ta.join();
  tb.join();
  EXPECT_TRUE(a) << a.error().message;
  EXPECT_TRUE(b) << b.error().message;
  // At least one of the two was run again. A rerun can meet the other
  // writer again (it may take row 1 back before the waiting writer wakes)
  // and deadlock once more: more runs, the same outcome.
  EXPECT_GE(runs, 3) << "one of the two must have been run again";
  int total = 0;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> Status {
    sql << "SELECT SUM(n) FROM pair", soci::into(total);
    return Ok();
  }));
  EXPECT_EQ(total, 4);
}

// The server drops every connection of the pool (a restart, a failover):
// the next write re-opens its connection and succeeds.
TEST_F(PgDatabaseTest, ALostConnectionIsReopenedAndTheWriteRunAgain) {
  ASSERT_TRUE(Exec("CREATE TABLE marks (n INT)"));
  auto admin = Raw();
  int killed = 0;
  *admin << "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
            "datname = current_database() AND pid <> pg_backend_pid()",
      soci::into(killed);
  EXPECT_EQ(killed, 4) << "the whole pool";
  for (int i = 0; i < 6; ++i) {  // more writes than connections
    EXPECT_TRUE(Exec("INSERT INTO marks VALUES (1)"));
  }
  EXPECT_TRUE(db_->Ping());
  int rows = 0;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> Status {
    sql << "SELECT COUNT(*) FROM marks", soci::into(rows);
    return Ok();
  }));
  EXPECT_EQ(rows, 6);
}

// A failure that running again would cure, lasting past the deadline,
// comes back as kUnavailable (503) after several runs — not at the first.
TEST_F(PgDatabaseTest, RetriesStopAtTheDeadlineWithUnavailable) {
  auto impatient = OpenDb(/*retry_deadline_ms=*/300);
  ASSERT_NE(impatient, nullptr);
  int runs = 0;
  Status s = impatient->Write([&](soci::session& sql) -> Status {
    ++runs;
    sql << "DO $$ BEGIN RAISE EXCEPTION 'contended' USING ERRCODE = '40001'; END $$";
    return Ok();
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kUnavailable);
  EXPECT_GT(runs, 1);
}

// A COMMIT that fails (here a deferred unique constraint) has ended the
// transaction: no ROLLBACK may follow it, which PostgreSQL answered with
// "WARNING: there is no transaction in progress" on stderr.
TEST_F(PgDatabaseTest, AFailedCommitIsNotFollowedByAStrayRollback) {
  ASSERT_TRUE(Exec("CREATE TABLE d (x INT UNIQUE DEFERRABLE INITIALLY DEFERRED)"));
  ::testing::internal::CaptureStderr();
  Status s = db_->Write([](soci::session& sql) -> Status {
    sql << "INSERT INTO d VALUES (1)";
    sql << "INSERT INTO d VALUES (1)";  // refused only at COMMIT
    return Ok();
  });
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_EQ(err.find("no transaction in progress"), std::string::npos) << err;
  // The connection is clean for the next transaction.
  EXPECT_TRUE(Exec("INSERT INTO d VALUES (2)"));
}

// What the server says besides results (NOTICE, WARNING) arrives as JSON
// log lines, never as libpq's raw text on stderr.
TEST_F(PgDatabaseTest, ServerWarningsBecomeJsonLogLines) {
  ::testing::internal::CaptureStderr();
  Status s = Exec("DO $$ BEGIN RAISE WARNING 'allot test warning'; END $$");
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(s);
  std::istringstream lines(err);
  bool seen = false;
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (j.value("detail", "") == "allot test warning") {
      seen = true;
      EXPECT_EQ(j["level"], "warn");
      EXPECT_EQ(j["severity"], "WARNING");
    }
  }
  EXPECT_TRUE(seen) << err;
}

// LockUsers locks exactly the rows named, whatever characters the ids hold
// (they are bound as one array value, never spliced into the text).
TEST_F(PgDatabaseTest, LockUsersLocksTheRowsOfOddIds) {
  ASSERT_TRUE(Migrate(*db_));
  const std::vector<std::string> ids = {"a\"b", "c,d", "e\\f", "{g}", "plain"};
  ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
    sql << "INSERT INTO tenants (id, created_at) VALUES ('t', 'now')";
    for (const std::string& id : ids) {
      sql << "INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, active, resource, "
             "version, created_at, updated_at) VALUES ('t', :id, :n, :n2, 1, '{}', 1, 'x', 'x')",
          soci::use(id), soci::use(id), soci::use(id);
    }
    return Ok();
  }));
  auto other = Raw();
  *other << "SET lock_timeout = '100ms'";
  ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
    const std::vector<std::string> some = {ids[0], ids[1], ids[2], ids[3]};
    if (auto l = LockUsers(sql, "t", some); !l) return l;
    for (const std::string& id : ids) {
      bool blocked = false;
      try {
        *other << "UPDATE scim_users SET version = 2 WHERE tenant_id = 't' AND id = :id",
            soci::use(id);
      } catch (const soci::soci_error&) {
        blocked = true;  // lock_timeout: the row is locked
      }
      EXPECT_EQ(blocked, id != "plain") << id;
    }
    return Ok();
  }));
}

}  // namespace
}  // namespace allot::store
