#include "server/licensing/waitlist.h"

#include <soci/soci.h>

#include "server/licensing/admin_change.h"
#include "server/licensing/apply.h"
#include "server/base/comma_list.h"
#include "server/licensing/decide.h"
#include "server/licensing/locks.h"
#include "server/licensing/queue.h"
#include "server/licensing/sql.h"

namespace allot::licensing {

Result<ListPage<WaitlistEntry>> Waitlist(store::Database& db, const std::string& tenant,
                                         const std::string& sub, int limit,
                                         const std::string& after) {
  // The key is "<wanted_since>\n<user id>" of the last entry shown.
  std::string after_since, after_user;
  if (!after.empty()) {
    const size_t nl = after.find('\n');
    if (nl == std::string::npos) {
      return Fail(ErrorCode::kInvalidRequest,
                  "cursor is not valid; pass the next_cursor of the previous page");
    }
    after_since = after.substr(0, nl);
    after_user = after.substr(nl + 1);
  }
  return db.ReadValue<ListPage<WaitlistEntry>>(
      [&](soci::session& sql) -> Result<ListPage<WaitlistEntry>> {
        if (auto s = SubscriptionExists(sql, tenant, sub); !s) return std::unexpected(s.error());
        const std::string after_key =
            "(a.wanted_since > :p2 OR (a.wanted_since = :p3 AND a.user_id > :p4))";
        int64_t ahead = 0;  // entries before this page
        if (!after.empty()) {
          auto s = sql::Run(sql,
                            "SELECT COUNT(*) FROM assignments a WHERE a.tenant_id = :p0 AND "
                            "a.subscription_id = :p1 AND a.state = 'pending' AND NOT " +
                                after_key,
                            {tenant, sub, after_since, after_since, after_user},
                            [&](const soci::row& r) { ahead = sql::Int(r, 0); });
          if (!s) return std::unexpected(s.error());
        }
        ListPage<WaitlistEntry> page;
        std::vector<std::string> keys;
        auto s = sql::Run(
            sql,
            "SELECT a.user_id, COALESCE(u.user_name, ''), COALESCE(u.display_name, ''), "
            "a.wanted_since, COALESCE(a.pending_reason, '') FROM assignments a LEFT JOIN "
            "scim_users u ON u.tenant_id = a.tenant_id AND u.id = a.user_id WHERE a.tenant_id = "
            ":p0 AND a.subscription_id = :p1 AND a.state = 'pending'" +
                (after.empty() ? std::string() : " AND " + after_key) +
                " ORDER BY a.wanted_since, a.user_id LIMIT " + std::to_string(limit + 1),
            after.empty() ? std::vector<std::string>{tenant, sub}
                          : std::vector<std::string>{tenant, sub, after_since, after_since,
                                                     after_user},
            [&](const soci::row& r) {
              WaitlistEntry e;
              e.position = ahead + static_cast<int64_t>(page.items.size()) + 1;
              e.user_id = sql::Str(r, 0);
              e.user_name = sql::Str(r, 1);
              e.display_name = sql::Str(r, 2);
              e.since = sql::Str(r, 3);
              e.reason = sql::Str(r, 4);
              keys.push_back(e.since + "\n" + e.user_id);
              page.items.push_back(std::move(e));
            });
        if (!s) return std::unexpected(s.error());
        if (page.items.size() > static_cast<size_t>(limit)) {
          page.items.pop_back();
          page.next_after = keys[page.items.size() - 1];
        }
        return page;
      });
}

Result<OverrideView> RemoveFromWaitlist(store::Database& db, const std::string& tenant,
                                        const std::string& sub, const std::string& user,
                                        const Actor& actor, const ChangeScope& scope) {
  return db.WriteValue<OverrideView>([&](soci::session& sql) -> Result<OverrideView> {
    const std::vector<std::string> users = {user};
    if (auto l = LockForChange(sql, tenant, users, {sub}); !l) return std::unexpected(l.error());
    if (auto s = SubscriptionExists(sql, tenant, sub); !s) return std::unexpected(s.error());
    auto lic = LicenseOf(sql, tenant, user, sub);
    if (!lic) return std::unexpected(lic.error());
    if (!*lic || (*lic)->state != "pending") {
      return Fail(ErrorCode::kNotFound, "user " + user + " is not waiting for " + sub);
    }
    auto guard = ScopeGuard::Take(sql, tenant, users, scope);
    if (!guard) return std::unexpected(guard.error());
    auto set = SetOverride(sql, tenant, user, sub, "deny", {.reason = "removed from waitlist"},
                           "removed from waitlist", actor);
    if (!set) return std::unexpected(set.error());
    std::map<std::string, int64_t> freed;  // a pending row frees no seat
    auto released = ReleaseAssignments(
        sql, tenant, {{user, sub, "pending", JoinCommaList((*lic)->sources), "unassigned"}}, actor,
        freed);
    if (!released) return std::unexpected(released.error());
    auto applied = Reapply(sql, tenant, users, {actor, "unassigned"});
    if (!applied) return std::unexpected(applied.error());
    if (auto c = guard->Check(sql); !c) return std::unexpected(c.error());
    return *set;
  });
}

}  // namespace allot::licensing
