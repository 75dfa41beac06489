// The engine's evaluation outside transactions, on a real database with the
// REAL plugins loaded in process: changed users are marked durably and
// evaluated after the commit; an evaluation whose facts or policies changed
// meanwhile is not applied; statuses stay failed until a success; counts are
// the tenant's; policies as tenant data are validated before being stored.
#include <gmock/gmock.h>

#include <fstream>

#include "licensing_test_util.h"
#include "server/licensing/evaluate.h"
#include "server/licensing/policy_store.h"
#include "server/policy/policy.h"

namespace allot::licensing::testing {
namespace {

using ::testing::HasSubstr;

class Evaluation : public LicensingTest {
 protected:
  void SetUp() override {
    LicensingTest::SetUp();
    policies_dir_ = dir_ + "/policies";
    std::filesystem::create_directories(policies_dir_);
    engine_ = std::make_unique<Engine>(*db_, policies_dir_, ALLOT_PLUGIN_DIR);
  }
  void WritePolicy(const std::string& name, const std::string& plugin, const nlohmann::json& config) {
    std::ofstream(policies_dir_ + "/" + name + ".json")
        << nlohmann::json{{"name", name}, {"plugin", plugin}, {"priority", 10}, {"config", config}}.dump();
  }
  void TeachersPolicy() {
    WritePolicy("teachers", "group_map", {{"rules", {{{"group", "Teachers"}, {"subscription", "lit"}}}}});
    engine_->ReloadPolicies();
  }
  // What the engine does between the SCIM commit and the apply, done by hand
  // so a test can change the facts or the policies in between.
  Result<EvaluationInput> ReadFactsOfU1() {
    policies_ = policy::PolicySet::Load(policies_dir_, ALLOT_PLUGIN_DIR);
    return db_->ReadValue<EvaluationInput>([&](soci::session& sql) {
      return ReadEvaluation(sql, tenant_, std::vector<std::string>{"u1"},
                            policies_->AttributePaths());
    });
  }
  PolicyResults RunPolicies(const EvaluationInput& input) { return policies_->Evaluate(*input.facts); }
  // u1 joins Teachers, which the policy licenses for "lit" (5 seats): marked,
  // not yet evaluated.
  void MarkedTeacher() {
    AddSubscription("lit", 5);
    TeachersPolicy();
    AddGroup("g1", "Teachers");
    AddUser("u1");
    AddMember("g1", "u1");
    Mark({"u1"});
  }
  void Mark(const std::vector<std::string>& users, const std::string& tenant = "") {
    ASSERT_TRUE(db_->Write([&](soci::session& sql) {
      return engine_->UsersChanged(sql, tenant.empty() ? tenant_ : tenant, users, scim_);
    }));
  }
  Backlog Pending() {
    auto b = engine_->Pending(tenant_);
    EXPECT_TRUE(b);
    return b ? *b : Backlog{};
  }
  std::string StatusOf(const std::string& policy) {
    for (const PolicyView& v : engine_->PolicyStatuses(tenant_)) {
      if (v.name == policy) return v.status;
    }
    return "<none>";
  }

  std::string policies_dir_;
  std::shared_ptr<const policy::PolicySet> policies_;
  std::unique_ptr<Engine> engine_;
  Actor scim_{Actor::Kind::kScim, "idp"};
};

TEST_F(Evaluation, ChangedUsersWaitMarkedUntilEvaluated) {
  MarkedTeacher();
  EXPECT_EQ(StateOf("u1", "lit"), "") << "no plugin ran inside the SCIM transaction";
  EXPECT_EQ(Pending().marked_users, 1);
  EXPECT_FALSE(Pending().settled());
  auto done = engine_->EvaluateMarked(tenant_);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->users, 1);
  EXPECT_EQ(StateOf("u1", "lit"), "active");
  EXPECT_EQ(Pending().marked_users, 0);
}

// A marked user outlives the engine (a kill -9 after the SCIM commit): the
// next engine on the database evaluates it.
TEST_F(Evaluation, MarksOutliveTheEngine) {
  MarkedTeacher();
  engine_ = std::make_unique<Engine>(*db_, policies_dir_, ALLOT_PLUGIN_DIR);
  ASSERT_TRUE(engine_->EvaluateMarked(tenant_));
  EXPECT_EQ(StateOf("u1", "lit"), "active");
}

// An evaluation made from facts that changed before it was applied is not
// applied: the user stays marked and the next round uses the new facts.
TEST_F(Evaluation, EvaluationOfFactsThatChangedMeanwhileIsNotApplied) {
  MarkedTeacher();
  auto input = ReadFactsOfU1();
  ASSERT_TRUE(input);
  const PolicyResults results = RunPolicies(*input);
  ASSERT_TRUE(results[0].second.ok);
  // The user leaves the group while the policies run.
  RemoveMember("g1", "u1");
  Mark({"u1"});
  auto applied = db_->WriteValue<ApplyOutcome>(
      [&](soci::session& sql) { return ApplyEvaluation(sql, *input, results, 0, nullptr); });
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->applied, 0);
  EXPECT_EQ(applied->changed_meanwhile, 1);
  EXPECT_EQ(StateOf("u1", "lit"), "") << "a stale evaluation took a seat";
  EXPECT_EQ(Pending().marked_users, 1);
  ASSERT_TRUE(engine_->EvaluateMarked(tenant_));
  EXPECT_EQ(StateOf("u1", "lit"), "");
  EXPECT_EQ(Pending().marked_users, 0);
}

TEST_F(Evaluation, EvaluationWithPoliciesThatChangedMeanwhileIsNotApplied) {
  MarkedTeacher();
  auto input = ReadFactsOfU1();
  ASSERT_TRUE(input);
  const PolicyResults results = RunPolicies(*input);
  ASSERT_TRUE(db_->Write([&](soci::session& sql) { return RaisePolicyVersion(sql, tenant_); }));
  auto applied = db_->WriteValue<ApplyOutcome>(
      [&](soci::session& sql) { return ApplyEvaluation(sql, *input, results, 0, nullptr); });
  ASSERT_TRUE(applied);
  EXPECT_TRUE(applied->stale_policies);
  EXPECT_EQ(StateOf("u1", "lit"), "");
}

TEST_F(Evaluation, StatusStaysFailedUntilAnEvaluationSucceeds) {
  AddSubscription("lit", 5);
  AddGroup("g1", "Teachers");
  AddUser("u1");
  AddMember("g1", "u1");
  WritePolicy("teachers", "group_map", {{"rules", {{{"group", "Teachers"}, {"subscription", "gone"}}}}});
  engine_->ReloadPolicies();
  Mark({"u1"});
  auto done = engine_->EvaluateMarked(tenant_);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->policy_failures, 1);
  EXPECT_EQ(StatusOf("teachers"), "failed");
  engine_->ReloadPolicies();  // the same broken policy, loaded again
  EXPECT_EQ(StatusOf("teachers"), "failed") << "a reload must not clear a failure";
  auto reconciled = engine_->ReconcileTenant(tenant_, admin_);
  ASSERT_TRUE(reconciled);
  EXPECT_EQ(reconciled->policy_failures, 1);
  EXPECT_EQ(StatusOf("teachers"), "failed");
  TeachersPolicy();
  ASSERT_TRUE(engine_->ReconcileTenant(tenant_, admin_));
  EXPECT_EQ(StatusOf("teachers"), "ok");
  EXPECT_EQ(StateOf("u1", "lit"), "active");
}

TEST_F(Evaluation, ReconcileCountsOnlyTheTenantsUsers) {
  ASSERT_TRUE(auth::CreateTenant(*db_, "other"));
  AddUser("u1");
  AddUser("u2");
  ASSERT_TRUE(db_->Write([&](soci::session& sql) -> allot::Status {
    sql << "INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, active, resource, "
           "version, created_at, updated_at) VALUES ('other', 'x1', 'x1', 'x1', 1, '{}', 1, 'n', 'n')";
    return Ok();
  }));
  auto counts = engine_->ReconcileTenant(tenant_, admin_);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->users, 2);
}

TEST_F(Evaluation, PutPolicyIsValidatedByThePluginBeforeAnythingIsStored) {
  AddSubscription("lit", 5);
  auto refused = engine_->PutPolicy(tenant_, "teachers",
                                    {.plugin = "group_map", .priority = 1,
                                     .config = {{"rules", nlohmann::json::array()}}},
                                    admin_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidRequest);
  EXPECT_THAT(refused.error().message, HasSubstr("\"rules\" must be a non-empty array"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM policies WHERE tenant_id = :p0", {tenant_}), 0);
  EXPECT_EQ(AuditCount("policy.created"), 0);

  const nlohmann::json config = {{"rules", {{{"group", "Teachers"}, {"subscription", "lit"}}}}};
  auto made = engine_->PutPolicy(tenant_, "teachers",
                                 {.plugin = "group_map", .priority = 1, .config = config}, admin_);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_TRUE(made->created);
  EXPECT_EQ(made->policy.version, 1);
  EXPECT_EQ(made->policy.source, "api");
  EXPECT_EQ(AuditCount("policy.created"), 1);
  auto again = engine_->PutPolicy(tenant_, "teachers",
                                  {.plugin = "group_map", .priority = 2, .config = config}, admin_);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->policy.version, 2);
  EXPECT_EQ(AuditCount("policy.updated"), 1);

  WritePolicy("from-file", "group_map", config);
  engine_->ReloadPolicies();
  auto file = engine_->PutPolicy(tenant_, "from-file",
                                 {.plugin = "group_map", .priority = 1, .config = config}, admin_);
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::kConflict);
  EXPECT_EQ(engine_->DeletePolicy(tenant_, "from-file", admin_).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(engine_->DeletePolicy(tenant_, "teachers", admin_));
  EXPECT_EQ(AuditCount("policy.deleted"), 1);
  EXPECT_EQ(engine_->DeletePolicy(tenant_, "teachers", admin_).error().code, ErrorCode::kNotFound);
}

// An API policy evaluates like a file policy, and a change of it is picked
// up at the next evaluation (the version moved).
TEST_F(Evaluation, ApiPolicyChangesApplyAtTheNextEvaluation) {
  AddSubscription("lit", 5);
  AddGroup("g1", "Teachers");
  AddUser("u1");
  AddMember("g1", "u1");
  const nlohmann::json teachers = {{"rules", {{{"group", "Teachers"}, {"subscription", "lit"}}}}};
  ASSERT_TRUE(engine_->PutPolicy(tenant_, "p", {.plugin = "group_map", .priority = 1, .config = teachers},
                                 admin_));
  ASSERT_TRUE(engine_->ReconcileTenant(tenant_, admin_));
  EXPECT_EQ(StateOf("u1", "lit"), "active");
  const nlohmann::json nobody = {{"rules", {{{"group", "Nobody"}, {"subscription", "lit"}}}}};
  ASSERT_TRUE(engine_->PutPolicy(tenant_, "p", {.plugin = "group_map", .priority = 1, .config = nobody},
                                 admin_));
  EXPECT_FALSE(Pending().settled()) << "a change waits for its re-evaluation";
  ASSERT_TRUE(engine_->ReconcileTenant(tenant_, admin_));
  EXPECT_EQ(StateOf("u1", "lit"), "");
  EXPECT_TRUE(Pending().settled());
}

}  // namespace
}  // namespace allot::licensing::testing
