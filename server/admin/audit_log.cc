#include "server/admin/audit_log.h"

#include <regex>

#include "server/admin/sql_query.h"
#include "server/store/database.h"

namespace allot::admin {
namespace {

using nlohmann::json;

bool IsActorKind(std::string_view s) {
  return s == "admin" || s == "scim" || s == "policy" || s == "system" ||
         s == "operator";
}

// Stored JSON text back to JSON; a value that does not parse is kept as text
// rather than lost.
json StoredJson(const soci::row& r, std::size_t i) {
  const std::string text = RowString(r, i);
  json parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json(text) : parsed;
}

Error BadParameter(std::string_view name, std::string_view how) {
  return {ErrorCode::kInvalidRequest, "query parameter " + std::string(name) + " " + std::string(how)};
}

}  // namespace

Result<AuditQuery> ParseAuditQuery(const http::Request& request) {
  AuditQuery q;
  // Timestamps are stored as RFC 3339 UTC with 'Z' and compare as text, so
  // only that form (or a bare date) compares correctly.
  static const std::regex kTime(R"(\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z?)?)");
  for (auto [name, field] : {std::pair{"since", &q.since}, std::pair{"until", &q.until}}) {
    if (!request.HasQuery(name)) continue;
    *field = request.Query(name);
    if (!std::regex_match(*field, kTime)) {
      return std::unexpected(BadParameter(
          name, "must be an RFC 3339 UTC time such as 2026-01-31T08:00:00Z, or a date"));
    }
  }
  if (request.HasQuery("actor")) {
    const std::string actor = request.Query("actor");
    const size_t colon = actor.find(':');
    if (colon != std::string::npos && IsActorKind(actor.substr(0, colon))) {
      q.actor_kind = actor.substr(0, colon);
      q.actor_id = actor.substr(colon + 1);
    } else if (IsActorKind(actor)) {
      q.actor_kind = actor;
    } else {
      q.actor_id = actor;
    }
    if (q.actor_kind.empty() && q.actor_id.empty()) {
      return std::unexpected(
          BadParameter("actor", "must be <kind>:<id>, <kind> (admin, scim, policy, system) or <id>"));
    }
  }
  q.user_id = request.Query("user_id");
  q.subscription_id = request.Query("subscription_id");
  q.action = request.Query("action");
  if (request.HasQuery("user_id") && q.user_id.empty()) {
    return std::unexpected(BadParameter("user_id", "must not be empty"));
  }
  if (request.HasQuery("subscription_id") && q.subscription_id.empty()) {
    return std::unexpected(BadParameter("subscription_id", "must not be empty"));
  }
  return q;
}

Result<Listing<json>> ReadAudit(store::Database& db, const Access& access, const AuditQuery& query,
                                const Page& page) {
  long long before_id = 0;
  if (!page.after.empty()) {
    if (page.after.size() > 18 || page.after.find_first_not_of("0123456789") != std::string::npos) {
      return Fail(ErrorCode::kInvalidRequest,
                  "cursor is not valid; pass the next_cursor of the previous page");
    }
    before_id = std::stoll(page.after);
  }
  if (!query.subscription_id.empty() && !access.Covers(query.subscription_id)) {
    return Fail(ErrorCode::kNotFound, "no subscription with id '" + query.subscription_id + "'");
  }
  return db.ReadValue<Listing<json>>([&](soci::session& sql) -> Result<Listing<json>> {
    SqlQuery q;
    // The actor's name: an administrator's or SCIM client's from principals
    // (deleted ones keep theirs); a policy's and the system's is their id.
    q.Text("SELECT e.id, e.at, e.actor_kind, e.actor_id, e.action, e.target_kind, e.target_id, "
           "e.user_id, e.subscription_id, e.before_json, e.after_json, "
           "COALESCE(p.name, e.actor_id) FROM audit_events e LEFT JOIN principals p ON "
           "p.tenant_id = e.tenant_id AND p.id = e.actor_id AND e.actor_kind IN ('admin', "
           "'scim') ");
    q.Bind("WHERE e.tenant_id = ?", {access.tenant()});
    if (before_id > 0) q.BindInt(" AND e.id < ?", before_id);
    if (!query.since.empty()) q.Bind(" AND e.at >= ?", {query.since});
    if (!query.until.empty()) q.Bind(" AND e.at < ?", {query.until});
    if (!query.actor_kind.empty()) q.Bind(" AND e.actor_kind = ?", {query.actor_kind});
    if (!query.actor_id.empty()) q.Bind(" AND e.actor_id = ?", {query.actor_id});
    if (!query.user_id.empty()) q.Bind(" AND e.user_id = ?", {query.user_id});
    if (!query.subscription_id.empty()) q.Bind(" AND e.subscription_id = ?", {query.subscription_id});
    if (!query.action.empty()) q.Bind(" AND e.action = ?", {query.action});
    if (!access.all_subscriptions) {
      q.Bind(" AND e.subscription_id IN (SELECT sp.subscription_id FROM principal_subscriptions sp "
             "WHERE sp.tenant_id = ? AND sp.principal_id = ?)",
             {access.tenant(), access.principal->id});
    }
    q.Text(" ORDER BY e.id DESC").Limit(page.limit + 1);
    Listing<json> out;
    std::string last_id;
    q.ForEach(sql, [&](const soci::row& r) {
      if (static_cast<int>(out.items.size()) == page.limit) {
        out.next_key = last_id;  // a further row exists: this page is not the last
        return;
      }
      last_id = RowString(r, 0);
      json item = {{"id", last_id},
                   {"at", RowString(r, 1)},
                   {"actor",
                    {{"kind", RowString(r, 2)}, {"id", RowString(r, 3)}, {"name", RowString(r, 11)}}},
                   {"action", RowString(r, 4)},
                   {"target", {{"kind", RowString(r, 5)}, {"id", RowString(r, 6)}}}};
      if (!RowIsNull(r, 7)) item["user_id"] = RowString(r, 7);
      if (!RowIsNull(r, 8)) item["subscription_id"] = RowString(r, 8);
      if (!RowIsNull(r, 9)) item["before"] = StoredJson(r, 9);
      if (!RowIsNull(r, 10)) item["after"] = StoredJson(r, 10);
      out.items.push_back(std::move(item));
    });
    return out;
  });
}

}  // namespace allot::admin
