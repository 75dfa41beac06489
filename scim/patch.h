// scim/patch.h — PATCH (RFC 7644 §3.5.2): parsing a PatchOp request and
// applying it to a resource, with the quirks of real clients.
//
// Accepted as real IdPs send them (CONTRACT.md): op names in any case;
// booleans as strings; add/replace without path whose value keys are
// attribute paths, also URN-qualified or with value filters; Okta's
// {"op":"replace","value":{"id":…,"displayName":…}} (a readOnly attribute
// given with its current value is ignored); legacy member removal
// {"op":"remove","path":"members","value":[{"value":"id"}]}; "$ref": null.
//
// Decisions where the RFC is silent or real clients disagree with it:
// - add to a multi-valued attribute skips values already present (members and
//   other attributes whose "value" is immutable compare by "value"; others by
//   the whole element), so adding an existing member changes nothing;
// - add, and replace with a sub-attribute (`emails[type eq "work"].value`),
//   on a value filter that matches nothing creates the element from the
//   filter's `eq` terms ({"type":"work","value":…}); later ops on the same
//   filter then find and merge into that one element. A filter that is not a
//   conjunction of `eq` terms gives noTarget; so does replace without
//   sub-attribute on a filter that matches nothing (RFC);
// - remove on a value filter that matches nothing, or of a value that is not
//   there, succeeds without change (idempotent: IdPs retry removals);
// - remove without path fails with noTarget (RFC);
// - attribute paths naming no attribute of the resource type are ignored,
//   like unknown attributes on POST (IdPs send custom extension attributes);
// - readOnly targets fail with mutability unless the value given equals the
//   current one; immutable ones may only be set when unassigned;
// - `password` is accepted and dropped (allot stores no passwords);
// - the result must still have its required attributes (invalidValue).
// Thread-safety: pure functions over values.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "scim/path.h"
#include "scim/schema.h"

namespace scim {

inline constexpr std::string_view kPatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

enum class PatchOpType { kAdd, kRemove, kReplace };

struct PatchOperation {
  PatchOpType op = PatchOpType::kAdd;
  std::optional<Path> path;  // absent: the target is the resource itself
  nlohmann::json value;      // null when the request had none
};

struct PatchRequest {
  std::vector<PatchOperation> operations;
};

// Parses a PatchOp body. Fails with invalidSyntax when it is not an object,
// its `schemas` lacks the PatchOp URN, `Operations` is not an array or an op
// is malformed or unknown; invalidValue when `Operations` is empty or add /
// replace has no value; invalidPath for a bad path.
Result<PatchRequest> ParsePatchRequest(const nlohmann::json& body);

struct PatchOutcome {
  nlohmann::json resource;  // the patched resource
  bool changed = false;     // false: the server may skip the write and version bump
};

// Applies all operations, in order, to a copy of `resource` (a stored,
// normalised resource; include its "id" so Okta's echoed id is recognised).
// All or nothing: on failure nothing is returned but the error, and the
// caller's resource is untouched. `id` and `meta` are never changed.
Result<PatchOutcome> ApplyPatch(const ResourceType& type, const PatchRequest& request,
                                const nlohmann::json& resource);

}  // namespace scim
