// server/scim_api/routes.h — registers the SCIM 2.0 endpoints under
// /scim/v2 (RFC 7644): Users, Groups, .search, Bulk, ServiceProviderConfig,
// ResourceTypes, Schemas. The server authenticates the SCIM token before any
// of these handlers runs (req.principal is set).
// Thread-safety: call before serving; the handlers are thread-safe.
#pragma once

#include <cstddef>
#include <memory>

#include "server/http/router.h"
#include "server/store/database.h"

namespace allot::licensing {
class IdentityListener;
}

namespace allot::scim_api {

struct ScimApiDeps {
  store::Database& db;
  // Told about every change that can change licenses, inside its
  // transaction; may be null (no licensing).
  licensing::IdentityListener* listener = nullptr;
  // The server's body limit, announced as Bulk maxPayloadSize.
  size_t max_payload_bytes = 4 * 1024 * 1024;
};

// Adds every SCIM route to `router`. `deps.db` (and the listener) must
// outlive the router.
void AddRoutes(http::Router& router, ScimApiDeps deps);

}  // namespace allot::scim_api
