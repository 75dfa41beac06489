// scim/json_access.h — internal helpers to find attributes in resource JSON
// whatever the case of their keys (RFC 7643 §2.1). Not part of the API.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "scim/schema.h"

namespace scim::internal {

// The member of `object` whose key equals `key` in any case, or nullptr
// (also when `object` is not an object). Exact matches are found first.
const nlohmann::json* FindMember(const nlohmann::json& object, std::string_view key);
nlohmann::json* FindMember(nlohmann::json& object, std::string_view key);

// The object holding `resolved`'s attribute in `resource`: the resource
// itself, or its extension object (nullptr when absent).
const nlohmann::json* Container(const nlohmann::json& resource, const ResolvedAttribute& resolved);

// The attribute's value in `resource`, or nullptr.
const nlohmann::json* AttributeValue(const nlohmann::json& resource, const ResolvedAttribute& resolved);

// ASCII lower-case copy.
std::string Lower(std::string_view s);

}  // namespace scim::internal
