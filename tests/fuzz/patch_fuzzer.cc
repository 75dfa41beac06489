// Fuzzes the PATCH engine with a request body. Properties: no crash and no
// exception; on success the result is a JSON object that still has its id
// and required attribute and serialises; applying is deterministic; the
// Group plan never fails where ApplyPatch succeeds on a member-less group
// for a reason other than members; errors render.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scim/json_parse.h"
#include "scim/patch.h"
#include "scim/patch_members.h"
#include "scim/schema.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void ApplyTo(const scim::ResourceType& type, const scim::PatchRequest& request, const nlohmann::json& resource,
             const char* required) {
  scim::Result<scim::PatchOutcome> out = scim::ApplyPatch(type, request, resource);
  if (!out) {
    allot_fuzz::CheckErrorRenders(out.error());
    return;
  }
  FUZZ_CHECK(out->resource.is_object(), "result is not an object");
  FUZZ_CHECK(out->resource["id"] == resource["id"], "id changed");
  FUZZ_CHECK(out->resource.contains(required), std::string("lost ") + required);
  FUZZ_CHECK(out->changed == (out->resource != resource), "changed flag is wrong");
  (void)out->resource.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  scim::Result<scim::PatchOutcome> again = scim::ApplyPatch(type, request, resource);
  FUZZ_CHECK(again && again->resource == out->resource, "not deterministic");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // As the server does: bodies nested deeper than the limit never get here.
  nlohmann::json body;
  if (scim::ParseJsonBounded(text, &body) != scim::JsonParseStatus::kOk) return 0;
  scim::Result<scim::PatchRequest> request = scim::ParsePatchRequest(body);
  if (!request) {
    allot_fuzz::CheckErrorRenders(request.error());
    return 0;
  }
  static const nlohmann::json user = nlohmann::json::parse(R"({
      "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"bjensen","active":true,
      "name":{"givenName":"B","familyName":"J"},"emails":[{"value":"b@x","type":"work","primary":true}],
      "groups":[{"value":"g1"}],"meta":{"version":"W/\"1\""}})");
  static const nlohmann::json group = nlohmann::json::parse(R"({
      "schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g1","displayName":"Teachers",
      "members":[{"value":"u1"},{"value":"u2","display":"x"}]})");
  const scim::Registry& registry = scim::DefaultRegistry();
  ApplyTo(*registry.FindResourceType("User"), *request, user, "userName");
  const scim::ResourceType& group_type = *registry.FindResourceType("Group");
  ApplyTo(group_type, *request, group, "displayName");
  scim::Result<scim::GroupPatchPlan> plan = scim::PlanGroupPatch(group_type, *request);
  if (!plan) {
    allot_fuzz::CheckErrorRenders(plan.error());
  } else if (!plan->needs_member_list) {
    nlohmann::json no_members = group;
    no_members.erase("members");
    ApplyTo(group_type, plan->other, no_members, "displayName");
  }
  return 0;
}
