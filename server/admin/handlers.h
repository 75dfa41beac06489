// server/admin/handlers.h — route registration of each admin platform area,
// called by AddRoutes (admin_routes.cc). Internal to server/admin.
// Thread-safety: call while building the router.
#pragma once

#include "server/admin/admin_routes.h"
#include "server/admin/authz.h"
#include "server/base/actor.h"

namespace allot::admin {

void AddWhoAmIRoutes(http::Router& router, const AdminDeps& deps);
void AddPrincipalRoutes(http::Router& router, const AdminDeps& deps);
void AddAppTokenRoutes(http::Router& router, const AdminDeps& deps);
void AddDirectoryRoutes(http::Router& router, const AdminDeps& deps);
void AddAuditRoutes(http::Router& router, const AdminDeps& deps);
void AddSessionRoutes(http::Router& router, const AdminDeps& deps);
void AddUsageSeriesRoutes(http::Router& router, const AdminDeps& deps);

// The audit actor for a change made through `access`.
inline Actor ActorOf(const Access& access) {
  return Actor{.kind = Actor::Kind::kAdmin, .id = access.principal->id};
}

}  // namespace allot::admin
