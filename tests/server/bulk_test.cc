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

}  // namespace
}  // namespace allot::store
