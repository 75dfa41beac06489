#include "scim/patch.h"

#include <gtest/gtest.h>

namespace scim {
namespace {

using nlohmann::json;

const ResourceType& User() { return *DefaultRegistry().FindResourceType("User"); }
const ResourceType& Group() { return *DefaultRegistry().FindResourceType("Group"); }

json J(const char* text) { return json::parse(text); }

json Body(const std::string& ops) {
  return json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":)" + ops + "}");
}

const char* kUser = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"bjensen",
  "active":true,"name":{"givenName":"Barbara","familyName":"Jensen"},
  "emails":[{"value":"b@work.com","type":"work","primary":true},{"value":"b@home.org","type":"home"}],
  "groups":[{"value":"g1"}],"meta":{"version":"W/\"1\""}})";
const char* kGroup = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"Teachers",
  "members":[{"value":"u1"},{"value":"u2"}]})";

Result<PatchOutcome> Patch(const ResourceType& type, const char* resource, const std::string& ops) {
  Result<PatchRequest> req = ParsePatchRequest(Body(ops));
  if (!req) return Fail(req.error());
  return ApplyPatch(type, *req, J(resource));
}

json PatchOk(const ResourceType& type, const char* resource, const std::string& ops) {
  auto r = Patch(type, resource, ops);
  EXPECT_TRUE(r) << ops << ": " << r.error().scim_type << " " << r.error().detail;
  return r ? r->resource : json();
}

std::string PatchError(const ResourceType& type, const char* resource, const std::string& ops) {
  auto r = Patch(type, resource, ops);
  EXPECT_FALSE(r) << ops;
  return r ? "" : r.error().scim_type;
}

// --- Parsing ---

TEST(PatchParse, RequiresPatchOpSchema) {
  auto r = ParsePatchRequest(J(R"({"schemas":["urn:x"],"Operations":[{"op":"add","path":"title","value":"x"}]})"));
  EXPECT_EQ(r.error().scim_type, "invalidSyntax");
  EXPECT_EQ(ParsePatchRequest(J(R"({"Operations":[]})")).error().scim_type, "invalidSyntax");
}

TEST(PatchParse, RequiresOperationsArray) {
  EXPECT_EQ(ParsePatchRequest(J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})")).error().scim_type,
            "invalidSyntax");
  EXPECT_EQ(ParsePatchRequest(Body("{}")).error().scim_type, "invalidSyntax");
}

TEST(PatchParse, RejectsEmptyOperations) { EXPECT_EQ(ParsePatchRequest(Body("[]")).error().scim_type, "invalidValue"); }

TEST(PatchParse, RejectsNonObjectBody) { EXPECT_EQ(ParsePatchRequest(J("[]")).error().scim_type, "invalidSyntax"); }

TEST(PatchParse, AcceptsOpNamesInAnyCase) {
  auto r = ParsePatchRequest(Body(R"([{"op":"Replace","path":"title","value":"x"},{"op":"ADD","path":"title","value":"y"},
      {"op":"Remove","path":"title"}])"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->operations[0].op, PatchOpType::kReplace);
  EXPECT_EQ(r->operations[1].op, PatchOpType::kAdd);
  EXPECT_EQ(r->operations[2].op, PatchOpType::kRemove);
}

TEST(PatchParse, RejectsUnknownOp) {
  auto r = ParsePatchRequest(Body(R"([{"op":"move","path":"title","value":"x"}])"));
  EXPECT_EQ(r.error().scim_type, "invalidSyntax");
  EXPECT_EQ(r.error().detail, "Operations[0] has unknown op 'move' (add, remove or replace)");
}

TEST(PatchParse, RejectsMissingValueForAdd) {
  EXPECT_EQ(ParsePatchRequest(Body(R"([{"op":"add","path":"title"}])")).error().scim_type, "invalidValue");
}

TEST(PatchParse, RejectsBadPath) {
  EXPECT_EQ(ParsePatchRequest(Body(R"([{"op":"add","path":"emails[type eq","value":"x"}])")).error().scim_type,
            "invalidPath");
  EXPECT_EQ(ParsePatchRequest(Body(R"([{"op":"add","path":5,"value":"x"}])")).error().scim_type, "invalidPath");
}

// --- Simple attributes ---

TEST(Patch, ReplacesSimpleAttribute) {
  EXPECT_EQ(PatchOk(User(), kUser, R"([{"op":"replace","path":"userName","value":"babs"}])")["userName"], "babs");
}

TEST(Patch, CoercesBooleanStringFromEntra) {
  auto out = PatchOk(User(), kUser, R"([{"op":"Replace","path":"active","value":"False"}])");
  EXPECT_EQ(out["active"], false);
}

TEST(Patch, ReplacesWithoutPathFromOkta) {
  auto out = PatchOk(User(), kUser, R"([{"op":"replace","value":{"active":false}}])");
  EXPECT_EQ(out["active"], false);
}

TEST(Patch, ReplacesAttributePathKeysWithoutPathFromEntra) {
  auto out = PatchOk(User(), kUser, R"([{"op":"replace","value":{"name.givenName":"Babs",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"42"}}])");
  EXPECT_EQ(out["name"], J(R"({"givenName":"Babs","familyName":"Jensen"})"));
  EXPECT_EQ(out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], J(R"({"employeeNumber":"42"})"));
  EXPECT_EQ(out["schemas"], J(R"(["urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"])"));
}

TEST(Patch, AddsExtensionObjectWithoutPath) {
  auto out = PatchOk(User(), kUser, R"([{"op":"add","value":{
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}}}])");
  EXPECT_EQ(out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"], "Sales");
}

TEST(Patch, SetsUrnQualifiedSubAttribute) {
  auto out = PatchOk(User(), kUser, R"([{"op":"add",
      "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value","value":"m1"}])");
  EXPECT_EQ(out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], J(R"({"manager":{"value":"m1"}})"));
}

TEST(Patch, AcceptsManagerAsPlainStringFromEntra) {
  auto out = PatchOk(User(), kUser, R"([{"op":"Add",
      "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m2"}])");
  EXPECT_EQ(out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], J(R"({"manager":{"value":"m2"}})"));
}

TEST(Patch, ReplaceOfComplexMergesSubAttributes) {
  auto out = PatchOk(User(), kUser, R"([{"op":"replace","path":"name","value":{"givenName":"B"}}])");
  EXPECT_EQ(out["name"], J(R"({"givenName":"B","familyName":"Jensen"})"));
}

TEST(Patch, ReplaceWithNullRemoves) {
  auto out = PatchOk(User(), kUser, R"([{"op":"replace","path":"name.givenName","value":null}])");
  EXPECT_EQ(out["name"], J(R"({"familyName":"Jensen"})"));
}

TEST(Patch, RemovesSimpleAttribute) {
  auto out = PatchOk(User(), kUser, R"([{"op":"remove","path":"name"}])");
  EXPECT_FALSE(out.contains("name"));
}

TEST(Patch, RemoveOfRequiredAttributeFails) {
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"remove","path":"userName"}])"), "invalidValue");
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"replace","path":"userName","value":""}])"), "invalidValue");
  EXPECT_EQ(PatchError(Group(), kGroup, R"([{"op":"remove","path":"displayName"}])"), "invalidValue");
}

TEST(Patch, RemoveWithoutPathFailsWithNoTarget) {
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"remove"}])"), "noTarget");
}

TEST(Patch, AddWithoutPathNeedsObjectValue) {
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"add","value":"x"}])"), "invalidValue");
}

TEST(Patch, RejectsWrongType) {
  auto r = Patch(User(), kUser, R"([{"op":"replace","path":"active","value":"maybe"}])");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().scim_type, "invalidValue");
  EXPECT_EQ(r.error().detail, "attribute 'active' must be of type boolean, got string");
}

TEST(Patch, IgnoresUnknownAttributes) {
  auto r = Patch(User(), kUser, R"([{"op":"add","path":"urn:example:custom:2.0:User:badge","value":"x"},
      {"op":"replace","value":{"shoeSize":44}}])");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->changed);
}

TEST(Patch, DropsPassword) {
  auto r = Patch(User(), kUser, R"([{"op":"replace","path":"password","value":"S3cret!"}])");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->changed);
  EXPECT_FALSE(r->resource.contains("password"));
}

// --- Mutability ---

TEST(Patch, ReadOnlyTargetFailsWithMutability) {
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"add","path":"groups","value":[{"value":"g2"}]}])"), "mutability");
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"replace","path":"id","value":"other"}])"), "mutability");
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"remove","path":"groups"}])"), "mutability");
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"add","path":"urn:allot:params:scim:schemas:extension:licensing:2.0:User:licenses",
      "value":[{"productId":"p"}]}])"), "mutability");
}

TEST(Patch, IgnoresEchoedIdFromOkta) {
  auto r = Patch(Group(), kGroup, R"([{"op":"replace","value":{"id":"g1","displayName":"Staff"}}])");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->resource["displayName"], "Staff");
  EXPECT_EQ(r->resource["id"], "g1");
}

TEST(Patch, RejectsDifferentIdWithoutPath) {
  EXPECT_EQ(PatchError(Group(), kGroup, R"([{"op":"replace","value":{"id":"g2","displayName":"Staff"}}])"),
            "mutability");
}

TEST(Patch, ImmutableSubAttributeCannotChange) {
  EXPECT_EQ(PatchError(Group(), kGroup, R"([{"op":"replace","path":"members[value eq \"u1\"].value","value":"u9"}])"),
            "mutability");
}

// --- Multi-valued ---

TEST(Patch, AddAppendsToMultiValued) {
  auto out = PatchOk(User(), kUser, R"([{"op":"add","path":"phoneNumbers","value":[{"value":"555","type":"work"}]}])");
  EXPECT_EQ(out["phoneNumbers"], J(R"([{"value":"555","type":"work"}])"));
}

TEST(Patch, AddOfPrimaryClearsOtherPrimaries) {
  auto out = PatchOk(User(), kUser, R"([{"op":"add","path":"emails","value":[{"value":"n@x","primary":true}]}])");
  EXPECT_EQ(out["emails"][0]["primary"], false);
  EXPECT_EQ(out["emails"][2], J(R"({"value":"n@x","primary":true})"));
}

TEST(Patch, ReplaceOfMultiValuedReplacesAll) {
  auto out = PatchOk(User(), kUser, R"([{"op":"replace","path":"emails","value":[{"value":"only@x"}]}])");
  EXPECT_EQ(out["emails"], J(R"([{"value":"only@x"}])"));
}

TEST(Patch, ReplacesSubAttributeOfFilteredValue) {
  auto out = PatchOk(User(), kUser, R"([{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@work.com"}])");
  EXPECT_EQ(out["emails"][0], J(R"({"value":"new@work.com","type":"work","primary":true})"));
}

TEST(Patch, AddToFilteredPathCreatesMissingElement) {
  const char* user = R"({"userName":"a"})";
  auto out = PatchOk(User(), user, R"([{"op":"add","path":"emails[type eq \"work\"].value","value":"a@work.com"}])");
  EXPECT_EQ(out["emails"], J(R"([{"type":"work","value":"a@work.com"}])"));
}

TEST(Patch, SeveralAddsToOneFilterMergeIntoOneElement) {
  const char* user = R"({"userName":"a"})";
  auto out = PatchOk(User(), user, R"([
      {"op":"Add","path":"addresses[type eq \"work\"].streetAddress","value":"1 Main St"},
      {"op":"Add","path":"addresses[type eq \"work\"].locality","value":"Springfield"},
      {"op":"Add","path":"addresses[type eq \"work\"].postalCode","value":"12345"}])");
  EXPECT_EQ(out["addresses"],
            J(R"([{"type":"work","streetAddress":"1 Main St","locality":"Springfield","postalCode":"12345"}])"));
}

TEST(Patch, ReplaceOfSubAttributeOnMissingFilteredElementCreatesIt) {
  const char* user = R"({"userName":"a"})";
  auto out = PatchOk(User(), user, R"([{"op":"Replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"555"}])");
  EXPECT_EQ(out["phoneNumbers"], J(R"([{"type":"mobile","value":"555"}])"));
}

TEST(Patch, ReplaceOfWholeFilteredElementWithoutMatchIsNoTarget) {
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"replace","path":"emails[type eq \"other\"]","value":{"value":"x"}}])"),
            "noTarget");
}

TEST(Patch, AddOnNonEqualityFilterWithoutMatchIsNoTarget) {
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"add","path":"emails[value co \"zzz\"].type","value":"home"}])"),
            "noTarget");
}

TEST(Patch, ReplacesWholeFilteredElement) {
  auto out = PatchOk(User(), kUser, R"([{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"n@h","type":"home"}}])");
  EXPECT_EQ(out["emails"][1], J(R"({"value":"n@h","type":"home"})"));
}

TEST(Patch, AddToMatchedFilteredElementMerges) {
  auto out = PatchOk(User(), kUser, R"([{"op":"add","path":"emails[type eq \"home\"]","value":{"display":"Home"}}])");
  EXPECT_EQ(out["emails"][1], J(R"({"value":"b@home.org","type":"home","display":"Home"})"));
}

TEST(Patch, PathNamingWholeExtensionSetsItsAttributes) {
  auto out = PatchOk(User(), kUser, R"([{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
      "value":{"department":"Ops","costCenter":"7"}}])");
  EXPECT_EQ(out["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"], J(R"({"department":"Ops","costCenter":"7"})"));
}

TEST(Patch, FilterOnSimpleAttributeIsInvalidPath) {
  EXPECT_EQ(PatchError(User(), kUser, R"([{"op":"add","path":"userName[value eq \"x\"]","value":"x"}])"), "invalidPath");
}

TEST(Patch, RemovesFilteredElements) {
  auto out = PatchOk(User(), kUser, R"([{"op":"remove","path":"emails[type eq \"home\"]"}])");
  EXPECT_EQ(out["emails"], J(R"([{"value":"b@work.com","type":"work","primary":true}])"));
}

TEST(Patch, RemovesSubAttributeOfFilteredElements) {
  auto out = PatchOk(User(), kUser, R"([{"op":"remove","path":"emails[type eq \"work\"].primary"}])");
  EXPECT_EQ(out["emails"][0], J(R"({"value":"b@work.com","type":"work"})"));
}

TEST(Patch, RemoveOfLastElementRemovesAttribute) {
  auto out = PatchOk(User(), kUser, R"([{"op":"remove","path":"emails[value pr]"}])");
  EXPECT_FALSE(out.contains("emails"));
}

// --- Group members ---

TEST(Patch, AddsMemberWithNullRef) {
  auto out = PatchOk(Group(), kGroup, R"([{"op":"Add","path":"members","value":[{"$ref":null,"value":"u3"}]}])");
  EXPECT_EQ(out["members"], J(R"([{"value":"u1"},{"value":"u2"},{"value":"u3"}])"));
}

TEST(Patch, AddingExistingMemberChangesNothing) {
  auto r = Patch(Group(), kGroup, R"([{"op":"add","path":"members","value":[{"value":"u1","display":"Babs"}]}])");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->changed);
  EXPECT_EQ(r->resource, J(kGroup));
}

TEST(Patch, RemovesMemberByFilter) {
  auto out = PatchOk(Group(), kGroup, R"([{"op":"Remove","path":"members[value eq \"u1\"]"}])");
  EXPECT_EQ(out["members"], J(R"([{"value":"u2"}])"));
}

TEST(Patch, RemovesMembersByLegacyValueList) {
  auto out = PatchOk(Group(), kGroup, R"([{"op":"Remove","path":"members","value":[{"value":"u2"},{"value":"u9"}]}])");
  EXPECT_EQ(out["members"], J(R"([{"value":"u1"}])"));
}

TEST(Patch, RemovingAbsentMemberIsIdempotent) {
  auto r = Patch(Group(), kGroup, R"([{"op":"remove","path":"members[value eq \"nobody\"]"}])");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->changed);
}

TEST(Patch, RemovesAllMembers) {
  auto out = PatchOk(Group(), kGroup, R"([{"op":"remove","path":"members"}])");
  EXPECT_FALSE(out.contains("members"));
}

TEST(Patch, OktaRenameWithMembershipChangesInOneRequest) {
  auto out = PatchOk(Group(), kGroup, R"([{"op":"replace","value":{"id":"g1","displayName":"Staff"}},
      {"op":"remove","path":"members[value eq \"u2\"]"},
      {"op":"add","path":"members","value":[{"value":"u4","display":"d"}]}])");
  EXPECT_EQ(out["displayName"], "Staff");
  EXPECT_EQ(out["members"], J(R"([{"value":"u1"},{"value":"u4","display":"d"}])"));
}

TEST(Patch, ReplacesMembersWhole) {
  auto out = PatchOk(Group(), kGroup, R"([{"op":"replace","path":"members","value":[{"value":"u7"}]}])");
  EXPECT_EQ(out["members"], J(R"([{"value":"u7"}])"));
}

TEST(Patch, MemberWithoutValueIsInvalid) {
  EXPECT_EQ(PatchError(Group(), kGroup, R"([{"op":"add","path":"members","value":[{"display":"x"}]}])"), "invalidValue");
}

// --- All or nothing, change detection ---

TEST(Patch, FailureLeavesNothingApplied) {
  json before = J(kUser);
  Result<PatchRequest> req = ParsePatchRequest(Body(R"([{"op":"replace","path":"title","value":"CEO"},
      {"op":"replace","path":"active","value":"nope"}])"));
  ASSERT_TRUE(req);
  auto r = ApplyPatch(User(), *req, before);
  ASSERT_FALSE(r);
  EXPECT_EQ(before, J(kUser));
}

TEST(Patch, ReportsNoChangeForSameValue) {
  auto r = Patch(User(), kUser, R"([{"op":"replace","path":"active","value":"true"}])");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->changed);
}

TEST(Patch, NeverChangesIdOrMeta) {
  auto r = Patch(User(), kUser, R"([{"op":"replace","value":{"meta":{"version":"x"}}}])");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->changed);
}

TEST(Patch, RemovingLastExtensionAttributeDropsExtensionSchema) {
  const char* user = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"a",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"x"}})";
  auto out = PatchOk(User(), user, R"([{"op":"remove",
      "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}])");
  EXPECT_EQ(out, J(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"})"));
}

TEST(Patch, LargeMemberAddIsLinear) {
  json group = J(R"({"displayName":"big","members":[]})");
  json add = json::array();
  for (int i = 0; i < 20000; ++i) {
    group["members"].push_back({{"value", "old" + std::to_string(i)}});
    add.push_back({{"value", "new" + std::to_string(i)}});
  }
  PatchRequest req;
  req.operations.push_back(PatchOperation{PatchOpType::kAdd, *ParsePath("members"), add});
  auto r = ApplyPatch(Group(), req, group);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->resource["members"].size(), 40000u);
}

}  // namespace
}  // namespace scim
