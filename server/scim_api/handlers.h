// server/scim_api/handlers.h — route registration of each SCIM area (used by
// routes.cc only).
// Thread-safety: registration before serving; handlers are thread-safe.
#pragma once

#include "server/http/router.h"
#include "server/scim_api/routes.h"
#include "server/scim_api/scim_http.h"

namespace allot::scim_api {

void AddUserRoutes(http::Router& router, const ScimApiDeps& deps);
void AddGroupRoutes(http::Router& router, const ScimApiDeps& deps);
void AddDiscoveryRoutes(http::Router& router, const ScimApiDeps& deps);
void AddBulkRoute(http::Router& router, const ScimApiDeps& deps);
void AddRootSearchRoute(http::Router& router, const ScimApiDeps& deps);

// Lists (GET and .search) of one type, rendered; used by the root .search.
struct RenderedPage {
  long long total = 0;
  long long start_index = 1;
  std::vector<std::string> resources;
  std::optional<std::string> next_cursor;
};
scim::Result<RenderedPage> ListUsersRendered(const ScimApiDeps& deps, const http::Request& req,
                                             const ListRequest& list);
scim::Result<RenderedPage> ListGroupsRendered(const ScimApiDeps& deps, const http::Request& req,
                                              const ListRequest& list);

// Writes a rendered page as the ListResponse of a GET or .search, or its error.
void RespondWithList(const scim::Result<RenderedPage>& page, const ListRequest& list,
                     http::Response& res);

}  // namespace allot::scim_api
