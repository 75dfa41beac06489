// GET /whoami: who the token belongs to, and what it may do (its role, and
// its tenant's catalog lock).
#include <nlohmann/json.hpp>

#include "server/admin/handlers.h"
#include "server/admin/routes.h"

namespace allot::admin {

void AddWhoAmIRoutes(http::Router& router, const AdminDeps&) {
  AddAdminRoute(router, "GET", "/whoami", Action::kWhoAmI,
                [](const http::Request& req, const Access&, http::Response& res) {
                  const auth::Principal& p = *req.principal;
                  nlohmann::json permissions = nlohmann::json::object();
                  // What Authorize would allow, so that the tenant's state
                  // (an operator-run catalog) counts as well as the role.
                  for (Action action : kAllActions) {
                    auto access = Authorize(p, action);
                    if (!access) continue;
                    permissions[std::string(ActionId(action))] =
                        access->all_subscriptions ? "all" : "own_subscriptions";
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
