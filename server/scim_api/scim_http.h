// server/scim_api/scim_http.h — what every SCIM handler does around its
// domain call: parse the JSON body, parse list and projection parameters,
// render SCIM errors and resources with their headers.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "scim/projection.h"
#include "scim/schema.h"
#include "server/http/types.h"
#include "server/scim_api/records.h"
#include "server/scim_api/routes.h"

namespace allot::scim_api {

inline constexpr const char* kScimContentType = "application/scim+json";
inline constexpr long long kDefaultCount = 100;
inline constexpr long long kMaxCount = 1000;
inline constexpr int kMaxBulkOperations = 1000;

// The RFC 7644 §3.12 body for `error`.
void RenderScimError(const scim::Error& error, http::Response& res);

// The request body as a JSON object (invalidSyntax otherwise).
scim::Result<nlohmann::json> ParseBody(const http::Request& req);

// Who is calling, for the store and the listener.
Caller CallerOf(const http::Request& req, const ScimApiDeps& deps);

// A list request: paging, filter, sort, projection.
struct ListRequest {
  ListQuery query;
  std::optional<scim::Projection> projection;  // for `type` (null type: not parsed)
  std::string attributes;            // raw lists, for the root .search (per type)
  std::string excluded_attributes;
  bool has_projection = false;
  bool count_zero = false;
};

// From the query string (GET) …
scim::Result<ListRequest> ListRequestFromQuery(const http::Request& req,
                                               const scim::ResourceType* type);
// … or from a SearchRequest body (POST .search, RFC 7644 §3.4.3).
scim::Result<ListRequest> ListRequestFromSearch(const nlohmann::json& body,
                                                const scim::ResourceType* type);

// `attributes` / `excludedAttributes` of the query string; nullopt when
// neither is given (the resource is then spliced, not projected).
scim::Result<std::optional<scim::Projection>> ProjectionFromQuery(const http::Request& req,
                                                                  const scim::ResourceType& type);

// True when `attr` ("groups", "members") is in the output.
bool Returned(const std::optional<scim::Projection>& projection, const scim::ResourceType& type,
              const char* attr);

// Sets a resource response: status, body, ETag and (for 201) Location.
void RenderResource(int status, std::string body, long long version, const std::string& location,
                    http::Response& res);

}  // namespace allot::scim_api
