// PolicySet::Evaluate: the host validates everything a plugin emits and fails
// the batch (never crashes) on bad output; tenant scoping; failed policies
// reported as failed; per-instance serialisation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/policy/policy_test_util.h"

namespace allot::policy {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using nlohmann::json;
using testutil::TempDir;
using testutil::Users;

const std::unordered_set<std::string> kSubs = {"s1", "s2"};

BatchResult EvaluateMisbehaving(const std::string& emit) {
  TempDir dir;
  dir.WritePolicy("bad", "broken_misbehaves", {{"emit", emit}, {"subscription", "s1"}});
  auto set = PolicySet::Load(dir.path(), testutil::kBrokenPluginDir);
  EXPECT_TRUE(set->Statuses()[0].ok) << set->Statuses()[0].error;
  Users users;
  users.Add({{"id", "u0"}}).Add({{"id", "u1"}});
  return testutil::EvaluateOne(*set, users, kSubs);
}

TEST(PolicyEval, AcceptsValidOutput) {
  BatchResult r = EvaluateMisbehaving("valid");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(testutil::GrantedIds(r), (std::vector<std::vector<std::string>>{{"s1"}, {}}));
}

struct GarbageCase {
  const char* emit;
  const char* error;
};
// gtest prints the case by its label, not as bytes.
void PrintTo(const GarbageCase& c, std::ostream* os) { *os << c.emit; }

class PolicyEvalFailsOnGarbage : public ::testing::TestWithParam<GarbageCase> {};

TEST_P(PolicyEvalFailsOnGarbage, AndSaysWhy) {
  BatchResult r = EvaluateMisbehaving(GetParam().emit);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.grants_by_user, IsEmpty());  // nothing half-kept
  EXPECT_THAT(r.error, HasSubstr("policy \"bad\""));
  EXPECT_THAT(r.error, HasSubstr("(plugin broken_misbehaves)"));
  EXPECT_THAT(r.error, HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Table, PolicyEvalFailsOnGarbage,
    ::testing::Values(
        GarbageCase{"unknown_subscription",
                    "invalid output: grant of unknown subscription \"no-such-sub\" (not one of the "
                    "tenant's subscriptions) for user 0 (id \"u0\")"},
        GarbageCase{"bad_index", "user index 2, out of range (the batch has 2 users)"},
        GarbageCase{"empty_id", "grant with an empty subscription id for user 0"},
        GarbageCase{"oversized_id", "oversized subscription id (200 bytes, at most 64)"},
        GarbageCase{"bad_utf8_reason", "reason that is oversized or not UTF-8"},
        GarbageCase{"valid_then_error",
                    "evaluation failed (code 1): broken: failed after a valid grant"},
        GarbageCase{"error", "evaluation failed (code 1): broken: evaluation failed on purpose"},
        GarbageCase{"error_no_message", "evaluation failed (code 7): no message given"}),
    [](const auto& test_info) { return std::string(test_info.param.emit); });

TEST(PolicyEval, FailedPolicyAppearsAsFailedInTheResult) {
  TempDir dir;
  dir.Write("x.json", R"({"name":"x","plugin":"group_map","priority":1,"config":{},"oops":1})");
  auto set = PolicySet::Load(dir.path(), testutil::kPluginDir);
  Users users;
  users.Add({{"id", "u"}});
  auto results = set->Evaluate("default", users.batch(), kSubs);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].first, &set->Statuses()[0]);
  EXPECT_FALSE(results[0].second.ok);
  EXPECT_EQ(results[0].second.error, set->Statuses()[0].error);
}

TEST(PolicyEval, TenantsRestrictWherePoliciesApply) {
  TempDir dir;
  dir.Write("only-acme.json",
            json{{"name", "only-acme"}, {"plugin", "broken_misbehaves"}, {"priority", 1},
                 {"tenants", {"acme"}}, {"config", {{"emit", "valid"}, {"subscription", "s1"}}}}
                .dump());
  dir.WritePolicy("everywhere", "broken_misbehaves", {{"emit", "valid"}, {"subscription", "s2"}});
  auto set = PolicySet::Load(dir.path(), testutil::kBrokenPluginDir);
  Users users;
  users.Add({{"id", "u"}});
  auto for_default = set->Evaluate("default", users.batch(), kSubs);
  ASSERT_EQ(for_default.size(), 1u);
  EXPECT_EQ(for_default[0].first->name, "everywhere");
  EXPECT_EQ(set->Evaluate("acme", users.batch(), kSubs).size(), 2u);
}

TEST(PolicyEval, EmptyBatchIsFine) {
  TempDir dir;
  dir.WritePolicy("p", "broken_misbehaves", {{"emit", "valid"}, {"subscription", "s1"}});
  auto set = PolicySet::Load(dir.path(), testutil::kBrokenPluginDir);
  auto results = set->Evaluate("default", {}, kSubs);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].second.ok);
  EXPECT_THAT(results[0].second.grants_by_user, IsEmpty());
}

// broken_misbehaves does not declare ALLOT_PLUGIN_FLAG_CONCURRENT and fails
// any call that overlaps another: the host must serialise them.
TEST(PolicyEval, SerialisesCallsIntoANonConcurrentPlugin) {
  TempDir dir;
  dir.WritePolicy("p", "broken_misbehaves", {{"emit", "serial_check"}});
  auto set = PolicySet::Load(dir.path(), testutil::kBrokenPluginDir);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 20; ++k) {
        for (const auto& [status, result] : set->Evaluate("default", {}, kSubs)) {
          if (!result.ok) ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

// The sample plugins are concurrent: many threads, same results.
TEST(PolicyEval, ConcurrentEvaluationsOfASamplePluginAgree) {
  auto set = PolicySet::Load(testutil::kPoliciesDir, testutil::kPluginDir);
  Users users;
  users.Add({{"id", "t"}}, {testutil::Group("Teachers")});
  const std::unordered_set<std::string> subs = {"lit-2026", "crm-2026", "learning-premium"};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < 200; ++k) {
        for (const auto& [status, result] : set->Evaluate("default", users.batch(), subs)) {
          const bool expect_grant = status->name == "teachers";
          if (!result.ok || result.grants_by_user[0].empty() == expect_grant) ++wrong;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace allot::policy
