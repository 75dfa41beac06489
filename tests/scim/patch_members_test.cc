#include "scim/patch_members.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

using nlohmann::json;
using Kind = MemberChange::Kind;

const ResourceType& Group() { return *DefaultRegistry().FindResourceType("Group"); }

GroupPatchPlan Plan(const std::string& ops) {
  auto req = ParsePatchRequest(
      json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":)" + ops + "}"));
  EXPECT_TRUE(req) << req.error().detail;
  auto plan = PlanGroupPatch(Group(), *req);
  EXPECT_TRUE(plan) << plan.error().detail;
  return plan ? *plan : GroupPatchPlan{};
}

TEST(GroupPatchPlan, AddBecomesAddChange) {
  auto p = Plan(R"([{"op":"Add","path":"members","value":[{"value":"u1","$ref":null},{"value":"u2"},{"value":"u1"}]}])");
  ASSERT_EQ(p.member_changes.size(), 1u);
  EXPECT_EQ(p.member_changes[0].kind, Kind::kAdd);
  EXPECT_EQ(json(p.member_changes[0].members), json::parse(R"([{"value":"u1"},{"value":"u2"}])"));
  EXPECT_TRUE(p.other.operations.empty());
  EXPECT_FALSE(p.needs_member_list);
}

TEST(GroupPatchPlan, RemoveByFilterBecomesRemoveChange) {
  auto p = Plan(R"([{"op":"Remove","path":"members[value eq \"u1\"]"}])");
  ASSERT_EQ(p.member_changes.size(), 1u);
  EXPECT_EQ(p.member_changes[0].kind, Kind::kRemove);
  EXPECT_EQ(p.member_changes[0].ids, std::vector<std::string>{"u1"});
}

TEST(GroupPatchPlan, RemoveByOrFilterCollectsIds) {
  auto p = Plan(R"([{"op":"remove","path":"members[value eq \"a\" or value eq \"b\" or value eq \"a\"]"}])");
  EXPECT_EQ(p.member_changes[0].ids, (std::vector<std::string>{"a", "b"}));
}

TEST(GroupPatchPlan, LegacyRemoveWithValueList) {
  auto p = Plan(R"([{"op":"Remove","path":"members","value":[{"value":"u1"},{"value":"u2"}]}])");
  EXPECT_EQ(p.member_changes[0].kind, Kind::kRemove);
  EXPECT_EQ(p.member_changes[0].ids, (std::vector<std::string>{"u1", "u2"}));
}

TEST(GroupPatchPlan, RemoveWithoutValueRemovesAll) {
  EXPECT_EQ(Plan(R"([{"op":"remove","path":"members"}])").member_changes[0].kind, Kind::kRemoveAll);
}

TEST(GroupPatchPlan, ReplaceBecomesReplaceAll) {
  auto p = Plan(R"([{"op":"replace","path":"members","value":[{"value":"u9"}]}])");
  EXPECT_EQ(p.member_changes[0].kind, Kind::kReplaceAll);
  EXPECT_EQ(p.member_changes[0].members.size(), 1u);
}

TEST(GroupPatchPlan, OktaRequestSplitsRenameFromMembership) {
  auto p = Plan(R"([{"op":"replace","value":{"id":"g1","displayName":"Staff"}},
      {"op":"remove","path":"members[value eq \"u2\"]"},
      {"op":"add","path":"members","value":[{"value":"u4"}]}])");
  ASSERT_EQ(p.other.operations.size(), 1u);
  EXPECT_EQ(p.other.operations[0].value, json::parse(R"({"id":"g1","displayName":"Staff"})"));
  ASSERT_EQ(p.member_changes.size(), 2u);
  EXPECT_EQ(p.member_changes[0].kind, Kind::kRemove);
  EXPECT_EQ(p.member_changes[1].kind, Kind::kAdd);
}

TEST(GroupPatchPlan, NoPathValueWithMembersIsSplit) {
  auto p = Plan(R"([{"op":"replace","value":{"displayName":"X","members":[{"value":"u1"}]}}])");
  EXPECT_EQ(p.other.operations[0].value, json::parse(R"({"displayName":"X"})"));
  EXPECT_EQ(p.member_changes[0].kind, Kind::kReplaceAll);
}

TEST(GroupPatchPlan, OtherMemberFiltersNeedTheMemberList) {
  EXPECT_TRUE(Plan(R"([{"op":"remove","path":"members[display eq \"x\"]"}])").needs_member_list);
  EXPECT_TRUE(Plan(R"([{"op":"remove","path":"members[value eq \"x\" and type eq \"User\"]"}])").needs_member_list);
  EXPECT_TRUE(Plan(R"([{"op":"replace","path":"members[value eq \"x\"].display","value":"d"}])").needs_member_list);
}

TEST(GroupPatchPlan, RejectsMemberWithoutValue) {
  auto req = ParsePatchRequest(json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      "Operations":[{"op":"add","path":"members","value":[{"display":"x"}]}]})"));
  auto plan = PlanGroupPatch(Group(), *req);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().scim_type, "invalidValue");
}

TEST(GroupPatchPlan, LargeAddIsCheap) {
  json members = json::array();
  for (int i = 0; i < 10000; ++i) members.push_back({{"value", "u" + std::to_string(i)}});
  PatchRequest req;
  req.operations.push_back(PatchOperation{PatchOpType::kAdd, *ParsePath("members"), members});
  auto plan = PlanGroupPatch(Group(), req);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->member_changes[0].members.size(), 10000u);
}

}  // namespace
}  // namespace scim
