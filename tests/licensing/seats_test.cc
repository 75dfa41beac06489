// Seats, the pending queue and admin overrides on a real SQLite file.
#include "server/licensing/seats.h"

#include "licensing_test_util.h"
#include "server/licensing/queries.h"
#include "server/licensing/sql.h"
#include "tests/support/test_database.h"

namespace allot::licensing::testing {
namespace {

class Seats : public LicensingTest {};

TEST_F(Seats, AssignTakesAFreeSeat) {
  AddSubscription("s", 2);
  AddUser("u1");
  auto l = Assign("u1", "s");
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(l->state, "active");
  EXPECT_EQ(l->source(), "admin");
  EXPECT_EQ(Assigned("s"), 1);
  ExpectInvariants("s");
}

TEST_F(Seats, AssignWithoutFreeSeatIsNoSeatsAndChangesNothing) {
  AddSubscription("s", 1);
  AddUser("u1");
  AddUser("u2");
  ASSERT_TRUE(Assign("u1", "s"));
  auto l = Assign("u2", "s");
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code, ErrorCode::kNoSeats);
  EXPECT_NE(l.error().message.find("seats 1, taken 1"), std::string::npos) << l.error().message;
  EXPECT_EQ(StateOf("u2", "s"), "");
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM overrides WHERE tenant_id = :p0 AND user_id = 'u2'", {tenant_}),
      0);
  ExpectInvariants("s");
}

TEST_F(Seats, AssignWithQueueWaitsPending) {
  AddSubscription("s", 1);
  AddUser("u1");
  AddUser("u2");
  ASSERT_TRUE(Assign("u1", "s"));
  auto l = Assign("u2", "s", true);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->state, "pending");
  EXPECT_FALSE(l->pending_reason.empty());
  ExpectInvariants("s");
}

TEST_F(Seats, ReleasedSeatGoesToOldestPending) {
  AddSubscription("s", 1);
  for (auto u : {"u1", "u2", "u3"}) AddUser(u);
  ASSERT_TRUE(Assign("u1", "s"));
  ASSERT_TRUE(Assign("u2", "s", true));
  ASSERT_TRUE(Assign("u3", "s", true));
  ASSERT_TRUE(Unassign("u1", "s"));
  EXPECT_EQ(StateOf("u2", "s"), "active");
  EXPECT_EQ(StateOf("u3", "s"), "pending");
  ExpectInvariants("s");
}

TEST_F(Seats, DeprovisionedUserFreesSeatForPending) {
  AddSubscription("s", 1);
  AddUser("u1");
  AddUser("u2");
  ASSERT_TRUE(Assign("u1", "s"));
  ASSERT_TRUE(Assign("u2", "s", true));
  SetUserState("u1", true, /*deleted=*/true);
  Engine engine(*db_, "", "");
  ASSERT_TRUE(db_->Write([&](soci::session& sql) {
    return engine.UsersChanged(sql, tenant_, {"u1"}, {Actor::Kind::kScim, "idp"});
  }));
  EXPECT_EQ(StateOf("u1", "s"), "");
  EXPECT_EQ(StateOf("u2", "s"), "active");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM assignment_history WHERE tenant_id = :p0 AND user_id = "
                  "'u1' AND end_reason = 'deprovisioned'",
                  {tenant_}),
            1);
  ExpectInvariants("s");
}

TEST_F(Seats, RaisingSeatsFillsPendingInOrder) {
  AddSubscription("s", 0);
  for (auto u : {"u1", "u2", "u3"}) {
    AddUser(u);
    ASSERT_TRUE(Assign(u, "s", true));
  }
  auto sub = SetSeats(*db_, tenant_, "s", 2, admin_);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->assigned, 2);
  EXPECT_EQ(sub->pending, 1);
  EXPECT_EQ(StateOf("u1", "s"), "active");
  EXPECT_EQ(StateOf("u2", "s"), "active");
  EXPECT_EQ(StateOf("u3", "s"), "pending");
  ExpectInvariants("s");
}

TEST_F(Seats, LoweringBelowAssignedIsConflictWithNumbers) {
  AddSubscription("s", 3);
  AddUser("u1");
  AddUser("u2");
  ASSERT_TRUE(Assign("u1", "s"));
  ASSERT_TRUE(Assign("u2", "s"));
  auto r = SetSeats(*db_, tenant_, "s", 1, admin_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("2 are assigned"), std::string::npos) << r.error().message;
  EXPECT_EQ(GetSubscription(*db_, tenant_, "s")->seats, 3);
}

TEST_F(Seats, SeatsAreHeldToTheLimit) {
  EXPECT_TRUE(ValidateSeats(0));
  EXPECT_TRUE(ValidateSeats(kMaxSeats));
  for (int64_t bad : {int64_t{-1}, kMaxSeats + 1, INT64_MAX, INT64_MIN}) {
    auto v = ValidateSeats(bad);
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.error().code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(v.error().message, "seats must be from 0 to 1000000000 (the limit), got " +
                                     std::to_string(bad));
  }
  auto created = CreateSubscription(*db_, tenant_, {.id = "big", .product_id = "p-s", .seats = kMaxSeats + 1},
                                    admin_);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().code, ErrorCode::kInvalidRequest);
  AddSubscription("s", 3);
  auto set = SetSeats(*db_, tenant_, "s", INT64_MAX, admin_);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(GetSubscription(*db_, tenant_, "s")->seats, 3);
}

TEST(UsageTotals, SaturateInsteadOfOverflowing) {
  std::vector<Subscription> rows = {{.id = "a", .seats = INT64_MAX, .assigned = 5, .pending = 1},
                                    {.id = "b", .seats = INT64_MAX, .assigned = 7, .pending = 2}};
  UsageTotals t = SumUsage(rows);
  EXPECT_EQ(t.seats, INT64_MAX);
  EXPECT_EQ(t.assigned, 12);
  EXPECT_EQ(t.pending, 3);
  EXPECT_EQ(t.available, INT64_MAX - 12);
  UsageTotals small = SumUsage({{.id = "c", .seats = 10, .assigned = 4}});
  EXPECT_EQ(small.available, 6);
}

TEST_F(Seats, LoweringDownToAssignedWorks) {
  AddSubscription("s", 3);
  AddUser("u1");
  ASSERT_TRUE(Assign("u1", "s"));
  auto r = SetSeats(*db_, tenant_, "s", 1, admin_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->available(), 0);
}

// No policy wants it: the unassign leaves no override behind (issue 10,
// finding 2); ?deny=true sets one on purpose.
TEST_F(Seats, UnassignOfAnAdminLicenseLeavesNoOverride) {
  AddSubscription("s", 1);
  AddUser("u1");
  ASSERT_TRUE(Assign("u1", "s"));
  auto out = Unassign("u1", "s");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->released);
  EXPECT_FALSE(out->override);
  auto o = UserOverrides(*db_, tenant_, "u1");
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->empty());
  EXPECT_EQ(Assigned("s"), 0);
}

TEST_F(Seats, UnassignWithDenySetsADenyThatSticks) {
  AddSubscription("s", 1);
  AddUser("u1");
  ASSERT_TRUE(Assign("u1", "s"));
  auto out = Unassign("u1", "s", /*deny=*/true);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_TRUE(out->override);
  EXPECT_EQ(out->override->kind, "deny");
  auto o = UserOverrides(*db_, tenant_, "u1");
  ASSERT_TRUE(o);
  ASSERT_EQ(o->size(), 1u);
  EXPECT_EQ((*o)[0].kind, "deny");
  EXPECT_EQ(Assigned("s"), 0);
}

TEST_F(Seats, ClearOverrideReturnsToPolicy) {
  AddSubscription("s", 1);
  AddUser("u1");
  ASSERT_TRUE(Assign("u1", "s"));
  ASSERT_TRUE(ClearOverride(*db_, tenant_, "u1", "s", admin_, {}));
  EXPECT_EQ(StateOf("u1", "s"), "");  // no policy grants it
  EXPECT_EQ(ClearOverride(*db_, tenant_, "u1", "s", admin_, {}).error().code, ErrorCode::kNotFound);
  ExpectInvariants("s");
}

TEST_F(Seats, AssignInFamilyReplacesTheOtherLicense) {
  AddSubscription("basic", 5, "lit");
  AddSubscription("premium", 5, "lit");
  AddUser("u1");
  ASSERT_TRUE(Assign("u1", "basic"));
  ASSERT_TRUE(Assign("u1", "premium"));
  EXPECT_EQ(StateOf("u1", "basic"), "");
  EXPECT_EQ(StateOf("u1", "premium"), "active");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM assignment_history WHERE tenant_id = :p0 AND "
                  "subscription_id = 'basic' AND end_reason = 'replaced'",
                  {tenant_}),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM overrides WHERE tenant_id = :p0", {tenant_}), 1)
      << "the grant of the replaced license goes with it";
  ExpectInvariants("basic");
  ExpectInvariants("premium");
}

TEST_F(Seats, ReassignMovesTheSeatPastTheQueue) {
  AddSubscription("s", 1);
  for (auto u : {"a", "b", "c"}) AddUser(u);
  ASSERT_TRUE(Assign("a", "s"));
  ASSERT_TRUE(Assign("b", "s", true));
  auto l = Reassign(*db_, tenant_, "s", "a", "c", admin_, {});
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(StateOf("c", "s"), "active");
  EXPECT_EQ(StateOf("a", "s"), "");
  EXPECT_EQ(StateOf("b", "s"), "pending");
  ExpectInvariants("s");
}

TEST_F(Seats, ReassignFromUserWithoutSeatChangesNothing) {
  AddSubscription("s", 1);
  AddUser("a");
  AddUser("c");
  auto l = Reassign(*db_, tenant_, "s", "a", "c", admin_, {});
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM overrides WHERE tenant_id = :p0", {tenant_}), 0);
}

TEST_F(Seats, MoveChangesSubscriptionAtomically) {
  AddSubscription("a", 1);
  AddSubscription("b", 1);
  AddUser("u1");
  ASSERT_TRUE(Assign("u1", "a"));
  auto l = Move(*db_, tenant_, "u1", "a", "b", {.across_families = true}, admin_, {});
  ASSERT_TRUE(l);
  EXPECT_EQ(StateOf("u1", "a"), "");
  EXPECT_EQ(StateOf("u1", "b"), "active");
  // Make before break: the old license ends when the new one is active.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM assignment_history WHERE tenant_id = :p0 AND "
                  "end_reason = 'replaced'",
                  {tenant_}),
            1);
}

TEST_F(Seats, MoveToFullSubscriptionKeepsTheOldLicense) {
  AddSubscription("a", 1);
  AddSubscription("b", 1);
  AddUser("u1");
  AddUser("u2");
  ASSERT_TRUE(Assign("u1", "a"));
  ASSERT_TRUE(Assign("u2", "b"));
  auto l = Move(*db_, tenant_, "u1", "a", "b", {.across_families = true}, admin_, {});
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code, ErrorCode::kNoSeats);
  EXPECT_EQ(StateOf("u1", "a"), "active");
  EXPECT_EQ(StateOf("u1", "b"), "");
  ExpectInvariants("a");
  ExpectInvariants("b");
}

TEST_F(Seats, BulkAtomicRollsBackEveryUserOnOneFailure) {
  AddSubscription("s", 2);
  for (auto u : {"u1", "u2", "u3"}) AddUser(u);
  auto out = Bulk(
      *db_, tenant_,
      {.action = "assign", .user_ids = {"u1", "u2", "u3"}, .subscription_id = "s", .atomic = true},
      admin_, {});
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->applied);
  EXPECT_EQ(out->results[2].error->code, ErrorCode::kNoSeats);
  EXPECT_EQ(Assigned("s"), 0);
  EXPECT_EQ(AuditCount("override.set"), 0);
  ExpectInvariants("s");
}

TEST_F(Seats, BulkNonAtomicAppliesWhatFits) {
  AddSubscription("s", 2);
  for (auto u : {"u1", "u2", "u3"}) AddUser(u);
  auto out =
      Bulk(*db_, tenant_,
           {.action = "assign", .user_ids = {"u1", "u2", "u3"}, .subscription_id = "s"}, admin_,
           {});
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->applied);
  EXPECT_FALSE(out->results[0].error);
  EXPECT_FALSE(out->results[1].error);
  ASSERT_TRUE(out->results[2].error);
  EXPECT_EQ(Assigned("s"), 2);
}

TEST_F(Seats, ChangesWriteAuditEvents) {
  AddSubscription("s", 1);
  AddUser("u1");
  ASSERT_TRUE(Assign("u1", "s"));
  ASSERT_TRUE(Unassign("u1", "s"));
  EXPECT_EQ(AuditCount("subscription.created"), 1);
  EXPECT_EQ(AuditCount("override.set"), 1);
  EXPECT_EQ(AuditCount("override.cleared"), 1);
  EXPECT_EQ(AuditCount("assignment.activated"), 1);
  EXPECT_EQ(AuditCount("assignment.released"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE tenant_id = :p0 AND actor_id = 'root' "
                  "AND actor_kind = 'admin'",
                  {tenant_}),
            Count("SELECT COUNT(*) FROM audit_events WHERE tenant_id = :p0", {tenant_}));
}

TEST_F(Seats, HistoryKeepsEveryPeriodAfterDeletion) {
  AddSubscription("s", 1);
  AddUser("u1");
  ASSERT_TRUE(Assign("u1", "s"));
  ASSERT_TRUE(Unassign("u1", "s"));
  ASSERT_TRUE(Assign("u1", "s"));
  SetUserState("u1", false, true);
  auto h = UserHistory(*db_, tenant_, "u1", 100, 0);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->items.size(), 2u);
  EXPECT_EQ(h->items[0].end_reason, "unassigned");
  EXPECT_TRUE(h->items[1].ended_at.empty());
}

TEST_F(Seats, LicensesForUsersListsEveryRequestedUser) {
  AddSubscription("s", 1);
  AddUser("u1");
  AddUser("u2");
  ASSERT_TRUE(Assign("u1", "s"));
  nlohmann::json j;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> Status {
    auto r = LicensesForUsers(sql, tenant_, {"u1", "u2"});
    if (!r) return std::unexpected(r.error());
    j = *r;
    return Ok();
  }));
  EXPECT_EQ(j["u1"]["licenses"][0]["subscriptionId"], "s");
  EXPECT_EQ(j["u1"]["licenses"][0]["state"], "active");
  EXPECT_EQ(j["u1"]["licenses"][0]["source"], "admin");
  EXPECT_TRUE(j["u2"]["licenses"].empty());
}

}  // namespace
}  // namespace allot::licensing::testing

namespace allot::licensing::testing {
namespace {

class SeatRuns : public LicensingTest {};

TEST_F(SeatRuns, TakeSeatsTakesOnlyWhatIsFree) {
  AddSubscription("lit", 3);
  int64_t took = -1;
  ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
    auto t = TakeSeats(sql, tenant_, "lit", 5);
    if (!t) return std::unexpected(t.error());
    took = *t;
    return Ok();
  }));
  EXPECT_EQ(took, 3);
  EXPECT_EQ(Assigned("lit"), 3);
}

// PostgreSQL never vacuums a temporary table, and a pooled connection keeps
// its id list for life: refilling it must not leave the old rows behind
// (with DELETE a 1,000,000-user reconcile slowed to a minute per batch).
TEST_F(SeatRuns, RefillingTheIdListLeavesNoOldRowsBehind) {
  if (!allot::testing::UsingPostgres()) GTEST_SKIP() << "a PostgreSQL matter";
  long long bytes = -1;
  ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
    std::vector<std::string> ids;
    for (int i = 0; i < 500; ++i) ids.push_back("user-" + std::to_string(i));
    for (int round = 0; round < 40; ++round) {
      if (auto f = sql::FillIdList(sql, ids); !f) return f;
    }
    sql << "SELECT pg_relation_size('allot_id_list')", soci::into(bytes);
    return Ok();
  }));
  // One fill is a few pages; 40 fills' dead rows would be about 1 MB.
  EXPECT_LT(bytes, 128 * 1024);
}

TEST_F(SeatRuns, TakeSeatsOnFullSubscriptionTakesNone) {
  AddSubscription("lit", 0);
  int64_t took = -1;
  ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
    auto t = TakeSeats(sql, tenant_, "lit", 2);
    if (!t) return std::unexpected(t.error());
    took = *t;
    return Ok();
  }));
  EXPECT_EQ(took, 0);
  EXPECT_EQ(Assigned("lit"), 0);
}

}  // namespace
}  // namespace allot::licensing::testing
