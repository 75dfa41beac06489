// server/admin/policies.h — the admin endpoints of policies and plugins:
// GET /plugins (every admin role); GET /policies, GET/PUT/DELETE
// /policies/{name}, POST /policies/reload, POST /reconcile and GET
// /reconcile (Global admin). Each acts on the caller's tenant only. Thin:
// parse, call the licensing engine, render.
// Thread-safety: registration before serving; handlers are reentrant.
#pragma once

#include "server/http/router.h"
#include "server/licensing/engine.h"

namespace allot::admin {

void AddPolicyRoutes(http::Router& router, licensing::Engine& engine);

}  // namespace allot::admin
