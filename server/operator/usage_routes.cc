// Operator endpoints across tenants: usage, and the policy files' reload.
#include <nlohmann/json.hpp>

#include "server/licensing/engine.h"
#include "server/operator/routes.h"
#include "server/operator/usage.h"

namespace allot::operator_api {
namespace {

nlohmann::json OptionalJson(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

void AddUsageRoutes(http::Router& router, store::Database& db) {
  AddOperatorRoute(
      router, "GET", "/usage",
      [&db](const http::Request& req, const Actor&, http::Response& res) {
        auto page = admin::ParsePage(req);
        if (!page) return admin::RenderError(page.error(), res);
        auto usage = ListUsage(db, req.Query("tenant_id"), page->limit, page->after);
        if (!usage) return admin::RenderError(usage.error(), res);
        nlohmann::json items = nlohmann::json::array();
        for (const UsageRow& u : usage->items) {
          items.push_back({{"tenant_id", u.tenant_id},
                           {"subscription_id", u.subscription_id},
                           {"product_id", u.product_id},
                           {"seats", u.seats},
                           {"assigned", u.assigned},
                           {"pending", u.pending},
                           {"available", u.seats - u.assigned},
                           {"starts_at", OptionalJson(u.starts_at)},
                           {"ends_at", OptionalJson(u.ends_at)},
                           {"status", u.status}});
        }
        admin::RenderJson(200, admin::PageBody(std::move(items), usage->next_after), res);
      },
      admin::Paged({"tenant_id"}));
}

void AddPolicyRoutes(http::Router& router, licensing::Engine& engine) {
  // As SIGHUP: the policy files again, then every tenant evaluated again.
  AddOperatorRoute(router, "POST", "/policies/reload",
                   [&engine](const http::Request&, const Actor& actor, http::Response& res) {
                     engine.ReloadPolicies();
                     auto counts = engine.ReconcileAll(actor);
                     if (!counts) return admin::RenderError(counts.error(), res);
                     admin::RenderJson(200,
                                       {{"reloaded", true},
                                        {"users", counts->users},
                                        {"activated", counts->changes.activated},
                                        {"queued", counts->changes.queued},
                                        {"released", counts->changes.released},
                                        {"policy_failures", counts->policy_failures}},
                                       res);
                   });
}

}  // namespace allot::operator_api
