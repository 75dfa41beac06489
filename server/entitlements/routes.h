// server/entitlements/routes.h — the entitlements API for the vendor's
// product apps under /entitlements/v1 (CONTRACT.md, "Entitlements and
// webhooks"): GET /check?user=&product= and GET /users/{user}. Requests
// reach these handlers only with an app token (server/http/surfaces.h,
// auth/app_tokens.h); errors have the admin API's shape.
// Thread-safety: registration before serving; handlers are thread-safe.
#pragma once

#include "server/http/router.h"

namespace allot::store {
class Database;
}

namespace allot::entitlements {

void AddRoutes(http::Router& router, store::Database& db);

}  // namespace allot::entitlements
