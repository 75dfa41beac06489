#include "server/admin/admin_routes.h"

#include "server/admin/handlers.h"

namespace allot::admin {

void AddRoutes(http::Router& router, AdminDeps deps) {
  AddWhoAmIRoutes(router, deps);
  AddPrincipalRoutes(router, deps);
  AddDirectoryRoutes(router, deps);
  AddAuditRoutes(router, deps);
}

}  // namespace allot::admin
