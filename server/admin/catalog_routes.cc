// Admin endpoints of the catalog: products, subscriptions, usage report.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "server/admin/licenses_routes.h"
#include "server/admin/routes.h"
#include "server/admin/subscription_json.h"
#include "server/licensing/catalog.h"
#include "server/licensing/queries.h"

namespace allot::admin {
namespace {

using licensing::Product;
using licensing::Subscription;

Actor ActorOf(const Access& access) { return {Actor::Kind::kAdmin, access.principal->id}; }

const std::vector<std::string>* Scope(const Access& access) {
  return access.all_subscriptions ? nullptr : &access.principal->subscriptions;
}

}  // namespace

void AddCatalogRoutes(http::Router& router, store::Database& db) {
  AddAdminRoute(router, "GET", "/products", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  auto list = licensing::ListProducts(db, access.tenant(),
                                                      {.limit = page->limit, .after = page->after});
                  if (!list) return RenderError(list.error(), res);
                  RenderJson(200, CatalogPageJson(*list, ProductJson), res);
                },
                Paged());
  AddAdminRoute(router, "POST", "/products", Action::kManageCatalog,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto body = ParseBody(req.body, {{"id", FieldType::kString},
                                                   {"name", FieldType::kString, true},
                                                   {"family", FieldType::kString}});
                  if (!body) return RenderError(body.error(), res);
                  Product p{.id = body->value("id", ""), .name = (*body)["name"]};
                  if (body->contains("family")) p.family = (*body)["family"].get<std::string>();
                  auto created = licensing::CreateProduct(db, access.tenant(), p, ActorOf(access));
                  if (!created) return RenderError(created.error(), res);
                  RenderJson(201, ProductJson(*created), res);
                });
  AddAdminRoute(router, "GET", "/products/{id}", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto p = licensing::GetProduct(db, access.tenant(), req.path_params[0]);
                  if (!p) return RenderError(p.error(), res);
                  RenderJson(200, ProductJson(*p), res);
                });
  AddAdminRoute(router, "PATCH", "/products/{id}", Action::kManageCatalog,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto body = ParseBody(req.body, {{"name", FieldType::kString},
                                                   {"family", FieldType::kString}});
                  if (!body) return RenderError(body.error(), res);
                  licensing::ProductChange change;
                  if (body->contains("name")) change.name = (*body)["name"].get<std::string>();
                  if (body->contains("family")) {
                    change.family = (*body)["family"].get<std::string>();
                  }
                  auto p = licensing::UpdateProduct(db, access.tenant(), req.path_params[0],
                                                    change, ActorOf(access));
                  if (!p) return RenderError(p.error(), res);
                  RenderJson(200, ProductJson(*p), res);
                });
  AddAdminRoute(router, "DELETE", "/products/{id}", Action::kManageCatalog,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto s = licensing::DeleteProduct(db, access.tenant(), req.path_params[0],
                                                    ActorOf(access));
                  if (!s) return RenderError(s.error(), res);
                  res.status = 204;
                });
  AddAdminRoute(router, "GET", "/subscriptions", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  auto list = licensing::ListSubscriptions(
                      db, access.tenant(),
                      {.limit = page->limit, .after = page->after, .only = Scope(access)});
                  if (!list) return RenderError(list.error(), res);
                  RenderJson(200, CatalogPageJson(*list, SubscriptionJson), res);
                },
                Paged());
  AddAdminRoute(router, "POST", "/subscriptions", Action::kManageCatalog,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto body = ParseBody(req.body, {{"id", FieldType::kString},
                                                   {"product_id", FieldType::kString, true},
                                                   {"seats", FieldType::kInteger, true},
                                                   {"starts_at", FieldType::kAny},
                                                   {"ends_at", FieldType::kAny}});
                  if (!body) return RenderError(body.error(), res);
                  auto terms = ParseTermFields(req.body);
                  if (!terms) return RenderError(terms.error(), res);
                  Subscription s{.id = body->value("id", ""),
                                 .product_id = (*body)["product_id"],
                                 .seats = SeatsOf((*body)["seats"])};
                  s.starts_at = terms->starts_at.value_or(std::nullopt);
                  s.ends_at = terms->ends_at.value_or(std::nullopt);
                  auto created =
                      licensing::CreateSubscription(db, access.tenant(), s, ActorOf(access));
                  if (!created) return RenderError(created.error(), res);
                  RenderJson(201, SubscriptionJson(*created), res);
                });
  AddAdminRoute(router, "GET", "/subscriptions/{id}", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& id = req.path_params[0];
                  if (!access.Covers(id)) {
                    return RenderError({ErrorCode::kNotFound, "no subscription " + id}, res);
                  }
                  auto s = licensing::GetSubscription(db, access.tenant(), id);
                  if (!s) return RenderError(s.error(), res);
                  RenderJson(200, SubscriptionJson(*s), res);
                });
  // Each field has its own rule: seats (AuthorizeSeatChange), fill (a
  // Global admin or the subscription's Subscription admin). The route asks
  // only for a role that reads the subscription; the fields decide the rest.
  AddAdminRoute(router, "PATCH", "/subscriptions/{id}", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& id = req.path_params[0];
                  auto body = ParseBody(req.body, {{"seats", FieldType::kInteger},
                                                   {"fill", FieldType::kString},
                                                   {"starts_at", FieldType::kAny},
                                                   {"ends_at", FieldType::kAny}});
                  if (!body) return RenderError(body.error(), res);
                  auto terms = ParseTermFields(req.body);
                  if (!terms) return RenderError(terms.error(), res);
                  licensing::SubscriptionChange change;
                  if (terms->any()) {
                    // A term is what was bought, like seats: the same rule.
                    if (auto a = AuthorizeSeatChange(*access.principal); !a) {
                      return RenderError(a.error(), res);
                    }
                    change.starts_at = terms->starts_at;
                    change.ends_at = terms->ends_at;
                  }
                  if (body->contains("seats")) {
                    if (auto a = AuthorizeSeatChange(*access.principal); !a) {
                      return RenderError(a.error(), res);
                    }
                    change.seats = SeatsOf((*body)["seats"]);
                  }
                  if (body->contains("fill")) {
                    auto a = Authorize(*access.principal, Action::kChangeFill);
                    if (!a) return RenderError(a.error(), res);
                    change.fill = (*body)["fill"].get<std::string>();
                  }
                  if (!change.seats && !change.fill && !terms->any()) {
                    return RenderError({ErrorCode::kInvalidRequest,
                                        "nothing to change: give \"seats\", \"fill\", "
                                        "\"starts_at\" or \"ends_at\""},
                                       res);
                  }
                  if (!access.Covers(id)) {
                    return RenderError({ErrorCode::kNotFound, "no subscription " + id}, res);
                  }
                  auto s = licensing::UpdateSubscription(db, access.tenant(), id, change,
                                                         ActorOf(access));
                  if (!s) return RenderError(s.error(), res);
                  RenderJson(200, SubscriptionJson(*s), res);
                });
  AddAdminRoute(router, "GET", "/reports/usage", Action::kReadDirectory,
                [&db](const http::Request&, const Access& access, http::Response& res) {
                  auto rows = licensing::UsageReport(db, access.tenant(), Scope(access));
                  if (!rows) return RenderError(rows.error(), res);
                  nlohmann::json items = nlohmann::json::array();
                  for (const Subscription& s : *rows) {
                    items.push_back({{"subscription_id", s.id},
                                     {"product_id", s.product_id},
                                     {"seats", s.seats},
                                     {"assigned", s.assigned},
                                     {"pending", s.pending},
                                     {"available", s.available()}});
                  }
                  const licensing::UsageTotals totals = licensing::SumUsage(*rows);
                  RenderJson(200,
                             {{"items", std::move(items)},
                              {"totals",
                               {{"seats", totals.seats},
                                {"assigned", totals.assigned},
                                {"pending", totals.pending},
                                {"available", totals.available}}}},
                             res);
                });
}

}  // namespace allot::admin
