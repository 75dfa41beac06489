// server/app/ops_routes.h — operational endpoints: /healthz (process up),
// /readyz (database reachable) and /metrics (Prometheus text; admin token).
#pragma once

#include "server/http/metrics.h"
#include "server/http/router.h"
#include "server/store/database.h"

namespace allot::app {

void AddOpsRoutes(http::Router& router, store::Database& db, http::Metrics& metrics);

}  // namespace allot::app
