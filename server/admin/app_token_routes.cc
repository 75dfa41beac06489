// /app-tokens: thin handlers over app_tokens.h. Only a Global admin reaches
// them (kManageAppTokens).
#include <nlohmann/json.hpp>

#include "server/admin/app_tokens.h"
#include "server/admin/handlers.h"
#include "server/admin/routes.h"

namespace allot::admin {
namespace {

using nlohmann::json;

json AppTokenBody(const AppTokenView& v) {
  return {{"id", v.id},
          {"name", v.name},
          {"products", v.products.empty() ? json(nullptr) : json(v.products)},
          {"created_at", v.created_at}};
}

}  // namespace

void AddAppTokenRoutes(http::Router& router, const AdminDeps& deps) {
  store::Database& db = *deps.db;

  AddAdminRoute(router, "GET", "/app-tokens", Action::kManageAppTokens,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  auto tokens = ListAppTokens(db, access.tenant(), *page);
                  if (!tokens) return RenderError(tokens.error(), res);
                  json items = json::array();
                  for (const AppTokenView& v : tokens->items) items.push_back(AppTokenBody(v));
                  RenderJson(200, PageBody(std::move(items), tokens->next_key), res);
                },
                Paged());

  AddAdminRoute(router, "POST", "/app-tokens", Action::kManageAppTokens,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto body = ParseBody(req.body, {{"name", FieldType::kString, true},
                                                   {"products", FieldType::kArrayOfStrings}});
                  if (!body) return RenderError(body.error(), res);
                  std::optional<std::vector<std::string>> products;
                  if (body->contains("products")) {
                    products = (*body)["products"].get<std::vector<std::string>>();
                  }
                  auto created = CreateAppToken(db, access.tenant(), ActorOf(access),
                                                (*body)["name"].get<std::string>(), products);
                  if (!created) return RenderError(created.error(), res);
                  json out = AppTokenBody(created->view);
                  out["token"] = created->token;
                  RenderJson(201, out, res);
                });

  AddAdminRoute(router, "DELETE", "/app-tokens/{id}", Action::kManageAppTokens,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto s = RevokeAppToken(db, access.tenant(), ActorOf(access), req.path_params[0]);
                  if (!s) return RenderError(s.error(), res);
                  res.status = 204;
                  res.body.clear();
                });
}

}  // namespace allot::admin
