// group_map.so through the host: matching semantics, table-driven, and its
// config validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/policy/policy_test_util.h"

namespace allot::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testutil::Group;
using testutil::TempDir;
using testutil::Users;
using nlohmann::json;

const std::unordered_set<std::string> kSubs = {"lit-2026", "math-2026"};

std::shared_ptr<const PolicySet> LoadGroupMap(const TempDir& dir, const json& config) {
  dir.WritePolicy("gm", "group_map", config);
  return PolicySet::Load(dir.path(), testutil::kPluginDir);
}

json Rules(std::initializer_list<std::pair<const char*, const char*>> rules) {
  json out = json::array();
  for (const auto& [group, sub] : rules) out.push_back({{"group", group}, {"subscription", sub}});
  return {{"rules", out}};
}

struct MatchCase {
  const char* label;
  std::vector<GroupFacts> groups;  // of the one user evaluated
  std::vector<std::string> granted;
};
// gtest prints the case by its label, not as bytes.
void PrintTo(const MatchCase& c, std::ostream* os) { *os << c.label; }

class GroupMapMatches : public ::testing::TestWithParam<MatchCase> {};

TEST_P(GroupMapMatches, GrantsAsConfigured) {
  TempDir dir;
  auto set = LoadGroupMap(dir, Rules({{"Teachers", "lit-2026"}, {"Staff", "lit-2026"},
                                      {"ext-42", "math-2026"}}));
  ASSERT_TRUE(set->Statuses()[0].ok) << set->Statuses()[0].error;
  Users users;
  users.Add({{"id", "u1"}}, GetParam().groups);
  BatchResult r = testutil::EvaluateOne(*set, users, kSubs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(testutil::GrantedIds(r)[0], GetParam().granted);
}

INSTANTIATE_TEST_SUITE_P(
    Table, GroupMapMatches,
    ::testing::Values(
        MatchCase{"DisplayNameExact", {Group("Teachers")}, {"lit-2026"}},
        MatchCase{"DisplayNameOtherCase", {Group("tEACHERS")}, {"lit-2026"}},
        MatchCase{"ExternalIdExact", {Group("Whatever", "ext-42")}, {"math-2026"}},
        MatchCase{"ExternalIdIsCaseSensitive", {Group("Whatever", "EXT-42")}, {}},
        MatchCase{"NoMatchingGroup", {Group("Students")}, {}},
        MatchCase{"NoGroups", {}, {}},
        MatchCase{"PrefixIsNoMatch", {Group("Teachers2")}, {}},
        MatchCase{"TwoGroupsSameSubscriptionOneGrant",
                  {Group("Teachers"), Group("Staff")}, {"lit-2026"}},
        MatchCase{"TwoSubscriptions", {Group("Teachers"), Group("X", "ext-42")},
                  {"lit-2026", "math-2026"}}),
    [](const auto& test_info) { return std::string(test_info.param.label); });

TEST(GroupMap, ReasonNamesTheGroup) {
  TempDir dir;
  auto set = LoadGroupMap(dir, Rules({{"Teachers", "lit-2026"}}));
  Users users;
  users.Add({{"id", "u1"}}, {Group("teachers")});
  BatchResult r = testutil::EvaluateOne(*set, users, kSubs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_THAT(r.grants_by_user[0],
              ElementsAre(Grant{"lit-2026", "group_map: member of \"Teachers\""}));
}

TEST(GroupMap, GrantsAreIndexAlignedWithTheBatch) {
  TempDir dir;
  auto set = LoadGroupMap(dir, Rules({{"Teachers", "lit-2026"}}));
  Users users;
  users.Add({{"id", "a"}}, {Group("Students")})
      .Add({{"id", "b"}}, {Group("Teachers")})
      .Add({{"id", "c"}});
  BatchResult r = testutil::EvaluateOne(*set, users, kSubs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_THAT(testutil::GrantedIds(r),
              ElementsAre(ElementsAre(), ElementsAre("lit-2026"), ElementsAre()));
}

TEST(GroupMap, UnknownSubscriptionFailsTheBatch) {
  TempDir dir;
  auto set = LoadGroupMap(dir, Rules({{"Teachers", "gone-2025"}}));
  Users users;
  users.Add({{"id", "u1"}}, {Group("Teachers")});
  BatchResult r = testutil::EvaluateOne(*set, users, kSubs);
  EXPECT_FALSE(r.ok);
  EXPECT_THAT(r.error, HasSubstr("unknown subscription \"gone-2025\""));
  EXPECT_THAT(r.error, HasSubstr("(plugin group_map)"));
}

// `when` narrows a rule to users whose attribute equals one of the values
// (issue 10, finding 4: homeroom teachers in class groups took student seats).
TEST(GroupMap, WhenNarrowsARuleToMatchingUsers) {
  TempDir dir;
  auto set = LoadGroupMap(
      dir, {{"rules",
             {{{"group", "Grade 3 - Room 12"},
               {"subscription", "lit-2026"},
               {"when", {{"userType", "Student"}}}},
              {{"group", "Grade 3 - Room 12"},
               {"subscription", "math-2026"},
               {"when",
                {{"userType", {"teacher", "Aide"}},
                 {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                  "Maths"}}}}}}});
  ASSERT_TRUE(set->Statuses()[0].ok) << set->Statuses()[0].error;
  const json enterprise = {{"department", "maths"}};
  Users users;
  users.Add({{"id", "student"}, {"userType", "student"}}, {Group("Grade 3 - Room 12")})
      .Add({{"id", "teacher"},
            {"userType", "Teacher"},
            {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", enterprise}},
           {Group("Grade 3 - Room 12")})
      .Add({{"id", "teacher-elsewhere"},
            {"userType", "Teacher"},
            {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
             {{"department", "Art"}}}},
           {Group("Grade 3 - Room 12")})
      .Add({{"id", "no-type"}}, {Group("Grade 3 - Room 12")})
      .Add({{"id", "student-other-class"}, {"userType", "Student"}}, {Group("Grade 4")});
  BatchResult r = testutil::EvaluateOne(*set, users, kSubs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_THAT(testutil::GrantedIds(r),
              ElementsAre(ElementsAre("lit-2026"), ElementsAre("math-2026"), ElementsAre(),
                          ElementsAre(), ElementsAre()));
}

struct ConfigCase {
  const char* label;
  json config;
  const char* error;
};
// gtest prints the case by its label, not as bytes.
void PrintTo(const ConfigCase& c, std::ostream* os) { *os << c.label; }

class GroupMapRejectsConfig : public ::testing::TestWithParam<ConfigCase> {};

TEST_P(GroupMapRejectsConfig, WithAClearMessage) {
  TempDir dir;
  auto set = LoadGroupMap(dir, GetParam().config);
  const PolicyStatus& st = set->Statuses()[0];
  EXPECT_FALSE(st.ok);
  EXPECT_THAT(st.error, HasSubstr("invalid config"));
  EXPECT_THAT(st.error, HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Table, GroupMapRejectsConfig,
    ::testing::Values(
        ConfigCase{"NoRules", json::object(), "\"rules\" must be a non-empty array"},
        ConfigCase{"EmptyRules", {{"rules", json::array()}}, "non-empty array"},
        ConfigCase{"UnknownTopLevel", {{"rules", json::array()}, {"x", 1}},
                   "unknown field \"x\""},
        ConfigCase{"RuleNotObject", {{"rules", {1}}}, "rules[0]: must be an object"},
        ConfigCase{"MissingSubscription", {{"rules", {{{"group", "T"}}}}},
                   "rules[0]: \"subscription\" must be a non-empty string"},
        ConfigCase{"MissingGroup", {{"rules", {{{"subscription", "s"}}}}},
                   "rules[0]: \"group\" must be a non-empty string"},
        ConfigCase{"UnknownRuleField",
                   {{"rules", {{{"group", "T"}, {"subscription", "s"}, {"grp", 1}}}}},
                   "rules[0]: unknown field \"grp\""},
        ConfigCase{"WhenNotObject",
                   {{"rules", {{{"group", "T"}, {"subscription", "s"}, {"when", "Student"}}}}},
                   "rules[0]: \"when\" must be an object"},
        ConfigCase{"WhenEmptyList",
                   {{"rules",
                     {{{"group", "T"}, {"subscription", "s"}, {"when", {{"userType", json::array()}}}}}}},
                   "\"when\".\"userType\": the list of values is empty"},
        ConfigCase{"WhenBadPath",
                   {{"rules",
                     {{{"group", "T"}, {"subscription", "s"}, {"when", {{"user Type", "x"}}}}}}},
                   "not a SCIM attribute path"},
        ConfigCase{"WhenObjectValue",
                   {{"rules",
                     {{{"group", "T"}, {"subscription", "s"}, {"when", {{"userType", {{"a", 1}}}}}}}}},
                   "must be a string, number or boolean"}),
    [](const auto& test_info) { return std::string(test_info.param.label); });

}  // namespace
}  // namespace allot::policy
