#include "server/licensing/overrides.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/licensing/apply.h"
#include "server/licensing/audit.h"
#include "server/licensing/locks.h"
#include "server/licensing/sql.h"

namespace allot::licensing {
namespace {

// Columns of an OverrideView, for "FROM overrides o" joined as below.
constexpr const char* kViewColumns =
    "SELECT o.user_id, COALESCE(u.user_name, ''), o.subscription_id, o.kind, "
    "COALESCE(o.reason, ''), COALESCE(o.expires_at, ''), o.set_by, COALESCE(p.name, o.set_by), "
    "o.set_at FROM overrides o "
    "LEFT JOIN scim_users u ON u.tenant_id = o.tenant_id AND u.id = o.user_id "
    "LEFT JOIN principals p ON p.tenant_id = o.tenant_id AND p.id = o.set_by ";

OverrideView ViewFromRow(const soci::row& r) {
  return {sql::Str(r, 0), sql::Str(r, 1), sql::Str(r, 2), sql::Str(r, 3), sql::Str(r, 4),
          sql::Str(r, 5), sql::Str(r, 6), sql::Str(r, 7), sql::Str(r, 8)};
}

nlohmann::json AuditOf(const OverrideView& o) {
  nlohmann::json j = {{"kind", o.kind}, {"reason", o.reason}};
  j["expires_at"] = o.expires_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.expires_at);
  return j;
}

}  // namespace

Result<std::optional<OverrideView>> ReadOverride(soci::session& sql, const std::string& tenant,
                                                 const std::string& user, const std::string& sub) {
  std::optional<OverrideView> out;
  auto s = sql::Run(sql,
                    std::string(kViewColumns) +
                        "WHERE o.tenant_id = :p0 AND o.user_id = :p1 AND o.subscription_id = :p2",
                    {tenant, user, sub}, [&](const soci::row& r) { out = ViewFromRow(r); });
  if (!s) return std::unexpected(s.error());
  return out;
}

Result<OverrideView> SetOverride(soci::session& sql, const std::string& tenant,
                                 const std::string& user, const std::string& sub,
                                 const std::string& kind, const OverrideNote& note,
                                 const std::string& default_reason, const Actor& actor) {
  auto before = ReadOverride(sql, tenant, user, sub);
  if (!before) return std::unexpected(before.error());
  const std::string reason = note.reason.empty() ? default_reason : note.reason;
  const std::string now = NowRfc3339();
  if (auto d = sql::Run(sql,
                        "DELETE FROM overrides WHERE tenant_id = :p0 AND user_id = :p1 AND "
                        "subscription_id = :p2",
                        {tenant, user, sub});
      !d) {
    return std::unexpected(d.error());
  }
  Status ins;
  if (note.expires_at.empty()) {
    ins = sql::Run(sql,
                   "INSERT INTO overrides (tenant_id, user_id, subscription_id, kind, set_by, "
                   "set_at, reason) VALUES (:p0, :p1, :p2, :p3, :p4, :p5, :p6)",
                   {tenant, user, sub, kind, actor.id, now, reason});
  } else {
    ins = sql::Run(sql,
                   "INSERT INTO overrides (tenant_id, user_id, subscription_id, kind, set_by, "
                   "set_at, reason, expires_at) VALUES (:p0, :p1, :p2, :p3, :p4, :p5, :p6, :p7)",
                   {tenant, user, sub, kind, actor.id, now, reason, note.expires_at});
  }
  if (!ins) return std::unexpected(ins.error());
  auto after = ReadOverride(sql, tenant, user, sub);
  if (!after) return std::unexpected(after.error());
  if (!*after) return Fail(ErrorCode::kInternal, "override of " + sub + " vanished");
  if (auto a = WriteAudit(sql, tenant, actor,
                          {.action = "override.set",
                           .target_kind = "override",
                           .target_id = user + "/" + sub,
                           .user_id = user,
                           .subscription_id = sub,
                           .before_json = *before ? AuditJson(AuditOf(**before)) : "",
                           .after_json = AuditJson(AuditOf(**after))});
      !a) {
    return std::unexpected(a.error());
  }
  return **after;
}

Result<bool> DeleteOverride(soci::session& sql, const std::string& tenant, const std::string& user,
                            const std::string& sub, const std::string& why, const Actor& actor) {
  auto before = ReadOverride(sql, tenant, user, sub);
  if (!before) return std::unexpected(before.error());
  if (!*before) return false;
  if (auto d = sql::Run(sql,
                        "DELETE FROM overrides WHERE tenant_id = :p0 AND user_id = :p1 AND "
                        "subscription_id = :p2",
                        {tenant, user, sub});
      !d) {
    return std::unexpected(d.error());
  }
  if (auto a = WriteAudit(sql, tenant, actor,
                          {.action = "override.cleared",
                           .target_kind = "override",
                           .target_id = user + "/" + sub,
                           .user_id = user,
                           .subscription_id = sub,
                           .before_json = AuditJson(AuditOf(**before)),
                           .after_json = why.empty() ? "" : AuditJson({{"reason", why}})});
      !a) {
    return std::unexpected(a.error());
  }
  return true;
}

Result<ListPage<OverrideView>> ListOverrides(store::Database& db, const std::string& tenant,
                                             const OverrideQuery& query, int limit,
                                             const std::string& after) {
  if (!query.kind.empty() && query.kind != "grant" && query.kind != "deny") {
    return Fail(ErrorCode::kInvalidRequest, "kind must be grant or deny");
  }
  // The cursor is "<user id>\n<subscription id>" of the last item.
  std::string after_user, after_sub;
  if (!after.empty()) {
    const size_t nl = after.find('\n');
    if (nl == std::string::npos) {
      return Fail(ErrorCode::kInvalidRequest,
                  "cursor is not valid; pass the next_cursor of the previous page");
    }
    after_user = after.substr(0, nl);
    after_sub = after.substr(nl + 1);
  }
  return db.ReadValue<ListPage<OverrideView>>(
      [&](soci::session& sql) -> Result<ListPage<OverrideView>> {
        std::vector<std::string> params = {tenant, after_user, after_user, after_sub};
        std::string where =
            "WHERE o.tenant_id = :p0 AND (o.user_id > :p1 OR (o.user_id = :p2 AND "
            "o.subscription_id > :p3))";
        auto add = [&](const std::string& condition, const std::string& value) {
          where += " AND " + condition + " :p" + std::to_string(params.size());
          params.push_back(value);
        };
        if (!query.user_id.empty()) add("o.user_id =", query.user_id);
        if (!query.subscription_id.empty()) add("o.subscription_id =", query.subscription_id);
        if (!query.kind.empty()) add("o.kind =", query.kind);
        if (query.only != nullptr) {
          if (query.only->empty()) {
            where += " AND 1 = 0";
          } else {
            where += " AND o.subscription_id IN (" +
                     sql::Placeholders(query.only->size(), params.size()) + ")";
            params.insert(params.end(), query.only->begin(), query.only->end());
          }
        }
        ListPage<OverrideView> page;
        auto s = sql::Run(sql,
                          std::string(kViewColumns) + where +
                              " ORDER BY o.user_id, o.subscription_id LIMIT " +
                              std::to_string(limit + 1),
                          params, [&](const soci::row& r) { page.items.push_back(ViewFromRow(r)); });
        if (!s) return std::unexpected(s.error());
        if (page.items.size() > static_cast<size_t>(limit)) {
          page.items.pop_back();
          page.next_after = page.items.back().user_id + "\n" + page.items.back().subscription_id;
        }
        return page;
      });
}

Result<std::vector<OverrideView>> UserOverrides(store::Database& db, const std::string& tenant,
                                                const std::string& user) {
  return db.ReadValue<std::vector<OverrideView>>(
      [&](soci::session& sql) -> Result<std::vector<OverrideView>> {
        bool found = false;
        auto s = sql::Run(sql,
                          "SELECT id FROM scim_users WHERE tenant_id = :p0 AND id = :p1 AND "
                          "deleted_at IS NULL",
                          {tenant, user}, [&](const soci::row&) { found = true; });
        if (!s) return std::unexpected(s.error());
        if (!found) return Fail(ErrorCode::kNotFound, "no user " + user);
        std::vector<OverrideView> out;
        s = sql::Run(sql,
                     std::string(kViewColumns) +
                         "WHERE o.tenant_id = :p0 AND o.user_id = :p1 ORDER BY o.subscription_id",
                     {tenant, user}, [&](const soci::row& r) { out.push_back(ViewFromRow(r)); });
        if (!s) return std::unexpected(s.error());
        return out;
      });
}

Result<int64_t> SweepExpiredOverrides(store::Database& db, const std::string& now) {
  struct Expired {
    std::string tenant, user, sub, expires_at;
  };
  std::vector<Expired> expired;
  // The one query over every tenant: the sweep is the system's, for all of
  // them; each removal below is its tenant's own transaction.
  Status read = db.Read([&](soci::session& sql) {
    return sql::Run(sql,
                    "SELECT tenant_id, user_id, subscription_id, expires_at FROM overrides WHERE "
                    "expires_at IS NOT NULL AND expires_at <= :p0 ORDER BY tenant_id, user_id, "
                    "subscription_id LIMIT 10000",
                    {now}, [&](const soci::row& r) {
                      expired.push_back(
                          {sql::Str(r, 0), sql::Str(r, 1), sql::Str(r, 2), sql::Str(r, 3)});
                    });
  });
  if (!read) return std::unexpected(read.error());
  const Actor actor{Actor::Kind::kSystem, "expiry sweep"};
  int64_t removed = 0;
  for (const Expired& e : expired) {
    bool mine = false;
    Status s = db.Write([&](soci::session& sql) -> Status {
      mine = false;
      const std::vector<std::string> users = {e.user};
      if (auto l = LockForChange(sql, e.tenant, users, {e.sub}); !l) return l;
      auto before = ReadOverride(sql, e.tenant, e.user, e.sub);
      if (!before) return std::unexpected(before.error());
      // Only the row read, and only if it is still expired: another instance
      // may have swept it, or an admin replaced it, meanwhile.
      long long gone = 0;
      try {
        std::string tenant = e.tenant, user = e.user, sub = e.sub, at = e.expires_at;
        soci::statement st = (sql.prepare << "DELETE FROM overrides WHERE tenant_id = :t AND "
                                             "user_id = :u AND subscription_id = :s AND "
                                             "expires_at = :e",
                              soci::use(tenant), soci::use(user), soci::use(sub), soci::use(at));
        st.execute(true);
        gone = st.get_affected_rows();
      } catch (const std::exception& ex) {
        return std::unexpected(store::ErrorFromException(ex));
      }
      if (gone != 1 || !*before) return Ok();
      mine = true;
      if (auto a = WriteAudit(sql, e.tenant, actor,
                              {.action = "override.expired",
                               .target_kind = "override",
                               .target_id = e.user + "/" + e.sub,
                               .user_id = e.user,
                               .subscription_id = e.sub,
                               .before_json = AuditJson(AuditOf(**before))});
          !a) {
        return a;
      }
      auto applied = Reapply(sql, e.tenant, users, {actor, "expired"});
      if (!applied) return std::unexpected(applied.error());
      return Ok();
    });
    if (!s) {
      log::Warn("override expiry failed; the next sweep tries again",
                {{"tenant", e.tenant}, {"user", e.user}, {"subscription", e.sub},
                 {"error", s.error().message}});
      return std::unexpected(s.error());
    }
    if (mine) ++removed;
  }
  return removed;
}

}  // namespace allot::licensing
