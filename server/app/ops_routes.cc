#include "server/app/ops_routes.h"

#include "server/base/log.h"
#include "server/operator/usage.h"

namespace allot::app {

void AddOpsRoutes(http::Router& router, store::Database& db, http::Metrics& metrics) {
  // Answered on an I/O thread: it says the process is up even when every
  // worker is busy.
  router.Add(
      "GET", "/healthz",
      [](const http::Request&, http::Response& res) { res.body = R"({"status":"ok"})"; },
      http::Router::Execution::kNonBlocking);
  router.Add("GET", "/readyz", [&db](const http::Request&, http::Response& res) {
    if (db.Ping()) {
      res.body = R"({"status":"ready"})";
    } else {
      res.status = 503;
      res.SetHeader("Retry-After", "1");
      res.body = R"({"status":"unavailable","detail":"the database is not reachable"})";
    }
  });
  router.Add("GET", "/metrics", [&metrics, &db](const http::Request&, http::Response& res) {
    res.content_type = "text/plain; version=0.0.4";
    res.body = metrics.Render();
    // Seats per tenant and subscription (capped: operator/usage.h).
    if (auto gauges = operator_api::RenderSubscriptionGauges(db)) {
      res.body += *gauges;
    } else {
      log::Warn("subscription gauges left out of /metrics", {{"error", gauges.error().message}});
    }
  });
}

}  // namespace allot::app
