// server/operator/routes.h — the operator API under /operator/v1: the
// vendor's tenants (tenant_routes.cc), each tenant's catalog with its
// terms (catalog_routes.cc), usage and policy reload (usage_routes.cc). Requests reach these handlers only with an
// operator token (server/http/surfaces.h, auth/operator_tokens.h); errors
// and lists have the admin API's shapes (admin/routes.h).
// Thread-safety: registration before serving; handlers are thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "server/admin/routes.h"
#include "server/base/actor.h"
#include "server/http/router.h"
#include "server/store/database.h"

namespace allot::licensing {
class Engine;
}

namespace allot::operator_api {

// A handler of the operator API, given the operator as audit actor.
using OperatorHandler =
    std::function<void(const http::Request&, const Actor&, http::Response&)>;

// Adds METHOD /operator/v1<pattern>; the handler runs only for an operator
// principal (else 401) and a query without parameters outside `query`
// (else 400 naming it).
void AddOperatorRoute(http::Router& router, std::string method, std::string_view pattern,
                      OperatorHandler handler, admin::QueryNames query = {});

// GET,POST /tenants; GET,PATCH /tenants/{id}.
void AddTenantRoutes(http::Router& router, store::Database& db);
// /tenants/{t}/products[/{id}] and /tenants/{t}/subscriptions[/{id}].
void AddCatalogRoutes(http::Router& router, store::Database& db);

// GET /usage: seats per tenant and subscription.
void AddUsageRoutes(http::Router& router, store::Database& db);
// POST /policies/reload: the policy files for every tenant (as SIGHUP).
void AddPolicyRoutes(http::Router& router, licensing::Engine& engine);

// Every operator route.
inline void AddRoutes(http::Router& router, store::Database& db, licensing::Engine& engine) {
  AddTenantRoutes(router, db);
  AddCatalogRoutes(router, db);
  AddUsageRoutes(router, db);
  AddPolicyRoutes(router, engine);
}

}  // namespace allot::operator_api
