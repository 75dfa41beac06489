// server/admin/licenses_routes.h — the license-related admin endpoints:
// products and subscriptions (catalog_routes.cc), users' licenses,
// overrides, reassign, move, bulk, history, usage (licenses_routes.cc);
// policies and reconcile are in policies.h. Handlers are thin: parse, call
// one licensing function, render.
// Thread-safety: registration before serving; handlers are reentrant.
#pragma once

#include "server/http/router.h"
#include "server/licensing/engine.h"

namespace allot::admin {

void AddCatalogRoutes(http::Router& router, store::Database& db);
void AddLicensesRoutes(http::Router& router, licensing::Engine& engine);

}  // namespace allot::admin
