#include "server/licensing/holds.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "server/base/clock.h"
#include "server/licensing/apply.h"
#include "server/licensing/audit.h"
#include "server/licensing/locks.h"
#include "server/licensing/overrides.h"
#include "server/licensing/sql.h"

namespace allot::licensing {
namespace {

nlohmann::json HoldJson(const Hold& h) {
  return {{"set_by", h.set_by_id}, {"set_at", h.set_at}, {"reason", h.reason}};
}

}  // namespace

Result<RevokeOutcome> RevokeAll(store::Database& db, const std::string& tenant,
                                const std::string& user, const std::string& reason,
                                const Actor& actor) {
  return db.WriteValue<RevokeOutcome>([&](soci::session& sql) -> Result<RevokeOutcome> {
    const std::vector<std::string> users = {user};
    if (auto l = LockForChange(sql, tenant, users, {}); !l) return std::unexpected(l.error());
    if (auto a = UserActive(sql, tenant, user); !a) return std::unexpected(a.error());
    RevokeOutcome out;
    auto existing = ReadHold(sql, tenant, user);
    if (!existing) return std::unexpected(existing.error());
    if (!*existing) {
      const std::string text = reason.empty() ? "all licenses revoked by an administrator" : reason;
      if (auto i = sql::Run(sql,
                            "INSERT INTO user_holds (tenant_id, user_id, set_by, set_at, reason) "
                            "VALUES (:p0, :p1, :p2, :p3, :p4)",
                            {tenant, user, actor.id, NowRfc3339(), text});
          !i) {
        return std::unexpected(i.error());
      }
      existing = ReadHold(sql, tenant, user);
      if (!existing) return std::unexpected(existing.error());
      if (!*existing) return Fail(ErrorCode::kInternal, "the hold of " + user + " vanished");
      if (auto a = WriteAudit(sql, tenant, actor,
                              {.action = "hold.set",
                               .target_kind = "user",
                               .target_id = user,
                               .user_id = user,
                               .after_json = AuditJson(HoldJson(**existing))});
          !a) {
        return std::unexpected(a.error());
      }
    }
    out.hold = **existing;
    std::vector<std::string> grants;
    auto s = sql::Run(sql,
                      "SELECT subscription_id FROM overrides WHERE tenant_id = :p0 AND user_id = "
                      ":p1 AND kind = 'grant' ORDER BY subscription_id",
                      {tenant, user}, [&](const soci::row& r) { grants.push_back(sql::Str(r, 0)); });
    if (!s) return std::unexpected(s.error());
    for (const std::string& sub : grants) {
      auto d = DeleteOverride(sql, tenant, user, sub, "revoke all", actor);
      if (!d) return std::unexpected(d.error());
      out.grants_cleared += *d ? 1 : 0;
    }
    auto applied = Reapply(sql, tenant, users, {actor, "held"});
    if (!applied) return std::unexpected(applied.error());
    out.released = applied->released;
    return out;
  });
}

Status ClearHold(store::Database& db, const std::string& tenant, const std::string& user,
                 const Actor& actor) {
  return db.Write([&](soci::session& sql) -> Status {
    const std::vector<std::string> users = {user};
    if (auto l = LockForChange(sql, tenant, users, {}); !l) return l;
    if (auto a = UserActive(sql, tenant, user); !a) return std::unexpected(a.error());
    auto hold = ReadHold(sql, tenant, user);
    if (!hold) return std::unexpected(hold.error());
    if (!*hold) return Fail(ErrorCode::kNotFound, "user " + user + " is not on hold");
    if (auto d = sql::Run(sql, "DELETE FROM user_holds WHERE tenant_id = :p0 AND user_id = :p1",
                          {tenant, user});
        !d) {
      return d;
    }
    if (auto a = WriteAudit(sql, tenant, actor,
                            {.action = "hold.cleared",
                             .target_kind = "user",
                             .target_id = user,
                             .user_id = user,
                             .before_json = AuditJson(HoldJson(**hold))});
        !a) {
      return a;
    }
    auto applied = Reapply(sql, tenant, users, {actor, "policy"});
    if (!applied) return std::unexpected(applied.error());
    return Ok();
  });
}

}  // namespace allot::licensing
