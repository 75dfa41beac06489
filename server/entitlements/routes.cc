#include "server/entitlements/routes.h"

#include <nlohmann/json.hpp>

#include "server/admin/routes.h"
#include "server/base/clock.h"
#include "server/entitlements/entitlements.h"

namespace allot::entitlements {
namespace {

using nlohmann::json;

json OrNull(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

// Runs `handler` for an app principal whose query names only `allowed`.
http::Handler ForApps(admin::QueryNames allowed,
                      std::function<void(const http::Request&, const auth::Principal&,
                                         http::Response&)>
                          handler) {
  return [allowed = std::move(allowed), handler = std::move(handler)](const http::Request& req,
                                                                     http::Response& res) {
    // The server authenticates /entitlements/v1 with app tokens only;
    // anything else here is a wiring bug, answered as 401.
    if (req.principal == nullptr || req.principal->kind != auth::TokenKind::kApp) {
      return admin::RenderError({ErrorCode::kUnauthorized, "an app token is required"}, res);
    }
    if (auto q = admin::CheckQueryNames(req, allowed); !q) {
      return admin::RenderError(q.error(), res);
    }
    handler(req, *req.principal, res);
  };
}

Status RequireQuery(const http::Request& req, const char* name) {
  if (req.Query(name).empty()) {
    return Fail(ErrorCode::kInvalidRequest,
                std::string("the query parameter \"") + name + "\" is required");
  }
  return Ok();
}

}  // namespace

void AddRoutes(http::Router& router, store::Database& db) {
  router.Add("GET", "/entitlements/v1/check",
             ForApps({"user", "product"}, [&db](const http::Request& req,
                                                const auth::Principal& app, http::Response& res) {
               for (const char* name : {"user", "product"}) {
                 if (auto s = RequireQuery(req, name); !s) {
                   return admin::RenderError(s.error(), res);
                 }
               }
               auto r = Check(db, app.tenant_id, req.Query("user"), req.Query("product"),
                              app.products, NowRfc3339());
               if (!r) return admin::RenderError(r.error(), res);
               admin::RenderJson(200,
                                 {{"entitled", r->entitled},
                                  {"user_id", OrNull(r->user_id)},
                                  {"product_id", r->product_id},
                                  {"subscription_id", OrNull(r->subscription_id)},
                                  {"state", OrNull(r->state)},
                                  {"ends_at", OrNull(r->ends_at)}},
                                 res);
             }));

  router.Add("GET", "/entitlements/v1/users/{user}",
             ForApps({}, [&db](const http::Request& req, const auth::Principal& app,
                               http::Response& res) {
               auto u = UserLicenses(db, app.tenant_id, req.path_params[0], app.products,
                                     NowRfc3339());
               if (!u) return admin::RenderError(u.error(), res);
               json licenses = json::array();
               for (const UserLicense& l : u->licenses) {
                 licenses.push_back({{"product_id", l.product_id},
                                     {"subscription_id", l.subscription_id},
                                     {"state", l.state},
                                     {"since", l.since},
                                     {"ends_at", OrNull(l.ends_at)},
                                     {"entitled", l.entitled}});
               }
               admin::RenderJson(200,
                                 {{"user_id", u->user_id},
                                  {"user_name", u->user_name},
                                  {"external_id", OrNull(u->external_id)},
                                  {"active", u->active},
                                  {"licenses", std::move(licenses)}},
                                 res);
             }));
}

}  // namespace allot::entitlements
