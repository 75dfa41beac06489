// scim/filter_eval.h — evaluates a filter AST against a resource in memory,
// and resolves the attribute paths of a filter against a resource type.
//
// Semantics (RFC 7644 §3.4.2.2, and decisions where it is silent):
// - string comparisons honour the attribute's caseExact; unknown attributes
//   compare case-insensitively;
// - dateTime attributes compare as instants; numbers numerically; booleans
//   only with eq/ne; gt/ge/lt/le on booleans, co/sw/ew on non-strings never
//   match;
// - a multi-valued attribute matches when any of its values matches; for a
//   multi-valued complex attribute without sub-attribute (`emails co "@x"`)
//   the "value" sub-attribute is compared;
// - `ne` is the negation of `eq` (so it matches a resource without the
//   attribute); `eq null` matches an unassigned attribute;
// - `pr` is false for null, "", [] and {};
// - a path naming no attribute of the resource type matches nothing.
// Thread-safety: pure functions.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "scim/filter.h"
#include "scim/schema.h"

namespace scim {

// True when `resource` (a stored resource: core attributes at the top,
// extension attributes under their schema URN) matches `filter`.
bool Matches(const FilterNode& filter, const nlohmann::json& resource, const ResourceType& type);

// True when one value of a multi-valued complex attribute `attr` (an object)
// matches `filter`, whose paths are sub-attribute names (as inside `[...]`).
bool MatchesElement(const FilterNode& filter, const nlohmann::json& element, const Attribute& attr);

// Checks that every path in `filter` names an attribute of `type`, and
// returns them in the order they appear (for a value path, the inner
// comparisons resolve to sub-attributes of the outer attribute). Fails with
// invalidFilter naming the first unknown attribute. The SQL translator uses
// this to pick columns and caseExact.
Result<std::vector<ResolvedAttribute>> ResolveFilter(const FilterNode& filter, const ResourceType& type);

// Resolves one comparison/presence path of a filter; inside a value path
// pass the outer attribute as `outer` (its sub-attributes are then searched).
Result<ResolvedAttribute> ResolveFilterPath(const AttrPath& path, const ResourceType& type,
                                            const AttrPath* outer = nullptr);

}  // namespace scim
