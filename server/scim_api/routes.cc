#include "server/scim_api/routes.h"

#include "server/scim_api/bulk.h"
#include "server/scim_api/handlers.h"

namespace allot::scim_api {

void AddRoutes(http::Router& router, ScimApiDeps deps) {
  AddUserRoutes(router, deps);
  AddGroupRoutes(router, deps);
  AddDiscoveryRoutes(router, deps);
  AddRootSearchRoute(router, deps);
  AddBulkRoute(router, deps);
}

}  // namespace allot::scim_api
