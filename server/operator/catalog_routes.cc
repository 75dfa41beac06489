// Operator endpoints of a tenant's catalog: products and subscriptions with
// their seats and terms, in the admin API's shapes. The tenant is the path's
// {t}; an unknown tenant is 404 before anything is read or changed.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "server/admin/subscription_json.h"
#include "server/licensing/catalog.h"
#include "server/operator/routes.h"
#include "server/operator/tenants.h"

namespace allot::operator_api {
namespace {

using admin::CatalogPageJson;
using admin::FieldType;
using admin::ProductJson;
using admin::SeatsOf;
using licensing::Product;
using licensing::Subscription;

// Runs `handler` for the path's tenant when it exists, else 404.
using TenantHandler = std::function<void(const http::Request&, const std::string& tenant,
                                         const Actor&, http::Response&)>;
OperatorHandler ForTenant(store::Database& db, TenantHandler handler) {
  return [&db, handler = std::move(handler)](const http::Request& req, const Actor& actor,
                                             http::Response& res) {
    const std::string& tenant = req.path_params[0];
    if (auto t = GetTenant(db, tenant); !t) return admin::RenderError(t.error(), res);
    handler(req, tenant, actor, res);
  };
}

}  // namespace

void AddCatalogRoutes(http::Router& router, store::Database& db) {
  AddOperatorRoute(
      router, "GET", "/tenants/{t}/products",
      ForTenant(db,
                [&db](const http::Request& req, const std::string& tenant, const Actor&,
                      http::Response& res) {
                  auto page = admin::ParsePage(req);
                  if (!page) return admin::RenderError(page.error(), res);
                  auto list = licensing::ListProducts(db, tenant,
                                                      {.limit = page->limit, .after = page->after});
                  if (!list) return admin::RenderError(list.error(), res);
                  admin::RenderJson(200, CatalogPageJson(*list, ProductJson), res);
                }),
      admin::Paged());
  AddOperatorRoute(
      router, "POST", "/tenants/{t}/products",
      ForTenant(db, [&db](const http::Request& req, const std::string& tenant, const Actor& actor,
                          http::Response& res) {
        auto body = admin::ParseBody(req.body, {{"id", FieldType::kString},
                                                {"name", FieldType::kString, true},
                                                {"family", FieldType::kString}});
        if (!body) return admin::RenderError(body.error(), res);
        Product p{.id = body->value("id", ""), .name = (*body)["name"]};
        if (body->contains("family")) p.family = (*body)["family"].get<std::string>();
        auto created = licensing::CreateProduct(db, tenant, p, actor);
        if (!created) return admin::RenderError(created.error(), res);
        admin::RenderJson(201, ProductJson(*created), res);
      }));
  AddOperatorRoute(router, "GET", "/tenants/{t}/products/{id}",
                   ForTenant(db, [&db](const http::Request& req, const std::string& tenant,
                                       const Actor&, http::Response& res) {
                     auto p = licensing::GetProduct(db, tenant, req.path_params[1]);
                     if (!p) return admin::RenderError(p.error(), res);
                     admin::RenderJson(200, ProductJson(*p), res);
                   }));
  AddOperatorRoute(
      router, "PATCH", "/tenants/{t}/products/{id}",
      ForTenant(db, [&db](const http::Request& req, const std::string& tenant, const Actor& actor,
                          http::Response& res) {
        auto body = admin::ParseBody(req.body, {{"name", FieldType::kString},
                                                {"family", FieldType::kString}});
        if (!body) return admin::RenderError(body.error(), res);
        licensing::ProductChange change;
        if (body->contains("name")) change.name = (*body)["name"].get<std::string>();
        if (body->contains("family")) change.family = (*body)["family"].get<std::string>();
        auto p = licensing::UpdateProduct(db, tenant, req.path_params[1], change, actor);
        if (!p) return admin::RenderError(p.error(), res);
        admin::RenderJson(200, ProductJson(*p), res);
      }));
  AddOperatorRoute(router, "DELETE", "/tenants/{t}/products/{id}",
                   ForTenant(db, [&db](const http::Request& req, const std::string& tenant,
                                       const Actor& actor, http::Response& res) {
                     auto s = licensing::DeleteProduct(db, tenant, req.path_params[1], actor);
                     if (!s) return admin::RenderError(s.error(), res);
                     res.status = 204;
                   }));
  AddOperatorRoute(
      router, "GET", "/tenants/{t}/subscriptions",
      ForTenant(db,
                [&db](const http::Request& req, const std::string& tenant, const Actor&,
                      http::Response& res) {
                  auto page = admin::ParsePage(req);
                  if (!page) return admin::RenderError(page.error(), res);
                  auto list = licensing::ListSubscriptions(
                      db, tenant, {.limit = page->limit, .after = page->after});
                  if (!list) return admin::RenderError(list.error(), res);
                  admin::RenderJson(200, CatalogPageJson(*list, admin::SubscriptionJson), res);
                }),
      admin::Paged());
  AddOperatorRoute(
      router, "POST", "/tenants/{t}/subscriptions",
      ForTenant(db, [&db](const http::Request& req, const std::string& tenant, const Actor& actor,
                          http::Response& res) {
        auto body = admin::ParseBody(req.body, {{"id", FieldType::kString},
                                                {"product_id", FieldType::kString, true},
                                                {"seats", FieldType::kInteger, true},
                                                {"fill", FieldType::kString},
                                                {"starts_at", FieldType::kAny},
                                                {"ends_at", FieldType::kAny}});
        if (!body) return admin::RenderError(body.error(), res);
        auto terms = admin::ParseTermFields(req.body);
        if (!terms) return admin::RenderError(terms.error(), res);
        Subscription s{.id = body->value("id", ""),
                       .product_id = (*body)["product_id"],
                       .seats = SeatsOf((*body)["seats"])};
        s.starts_at = terms->starts_at.value_or(std::nullopt);
        s.ends_at = terms->ends_at.value_or(std::nullopt);
        auto created = licensing::CreateSubscription(db, tenant, s, actor);
        if (!created) return admin::RenderError(created.error(), res);
        if (body->contains("fill")) {
          created = licensing::UpdateSubscription(
              db, tenant, created->id, {.fill = (*body)["fill"].get<std::string>()}, actor);
          if (!created) return admin::RenderError(created.error(), res);
        }
        admin::RenderJson(201, admin::SubscriptionJson(*created), res);
      }));
  AddOperatorRoute(router, "GET", "/tenants/{t}/subscriptions/{id}",
                   ForTenant(db, [&db](const http::Request& req, const std::string& tenant,
                                       const Actor&, http::Response& res) {
                     auto s = licensing::GetSubscription(db, tenant, req.path_params[1]);
                     if (!s) return admin::RenderError(s.error(), res);
                     admin::RenderJson(200, admin::SubscriptionJson(*s), res);
                   }));
  AddOperatorRoute(
      router, "PATCH", "/tenants/{t}/subscriptions/{id}",
      ForTenant(db, [&db](const http::Request& req, const std::string& tenant, const Actor& actor,
                          http::Response& res) {
        auto body = admin::ParseBody(req.body, {{"seats", FieldType::kInteger},
                                                {"fill", FieldType::kString},
                                                {"starts_at", FieldType::kAny},
                                                {"ends_at", FieldType::kAny}});
        if (!body) return admin::RenderError(body.error(), res);
        auto terms = admin::ParseTermFields(req.body);
        if (!terms) return admin::RenderError(terms.error(), res);
        licensing::SubscriptionChange change{.starts_at = terms->starts_at,
                                             .ends_at = terms->ends_at};
        if (body->contains("seats")) change.seats = SeatsOf((*body)["seats"]);
        if (body->contains("fill")) change.fill = (*body)["fill"].get<std::string>();
        if (!change.seats && !change.fill && !terms->any()) {
          return admin::RenderError(
              {ErrorCode::kInvalidRequest,
               "nothing to change: give \"seats\", \"fill\", \"starts_at\" or \"ends_at\""},
              res);
        }
        auto s = licensing::UpdateSubscription(db, tenant, req.path_params[1], change, actor);
        if (!s) return admin::RenderError(s.error(), res);
        admin::RenderJson(200, admin::SubscriptionJson(*s), res);
      }));
}

}  // namespace allot::operator_api
