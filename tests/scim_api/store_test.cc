// The SCIM store without HTTP: listener calls inside the transaction,
// rollback on failure, and the query plans the hot paths rely on.
#include <soci/soci.h>

#include <algorithm>

#include "scim/patch.h"
#include "server/scim_api/group_store.h"
#include "server/scim_api/list_store.h"
#include "server/scim_api/user_store.h"
#include "store_fixture.h"
#include "tests/support/test_database.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

scim::PatchRequest Patch(json ops) {
  auto p = scim::ParsePatchRequest(
      {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}}, {"Operations", ops}});
  EXPECT_TRUE(p.has_value());
  return p.value_or(scim::PatchRequest{});
}

std::string NewUser(store::Database& db, const Caller& c, const std::string& name) {
  auto r = CreateUser(db, c, {{"userName", name}});
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
  return r ? r->id : "";
}

TEST_F(StoreTest, CreateUserTellsListenerWithScimActor) {
  const std::string id = NewUser(*db_, caller_, "a");
  ASSERT_EQ(listener_.calls.size(), 1u);
  EXPECT_EQ(listener_.calls[0].tenant, "t1");
  EXPECT_EQ(listener_.calls[0].users, std::vector<std::string>{id});
  EXPECT_EQ(listener_.calls[0].actor.kind, Actor::Kind::kScim);
  EXPECT_EQ(listener_.calls[0].actor.id, "client-1");
}

// On PostgreSQL a busy error (a serialization failure) inside a SCIM write
// runs the transaction again, and the answer is that of the run that
// committed (it was a 503 while the user had in fact been created). The
// failure is caught inside the transaction and returned as a Status, as
// the licensing engine does: it is retried all the same.
TEST(StoreRetry, BusyListenerIsRetriedAndAnsweredByTheRetry) {
  if (!allot::testing::UsingPostgres()) GTEST_SKIP() << "SQLite writes are not retried";
  std::string error;
  const std::string url = allot::testing::NewTestDatabase("", &error);
  ASSERT_FALSE(url.empty()) << error;
  auto db = store::Database::Open({.url = url});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  ASSERT_TRUE(store::Migrate(**db).has_value());
  ASSERT_TRUE(auth::CreateTenant(**db, "t1").has_value());
  RecordingListener listener;
  listener.fail_next = true;
  listener.fail_code = ErrorCode::kUnavailable;
  listener.serialization_failure = true;
  const Caller caller{"t1", Actor{Actor::Kind::kScim, "client-1"}, &listener};
  auto r = CreateUser(**db, caller, {{"userName", "retried"}});
  ASSERT_TRUE(r.has_value()) << r.error().status << " " << r.error().detail;
  EXPECT_EQ(listener.calls.size(), 2u);
}

TEST_F(StoreTest, ListenerErrorRollsBackTheCreate) {
  listener_.fail_next = true;
  auto r = CreateUser(*db_, caller_, {{"userName", "refused"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().status, 409);
  // Nothing written: the name is free and the list is empty.
  auto page = db_->ReadValue<ListPage>([&](soci::session& sql) -> Result<ListPage> {
    auto p = ListResources(sql, "t1", ResourceKind::kUser, ListQuery{});
    if (!p) return std::unexpected(Error{ErrorCode::kInternal, p.error().detail});
    return *p;
  });
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->total, 0);
  EXPECT_TRUE(CreateUser(*db_, caller_, {{"userName", "refused"}}).has_value());
}

// A filter evaluated partly in memory (an extension attribute) agreed with
// SQL only when the client had sent `active`: absent means active.
TEST_F(StoreTest, ActiveEqTrueMatchesAUserStoredWithoutActiveInMemoryToo) {
  const json enterprise = {{"department", "Sales"}};
  auto r = CreateUser(*db_, caller_,
                      {{"userName", "s1"},
                       {"schemas",
                        {"urn:ietf:params:scim:schemas:core:2.0:User",
                         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}},
                       {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", enterprise}});
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ListQuery query;
  query.filter = *scim::ParseFilter(
      R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales" and active eq true)");
  auto page = db_->ReadValue<ListPage>([&](soci::session& sql) -> Result<ListPage> {
    auto p = ListResources(sql, "t1", ResourceKind::kUser, query);
    if (!p) return std::unexpected(Error{ErrorCode::kInternal, p.error().detail});
    return *p;
  });
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->total, 1);
}

TEST_F(StoreTest, PatchActiveFalseTellsListener) {
  const std::string id = NewUser(*db_, caller_, "p");
  listener_.calls.clear();
  auto r = PatchUser(*db_, caller_, id, Patch({{{"op", "replace"}, {"value", {{"active", false}}}}}), "");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(listener_.calls.size(), 1u);
  EXPECT_EQ(listener_.calls[0].users, std::vector<std::string>{id});
}

TEST_F(StoreTest, PatchThatChangesNothingKeepsVersionAndStaysQuiet) {
  const std::string id = NewUser(*db_, caller_, "same");
  listener_.calls.clear();
  auto r = PatchUser(*db_, caller_, id, Patch({{{"op", "replace"}, {"path", "userName"}, {"value", "same"}}}), "");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->version, 1);
  EXPECT_TRUE(listener_.calls.empty());
}

TEST_F(StoreTest, DeleteUserTellsListenerAndRemovesMemberships) {
  const std::string id = NewUser(*db_, caller_, "d");
  auto g = CreateGroup(*db_, caller_, {{"displayName", "G"}, {"members", {{{"value", id}}}}});
  ASSERT_TRUE(g.has_value());
  listener_.calls.clear();
  ASSERT_TRUE(DeleteUser(*db_, caller_, id, "").has_value());
  ASSERT_EQ(listener_.calls.size(), 1u);
  EXPECT_EQ(listener_.calls[0].users, std::vector<std::string>{id});
  auto again = GetGroup(*db_, "t1", g->row.id, true);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->members->empty());
  // History stays: the row is still there, marked deleted.
  long long rows = 0;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> Status {
    sql << "SELECT COUNT(*) FROM scim_users WHERE tenant_id = 't1' AND deleted_at IS NOT NULL",
        soci::into(rows);
    return Ok();
  }).has_value());
  EXPECT_EQ(rows, 1);
}

TEST_F(StoreTest, MembershipChangesTellListenerOnlyAboutChangedUsers) {
  const std::string a = NewUser(*db_, caller_, "a");
  const std::string b = NewUser(*db_, caller_, "b");
  auto g = CreateGroup(*db_, caller_, {{"displayName", "G"}, {"members", {{{"value", a}}}}});
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(listener_.calls.back().users, std::vector<std::string>{a});
  listener_.calls.clear();
  ASSERT_TRUE(PatchGroup(*db_, caller_, g->row.id,
                         Patch({{{"op", "add"}, {"path", "members"}, {"value", {{{"value", a}}, {{"value", b}}}}}}), "")
                  .has_value());
  ASSERT_EQ(listener_.calls.size(), 1u);
  EXPECT_EQ(listener_.calls[0].users, std::vector<std::string>{b});
}

TEST_F(StoreTest, RenameTellsListenerAboutEveryMember) {
  const std::string a = NewUser(*db_, caller_, "a");
  const std::string b = NewUser(*db_, caller_, "b");
  auto g = CreateGroup(*db_, caller_, {{"displayName", "G"}, {"members", {{{"value", a}}, {{"value", b}}}}});
  ASSERT_TRUE(g.has_value());
  listener_.calls.clear();
  ASSERT_TRUE(PatchGroup(*db_, caller_, g->row.id,
                         Patch({{{"op", "replace"}, {"path", "displayName"}, {"value", "H"}}}), "")
                  .has_value());
  ASSERT_EQ(listener_.calls.size(), 1u);
  std::vector<std::string> want{a, b};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(listener_.calls[0].users, want);
}

TEST_F(StoreTest, DeleteGroupTellsListenerAboutFormerMembers) {
  const std::string a = NewUser(*db_, caller_, "a");
  auto g = CreateGroup(*db_, caller_, {{"displayName", "G"}, {"members", {{{"value", a}}}}});
  ASSERT_TRUE(g.has_value());
  listener_.calls.clear();
  ASSERT_TRUE(DeleteGroup(*db_, caller_, g->row.id, "").has_value());
  ASSERT_EQ(listener_.calls.size(), 1u);
  EXPECT_EQ(listener_.calls[0].users, std::vector<std::string>{a});
}

TEST_F(StoreTest, IfMatchIsCheckedInsideTheWrite) {
  const std::string id = NewUser(*db_, caller_, "v");
  auto r = ReplaceUser(*db_, caller_, id, {{"userName", "v2"}}, "W/\"2\"");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().status, 412);
  EXPECT_TRUE(ReplaceUser(*db_, caller_, id, {{"userName", "v2"}}, "W/\"1\", W/\"9\"").has_value());
}

// The hot paths must use indexes, never a table scan.
std::vector<std::string> Plan(store::Database& db, const std::string& query) {
  std::vector<std::string> details;
  EXPECT_TRUE(db.Read([&](soci::session& sql) -> Status {
    soci::rowset<soci::row> rows = (sql.prepare << "EXPLAIN QUERY PLAN " + query);
    for (const soci::row& r : rows) details.push_back(r.get<std::string>(3));
    return Ok();
  }).has_value());
  return details;
}

bool AnyScanOf(const std::vector<std::string>& plan, const std::string& table) {
  for (const std::string& d : plan) {
    if (d.rfind("SCAN " + table, 0) == 0 && d.find("USING") == std::string::npos) return true;
  }
  return false;
}

TEST_F(StoreTest, GetByIdUsesPrimaryKey) {
  auto plan = Plan(*db_, "SELECT u.resource FROM scim_users u WHERE u.tenant_id = 't1' AND u.id = 'x' AND u.deleted_at IS NULL");
  ASSERT_FALSE(plan.empty());
  EXPECT_NE(plan[0].find("USING INDEX"), std::string::npos) << plan[0];
}

TEST_F(StoreTest, UserNameFilterUsesUniqueIndex) {
  auto plan = Plan(*db_, "SELECT u.id FROM scim_users u WHERE u.tenant_id = 't1' AND u.deleted_at IS NULL AND (u.user_name_lower = 'a') ORDER BY u.id LIMIT 100");
  ASSERT_FALSE(plan.empty());
  EXPECT_NE(plan[0].find("scim_users_user_name"), std::string::npos) << plan[0];
}

TEST_F(StoreTest, ExternalIdAndEmailFiltersUseIndexes) {
  auto plan = Plan(*db_, "SELECT u.id FROM scim_users u WHERE u.tenant_id = 't1' AND u.deleted_at IS NULL AND (u.external_id IS NOT NULL AND u.external_id = 'e') ORDER BY u.id");
  EXPECT_FALSE(AnyScanOf(plan, "u")) << plan[0];
  plan = Plan(*db_, "SELECT e.user_id FROM scim_user_emails e WHERE e.tenant_id = 't1' AND e.value_lower = 'a@b'");
  EXPECT_FALSE(AnyScanOf(plan, "e"));
}

TEST_F(StoreTest, UnfilteredPageSeeksThePartialIndex) {
  auto plan = Plan(*db_, "SELECT u.id FROM scim_users u WHERE u.tenant_id = 't1' AND u.deleted_at IS NULL AND u.id > 'x' ORDER BY u.id LIMIT 100");
  ASSERT_FALSE(plan.empty());
  EXPECT_NE(plan[0].find("USING"), std::string::npos) << plan[0];
}

TEST_F(StoreTest, GroupDisplayNameFilterUsesIndex) {
  auto plan = Plan(*db_, "SELECT g.id FROM scim_groups g WHERE g.tenant_id = 't1' AND g.deleted_at IS NULL AND (g.display_name_lower = 'x')");
  ASSERT_FALSE(plan.empty());
  EXPECT_NE(plan[0].find("scim_groups_display_name"), std::string::npos) << plan[0];
}

}  // namespace
}  // namespace allot::scim_api

namespace allot::scim_api {
namespace {

// Regression: a kept statement left on a row held its read snapshot after
// COMMIT; the next write on that connection, after another connection had
// written, failed with SQLITE_BUSY (503 under load).
TEST_F(StoreTest, KeptStatementsReleaseTheirSnapshot) {
  auto other = store::Database::Open({.url = (dir_ / "t.db").string(), .pool_size = 1});
  ASSERT_TRUE(other.has_value());
  auto mine = store::Database::Open({.url = (dir_ / "t.db").string(), .pool_size = 1});
  ASSERT_TRUE(mine.has_value());
  ASSERT_TRUE(CreateUser(**mine, caller_, {{"userName", "first"}}).has_value());
  const std::string id = NewUser(**mine, caller_, "second");
  // Every cached read path once on `mine`'s only connection.
  ASSERT_TRUE((*mine)->Read([&](soci::session& sql) -> Status {
    EXPECT_TRUE(ListResources(sql, "t1", ResourceKind::kUser, ListQuery{}).has_value());
    ListQuery filtered;
    filtered.filter = *scim::ParseFilter("userName eq \"first\"");
    EXPECT_TRUE(ListResources(sql, "t1", ResourceKind::kUser, filtered).has_value());
    return Ok();
  }).has_value());
  std::vector<Ref> groups;
  ASSERT_TRUE(GetUser(**mine, "t1", id, &groups).has_value());
  // Another connection writes; then `mine` must still be able to write.
  ASSERT_TRUE(CreateUser(**other, caller_, {{"userName", "elsewhere"}}).has_value());
  auto r = CreateUser(**mine, caller_, {{"userName", "after"}});
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
}

}  // namespace
}  // namespace allot::scim_api

namespace allot::scim_api {
namespace {

// Regression (issue 9, item 6): a remove with a member filter other than
// `value eq` loads the members and patches in memory; the loop ran over a
// vector inside a temporary map destroyed before the loop body (a 500, or
// garbage, and a heap-use-after-free under ASan).
TEST_F(StoreTest, RemoveMembersByAnyFilterLoadsMembersSafely) {
  const std::string a = NewUser(*db_, caller_, "anna");
  const std::string b = NewUser(*db_, caller_, "bob");
  struct Case {
    std::string path;
    std::vector<std::string> left;  // members after the remove, sorted
  };
  const std::vector<Case> cases = {
      {R"(members[type eq "User"])", {}},
      {R"(members[display co "nn"])", {b}},
      {R"(members[value ne "x"])", {}},
      {R"(members[not (display co "nn")])", {a}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    auto g = CreateGroup(*db_, caller_,
                         {{"displayName", "G " + c.path},
                          {"members", {{{"value", a}}, {{"value", b}}}}});
    ASSERT_TRUE(g.has_value()) << g.error().detail;
    auto r = PatchGroup(*db_, caller_, g->row.id, Patch({{{"op", "remove"}, {"path", c.path}}}), "");
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    auto after = GetGroup(*db_, "t1", g->row.id, true);
    ASSERT_TRUE(after.has_value());
    std::vector<std::string> left;
    for (const Ref& m : *after->members) left.push_back(m.value);
    std::sort(left.begin(), left.end());
    EXPECT_EQ(left, c.left);
  }
}

// Every filter the parser accepts makes SQL that SQLite runs: long flat
// chains, IN lists, and nesting as deep as the parser allows.
TEST_F(StoreTest, ListAnswersTheLongestAndDeepestFilters) {
  NewUser(*db_, caller_, "a");
  NewUser(*db_, caller_, "b");
  auto chain = [](const std::string& term, const char* glue, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? glue : "") + term;
    return out;
  };
  // Every comparison has a column, so SQL takes all it can: up to the
  // translator's nesting budget, then 1=1 and memory.
  auto deep = [](int levels) {
    std::string out;
    for (int i = 0; i < levels; ++i) {
      out += i % 2 ? R"(displayName eq "nobody" or not ()" : R"(userName eq "a" and ()";
    }
    return out + R"(emails eq "nobody@x")" + std::string(levels, ')');
  };
  const int levels = scim::kMaxFilterNesting - 1;
  std::string nots;
  for (int i = 0; i < levels; ++i) nots += "not (";
  nots += R"(userName eq "b")" + std::string(levels, ')');  // odd count: not b
  struct Case {
    std::string filter;
    int64_t total;
  };
  const std::vector<Case> cases = {
      {chain(R"(userName eq "a")", " and ", 200), 1},
      {chain(R"(userName eq "zz")", " or ", 199) + R"( or userName eq "a")", 1},
      {chain(R"(id pr and userName eq "a")", " or ", 100), 1},
      {chain(R"(groups eq "g" or emails eq "x")", " or ", 100), 0},
      // The innermost comparison is false; "a" matches when the `not`s
      // above it (one per odd level) are odd in number. deep(11) nests 16
      // and/or/not groups, the translator's budget: all SQL; deep(12) one
      // more: its innermost group is decided in memory.
      {deep(8), 0},
      {deep(11), 1},
      {deep(12), 0},
      {deep(20), 0},
      {deep(levels), 1},
      {nots, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.filter.substr(0, 80));
    auto f = scim::ParseFilter(c.filter);
    ASSERT_TRUE(f.has_value()) << f.error().detail;
    ListQuery query;
    query.filter = *f;
    ListPage page;
    auto s = ScimRead(*db_, [&](soci::session& sql) -> scim::Status {
      auto p = ListResources(sql, "t1", ResourceKind::kUser, query);
      if (!p) return scim::Fail(p.error());
      page = std::move(*p);
      return scim::Ok();
    });
    ASSERT_TRUE(s.has_value()) << s.error().detail;
    EXPECT_EQ(page.total, c.total);
  }
  const scim::ResourceType& users = *scim::DefaultRegistry().FindResourceType("User");
  for (int n : {11, 12}) {
    auto f = scim::ParseFilter(deep(n));
    ASSERT_TRUE(f.has_value());
    SqlParams params;
    auto c = TranslateFilter(**f, users, ResourceKind::kUser, params);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->exact, n == 11) << n;
  }
}

}  // namespace
}  // namespace allot::scim_api
