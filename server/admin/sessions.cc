// POST /admin/v1/sessions, GET and DELETE /admin/v1/sessions/current: the
// console's sign-in (server/auth/sessions.h). The token is read once from
// the body and never echoed; the session secret goes only into the
// HttpOnly cookie.
#include <nlohmann/json.hpp>

#include "server/admin/handlers.h"
#include "server/admin/routes.h"
#include "server/auth/sessions.h"
#include "server/base/log.h"

namespace allot::admin {
namespace {

bool OverHttps(const http::Request& req) { return req.base_url.starts_with("https://"); }

nlohmann::json SessionBody(const auth::Principal& p, const std::string& csrf) {
  return {{"csrf", csrf},
          {"principal", {{"id", p.id}, {"name", p.name}}},
          {"tenant", p.tenant_id},
          {"role", p.role},
          {"idle_timeout_seconds",
           std::chrono::duration_cast<std::chrono::seconds>(auth::kSessionIdleLimit).count()}};
}

}  // namespace

void AddSessionRoutes(http::Router& router, const AdminDeps& deps) {
  store::Database& db = *deps.db;

  // Sign-in needs no other credential than the token in the body.
  router.Add("POST", "/admin/v1/sessions", [&db](const http::Request& req, http::Response& res) {
    if (auto q = CheckQueryNames(req, {}); !q) return RenderError(q.error(), res);
    auto body = ParseBody(req.body, {{"token", FieldType::kString, true}});
    if (!body) return RenderError(body.error(), res);
    auto session = auth::CreateSession(db, (*body)["token"].get<std::string>());
    if (!session) return RenderError(session.error(), res);
    log::Info("console session opened", {{"request_id", req.request_id},
                                         {"tenant", session->principal.tenant_id},
                                         {"principal", session->principal.id}});
    res.SetHeader("Set-Cookie", auth::SessionCookie(session->secret, OverHttps(req)));
    res.SetHeader("Cache-Control", "no-store");
    RenderJson(201, SessionBody(session->principal, session->csrf), res);
  });

  // The CSRF value again, for a console page that was reloaded: readable
  // only with the cookie, and only by this origin.
  router.Add("GET", "/admin/v1/sessions/current",
             [&db](const http::Request& req, http::Response& res) {
               if (auto q = CheckQueryNames(req, {}); !q) return RenderError(q.error(), res);
               const std::string cookie = req.Header("Cookie");
               auto p = auth::AuthenticateSession(db, cookie, "", "GET");
               if (!p) return RenderError(p.error(), res);
               res.SetHeader("Cache-Control", "no-store");
               RenderJson(200, SessionBody(*p, auth::CsrfFor(auth::SessionSecretFromCookies(cookie))),
                          res);
             });

  router.Add("DELETE", "/admin/v1/sessions/current",
             [&db](const http::Request& req, http::Response& res) {
               if (auto q = CheckQueryNames(req, {}); !q) return RenderError(q.error(), res);
               const std::string cookie = req.Header("Cookie");
               auto p = auth::AuthenticateSession(db, cookie, req.Header(auth::kCsrfHeaderName),
                                                  "DELETE");
               if (!p) return RenderError(p.error(), res);
               if (auto s = auth::EndSession(db, cookie); !s) return RenderError(s.error(), res);
               res.SetHeader("Set-Cookie", auth::ClearedSessionCookie(OverHttps(req)));
               res.status = 204;
             });
}

}  // namespace allot::admin
