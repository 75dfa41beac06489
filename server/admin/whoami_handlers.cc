// GET /whoami: who the token belongs to, and what its role may do.
#include <nlohmann/json.hpp>

#include "server/admin/handlers.h"
#include "server/admin/routes.h"

namespace allot::admin {

void AddWhoAmIRoutes(http::Router& router, const AdminDeps&) {
  AddAdminRoute(router, "GET", "/whoami", Action::kWhoAmI,
                [](const http::Request& req, const Access&, http::Response& res) {
                  const auth::Principal& p = *req.principal;
                  nlohmann::json permissions = nlohmann::json::object();
                  for (Action action : kAllActions) {
                    const RoleScope scope = ScopeOf(p.role, action);
                    if (scope == RoleScope::kNone) continue;
                    permissions[std::string(ActionId(action))] =
                        scope == RoleScope::kAll ? "all" : "own_subscriptions";
                  }
                  RenderJson(200,
                             {{"principal",
                               {{"id", p.id}, {"name", p.name}, {"kind", auth::TokenKindName(p.kind)}}},
                              {"tenant", p.tenant_id},
                              {"role", p.role},
                              {"roles", nlohmann::json::array({p.role})},
                              {"subscriptions", p.subscriptions},
                              {"token_id", p.token_id},
                              {"permissions", std::move(permissions)}},
                             res);
                });
}

}  // namespace allot::admin
