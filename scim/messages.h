// scim/messages.h — response bodies of RFC 7644: the error body (§3.12) and
// the ListResponse (§3.4.2).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/error.h"

namespace scim {

inline constexpr std::string_view kErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";
inline constexpr std::string_view kListResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

// {"schemas":[Error URN],"status":"400","scimType":"invalidFilter","detail":…};
// status is a string as the RFC requires, scimType only when non-empty.
nlohmann::json ErrorBody(const Error& error);

// {"schemas":[ListResponse URN],"totalResults":n,"itemsPerPage":resources.size(),
//  "startIndex":start_index,"Resources":[…]} with integers as integers.
// Takes ownership of `resources`.
nlohmann::json ListResponse(std::vector<nlohmann::json> resources, int64_t total_results, int64_t start_index);

}  // namespace scim
