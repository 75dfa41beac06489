#include "server/licensing/queue.h"

#include <soci/soci.h>

#include <deque>
#include <nlohmann/json.hpp>

#include "server/base/clock.h"
#include "server/licensing/audit.h"
#include "server/licensing/history.h"
#include "server/licensing/locks.h"
#include "server/licensing/seats.h"
#include "server/licensing/sql.h"
#include "server/store/bulk.h"
#include "server/store/database.h"

namespace allot::licensing {
namespace {

Result<std::string> FamilyOf(soci::session& sql, const std::string& tenant, const std::string& sub) {
  std::string family;
  auto s = sql::Run(sql,
                    "SELECT p.family FROM subscriptions s JOIN products p ON p.tenant_id = "
                    "s.tenant_id AND p.id = s.product_id WHERE s.tenant_id = :p0 AND s.id = :p1",
                    {tenant, sub}, [&](const soci::row& r) { family = sql::Str(r, 0); });
  if (!s) return std::unexpected(s.error());
  return family;
}

}  // namespace

Result<std::string> FillMode(soci::session& sql, const std::string& tenant,
                             const std::string& sub) {
  std::optional<std::string> mode;
  auto s = sql::Run(sql, "SELECT fill FROM subscriptions WHERE tenant_id = :p0 AND id = :p1",
                    {tenant, sub}, [&](const soci::row& r) { mode = sql::Str(r, 0); });
  if (!s) return std::unexpected(s.error());
  if (!mode) return Fail(ErrorCode::kNotFound, "no subscription " + sub);
  return *mode;
}

Result<int64_t> ReleaseAssignments(soci::session& sql, const std::string& tenant,
                                   const std::vector<Release>& releases, const Actor& actor,
                                   std::map<std::string, int64_t>& freed) {
  if (releases.empty()) return 0;
  // One statement for all (store/bulk.h), each row only in the state read.
  // The caller holds the subscriptions' locks (and SQLite has one writer),
  // under which alone assignment rows change: every row is as read, and a
  // difference is a broken lock discipline, not a race to absorb.
  const size_t rows = releases.size();
  std::vector<std::string> tenants(rows, tenant), users(rows), subs(rows), states(rows);
  for (size_t i = 0; i < rows; ++i) {
    users[i] = releases[i].user;
    subs[i] = releases[i].sub;
    states[i] = releases[i].state;
  }
  auto deleted = store::DeleteRows(sql, "assignments",
                                   {{"tenant_id", &tenants},
                                    {"user_id", &users},
                                    {"subscription_id", &subs},
                                    {"state", &states}});
  if (!deleted) return std::unexpected(deleted.error());
  if (*deleted != static_cast<int64_t>(rows)) {
    return Fail(ErrorCode::kInternal, "assignments changed under their locks");
  }
  const int64_t released = *deleted;
  std::map<std::string, int64_t> seats_back;
  std::vector<HistoryClose> closed;
  std::vector<AuditEvent> audit;
  for (const Release& r : releases) {
    if (r.state == "active") {
      ++seats_back[r.sub];
      closed.push_back({r.user, r.sub, r.reason});
    }
    audit.push_back({.action = "assignment.released",
                     .target_kind = "assignment",
                     .target_id = r.user + "/" + r.sub,
                     .user_id = r.user,
                     .subscription_id = r.sub,
                     .before_json = AuditJson({{"state", r.state}, {"sources", r.sources}}),
                     .after_json = AuditJson({{"reason", r.reason}})});
  }
  for (const auto& [sub, n] : seats_back) {
    if (auto s = GiveBackSeats(sql, tenant, sub, n); !s) return std::unexpected(s.error());
    freed[sub] += n;
  }
  if (auto s = CloseHistory(sql, tenant, closed, NowRfc3339()); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = WriteAuditBatch(sql, tenant, actor, audit); !s) return std::unexpected(s.error());
  return released;
}

Status AfterActivation(soci::session& sql, const std::string& tenant, const std::string& sub,
                       const std::vector<std::string>* users, const Actor& actor,
                       std::map<std::string, int64_t>& freed) {
  if (users != nullptr && users->empty()) return Ok();
  // The users as the session's id list (sql.h): thousands of bound names
  // would make the prepare quadratic on SQLite.
  std::string only_users, only_users_o;
  if (users != nullptr) {
    if (auto f = sql::FillIdList(sql, *users); !f) return f;
    only_users = std::string(" AND h.user_id IN ") + sql::kIdList;
    only_users_o = std::string(" AND o.user_id IN ") + sql::kIdList;
  }
  const std::vector<std::string> params = {tenant, sub};
  // 1. The licenses kept while these users waited for `sub`.
  std::vector<Release> held;
  auto s = sql::Run(sql,
                    "SELECT h.user_id, h.subscription_id, h.state, h.sources FROM assignments h "
                    "JOIN assignments n ON n.tenant_id = h.tenant_id AND n.user_id = h.user_id "
                    "AND n.subscription_id = h.held_for AND n.state = 'active' WHERE "
                    "h.tenant_id = :p0 AND h.held_for = :p1" +
                        only_users + " ORDER BY h.user_id, h.subscription_id",
                    params, [&](const soci::row& r) {
                      held.push_back(
                          {sql::Str(r, 0), sql::Str(r, 1), sql::Str(r, 2), sql::Str(r, 3),
                           "replaced"});
                    });
  if (!s) return s;
  if (auto r = ReleaseAssignments(sql, tenant, held, actor, freed); !r) {
    return std::unexpected(r.error());
  }
  // 2. Grant overrides of the family that the grant of `sub` supersedes (the
  // rule of decide.h: the newer, then the lower id, wins), kept as a fallback
  // while the user waited.
  auto family = FamilyOf(sql, tenant, sub);
  if (!family) return std::unexpected(family.error());
  if (family->empty()) return Ok();
  // sql::Run binds by position: every placeholder has its own value, in
  // the order of the text.
  const std::vector<std::string> params_o = {sub, sub, tenant, sub, *family, sub};
  struct Superseded {
    std::string user, sub;
  };
  std::vector<Superseded> superseded;
  s = sql::Run(sql,
               "SELECT o.user_id, o.subscription_id FROM overrides o "
               "JOIN subscriptions os ON os.tenant_id = o.tenant_id AND os.id = o.subscription_id "
               "JOIN products op ON op.tenant_id = os.tenant_id AND op.id = os.product_id "
               "JOIN overrides g ON g.tenant_id = o.tenant_id AND g.user_id = o.user_id AND "
               "g.subscription_id = :p0 AND g.kind = 'grant' "
               "JOIN assignments n ON n.tenant_id = o.tenant_id AND n.user_id = o.user_id AND "
               "n.subscription_id = :p1 AND n.state = 'active' "
               "WHERE o.tenant_id = :p2 AND o.kind = 'grant' AND o.subscription_id <> :p3 AND "
               "op.family = :p4 AND (o.set_at < g.set_at OR (o.set_at = g.set_at AND "
               "o.subscription_id > :p5))" +
                   only_users_o + " ORDER BY o.user_id, o.subscription_id",
               params_o, [&](const soci::row& r) { superseded.push_back({sql::Str(r, 0), sql::Str(r, 1)}); });
  if (!s) return s;
  std::vector<AuditEvent> audit;
  for (const Superseded& o : superseded) {
    if (auto d = sql::Run(sql,
                          "DELETE FROM overrides WHERE tenant_id = :p0 AND user_id = :p1 AND "
                          "subscription_id = :p2",
                          {tenant, o.user, o.sub});
        !d) {
      return d;
    }
    audit.push_back({.action = "override.cleared",
                     .target_kind = "override",
                     .target_id = o.user + "/" + o.sub,
                     .user_id = o.user,
                     .subscription_id = o.sub,
                     .before_json = AuditJson({{"kind", "grant"}}),
                     .after_json = AuditJson({{"replaced_by", sub}})});
  }
  return WriteAuditBatch(sql, tenant, actor, audit);
}

Result<int64_t> PromoteWaiting(soci::session& sql, const std::string& tenant,
                               const std::set<std::string>& subs, const Actor& actor) {
  // Their families first (locks.h; a no-op for the locks the caller holds):
  // a swap completed below releases seats elsewhere in the family, and those
  // queues are served in turn, all under locks taken here in one go.
  if (auto l = LockSubscriptions(sql, tenant, subs); !l) return std::unexpected(l.error());
  int64_t promoted = 0;
  std::deque<std::string> work(subs.begin(), subs.end());
  while (!work.empty()) {
    const std::string sub = work.front();
    work.pop_front();
    auto mode = FillMode(sql, tenant, sub);
    if (!mode) {
      if (mode.error().code == ErrorCode::kNotFound) continue;
      return std::unexpected(mode.error());
    }
    if (*mode == "manual") continue;  // freed seats stay for administrators
    auto filled = FillPending(sql, tenant, sub, actor);
    if (!filled) return std::unexpected(filled.error());
    if (*filled == 0) continue;
    promoted += *filled;
    std::map<std::string, int64_t> freed;
    if (auto a = AfterActivation(sql, tenant, sub, nullptr, actor, freed); !a) {
      return std::unexpected(a.error());
    }
    for (const auto& [other, n] : freed) work.push_back(other);
  }
  return promoted;
}

Result<bool> ActivatePending(soci::session& sql, const std::string& tenant,
                             const std::string& user, const std::string& sub, const Actor& actor) {
  std::string sources;
  bool pending = false;
  auto s = sql::Run(sql,
                    "SELECT sources FROM assignments WHERE tenant_id = :p0 AND user_id = :p1 AND "
                    "subscription_id = :p2 AND state = 'pending'",
                    {tenant, user, sub}, [&](const soci::row& r) {
                      sources = sql::Str(r, 0);
                      pending = true;
                    });
  if (!s) return std::unexpected(s.error());
  if (!pending) return false;
  auto took = TakeSeat(sql, tenant, sub);
  if (!took) return std::unexpected(took.error());
  if (!*took) return false;
  const std::string now = NowRfc3339();
  if (auto u = sql::Run(sql,
                        "UPDATE assignments SET state = 'active', pending_reason = NULL, "
                        "activated_at = :p0, held_for = NULL WHERE tenant_id = :p1 AND user_id = "
                        ":p2 AND subscription_id = :p3 AND state = 'pending'",
                        {now, tenant, user, sub});
      !u) {
    return std::unexpected(u.error());
  }
  if (auto h = OpenHistory(sql, tenant, {{user, sub, sources}}, now); !h) {
    return std::unexpected(h.error());
  }
  if (auto a = WriteAudit(sql, tenant, actor,
                          {.action = "assignment.activated",
                           .target_kind = "assignment",
                           .target_id = user + "/" + sub,
                           .user_id = user,
                           .subscription_id = sub,
                           .before_json = AuditJson({{"state", "pending"}}),
                           .after_json = AuditJson({{"state", "active"},
                                                    {"sources", sources},
                                                    {"reason", "given by an administrator"}})});
      !a) {
    return std::unexpected(a.error());
  }
  std::map<std::string, int64_t> freed;
  const std::vector<std::string> users = {user};
  if (auto a = AfterActivation(sql, tenant, sub, &users, actor, freed); !a) {
    return std::unexpected(a.error());
  }
  std::set<std::string> subs;
  for (const auto& [other, n] : freed) subs.insert(other);
  if (auto p = PromoteWaiting(sql, tenant, subs, actor); !p) return std::unexpected(p.error());
  return true;
}

}  // namespace allot::licensing
