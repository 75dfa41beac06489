// Policies through the engine with the REAL plugin .so files: group
// membership gives seats, leaving releases them, a failing policy keeps its
// previous grants, families pick the highest priority, overrides survive.
#include <fstream>

#include "licensing_test_util.h"
#include "server/policy/policy.h"

namespace allot::licensing::testing {
namespace {

class Policies : public LicensingTest {
 protected:
  void SetUp() override {
    LicensingTest::SetUp();
    policies_dir_ = dir_ + "/policies";
    std::filesystem::create_directories(policies_dir_);
    engine_ = std::make_unique<Engine>(*db_, policies_dir_, ALLOT_PLUGIN_DIR);
  }
  void WritePolicy(const std::string& name, const nlohmann::json& policy) {
    std::ofstream(policies_dir_ + "/" + name + ".json") << policy.dump();
  }
  void GroupPolicy(const std::string& name, int priority, const std::string& group,
                   const std::string& sub) {
    WritePolicy(name, {{"name", name},
                       {"plugin", "group_map"},
                       {"priority", priority},
                       {"config", {{"rules", {{{"group", group}, {"subscription", sub}}}}}}});
  }
  // What a SCIM change does: the users are marked in its transaction, then
  // evaluated (here on this thread, as the tenant's evaluation thread would).
  void Changed(std::vector<std::string> users) {
    Status s = db_->Write(
        [&](soci::session& sql) { return engine_->UsersChanged(sql, tenant_, users, scim_); });
    ASSERT_TRUE(s) << s.error().message;
    auto evaluated = engine_->EvaluateMarked(tenant_);
    ASSERT_TRUE(evaluated) << evaluated.error().message;
  }

  std::string policies_dir_;
  std::unique_ptr<Engine> engine_;
  Actor scim_{Actor::Kind::kScim, "idp"};
};

TEST_F(Policies, JoiningGroupGivesSeatLeavingReleasesIt) {
  AddSubscription("lit", 5);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  AddUser("u1");
  AddMember("g1", "u1");
  Changed({"u1"});
  EXPECT_EQ(StateOf("u1", "lit"), "active");
  RemoveMember("g1", "u1");
  Changed({"u1"});
  EXPECT_EQ(StateOf("u1", "lit"), "");
  ExpectInvariants("lit");
}

TEST_F(Policies, FailingPolicyKeepsPreviousGrants) {
  AddSubscription("lit", 5);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  AddUser("u1");
  AddMember("g1", "u1");
  Changed({"u1"});
  ASSERT_EQ(StateOf("u1", "lit"), "active");
  // The same policy now fails on every evaluation.
  engine_ = std::make_unique<Engine>(*db_, policies_dir_, ALLOT_BROKEN_PLUGIN_DIR);
  WritePolicy("teachers", {{"name", "teachers"},
                           {"plugin", "broken_misbehaves"},
                           {"priority", 10},
                           {"config", {{"emit", "error"}}}});
  engine_->ReloadPolicies();
  RemoveMember("g1", "u1");
  Changed({"u1"});
  EXPECT_EQ(StateOf("u1", "lit"), "active");
  EXPECT_EQ(AuditCount("policy.failed"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_events WHERE tenant_id = :p0 AND action = "
                  "'policy.failed' AND actor_kind = 'policy' AND actor_id = 'teachers'",
                  {tenant_}),
            1)
      << "the failure is the policy's event";
  auto views = engine_->PolicyStatuses(tenant_);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].status, "failed");
  ExpectInvariants("lit");
}

TEST_F(Policies, FamilyGivesOnlyHighestPriorityGrant) {
  AddSubscription("basic", 5, "lit");
  AddSubscription("premium", 5, "lit");
  GroupPolicy("everyone", 1, "All", "basic");
  GroupPolicy("teachers", 10, "Teachers", "premium");
  engine_->ReloadPolicies();
  AddGroup("g1", "All");
  AddGroup("g2", "Teachers");
  AddUser("u1");
  AddMember("g1", "u1");
  AddMember("g2", "u1");
  Changed({"u1"});
  EXPECT_EQ(StateOf("u1", "basic"), "");
  EXPECT_EQ(StateOf("u1", "premium"), "active");
}

TEST_F(Policies, DenyOverrideSurvivesResync) {
  AddSubscription("lit", 5);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  AddUser("u1");
  AddMember("g1", "u1");
  Changed({"u1"});
  ASSERT_TRUE(Unassign("u1", "lit"));
  Changed({"u1"});
  EXPECT_EQ(StateOf("u1", "lit"), "");
  ASSERT_TRUE(engine_->ReconcileTenant(tenant_, scim_));
  EXPECT_EQ(StateOf("u1", "lit"), "");
}

TEST_F(Policies, FullReconcileQueuesBeyondSeatsAndKeepsInvariants) {
  AddSubscription("lit", 3);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  for (int i = 0; i < 10; ++i) {
    AddUser("u" + std::to_string(i));
    AddMember("g1", "u" + std::to_string(i));
  }
  auto counts = engine_->ReconcileTenant(tenant_, scim_);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->users, 10);
  EXPECT_EQ(counts->changes.activated, 3);
  EXPECT_EQ(counts->changes.queued, 7);
  ExpectInvariants("lit");
}

TEST_F(Policies, RemovedPolicyReleasesItsGrantsOnReconcile) {
  AddSubscription("lit", 5);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  AddUser("u1");
  AddMember("g1", "u1");
  Changed({"u1"});
  std::filesystem::remove(policies_dir_ + "/teachers.json");
  engine_->ReloadPolicies();
  ASSERT_TRUE(engine_->ReconcileAll(scim_));
  EXPECT_EQ(StateOf("u1", "lit"), "");
}

}  // namespace
}  // namespace allot::licensing::testing

namespace allot::licensing::testing {
namespace {

class GrantDiff : public Policies {
 protected:
  // Counts every insert into and delete from policy_grants from now on.
  void CountGrantWrites() {
    ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
      sql << "CREATE TABLE grant_writes (op TEXT)";
      sql << "CREATE TRIGGER grant_inserts AFTER INSERT ON policy_grants BEGIN "
             "INSERT INTO grant_writes VALUES ('insert'); END";
      sql << "CREATE TRIGGER grant_deletes AFTER DELETE ON policy_grants BEGIN "
             "INSERT INTO grant_writes VALUES ('delete'); END";
      return Ok();
    }));
  }
  int64_t GrantWrites() {
    return Count("SELECT COUNT(*) FROM grant_writes WHERE :p0 = :p0", {"x"});
  }
};

TEST_F(GrantDiff, UnchangedGrantsAreNotRewrittenByReconcile) {
  if (allot::testing::UsingPostgres()) GTEST_SKIP() << "counts writes with a SQLite trigger";
  AddSubscription("lit", 5);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  for (const char* u : {"u1", "u2"}) {
    AddUser(u);
    AddMember("g1", u);
  }
  ASSERT_TRUE(engine_->ReconcileTenant(tenant_, admin_));
  CountGrantWrites();
  ASSERT_TRUE(engine_->ReconcileTenant(tenant_, admin_));
  EXPECT_EQ(GrantWrites(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM policy_grants WHERE tenant_id = :p0", {tenant_}), 2);
}

TEST_F(GrantDiff, LeavingGroupDeletesOnlyThatGrant) {
  if (allot::testing::UsingPostgres()) GTEST_SKIP() << "counts writes with a SQLite trigger";
  AddSubscription("lit", 5);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  for (const char* u : {"u1", "u2"}) {
    AddUser(u);
    AddMember("g1", u);
  }
  Changed({"u1", "u2"});
  CountGrantWrites();
  RemoveMember("g1", "u1");
  Changed({"u1", "u2"});
  EXPECT_EQ(GrantWrites(), 1);
  EXPECT_EQ(StateOf("u1", "lit"), "");
  EXPECT_EQ(StateOf("u2", "lit"), "active");
}

TEST_F(GrantDiff, ChangedPriorityIsStored) {
  AddSubscription("lit", 5);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  AddUser("u1");
  AddMember("g1", "u1");
  Changed({"u1"});
  GroupPolicy("teachers", 30, "Teachers", "lit");
  engine_->ReloadPolicies();
  Changed({"u1"});
  EXPECT_EQ(Count("SELECT priority FROM policy_grants WHERE tenant_id = :p0 AND user_id = :p1",
                  {tenant_, "u1"}),
            30);
  EXPECT_EQ(StateOf("u1", "lit"), "active");
}

TEST_F(GrantDiff, UserListedTwiceGetsOneSeat) {
  AddSubscription("lit", 5);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  AddUser("u1");
  AddMember("g1", "u1");
  Changed({"u1", "u1"});
  EXPECT_EQ(StateOf("u1", "lit"), "active");
  EXPECT_EQ(Assigned("lit"), 1);
  ExpectInvariants("lit");
}

TEST_F(GrantDiff, ManyJoinersBeyondSeatsQueueInUserOrder) {
  AddSubscription("lit", 2);
  GroupPolicy("teachers", 10, "Teachers", "lit");
  engine_->ReloadPolicies();
  AddGroup("g1", "Teachers");
  for (const char* u : {"u3", "u1", "u4", "u2"}) {
    AddUser(u);
    AddMember("g1", u);
  }
  Changed({"u3", "u1", "u4", "u2"});
  EXPECT_EQ(StateOf("u1", "lit"), "active");
  EXPECT_EQ(StateOf("u2", "lit"), "active");
  EXPECT_EQ(StateOf("u3", "lit"), "pending");
  EXPECT_EQ(StateOf("u4", "lit"), "pending");
  ExpectInvariants("lit");
}

}  // namespace
}  // namespace allot::licensing::testing
