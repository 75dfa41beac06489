#include "server/scim_api/routes.h"

#include "server/scim_api/bulk.h"
#include "server/scim_api/handlers.h"
#include "server/scim_api/statement_cache.h"

namespace allot::scim_api {

void AddRoutes(http::Router& router, ScimApiDeps deps) {
  // Shared by the handlers, so it lives exactly as long as the routes.
  deps.statements = std::make_shared<StatementCache>();
  AddUserRoutes(router, deps);
  AddGroupRoutes(router, deps);
  AddDiscoveryRoutes(router, deps);
  AddRootSearchRoute(router, deps);
  AddBulkRoute(router, deps);
}

}  // namespace allot::scim_api
