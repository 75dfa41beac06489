// store/bulk.h on SQLite, and on PostgreSQL when ALLOT_TEST_PG_URL is set
// (there each call is one statement over text[] arrays, so the values'
// quoting is what is tested): rows in, rows changed, rows out.
#include "server/store/bulk.h"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "server/store/database.h"
#include "tests/support/test_database.h"

namespace allot::store {
namespace {

class BulkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = std::filesystem::temp_directory_path() /
            ("allot-bulk-test-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(file_);
    std::string error;
    const std::string url = testing::NewTestDatabase(file_.string(), &error);
    ASSERT_FALSE(url.empty()) << error;
    auto db = Database::Open({.url = url, .pool_size = 2});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(db_->Write([](soci::session& sql) -> Status {
      sql << "CREATE TABLE t (k TEXT NOT NULL, n BIGINT NOT NULL, note TEXT, PRIMARY KEY (k))";
      return Ok();
    }));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove(file_);
  }
  // k -> (n, note or "<null>")
  std::map<std::string, std::pair<long long, std::string>> Rows() {
    std::map<std::string, std::pair<long long, std::string>> out;
    EXPECT_TRUE(db_->Read([&](soci::session& sql) -> Status {
      soci::rowset<soci::row> rows = (sql.prepare << "SELECT k, n, note FROM t");
      for (const soci::row& r : rows) {
        out[r.get<std::string>(0)] = {r.get<long long>(1), r.get_indicator(2) == soci::i_null
                                                               ? "<null>"
                                                               : r.get<std::string>(2)};
      }
      return Ok();
    }));
    return out;
  }
  std::filesystem::path file_;
  std::unique_ptr<Database> db_;
};

TEST_F(BulkTest, InsertsUpdatesAndDeletesRowsWithAwkwardValues) {
  // Quotes, backslashes, commas, braces, the text "NULL", an empty string,
  // non-ASCII: each must come back as it went in.
  std::vector<std::string> keys = {"a\"b", "c\\d", "e,f", "{g}", "NULL", "", "ünï"};
  std::vector<std::string> numbers = {"1", "2", "3", "4", "5", "6", "7"};
  std::vector<std::string> notes = {"x", "", "y", "", "z", "w", "NULL"};
  std::vector<soci::indicator> note_ind = {soci::i_ok, soci::i_null, soci::i_ok, soci::i_null,
                                           soci::i_ok, soci::i_ok,   soci::i_ok};
  ASSERT_TRUE(db_->Write([&](soci::session& sql) {
    return InsertRows(
        sql, "t", {{"k", &keys}, {"n", &numbers, nullptr, "bigint"}, {"note", &notes, &note_ind}});
  }));
  auto rows = Rows();
  ASSERT_EQ(rows.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(rows[keys[i]].first, static_cast<long long>(i + 1)) << keys[i];
    EXPECT_EQ(rows[keys[i]].second, note_ind[i] == soci::i_null ? "<null>" : notes[i]) << keys[i];
  }

  // Update three rows, one of them excluded by the extra condition.
  std::vector<std::string> which = {"a\"b", "NULL", "e,f"}, to = {"10", "50", "30"};
  auto updated = db_->WriteValue<int64_t>([&](soci::session& sql) {
    return UpdateRows(sql, "t", {{"n", &to, nullptr, "bigint"}}, {{"k", &which}},
                      "note = 'changed'", "n <> 3");
  });
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ(*updated, 2);
  rows = Rows();
  EXPECT_EQ(rows["a\"b"], std::make_pair(10LL, std::string("changed")));
  EXPECT_EQ(rows["NULL"], std::make_pair(50LL, std::string("changed")));
  EXPECT_EQ(rows["e,f"], std::make_pair(3LL, std::string("y")));

  std::vector<std::string> gone = {"c\\d", "", "no such key"};
  auto deleted = db_->WriteValue<int64_t>([&](soci::session& sql) {
    return DeleteRows(sql, "t", {{"k", &gone}});
  });
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(*deleted, 2);
  rows = Rows();
  EXPECT_EQ(rows.size(), keys.size() - 2);
  EXPECT_FALSE(rows.contains("c\\d"));
  EXPECT_FALSE(rows.contains(""));
}

TEST_F(BulkTest, ADuplicateKeyIsAConflictAndNothingIsInserted) {
  std::vector<std::string> keys = {"same", "same"}, numbers = {"1", "2"};
  Status s = db_->Write([&](soci::session& sql) {
    return InsertRows(sql, "t", {{"k", &keys}, {"n", &numbers, nullptr, "bigint"}});
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(Rows().empty());
}

TEST_F(BulkTest, NoRowsIsNoStatement) {
  std::vector<std::string> none;
  EXPECT_TRUE(db_->Write([&](soci::session& sql) { return InsertRows(sql, "t", {{"k", &none}}); }));
  auto n = db_->WriteValue<int64_t>([&](soci::session& sql) {
    return DeleteRows(sql, "no_such_table", {{"k", &none}});
  });
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
}

// The statements are kept per connection: later calls on one connection
// (one transaction here) reuse them with other row counts and other NULLs,
// and count affected rows per call.
TEST_F(BulkTest, KeptStatementsServeLaterCallsWithOtherRows) {
  std::vector<std::string> k1 = {"a", "b", "c"}, n1 = {"1", "2", "3"}, note1 = {"x", "", "z"};
  std::vector<soci::indicator> ind1 = {soci::i_ok, soci::i_null, soci::i_ok};
  std::vector<std::string> k2 = {"d"}, n2 = {"4"}, note2 = {""};
  std::vector<soci::indicator> ind2 = {soci::i_null};
  std::vector<std::string> k3 = {"e", "f"}, n3 = {"5", "6"}, note3 = {"e!", "f!"};
  auto changed = db_->WriteValue<std::vector<int64_t>>(
      [&](soci::session& sql) -> Result<std::vector<int64_t>> {
        for (auto* rows : {&k1, &k2, &k3}) {
          auto* n = rows == &k1 ? &n1 : rows == &k2 ? &n2 : &n3;
          auto* note = rows == &k1 ? &note1 : rows == &k2 ? &note2 : &note3;
          auto* ind = rows == &k1 ? &ind1 : rows == &k2 ? &ind2 : nullptr;
          if (auto s = InsertRows(sql, "t", {{"k", rows}, {"n", n, nullptr, "bigint"}, {"note", note, ind}});
              !s) {
            return std::unexpected(s.error());
          }
        }
        std::vector<int64_t> out;
        for (auto* which : {&k1, &k2}) {
          std::vector<std::string> to(which->size(), "9");
          auto u = UpdateRows(sql, "t", {{"n", &to, nullptr, "bigint"}}, {{"k", which}});
          if (!u) return std::unexpected(u.error());
          out.push_back(*u);
        }
        return out;
      });
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(*changed, (std::vector<int64_t>{3, 1}));
  auto rows = Rows();
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows["a"], (std::pair<long long, std::string>{9, "x"}));
  EXPECT_EQ(rows["b"], (std::pair<long long, std::string>{9, "<null>"}));
  EXPECT_EQ(rows["d"], (std::pair<long long, std::string>{9, "<null>"}));
  EXPECT_EQ(rows["e"], (std::pair<long long, std::string>{5, "e!"}));
  EXPECT_EQ(rows["f"], (std::pair<long long, std::string>{6, "f!"}));
}

// A kept statement still works after the table it writes changes shape (a
// migration run while the server holds its statements), and after a call
// of it failed half-way.
TEST_F(BulkTest, KeptStatementsSurviveASchemaChangeAndAFailure) {
  std::vector<std::string> k1 = {"a"}, k2 = {"b"}, k3 = {"c"}, dup = {"d", "d"}, n = {"1"},
                           n2 = {"1", "2"};
  Status s = db_->Write([&](soci::session& sql) -> Status {
    if (auto r = InsertRows(sql, "t", {{"k", &k1}, {"n", &n, nullptr, "bigint"}}); !r) return r;
    sql << "ALTER TABLE t ADD COLUMN added TEXT";
    return InsertRows(sql, "t", {{"k", &k2}, {"n", &n, nullptr, "bigint"}});
  });
  ASSERT_TRUE(s) << s.error().message;
  // Both connections of the pool: the failure lands on whichever runs it.
  for (int i = 0; i < 2; ++i) {
    Status failed = db_->Write([&](soci::session& sql) {
      return InsertRows(sql, "t", {{"k", &dup}, {"n", &n2, nullptr, "bigint"}});
    });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kConflict);
  }
  ASSERT_TRUE(db_->Write([&](soci::session& sql) {
    return InsertRows(sql, "t", {{"k", &k3}, {"n", &n, nullptr, "bigint"}});
  }));
  auto rows = Rows();
  EXPECT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows.contains("a") && rows.contains("b") && rows.contains("c"));
}

}  // namespace
}  // namespace allot::store
