// Override expiry (overrides.h, SweepExpiredOverrides) on a real database:
// an expired override goes and its user is evaluated again; several
// instances sweeping one database remove and audit each override once.
#include <thread>

#include "licensing_test_util.h"
#include "server/licensing/overrides.h"

namespace allot::licensing::testing {
namespace {

class Expiry : public LicensingTest {
 protected:
  // Sets the override's expiry directly: the API refuses a past one.
  void ExpireAt(const std::string& user, const std::string& sub, const std::string& at) {
    ASSERT_TRUE(db_->Write([&](soci::session& sql) {
      return sql::Run(sql,
                      "UPDATE overrides SET expires_at = :p0 WHERE tenant_id = :p1 AND user_id = "
                      ":p2 AND subscription_id = :p3",
                      {at, tenant_, user, sub});
    }));
  }
};

TEST_F(Expiry, AnExpiredGrantGoesAndTheSeatWithIt) {
  AddSubscription("s", 2);
  AddUser("u1");
  AddUser("u2");
  ASSERT_TRUE(Assign("u1", "s"));
  ASSERT_TRUE(Assign("u2", "s"));
  ExpireAt("u1", "s", "2026-01-01T00:00:00.000Z");
  ExpireAt("u2", "s", "2099-01-01T00:00:00.000Z");
  auto removed = SweepExpiredOverrides(*db_, "2026-06-01T00:00:00.000Z");
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(StateOf("u1", "s"), "");
  EXPECT_EQ(StateOf("u2", "s"), "active");
  EXPECT_EQ(AuditCount("override.expired"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM assignment_history WHERE tenant_id = :p0 AND user_id = "
                  "'u1' AND end_reason = 'expired'",
                  {tenant_}),
            1);
  ExpectInvariants("s");
  // Nothing left to do: a second sweep removes nothing.
  EXPECT_EQ(*SweepExpiredOverrides(*db_, "2026-06-01T00:00:00.000Z"), 0);
}

TEST_F(Expiry, AnExpiredDenyGivesThePolicyBackItsSay) {
  AddSubscription("s", 1);
  AddUser("u1");
  ASSERT_TRUE(Assign("u1", "s"));
  ASSERT_TRUE(Unassign("u1", "s", /*deny=*/true));
  ExpireAt("u1", "s", "2026-01-01T00:00:00.000Z");
  ASSERT_TRUE(SweepExpiredOverrides(*db_, "2026-06-01T00:00:00.000Z"));
  auto o = UserOverrides(*db_, tenant_, "u1");
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->empty());
}

TEST_F(Expiry, TwoInstancesSweepingTogetherRemoveEachOverrideOnce) {
  constexpr int kUsers = 24;
  AddSubscription("s", kUsers);
  for (int i = 0; i < kUsers; ++i) {
    const std::string u = "u" + std::to_string(i);
    AddUser(u);
    ASSERT_TRUE(Assign(u, "s"));
    ExpireAt(u, "s", "2026-01-01T00:00:00.000Z");
  }
  // A second instance: its own connection pool on the same database.
  auto other = store::Database::Open({.url = url_, .pool_size = 4});
  ASSERT_TRUE(other) << other.error().message;
  int64_t a = -1, b = -1;
  std::thread t1([&] { a = SweepExpiredOverrides(*db_, "2026-06-01T00:00:00.000Z").value_or(-1); });
  std::thread t2([&] { b = SweepExpiredOverrides(**other, "2026-06-01T00:00:00.000Z").value_or(-1); });
  t1.join();
  t2.join();
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  EXPECT_EQ(a + b, kUsers);
  EXPECT_EQ(AuditCount("override.expired"), kUsers);
  EXPECT_EQ(Active("s"), 0);
  ExpectInvariants("s");
}

}  // namespace
}  // namespace allot::licensing::testing
