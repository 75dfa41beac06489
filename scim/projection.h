// scim/projection.h — `attributes` and `excludedAttributes` (RFC 7644
// §3.4.2.5, §3.9) applied to a resource about to be returned.
//
// Rules: attributes with returned "always" (id, meta, and `schemas`) are
// always present; "never" (password) never; "request" only when named in
// `attributes`; "default" unless excluded, or, when `attributes` is given,
// only if named. Names are case-insensitive, URN-qualified names select
// extension attributes, `name.givenName` selects one sub-attribute, and a
// bare extension URN selects (or excludes) the whole extension. Unknown
// names are ignored. When both lists are given, `attributes` wins.
// Thread-safety: a Projection is an immutable value; functions are pure.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "scim/schema.h"

namespace scim {

struct Projection {
  // Resolved names from `attributes` (empty: no restriction).
  std::vector<ResolvedAttribute> attributes;
  std::vector<const Schema*> attribute_extensions;  // whole extensions named
  // Resolved names from `excludedAttributes`.
  std::vector<ResolvedAttribute> excluded;
  std::vector<const Schema*> excluded_extensions;
  bool has_attributes = false;  // `attributes` was given and not empty
};

// Parses the two comma-separated lists (either may be empty). Fails with
// invalidPath for a malformed name; unknown names are dropped.
Result<Projection> ParseProjection(const ResourceType& type, std::string_view attributes,
                                   std::string_view excluded_attributes);

// Returns `resource` reduced per the projection and the returned rules.
nlohmann::json ApplyProjection(const ResourceType& type, const Projection& projection,
                               const nlohmann::json& resource);

// True when the output will contain `attr_name` (a core attribute such as
// "members"), so the server can avoid loading what is not returned.
bool IsReturned(const ResourceType& type, const Projection& projection, std::string_view attr_name);

}  // namespace scim
