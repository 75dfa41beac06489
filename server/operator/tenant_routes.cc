// Operator endpoints of tenants: list, read, onboard, change (suspension).
#include <nlohmann/json.hpp>

#include "server/operator/routes.h"
#include "server/operator/tenants.h"

namespace allot::operator_api {
namespace {

using admin::FieldType;

nlohmann::json TenantJson(const Tenant& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"status", t.status},
          {"self_managed_catalog", t.self_managed_catalog},
          {"created_at", t.created_at}};
}

}  // namespace

void AddTenantRoutes(http::Router& router, store::Database& db) {
  AddOperatorRoute(
      router, "GET", "/tenants",
      [&db](const http::Request& req, const Actor&, http::Response& res) {
        auto page = admin::ParsePage(req);
        if (!page) return admin::RenderError(page.error(), res);
        auto list = ListTenants(db, page->limit, page->after);
        if (!list) return admin::RenderError(list.error(), res);
        nlohmann::json items = nlohmann::json::array();
        for (const Tenant& t : list->items) items.push_back(TenantJson(t));
        admin::RenderJson(200, admin::PageBody(std::move(items), list->next_after), res);
      },
      admin::Paged());
  AddOperatorRoute(router, "POST", "/tenants",
                   [&db](const http::Request& req, const Actor& actor, http::Response& res) {
                     auto body = admin::ParseBody(req.body, {{"id", FieldType::kString},
                                                             {"name", FieldType::kString, true}});
                     if (!body) return admin::RenderError(body.error(), res);
                     auto made = OnboardTenant(db, body->value("id", ""),
                                               (*body)["name"].get<std::string>(), actor);
                     if (!made) return admin::RenderError(made.error(), res);
                     admin::RenderJson(201,
                                       {{"tenant", TenantJson(made->tenant)},
                                        {"admin_token", made->admin_token},
                                        {"scim_token", made->scim_token}},
                                       res);
                   });
  AddOperatorRoute(router, "GET", "/tenants/{id}",
                   [&db](const http::Request& req, const Actor&, http::Response& res) {
                     auto t = GetTenant(db, req.path_params[0]);
                     if (!t) return admin::RenderError(t.error(), res);
                     admin::RenderJson(200, TenantJson(*t), res);
                   });
  AddOperatorRoute(
      router, "PATCH", "/tenants/{id}",
      [&db](const http::Request& req, const Actor& actor, http::Response& res) {
        auto body = admin::ParseBody(req.body, {{"name", FieldType::kString},
                                                {"status", FieldType::kString},
                                                {"self_managed_catalog", FieldType::kBoolean}});
        if (!body) return admin::RenderError(body.error(), res);
        TenantChange change;
        if (body->contains("name")) change.name = (*body)["name"].get<std::string>();
        if (body->contains("status")) change.status = (*body)["status"].get<std::string>();
        if (body->contains("self_managed_catalog")) {
          change.self_managed_catalog = (*body)["self_managed_catalog"].get<bool>();
        }
        if (!change.name && !change.status && !change.self_managed_catalog) {
          return admin::RenderError(
              {ErrorCode::kInvalidRequest,
               "nothing to change: give \"name\", \"status\" or \"self_managed_catalog\""},
              res);
        }
        auto t = UpdateTenant(db, req.path_params[0], change, actor);
        if (!t) return admin::RenderError(t.error(), res);
        admin::RenderJson(200, TenantJson(*t), res);
      });
}

}  // namespace allot::operator_api
