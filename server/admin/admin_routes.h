// server/admin/admin_routes.h — the admin platform's routes under /admin/v1:
// whoami, administrators and their tokens, SCIM tokens, users and groups,
// and the audit log. (License routes are registered by the licensing
// module.) Thread-safety: call once while building the router.
#pragma once

#include "server/http/router.h"
#include "server/webhooks/target.h"

namespace allot::store {
class Database;
}

namespace allot::admin {

struct AdminDeps {
  store::Database* db = nullptr;  // not owned; outlives the router
};

void AddRoutes(http::Router& router, AdminDeps deps);

// /webhooks and their deliveries (webhooks.h); `policy` decides which URLs
// are accepted (the operator's webhooks_allow_private_networks).
void AddWebhookRoutes(http::Router& router, store::Database& db, webhooks::TargetPolicy policy);

}  // namespace allot::admin
