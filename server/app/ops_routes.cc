#include "server/app/ops_routes.h"

namespace allot::app {

void AddOpsRoutes(http::Router& router, store::Database& db, http::Metrics& metrics) {
  router.Add("GET", "/healthz", [](const http::Request&, http::Response& res) {
    res.body = R"({"status":"ok"})";
  });
  router.Add("GET", "/readyz", [&db](const http::Request&, http::Response& res) {
    if (db.Ping()) {
      res.body = R"({"status":"ready"})";
    } else {
      res.status = 503;
      res.SetHeader("Retry-After", "1");
      res.body = R"({"status":"unavailable","detail":"the database is not reachable"})";
    }
  });
  router.Add("GET", "/metrics", [&metrics](const http::Request&, http::Response& res) {
    res.content_type = "text/plain; version=0.0.4";
    res.body = metrics.Render();
  });
}

}  // namespace allot::app
