#include "server/licensing/admin_change.h"

#include <soci/soci.h>

#include <algorithm>

#include "server/licensing/decide.h"
#include "server/licensing/queries.h"
#include "server/licensing/seats.h"
#include "server/licensing/sql.h"

namespace allot::licensing {

Result<bool> UserActive(soci::session& sql, const std::string& tenant, const std::string& user) {
  std::optional<bool> active;
  auto s = sql::Run(sql,
                    "SELECT active FROM scim_users WHERE tenant_id = :p0 AND id = :p1 AND "
                    "deleted_at IS NULL",
                    {tenant, user}, [&](const soci::row& r) { active = sql::Int(r, 0) != 0; });
  if (!s) return std::unexpected(s.error());
  if (!active) return Fail(ErrorCode::kNotFound, "no user " + user);
  return *active;
}

Status SubscriptionExists(soci::session& sql, const std::string& tenant, const std::string& sub) {
  auto c = ReadSeatCounts(sql, tenant, sub);
  if (!c) return std::unexpected(c.error());
  return Ok();
}

Result<std::optional<Hold>> ReadHold(soci::session& sql, const std::string& tenant,
                                     const std::string& user) {
  std::optional<Hold> out;
  auto s = sql::Run(sql,
                    "SELECT h.set_by, COALESCE(p.name, h.set_by), h.set_at, h.reason FROM "
                    "user_holds h LEFT JOIN principals p ON p.tenant_id = h.tenant_id AND p.id = "
                    "h.set_by WHERE h.tenant_id = :p0 AND h.user_id = :p1",
                    {tenant, user}, [&](const soci::row& r) {
                      out = Hold{sql::Str(r, 0), sql::Str(r, 1), sql::Str(r, 2), sql::Str(r, 3)};
                    });
  if (!s) return std::unexpected(s.error());
  return out;
}

Result<std::unordered_map<std::string, Hold>> ReadHolds(soci::session& sql,
                                                        const std::string& tenant,
                                                        std::span<const std::string> users) {
  std::unordered_map<std::string, Hold> out;
  auto s = sql::RunIn(sql,
                      "SELECT h.user_id, h.set_by, COALESCE(p.name, h.set_by), h.set_at, h.reason "
                      "FROM user_holds h LEFT JOIN principals p ON p.tenant_id = h.tenant_id AND "
                      "p.id = h.set_by WHERE h.tenant_id = :p0 AND h.user_id IN ",
                      "", {tenant}, users, {}, [&](const soci::row& r) {
                        out[sql::Str(r, 0)] =
                            Hold{sql::Str(r, 1), sql::Str(r, 2), sql::Str(r, 3), sql::Str(r, 4)};
                      });
  if (!s) return std::unexpected(s.error());
  return out;
}

Status RefuseIfHeld(soci::session& sql, const std::string& tenant, const std::string& user) {
  auto hold = ReadHold(sql, tenant, user);
  if (!hold) return std::unexpected(hold.error());
  if (!*hold) return Ok();
  return Fail(ErrorCode::kConflict,
              "user " + user + " is on hold: all of their licenses were revoked by " +
                  (*hold)->set_by_name + " at " + (*hold)->set_at + " (" + (*hold)->reason +
                  "); clear the hold with DELETE /admin/v1/users/" + user + "/hold first");
}

Result<std::optional<License>> LicenseOf(soci::session& sql, const std::string& tenant,
                                         const std::string& user, const std::string& sub) {
  std::vector<std::string> ids = {user};
  auto all = ReadLicenses(sql, tenant, ids);
  if (!all) return std::unexpected(all.error());
  for (License& l : (*all)[user]) {
    if (l.subscription_id == sub) return std::optional<License>(std::move(l));
  }
  return std::optional<License>();
}

Result<bool> PolicyGives(soci::session& sql, const std::string& tenant, const std::string& user,
                         const std::string& sub) {
  auto active = UserActive(sql, tenant, user);
  if (!active) return std::unexpected(active.error());
  std::vector<PolicyGrantIn> grants;
  std::vector<OverrideIn> overrides;
  FamilyMap families;
  auto s = sql::Run(sql,
                    "SELECT policy_name, priority, subscription_id FROM policy_grants WHERE "
                    "tenant_id = :p0 AND user_id = :p1",
                    {tenant, user}, [&](const soci::row& r) {
                      grants.push_back({sql::Str(r, 0), sql::Int(r, 1), sql::Str(r, 2)});
                    });
  if (!s) return std::unexpected(s.error());
  s = sql::Run(sql,
               "SELECT subscription_id, kind, set_at FROM overrides WHERE tenant_id = :p0 AND "
               "user_id = :p1 AND subscription_id <> :p2",
               {tenant, user, sub}, [&](const soci::row& r) {
                 overrides.push_back(
                     {sql::Str(r, 0),
                      sql::Str(r, 1) == "deny" ? OverrideKind::kDeny : OverrideKind::kGrant,
                      sql::Str(r, 2)});
               });
  if (!s) return std::unexpected(s.error());
  s = sql::Run(sql,
               "SELECT s.id, p.family FROM subscriptions s JOIN products p ON p.tenant_id = "
               "s.tenant_id AND p.id = s.product_id WHERE s.tenant_id = :p0 AND p.family IS NOT "
               "NULL",
               {tenant}, [&](const soci::row& r) { families[sql::Str(r, 0)] = sql::Str(r, 1); });
  if (!s) return std::unexpected(s.error());
  for (const Wanted& w : Decide(*active, grants, overrides, families)) {
    if (w.subscription_id == sub) return true;
  }
  return false;
}

Error NoSeats(soci::session& sql, const std::string& tenant, const std::string& sub,
              const std::string& hint) {
  auto c = ReadSeatCounts(sql, tenant, sub);
  const int64_t seats = c ? c->seats : 0, taken = c ? c->assigned : 0;
  return {ErrorCode::kNoSeats, "no free seat in subscription " + sub + ": seats " +
                                   std::to_string(seats) + ", taken " + std::to_string(taken) +
                                   " (free a seat first, or " + hint + ")"};
}

Result<ScopeGuard::Snapshot> ScopeGuard::Read(soci::session& sql, const std::string& tenant,
                                              const std::vector<std::string>& users,
                                              const ChangeScope& scope) {
  Snapshot snap;
  for (const std::string& user : users) {
    auto s = sql::Run(sql,
                      "SELECT subscription_id, state, COALESCE(held_for, '') FROM assignments "
                      "WHERE tenant_id = :p0 AND user_id = :p1",
                      {tenant, user}, [&](const soci::row& r) {
                        const std::string sub = sql::Str(r, 0);
                        if (scope.Covers(sub)) return;
                        snap.rows["a/" + user + "/" + sub] = sql::Str(r, 1) + "|" + sql::Str(r, 2);
                      });
    if (!s) return std::unexpected(s.error());
    s = sql::Run(sql,
                 "SELECT subscription_id, kind, set_at, COALESCE(expires_at, '') FROM overrides "
                 "WHERE tenant_id = :p0 AND user_id = :p1",
                 {tenant, user}, [&](const soci::row& r) {
                   const std::string sub = sql::Str(r, 0);
                   if (scope.Covers(sub)) return;
                   snap.rows["o/" + user + "/" + sub] =
                       sql::Str(r, 1) + "|" + sql::Str(r, 2) + "|" + sql::Str(r, 3);
                 });
    if (!s) return std::unexpected(s.error());
  }
  return snap;
}

Result<ScopeGuard> ScopeGuard::Take(soci::session& sql, const std::string& tenant,
                                    const std::vector<std::string>& users,
                                    const ChangeScope& scope) {
  ScopeGuard guard;
  guard.tenant_ = tenant;
  guard.scope_ = scope;
  if (scope.subscriptions == nullptr) return guard;
  guard.users_ = users;
  auto snap = Read(sql, tenant, users, scope);
  if (!snap) return std::unexpected(snap.error());
  guard.before_ = std::move(*snap);
  return guard;
}

Status ScopeGuard::Check(soci::session& sql) const {
  if (scope_.subscriptions == nullptr) return Ok();
  auto after = Read(sql, tenant_, users_, scope_);
  if (!after) return std::unexpected(after.error());
  // New licenses outside the scope may appear (a policy's next choice);
  // nothing that was there may go or change.
  for (const auto& [key, value] : before_.rows) {
    auto it = after->rows.find(key);
    if (it == after->rows.end() || it->second != value) {
      return Fail(ErrorCode::kForbidden,
                  "a license outside your scope stands in the way: this change would release, "
                  "alter or displace it (an exclusive family allows one license of it per "
                  "user); nothing was changed, ask an administrator over every subscription");
    }
  }
  return Ok();
}

}  // namespace allot::licensing
