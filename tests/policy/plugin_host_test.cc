// Plugins in plugin host processes (HostedRuntime, the real `allot
// plugin-host`): the same grants as in process; a crash, an abort, a loop, a
// sleep past the deadline, garbage on the socket or a crash in on_create
// fail only the policy that did it; hosts are per tenant; a host that keeps
// crashing stays down; Shutdown ends a call stuck in a loop.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "policy_test_util.h"
#include "server/policy/plugin_host.h"

namespace allot::policy {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

// A segfault as the host reports it: under AddressSanitizer the host's own
// handler turns it into an abort or an exit.
auto Crashed() {
  return AnyOf(HasSubstr("crashed (signal 11"), HasSubstr("aborted (signal 6"),
               HasSubstr("exited with status"));
}
using nlohmann::json;
using testutil::Users;

const std::unordered_set<std::string> kSubs = {"s1", "s2"};

HostedRuntimeOptions Options(const std::string& plugins_dir, int timeout_ms = 2000) {
  return {.plugins_dir = plugins_dir, .executable = ALLOT_BINARY, .timeout_ms = timeout_ms};
}

PolicyDef Def(const std::string& name, const std::string& plugin, json config) {
  return PolicyDef{.name = name, .plugin = plugin, .config = std::move(config), .source = "api"};
}

PolicyDef Broken(const std::string& name, const std::string& emit, json extra = json::object()) {
  extra["emit"] = emit;
  extra["subscription"] = "s1";
  return Def(name, "broken_misbehaves", std::move(extra));
}

Users TwoUsers() {
  Users users;
  users.Add({{"id", "u0"}}, {testutil::Group("Teachers")});
  users.Add({{"id", "u1"}, {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                            {{"department", "Sales"}}}});
  return users;
}

// The result of the policy named `name`.
const BatchResult& ResultOf(
    const std::vector<std::pair<const PolicyStatus*, BatchResult>>& results,
    const std::string& name) {
  for (const auto& [st, r] : results) {
    if (st->name == name) return r;
  }
  static const BatchResult kNone{false, "no result for " + name, {}};
  return kNone;
}

TEST(PluginHost, RealPluginsGrantAsInProcess) {
  auto runtime = std::make_shared<HostedRuntime>(Options(testutil::kPluginDir));
  std::vector<PolicyDef> defs = {
      Def("teachers", "group_map", {{"rules", {{{"group", "Teachers"}, {"subscription", "s1"}}}}}),
      Def("sales", "attribute_rules",
          {{"rules",
            {{{"attribute", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
              {"equals", "sales"},
              {"subscription", "s2"}}}}})};
  auto set = PolicySet::Build(defs, runtime, "t1");
  ASSERT_TRUE(set->Statuses()[0].ok) << set->Statuses()[0].error;
  ASSERT_TRUE(set->Statuses()[1].ok) << set->Statuses()[1].error;
  // Only the path a policy resolved travels to the hosts.
  EXPECT_EQ(set->AttributePaths(),
            std::vector<std::string>{
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"});
  Users users = TwoUsers();
  auto results = set->Evaluate("t1", users.batch(), kSubs);
  ASSERT_TRUE(ResultOf(results, "teachers").ok) << ResultOf(results, "teachers").error;
  EXPECT_EQ(testutil::GrantedIds(ResultOf(results, "teachers")),
            (std::vector<std::vector<std::string>>{{"s1"}, {}}));
  ASSERT_TRUE(ResultOf(results, "sales").ok) << ResultOf(results, "sales").error;
  EXPECT_EQ(testutil::GrantedIds(ResultOf(results, "sales")),
            (std::vector<std::vector<std::string>>{{}, {"s2"}}));
}

TEST(PluginHost, ConfigRefusalCarriesThePluginsWords) {
  auto runtime = std::make_shared<HostedRuntime>(Options(testutil::kPluginDir));
  auto made = runtime->Create("t1", "group_map", "bad", json{{"rules", json::array()}});
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error(), HasSubstr("invalid config"));
}

struct CrashCase {
  const char* emit;
  const char* error;  // "" for a segfault (see Crashed)
};

class PluginHostCrash : public ::testing::TestWithParam<CrashCase> {};

// The misbehaving policy fails with what happened; the good policy of the
// same plugin (same host) in the same batch is evaluated on a new host.
TEST_P(PluginHostCrash, FailsOnlyThatPolicy) {
  auto runtime = std::make_shared<HostedRuntime>(Options(testutil::kBrokenPluginDir, 1000));
  auto set = PolicySet::Build(
      {Broken("bad", GetParam().emit, {{"sleep_ms", 5000}}), Broken("good", "valid")}, runtime, "t1");
  ASSERT_TRUE(set->Statuses()[0].ok) << set->Statuses()[0].error;
  Users users = TwoUsers();
  auto results = set->Evaluate("t1", users.batch(), kSubs);
  EXPECT_FALSE(ResultOf(results, "bad").ok);
  EXPECT_THAT(ResultOf(results, "bad").error, HasSubstr("policy \"bad\""));
  if (*GetParam().error == '\0') {
    EXPECT_THAT(ResultOf(results, "bad").error, Crashed());
  } else {
    EXPECT_THAT(ResultOf(results, "bad").error, HasSubstr(GetParam().error));
  }
  EXPECT_TRUE(ResultOf(results, "good").ok) << ResultOf(results, "good").error;
  EXPECT_EQ(testutil::GrantedIds(ResultOf(results, "good"))[0], std::vector<std::string>{"s1"});
}

INSTANTIATE_TEST_SUITE_P(
    Modes, PluginHostCrash,
    ::testing::Values(CrashCase{"segfault", ""},
                      CrashCase{"abort", "aborted (signal 6"},
                      CrashCase{"loop", "did not answer within 1000 ms (plugin_timeout_ms)"},
                      CrashCase{"sleep", "did not answer within 1000 ms"},
                      CrashCase{"garbage_frame", "broke the protocol"}),
    [](const auto& test_info) { return std::string(test_info.param.emit); });

TEST(PluginHost, SleepWithinTheDeadlineIsFine) {
  auto runtime = std::make_shared<HostedRuntime>(Options(testutil::kBrokenPluginDir, 5000));
  auto set = PolicySet::Build({Broken("slowish", "sleep", {{"sleep_ms", 50}})}, runtime, "t1");
  Users users = TwoUsers();
  auto results = set->Evaluate("t1", users.batch(), kSubs);
  EXPECT_TRUE(ResultOf(results, "slowish").ok) << ResultOf(results, "slowish").error;
}

TEST(PluginHost, CrashInOnCreateFailsThatPolicyOnly) {
  auto runtime = std::make_shared<HostedRuntime>(Options(testutil::kBrokenPluginDir));
  auto set = PolicySet::Build(
      {Def("dies", "broken_misbehaves", {{"create", "segfault"}}), Broken("good", "valid")},
      runtime, "t1");
  EXPECT_FALSE(set->Statuses()[0].ok);
  EXPECT_THAT(set->Statuses()[0].error, HasSubstr("on_create: its plugin host"));
  EXPECT_THAT(set->Statuses()[0].error, Crashed());
  ASSERT_TRUE(set->Statuses()[1].ok) << set->Statuses()[1].error;
  Users users = TwoUsers();
  auto results = set->Evaluate("t1", users.batch(), kSubs);
  EXPECT_TRUE(ResultOf(results, "good").ok) << ResultOf(results, "good").error;
}

TEST(PluginHost, KeepsCrashingThenStaysDownForAWhile) {
  auto runtime = std::make_shared<HostedRuntime>(Options(testutil::kBrokenPluginDir));
  auto set = PolicySet::Build({Broken("bad", "segfault")}, runtime, "t1");
  Users users = TwoUsers();
  constexpr int kCalls = 8;
  int down = 0;
  for (int i = 0; i < kCalls; ++i) {
    const std::string error = ResultOf(set->Evaluate("t1", users.batch(), kSubs), "bad").error;
    if (error.find("is down after") != std::string::npos) ++down;
  }
  EXPECT_GT(down, 0) << "a host that keeps crashing is not restarted at once";
  auto hosts = runtime->Hosts();
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].pid, -1);
  EXPECT_LT(hosts[0].starts, kCalls) << "restarts are rate-limited";
  EXPECT_THAT(hosts[0].last_failure, Crashed());
}

// Tenant t1's plugin loops (with a long deadline); tenant t2's evaluation on
// the same plugin file completes meanwhile, on a host of its own.
TEST(PluginHost, OneTenantsLoopDoesNotBlockAnother) {
  auto runtime = std::make_shared<HostedRuntime>(Options(testutil::kBrokenPluginDir, 60000));
  auto looping = PolicySet::Build({Broken("spin", "loop")}, runtime, "t1");
  auto fine = PolicySet::Build({Broken("fine", "valid")}, runtime, "t2");
  std::atomic<bool> loop_returned{false};
  std::thread stuck([&] {
    Users users = TwoUsers();
    looping->Evaluate("t1", users.batch(), kSubs);
    loop_returned = true;
  });
  Users users = TwoUsers();
  for (int i = 0; i < 3; ++i) {
    auto results = fine->Evaluate("t2", users.batch(), kSubs);
    EXPECT_TRUE(ResultOf(results, "fine").ok) << ResultOf(results, "fine").error;
  }
  EXPECT_FALSE(loop_returned) << "t1's call should still be stuck in its loop";
  runtime->Shutdown();  // ends the stuck call
  stuck.join();
  EXPECT_TRUE(loop_returned);
}

TEST(PluginHost, ShutdownEndsACallStuckInALoop) {
  auto runtime = std::make_shared<HostedRuntime>(Options(testutil::kBrokenPluginDir, 600000));
  auto set = PolicySet::Build({Broken("spin", "loop")}, runtime, "t1");
  BatchResult result;
  std::thread stuck([&] {
    Users users = TwoUsers();
    result = ResultOf(set->Evaluate("t1", users.batch(), kSubs), "spin");
  });
  // Wait until the host runs (bounded), then stop everything.
  for (int i = 0; i < 500 && (runtime->Hosts().empty() || runtime->Hosts()[0].pid < 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  runtime->Shutdown();
  stuck.join();
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.error, HasSubstr("shutting down"));
  for (const HostInfo& h : runtime->Hosts()) EXPECT_EQ(h.pid, -1);
}

TEST(PluginHost, MissingPluginIsALoadError) {
  auto runtime = std::make_shared<HostedRuntime>(Options(testutil::kBrokenPluginDir));
  auto made = runtime->Create("t1", "no_such_plugin", "p", json::object());
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error(), HasSubstr("cannot load"));
}

}  // namespace
}  // namespace allot::policy
