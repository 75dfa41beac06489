// attribute_rules.so through the host: the equals / in / matches tests, the
// active requirement, attribute paths, and config validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/policy/policy_test_util.h"

namespace allot::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using nlohmann::json;
using testutil::TempDir;
using testutil::Users;

constexpr const char* kEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const std::unordered_set<std::string> kSubs = {"crm-2026"};

// A user resource like an IdP sends it.
json Alice(bool active = true) {
  return {{"id", "alice"},
          {"active", active},
          {"userName", "alice@example.org"},
          {"userType", "Employee"},
          {"title", "Account Executive"},
          {"name", {{"givenName", "Alice"}, {"familyName", "Liddell"}}},
          {"emails", {{{"value", "alice@example.org"}, {"type", "work"}},
                      {{"value", "a.liddell@staff.example.org"}, {"type", "other"}}}},
          {kEnterprise, {{"department", "Sales"}, {"employeeNumber", 1234}}}};
}

std::shared_ptr<const PolicySet> LoadRule(const TempDir& dir, json rule) {
  rule["subscription"] = "crm-2026";
  dir.WritePolicy("ar", "attribute_rules", {{"rules", {rule}}});
  return PolicySet::Load(dir.path(), testutil::kPluginDir);
}

struct RuleCase {
  const char* label;
  json rule;  // without "subscription"
  bool active;
  bool granted;
};
// gtest prints the case by its label, not as bytes.
void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.label; }

class AttributeRulesMatch : public ::testing::TestWithParam<RuleCase> {};

TEST_P(AttributeRulesMatch, GrantsWhenTheTestHolds) {
  TempDir dir;
  auto set = LoadRule(dir, GetParam().rule);
  ASSERT_TRUE(set->Statuses()[0].ok) << set->Statuses()[0].error;
  Users users;
  users.Add(Alice(GetParam().active));
  BatchResult r = testutil::EvaluateOne(*set, users, kSubs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.grants_by_user[0].size(), GetParam().granted ? 1u : 0u);
}

const std::string kDept = std::string(kEnterprise) + ":department";

INSTANTIATE_TEST_SUITE_P(
    Table, AttributeRulesMatch,
    ::testing::Values(
        RuleCase{"EqualsUrnQualified", {{"attribute", kDept}, {"equals", "Sales"}}, true, true},
        RuleCase{"EqualsIgnoresCase", {{"attribute", kDept}, {"equals", "sALES"}}, true, true},
        RuleCase{"EqualsOtherValue", {{"attribute", kDept}, {"equals", "Marketing"}}, true, false},
        RuleCase{"EqualsIsNotPrefix", {{"attribute", kDept}, {"equals", "Sale"}}, true, false},
        RuleCase{"EqualsCoreAttribute", {{"attribute", "userType"}, {"equals", "employee"}}, true, true},
        RuleCase{"EqualsCoreUrnQualified",
                 {{"attribute", "urn:ietf:params:scim:schemas:core:2.0:User:title"},
                  {"equals", "account executive"}}, true, true},
        RuleCase{"AttributeNameIgnoresCase", {{"attribute", "USERTYPE"}, {"equals", "Employee"}}, true, true},
        RuleCase{"EqualsSubAttribute", {{"attribute", "name.givenName"}, {"equals", "alice"}}, true, true},
        RuleCase{"EqualsNumberAsText",
                 {{"attribute", std::string(kEnterprise) + ":employeeNumber"}, {"equals", "1234"}}, true, true},
        RuleCase{"EqualsBoolean", {{"attribute", "active"}, {"equals", "TRUE"}}, true, true},
        RuleCase{"MissingAttribute", {{"attribute", "nickName"}, {"equals", "Al"}}, true, false},
        RuleCase{"InList", {{"attribute", kDept}, {"in", {"Marketing", "sales"}}}, true, true},
        RuleCase{"NotInList", {{"attribute", kDept}, {"in", {"Marketing", "Support"}}}, true, false},
        RuleCase{"MatchesGlob", {{"attribute", "title"}, {"matches", "*EXEC*"}}, true, true},
        RuleCase{"MatchesWholeValue", {{"attribute", "title"}, {"matches", "Account"}}, true, false},
        RuleCase{"MatchesSuffixGlob", {{"attribute", "userName"}, {"matches", "*@EXAMPLE.ORG"}}, true, true},
        RuleCase{"MultiValuedAnyValue",
                 {{"attribute", "emails.value"}, {"matches", "*@staff.example.org"}}, true, true},
        RuleCase{"MultiValuedNoValue",
                 {{"attribute", "emails.value"}, {"matches", "*@other.org"}}, true, false},
        RuleCase{"ActiveRequiredAndActive",
                 {{"attribute", kDept}, {"equals", "Sales"}, {"active", true}}, true, true},
        RuleCase{"ActiveRequiredButInactive",
                 {{"attribute", kDept}, {"equals", "Sales"}, {"active", true}}, false, false},
        RuleCase{"NoActiveRequirementInactive", {{"attribute", kDept}, {"equals", "Sales"}}, false, true}),
    [](const auto& test_info) { return std::string(test_info.param.label); });

TEST(AttributeRules, ReasonNamesAttributeAndTest) {
  TempDir dir;
  auto set = LoadRule(dir, {{"attribute", kDept}, {"equals", "Sales"}});
  Users users;
  users.Add(Alice());
  BatchResult r = testutil::EvaluateOne(*set, users, kSubs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_THAT(r.grants_by_user[0],
              ElementsAre(Grant{"crm-2026", "attribute_rules: department equals \"Sales\""}));
}

TEST(AttributeRules, TwoMatchingRulesGiveOneGrant) {
  TempDir dir;
  dir.WritePolicy("ar", "attribute_rules",
                  {{"rules", {{{"attribute", "userType"}, {"equals", "Employee"}, {"subscription", "crm-2026"}},
                              {{"attribute", kDept}, {"equals", "Sales"}, {"subscription", "crm-2026"}}}}});
  auto set = PolicySet::Load(dir.path(), testutil::kPluginDir);
  Users users;
  users.Add(Alice());
  BatchResult r = testutil::EvaluateOne(*set, users, kSubs);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_THAT(testutil::GrantedIds(r), ElementsAre(ElementsAre("crm-2026")));
}

TEST(AttributeRules, UserWithoutResourceMatchesNothing) {
  TempDir dir;
  auto set = LoadRule(dir, {{"attribute", kDept}, {"equals", "Sales"}});
  Users users;
  users.Add(Alice());
  std::vector<UserFacts> batch = users.batch();
  batch[0].resource = nullptr;
  auto results = set->Evaluate("default", batch, kSubs);
  ASSERT_TRUE(results[0].second.ok) << results[0].second.error;
  EXPECT_TRUE(results[0].second.grants_by_user[0].empty());
}

struct ConfigCase {
  const char* label;
  json config;
  const char* error;
};
// gtest prints the case by its label, not as bytes.
void PrintTo(const ConfigCase& c, std::ostream* os) { *os << c.label; }

class AttributeRulesRejectsConfig : public ::testing::TestWithParam<ConfigCase> {};

TEST_P(AttributeRulesRejectsConfig, WithAClearMessage) {
  TempDir dir;
  dir.WritePolicy("ar", "attribute_rules", GetParam().config);
  auto set = PolicySet::Load(dir.path(), testutil::kPluginDir);
  const PolicyStatus& st = set->Statuses()[0];
  EXPECT_FALSE(st.ok);
  EXPECT_THAT(st.error, HasSubstr("policy \"ar\""));
  EXPECT_THAT(st.error, HasSubstr(GetParam().error));
}

json OneRule(json rule) { return {{"rules", {rule}}}; }

INSTANTIATE_TEST_SUITE_P(
    Table, AttributeRulesRejectsConfig,
    ::testing::Values(
        ConfigCase{"NoRules", json::object(), "\"rules\" must be a non-empty array"},
        ConfigCase{"NoTest", OneRule({{"attribute", "title"}, {"subscription", "s"}}),
                   "needs exactly one test"},
        ConfigCase{"TwoTests",
                   OneRule({{"attribute", "title"}, {"equals", "a"}, {"matches", "a*"}, {"subscription", "s"}}),
                   "needs exactly one test of \"equals\", \"in\" or \"matches\" (found 2)"},
        ConfigCase{"UnknownTest",
                   OneRule({{"attribute", "title"}, {"contains", "a"}, {"subscription", "s"}}),
                   "rules[0]: unknown field \"contains\""},
        ConfigCase{"MissingSubscription", OneRule({{"attribute", "title"}, {"equals", "a"}}),
                   "rules[0]: \"subscription\" must be a non-empty string"},
        ConfigCase{"MissingAttribute", OneRule({{"equals", "a"}, {"subscription", "s"}}),
                   "rules[0]: \"attribute\" must be a non-empty string"},
        ConfigCase{"MalformedAttribute",
                   OneRule({{"attribute", "a.b.c"}, {"equals", "a"}, {"subscription", "s"}}),
                   "\"a.b.c\" is not a SCIM attribute path"},
        ConfigCase{"InNotList", OneRule({{"attribute", "title"}, {"in", "a"}, {"subscription", "s"}}),
                   "\"in\" must be a non-empty array"},
        ConfigCase{"InNonString", OneRule({{"attribute", "title"}, {"in", {1}}, {"subscription", "s"}}),
                   "\"in\"[0] must be a non-empty string"},
        ConfigCase{"EqualsNotString", OneRule({{"attribute", "title"}, {"equals", 3}, {"subscription", "s"}}),
                   "\"equals\" must be a non-empty string"},
        ConfigCase{"ActiveFalse",
                   OneRule({{"attribute", "title"}, {"equals", "a"}, {"active", false}, {"subscription", "s"}}),
                   "\"active\" may only be true"}),
    [](const auto& test_info) { return std::string(test_info.param.label); });

}  // namespace
}  // namespace allot::policy
