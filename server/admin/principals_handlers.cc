// /admins, /admins/{id}/tokens and /scim-tokens: thin handlers over
// principals.h. Only a Global admin reaches them (kManagePrincipals).
#include <nlohmann/json.hpp>

#include "server/admin/handlers.h"
#include "server/admin/principals.h"
#include "server/admin/routes.h"

namespace allot::admin {
namespace {

using nlohmann::json;

json AdminBody(const AdminView& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"role", a.role},
          {"subscriptions", a.subscriptions},
          {"created_at", a.created_at}};
}

json TokenBody(const TokenView& t) {
  return {{"id", t.id}, {"created_at", t.created_at}};
}

json ScimTokenBody(const TokenView& t) {
  return {{"id", t.id}, {"name", t.name}, {"client_id", t.principal_id}, {"created_at", t.created_at}};
}

void NoContent(http::Response& res) {
  res.status = 204;
  res.body.clear();
}

}  // namespace

void AddPrincipalRoutes(http::Router& router, const AdminDeps& deps) {
  store::Database& db = *deps.db;

  AddAdminRoute(router, "GET", "/admins", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  auto admins = ListAdmins(db, access.tenant(), *page);
                  if (!admins) return RenderError(admins.error(), res);
                  json items = json::array();
                  for (const AdminView& a : admins->items) items.push_back(AdminBody(a));
                  RenderJson(200, PageBody(std::move(items), admins->next_key), res);
                },
                Paged());

  AddAdminRoute(router, "POST", "/admins", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto body = ParseBody(req.body, {{"name", FieldType::kString, true},
                                                   {"role", FieldType::kString, true},
                                                   {"subscriptions", FieldType::kArrayOfStrings}});
                  if (!body) return RenderError(body.error(), res);
                  NewAdmin request{.name = (*body)["name"].get<std::string>(),
                                   .role = (*body)["role"].get<std::string>()};
                  if (body->contains("subscriptions")) {
                    request.subscriptions =
                        (*body)["subscriptions"].get<std::vector<std::string>>();
                  }
                  auto created = CreateAdmin(db, access.tenant(), ActorOf(access), request);
                  if (!created) return RenderError(created.error(), res);
                  RenderJson(201,
                             {{"admin", AdminBody(created->admin)},
                              {"token", created->token.token},
                              {"token_id", created->token.id}},
                             res);
                });

  AddAdminRoute(router, "GET", "/admins/{id}", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto admin = GetAdmin(db, access.tenant(), req.path_params[0]);
                  if (!admin) return RenderError(admin.error(), res);
                  RenderJson(200, AdminBody(*admin), res);
                });

  AddAdminRoute(router, "DELETE", "/admins/{id}", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto s = DeleteAdmin(db, access.tenant(), ActorOf(access), req.path_params[0]);
                  if (!s) return RenderError(s.error(), res);
                  NoContent(res);
                });

  AddAdminRoute(router, "GET", "/admins/{id}/tokens", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto tokens = ListAdminTokens(db, access.tenant(), req.path_params[0]);
                  if (!tokens) return RenderError(tokens.error(), res);
                  json items = json::array();
                  for (const TokenView& t : *tokens) items.push_back(TokenBody(t));
                  RenderJson(200, PageBody(std::move(items), ""), res);
                });

  AddAdminRoute(router, "POST", "/admins/{id}/tokens", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto body = ParseOptionalBody(req.body, {});
                  if (!body) return RenderError(body.error(), res);
                  auto token =
                      IssueAdminToken(db, access.tenant(), ActorOf(access), req.path_params[0]);
                  if (!token) return RenderError(token.error(), res);
                  RenderJson(201,
                             {{"id", token->id},
                              {"admin_id", req.path_params[0]},
                              {"token", token->token}},
                             res);
                });

  AddAdminRoute(router, "DELETE", "/admins/{id}/tokens/{token_id}", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto s = RevokeAdminToken(db, access.tenant(), ActorOf(access),
                                            req.path_params[0], req.path_params[1]);
                  if (!s) return RenderError(s.error(), res);
                  NoContent(res);
                });

  AddAdminRoute(router, "GET", "/scim-tokens", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  auto tokens = ListScimTokens(db, access.tenant(), *page);
                  if (!tokens) return RenderError(tokens.error(), res);
                  json items = json::array();
                  for (const TokenView& t : tokens->items) items.push_back(ScimTokenBody(t));
                  RenderJson(200, PageBody(std::move(items), tokens->next_key), res);
                },
                Paged());

  AddAdminRoute(router, "POST", "/scim-tokens", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto body = ParseOptionalBody(req.body, {{"name", FieldType::kString}});
                  if (!body) return RenderError(body.error(), res);
                  const std::string name = body->value("name", std::string());
                  if (body->contains("name")) {
                    if (auto s = ValidateName("name", name); !s) return RenderError(s.error(), res);
                  }
                  auto created = CreateScimToken(db, access.tenant(), ActorOf(access), name);
                  if (!created) return RenderError(created.error(), res);
                  json out = ScimTokenBody(created->view);
                  out["token"] = created->token;
                  RenderJson(201, out, res);
                });

  AddAdminRoute(router, "DELETE", "/scim-tokens/{id}", Action::kManagePrincipals,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto s = RevokeScimToken(db, access.tenant(), ActorOf(access), req.path_params[0]);
                  if (!s) return RenderError(s.error(), res);
                  NoContent(res);
                });
}

}  // namespace allot::admin
