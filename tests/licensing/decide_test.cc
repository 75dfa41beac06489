// The decision function, table-driven: no database.
#include "server/licensing/decide.h"

#include <gtest/gtest.h>

namespace allot::licensing {
namespace {

struct Case {
  const char* name;
  bool live;
  std::vector<PolicyGrantIn> grants;
  std::vector<OverrideIn> overrides;
  FamilyMap families;
  std::vector<Wanted> want;
};

constexpr auto G = OverrideKind::kGrant;
constexpr auto D = OverrideKind::kDeny;

class DecideTable : public ::testing::TestWithParam<Case> {};

TEST_P(DecideTable, GivesTheDesiredLicenses) {
  const Case& c = GetParam();
  EXPECT_EQ(Decide(c.live, c.grants, c.overrides, c.families), c.want) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Decide, DecideTable,
    ::testing::Values(
        Case{"InactiveUserGetsNothing", false, {{"p", 1, "a"}}, {{"b", G}}, {}, {}},
        Case{"NoGrantsNoLicenses", true, {}, {}, {}, {}},
        Case{"PolicyGrantGivesLicense", true, {{"p", 1, "a"}}, {}, {}, {{"a", {"policy:p"}}}},
        Case{"TwoPoliciesOneLicenseBothSources", true, {{"p", 1, "a"}, {"q", 2, "a"}}, {}, {},
             {{"a", {"policy:p", "policy:q"}}}},
        Case{"DenyRemovesPolicyGrant", true, {{"p", 1, "a"}}, {{"a", D}}, {}, {}},
        Case{"DenyLeavesOtherGrants", true, {{"p", 1, "a"}, {"p", 1, "b"}}, {{"a", D}}, {},
             {{"b", {"policy:p"}}}},
        Case{"GrantOverrideWithoutPolicy", true, {}, {{"a", G}}, {}, {{"a", {"admin"}}}},
        Case{"GrantOverrideAndPolicyMergeSources", true, {{"p", 1, "a"}}, {{"a", G}}, {},
             {{"a", {"admin", "policy:p"}}}},
        Case{"FamilyHighestPriorityWins", true, {{"lo", 1, "a"}, {"hi", 9, "b"}}, {},
             {{"a", "f"}, {"b", "f"}}, {{"b", {"policy:hi"}}}},
        Case{"FamilyTieGoesToLowestSubscriptionId", true, {{"p", 5, "b"}, {"q", 5, "a"}}, {},
             {{"a", "f"}, {"b", "f"}}, {{"a", {"policy:q"}}}},
        Case{"FamilyGrantOverrideBeatsAnyPolicy", true, {{"hi", 99, "b"}}, {{"a", G}},
             {{"a", "f"}, {"b", "f"}}, {{"a", {"admin"}}}},
        Case{"FamilyDoesNotTouchOtherFamilies", true, {{"p", 1, "a"}, {"p", 1, "c"}}, {},
             {{"a", "f"}, {"c", "g"}}, {{"a", {"policy:p"}}, {"c", {"policy:p"}}}},
        Case{"FamilyDeniedWinnerLetsNextWin", true, {{"hi", 9, "b"}, {"lo", 1, "a"}},
             {{"b", D}}, {{"a", "f"}, {"b", "f"}}, {{"a", {"policy:lo"}}}},
        Case{"FamilyWinnerSourcesFromEveryGrantingPolicy", true,
             {{"hi", 9, "b"}, {"lo", 1, "b"}, {"mid", 5, "a"}}, {}, {{"a", "f"}, {"b", "f"}},
             {{"b", {"policy:hi", "policy:lo"}}}}),
    [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace allot::licensing
