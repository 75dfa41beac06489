// scim/discovery.h — the discovery resources of RFC 7644 §4 / RFC 7643 §5–7:
// /ServiceProviderConfig, /ResourceTypes and /Schemas.
//
// `base_url` is the SCIM base the server is reached at, e.g.
// "https://host/scim/v2" (no trailing slash); it goes into meta.location.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scim/schema.h"

namespace scim {

struct ServiceProviderOptions {
  bool patch = true;
  bool bulk = true;
  int bulk_max_operations = 1000;
  int64_t bulk_max_payload_size = 1048576;
  bool filter = true;
  int filter_max_results = 1000;
  bool change_password = false;
  bool sort = true;
  bool etag = true;
  std::string documentation_uri{};
};

// The /ServiceProviderConfig resource; authentication is "oauthbearertoken".
nlohmann::json RenderServiceProviderConfig(const ServiceProviderOptions& options, std::string_view base_url);

// One schema as RFC 7643 §7 shows it, with meta (resourceType "Schema").
nlohmann::json RenderSchema(const Schema& schema, std::string_view base_url);
// One resource type (RFC 7643 §6), with meta.
nlohmann::json RenderResourceType(const ResourceType& type, std::string_view base_url);

// ListResponses of every schema / resource type of `registry`.
nlohmann::json RenderSchemas(const Registry& registry, std::string_view base_url);
nlohmann::json RenderResourceTypes(const Registry& registry, std::string_view base_url);

}  // namespace scim
