// GET /reports/usage/series?subscription_id=&days=: one subscription's
// assigned and pending seats over time (usage_series.h), for the console's
// usage chart. A Subscription admin sees only its own subscriptions.
#include <nlohmann/json.hpp>

#include "server/admin/handlers.h"
#include "server/admin/routes.h"
#include "server/admin/usage_series.h"
#include "server/base/clock.h"

namespace allot::admin {

void AddUsageSeriesRoutes(http::Router& router, const AdminDeps& deps) {
  store::Database& db = *deps.db;
  AddAdminRoute(
      router, "GET", "/reports/usage/series", Action::kReadDirectory,
      [&db](const http::Request& req, const Access& access, http::Response& res) {
        const std::string sub = req.Query("subscription_id");
        if (sub.empty()) {
          return RenderError({ErrorCode::kInvalidRequest, "subscription_id is required"}, res);
        }
        if (!access.Covers(sub)) {
          return RenderError({ErrorCode::kNotFound, "no subscription " + sub}, res);
        }
        auto number = [&](const char* name, int fallback, int low, int high) -> Result<int> {
          if (!req.HasQuery(name)) return fallback;
          const std::string text = req.Query(name);
          if (text.empty() || text.size() > 4 ||
              text.find_first_not_of("0123456789") != std::string::npos ||
              std::stoi(text) < low || std::stoi(text) > high) {
            return Fail(ErrorCode::kInvalidRequest, std::string(name) + " must be an integer from " +
                                                        std::to_string(low) + " to " +
                                                        std::to_string(high));
          }
          return std::stoi(text);
        };
        auto days = number("days", 30, 1, 3660);
        if (!days) return RenderError(days.error(), res);
        auto points = number("points", 60, 2, 500);
        if (!points) return RenderError(points.error(), res);
        const auto until = std::chrono::system_clock::now();
        const auto since = until - std::chrono::hours(24) * *days;
        auto series = UsageSeries(db, access.tenant(), sub, since, until, *points);
        if (!series) return RenderError(series.error(), res);
        nlohmann::json items = nlohmann::json::array();
        for (const UsagePoint& p : *series) {
          items.push_back(
              {{"at", TimeRfc3339(p.at)}, {"assigned", p.assigned}, {"pending", p.pending}});
        }
        RenderJson(200, {{"subscription_id", sub}, {"points", std::move(items)}}, res);
      },
      {"subscription_id", "days", "points"});
}

}  // namespace allot::admin
