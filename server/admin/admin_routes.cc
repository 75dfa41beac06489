#include "server/admin/admin_routes.h"

#include "server/admin/handlers.h"
#include "server/admin/routes.h"
#include "server/admin/subscription_refs.h"
#include "server/store/database.h"

namespace allot::admin {

void AddRoutes(http::Router& router, AdminDeps deps) {
  // Every read route about one user, also those other modules register,
  // hides users outside a Subscription admin's scope (routes.h).
  store::Database* db = deps.db;
  SetUserScopeCheck([db](const Access& access, const std::string& user_id) -> Status {
    return db->Read([&](soci::session& sql) -> Status {
      auto in = UserInScope(sql, access.tenant(), access.principal->id, user_id);
      if (!in) return std::unexpected(in.error());
      if (!*in) return Fail(ErrorCode::kNotFound, "no user with id '" + user_id + "'");
      return Ok();
    });
  });
  AddWhoAmIRoutes(router, deps);
  AddPrincipalRoutes(router, deps);
  AddAppTokenRoutes(router, deps);
  AddDirectoryRoutes(router, deps);
  AddAuditRoutes(router, deps);
  AddSessionRoutes(router, deps);
  AddUsageSeriesRoutes(router, deps);
}

}  // namespace allot::admin
