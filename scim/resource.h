// scim/resource.h — validation and normalisation of resources sent with POST
// (create) and PUT (replace), RFC 7643 §2 and RFC 7644 §3.3, §3.5.1.
//
// The normalised resource is what the server stores: attribute names in the
// schema's case, core attributes at the top level, extension attributes in an
// object under the extension's URN, `schemas` listing the core schema and the
// extensions that hold data, without `id` and `meta` (the server manages them).
// Rules applied:
// - unknown attributes and unknown schemas (Entra adds some on Group POST)
//   are ignored, as RFC 7644 §3.3 allows;
// - readOnly attributes in the input (id, meta, groups, …) are ignored (Okta
//   sends "groups": []);
// - `password` (writeOnly) is type-checked and then STRIPPED: allot does not
//   store passwords, so it is never returned either;
// - values are type-checked and coerced (scim/value.h); required attributes
//   (userName, Group displayName) must be present and non-empty.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "scim/schema.h"

namespace scim {

// Parses a request body that must be a JSON object, nested at most
// kMaxJsonDepth levels (scim/json_parse.h). Fails with invalidSyntax.
Result<nlohmann::json> ParseJsonObject(std::string_view body);

// Validates a POST body. Returns the normalised resource; fails with
// invalidSyntax (not an object, bad `schemas`) or invalidValue (wrong type,
// missing required attribute), the detail naming the attribute.
Result<nlohmann::json> NormalizeForCreate(const ResourceType& type, const nlohmann::json& input);

// Validates a PUT body against the stored resource `existing`. readWrite
// attributes left out are cleared; readOnly ones are kept from `existing`;
// immutable ones are kept when left out and fail with mutability when given
// with another value. Same failures as NormalizeForCreate otherwise.
Result<nlohmann::json> NormalizeForReplace(const ResourceType& type, const nlohmann::json& input,
                                           const nlohmann::json& existing);

// Fails with invalidValue naming the first required, client-settable
// attribute that is missing or empty in `resource`.
Status CheckRequired(const ResourceType& type, const nlohmann::json& resource);

// Rewrites resource["schemas"] to the core schema plus the extensions that
// hold data, and drops empty extension objects.
void RefreshSchemas(const ResourceType& type, nlohmann::json* resource);

}  // namespace scim
