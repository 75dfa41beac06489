// scim/patch_members.h — splits a Group PATCH into membership changes and
// the rest, so the server can apply membership as row operations without
// loading a large group's members into JSON.
//
// Membership operations handled without the member list:
//   add "members" (path or no-path value key)   → kAdd
//   replace "members" (path or no-path key)     → kReplaceAll
//   remove "members" without value              → kRemoveAll
//   remove "members" with [{"value":…}] list    → kRemove (legacy form)
//   remove members[value eq "x"] and or-chains of `value eq` → kRemove
// Any other operation on members (a sub-attribute path, another filter,
// replace with a filter) sets needs_member_list: the server must then load
// the members and use ApplyPatch on the whole request instead.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/patch.h"
#include "scim/schema.h"

namespace scim {

struct MemberChange {
  enum class Kind { kAdd, kRemove, kRemoveAll, kReplaceAll };
  Kind kind = Kind::kAdd;
  // kAdd, kReplaceAll: normalised member objects ({"value", "$ref"?,
  // "display"?, "type"?}), de-duplicated by value within this change.
  std::vector<nlohmann::json> members;
  // kRemove: member ids (the "value"s), de-duplicated.
  std::vector<std::string> ids;
};

struct GroupPatchPlan {
  // Membership changes in request order; adding a present member or removing
  // an absent one must change nothing (the server's row operations decide).
  std::vector<MemberChange> member_changes;
  // The remaining operations, to ApplyPatch to the group without members.
  PatchRequest other;
  // True when some membership operation cannot be expressed above; then
  // member_changes and other are incomplete and must not be used.
  bool needs_member_list = false;
};

// Splits `request` for the Group resource type `group`. Member objects are
// validated as ApplyPatch would (invalidValue for a member without value).
// Costs O(number of members in the request).
Result<GroupPatchPlan> PlanGroupPatch(const ResourceType& group, const PatchRequest& request);

}  // namespace scim
