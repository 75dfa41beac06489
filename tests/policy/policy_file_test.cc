// Policy file validation: ParsePolicy, and what PolicySet::Load makes of
// files that are wrong as a set (duplicates, unreadable, non-JSON names).
#include "server/policy/policy_file.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include "tests/policy/policy_test_util.h"

namespace allot::policy {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kValid =
    R"({"name":"teachers","plugin":"group_map","priority":10,"config":{"rules":[]}})";

TEST(ParsePolicy, AcceptsAValidFile) {
  ParsedPolicy p = ParsePolicy(kValid);
  EXPECT_THAT(p.error, IsEmpty());
  EXPECT_EQ(p.spec.name, "teachers");
  EXPECT_EQ(p.spec.plugin, "group_map");
  EXPECT_EQ(p.spec.priority, 10);
  EXPECT_TRUE(p.spec.config.contains("rules"));
  EXPECT_THAT(p.spec.tenants, IsEmpty());
}

TEST(ParsePolicy, ReadsTenants) {
  ParsedPolicy p = ParsePolicy(
      R"({"name":"a","plugin":"p","priority":1,"config":{},"tenants":["default","acme"]})");
  EXPECT_THAT(p.error, IsEmpty());
  EXPECT_EQ(p.spec.tenants, (std::vector<std::string>{"default", "acme"}));
}

struct BadCase {
  const char* label;
  const char* text;
  const char* error;
};
// gtest prints the case by its label, not as bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.label; }

class ParsePolicyRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(ParsePolicyRejects, WithAClearMessage) {
  ParsedPolicy p = ParsePolicy(GetParam().text);
  EXPECT_THAT(p.error, HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    BadFiles, ParsePolicyRejects,
    ::testing::Values(
        BadCase{"NotJson", "{name", "not valid JSON"},
        BadCase{"NotAnObject", "[1]", "must be a JSON object"},
        BadCase{"UnknownField",
                R"({"name":"a","plugin":"p","priority":1,"config":{},"prio":2})",
                "unknown field \"prio\""},
        BadCase{"MissingConfig", R"({"name":"a","plugin":"p","priority":1})",
                "missing field \"config\""},
        BadCase{"NameNotString", R"({"name":7,"plugin":"p","priority":1,"config":{}})",
                "\"name\" must be a string"},
        BadCase{"EmptyName", R"({"name":"","plugin":"p","priority":1,"config":{}})",
                "\"name\" must be a string"},
        BadCase{"PluginIsAPath",
                R"({"name":"a","plugin":"../evil","priority":1,"config":{}})",
                "not a path"},
        BadCase{"PluginWithSlash",
                R"({"name":"a","plugin":"/tmp/x","priority":1,"config":{}})",
                "not a path"},
        BadCase{"PriorityString", R"({"name":"a","plugin":"p","priority":"1","config":{}})",
                "\"priority\" must be an integer"},
        BadCase{"PriorityFloat", R"({"name":"a","plugin":"p","priority":1.5,"config":{}})",
                "\"priority\" must be an integer"},
        BadCase{"PriorityHuge",
                R"({"name":"a","plugin":"p","priority":99999999999,"config":{}})",
                "\"priority\" must be an integer"},
        BadCase{"ConfigArray", R"({"name":"a","plugin":"p","priority":1,"config":[]})",
                "\"config\" must be a JSON object"},
        BadCase{"TenantsString",
                R"({"name":"a","plugin":"p","priority":1,"config":{},"tenants":"x"})",
                "\"tenants\" must be an array"},
        BadCase{"TenantsEmptyString",
                R"({"name":"a","plugin":"p","priority":1,"config":{},"tenants":[""]})",
                "non-empty strings"},
        BadCase{"TenantsEmpty",
                R"({"name":"a","plugin":"p","priority":1,"config":{},"tenants":[]})",
                "must not be empty"}),
    [](const auto& test_info) { return std::string(test_info.param.label); });

TEST(ParsePolicy, KeepsTheNameReadBeforeTheError) {
  ParsedPolicy p = ParsePolicy(R"({"name":"sales","plugin":"p","priority":"x","config":{}})");
  EXPECT_FALSE(p.error.empty());
  EXPECT_EQ(p.spec.name, "sales");
}

TEST(IsValidPluginName, AcceptsSimpleNamesOnly) {
  EXPECT_TRUE(IsValidPluginName("group_map"));
  EXPECT_TRUE(IsValidPluginName("attr-rules2"));
  EXPECT_FALSE(IsValidPluginName(""));
  EXPECT_FALSE(IsValidPluginName("a.b"));
  EXPECT_FALSE(IsValidPluginName("a/b"));
  EXPECT_FALSE(IsValidPluginName(".."));
  EXPECT_FALSE(IsValidPluginName(std::string(65, 'a')));
}

using testutil::TempDir;

TEST(PolicySetLoad, MarksAnInvalidFileFailedNamingTheFile) {
  TempDir dir;
  dir.Write("bad.json", R"({"name":"bad","plugin":"group_map","priority":1,"config":{},"x":1})");
  auto set = PolicySet::Load(dir.path(), testutil::kPluginDir);
  ASSERT_EQ(set->Statuses().size(), 1u);
  const PolicyStatus& st = set->Statuses()[0];
  EXPECT_FALSE(st.ok);
  EXPECT_EQ(st.name, "bad");
  EXPECT_THAT(st.error, HasSubstr(dir.path() + "/bad.json"));
  EXPECT_THAT(st.error, HasSubstr("unknown field \"x\""));
}

TEST(PolicySetLoad, RefusesADuplicateNameButKeepsTheFirst) {
  TempDir dir;
  const nlohmann::json config = {{"rules", {{{"group", "T"}, {"subscription", "s"}}}}};
  dir.Write("a.json", nlohmann::json{{"name", "same"}, {"plugin", "group_map"},
                                     {"priority", 1}, {"config", config}}.dump());
  dir.Write("b.json", nlohmann::json{{"name", "same"}, {"plugin", "group_map"},
                                     {"priority", 2}, {"config", config}}.dump());
  auto set = PolicySet::Load(dir.path(), testutil::kPluginDir);
  ASSERT_EQ(set->Statuses().size(), 2u);
  EXPECT_TRUE(set->Statuses()[0].ok) << set->Statuses()[0].error;
  EXPECT_FALSE(set->Statuses()[1].ok);
  EXPECT_THAT(set->Statuses()[1].error, HasSubstr("duplicate policy name \"same\""));
  EXPECT_THAT(set->Statuses()[1].error, HasSubstr("a.json"));
}

TEST(PolicySetLoad, LoadsFilesSortedByNameAndIgnoresOthers) {
  TempDir dir;
  dir.Write("b.json", "{}");
  dir.Write("a.json", "{}");
  dir.Write("notes.txt", "not a policy");
  auto set = PolicySet::Load(dir.path(), testutil::kPluginDir);
  ASSERT_EQ(set->Statuses().size(), 2u);
  EXPECT_EQ(set->Statuses()[0].name, "a");
  EXPECT_EQ(set->Statuses()[1].name, "b");
}

TEST(PolicySetLoad, MissingDirectoryGivesAnEmptySet) {
  auto set = PolicySet::Load("/nonexistent/allot/policies", testutil::kPluginDir);
  EXPECT_THAT(set->Statuses(), IsEmpty());
}

TEST(PolicySetLoad, StampsLoadedAtInRfc3339Utc) {
  TempDir dir;
  dir.Write("a.json", "{}");
  auto set = PolicySet::Load(dir.path(), testutil::kPluginDir);
  ASSERT_EQ(set->Statuses().size(), 1u);
  EXPECT_THAT(set->Statuses()[0].loaded_at,
              ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
}

TEST(PolicySetLoad, ShippedExamplePoliciesLoad) {
  auto set = PolicySet::Load(testutil::kPoliciesDir, testutil::kPluginDir);
  ASSERT_GE(set->Statuses().size(), 2u);
  for (const PolicyStatus& st : set->Statuses()) EXPECT_TRUE(st.ok) << st.error;
}

}  // namespace
}  // namespace allot::policy
