// GET /audit: the audit log, newest first (audit_log.h). Nothing in the API
// edits or deletes an event.
#include "server/admin/audit_log.h"
#include "server/admin/handlers.h"
#include "server/admin/routes.h"

namespace allot::admin {

void AddAuditRoutes(http::Router& router, const AdminDeps& deps) {
  store::Database& db = *deps.db;
  AddAdminRoute(router, "GET", "/audit", Action::kReadAudit,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  auto query = ParseAuditQuery(req);
                  if (!query) return RenderError(query.error(), res);
                  auto events = ReadAudit(db, access, *query, *page);
                  if (!events) return RenderError(events.error(), res);
                  nlohmann::json items = nlohmann::json::array();
                  for (auto& e : events->items) items.push_back(std::move(e));
                  RenderJson(200, PageBody(std::move(items), events->next_key), res);
                },
                Paged({"since", "until", "actor", "user_id", "subscription_id", "action"}));
}

}  // namespace allot::admin
