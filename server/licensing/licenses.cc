#include "server/licensing/licenses.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "server/base/clock.h"
#include "server/licensing/apply.h"
#include "server/licensing/audit.h"
#include "server/licensing/history.h"
#include "server/licensing/queries.h"
#include "server/licensing/seats.h"
#include "server/licensing/sql.h"
#include "server/store/row_locks.h"

namespace allot::licensing {
namespace {

// kNotFound unless the user exists and is not deleted; `active` out.
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

// The kind of the user's override on `sub`, or nullopt. A failed read is an
// error, never "no override": on PostgreSQL the transaction is aborted by
// then, and going on would fail later with a less telling message.
Result<std::optional<std::string>> OverrideKindOf(soci::session& sql, const std::string& tenant,
                                                  const std::string& user, const std::string& sub) {
  std::optional<std::string> kind;
  auto s = sql::Run(sql,
                    "SELECT kind FROM overrides WHERE tenant_id = :p0 AND user_id = :p1 AND "
                    "subscription_id = :p2",
                    {tenant, user, sub}, [&](const soci::row& r) { kind = sql::Str(r, 0); });
  if (!s) return std::unexpected(s.error());
  return kind;
}

// Sets the override (replacing any on the same subscription). A grant also
// clears the user's other grant overrides in the same exclusive family:
// changing a license type replaces the old one.
Status SetOverride(soci::session& sql, const std::string& tenant, const std::string& user,
                   const std::string& sub, const std::string& kind, const Actor& actor) {
  auto read = OverrideKindOf(sql, tenant, user, sub);
  if (!read) return std::unexpected(read.error());
  const std::optional<std::string>& before = *read;
  if (before == kind) return Ok();
  std::vector<AuditEvent> events;
  if (kind == "grant") {
    std::vector<std::string> replaced;
    auto s = sql::Run(
        sql,
        "SELECT o.subscription_id FROM overrides o JOIN subscriptions s ON s.tenant_id = "
        "o.tenant_id AND s.id = o.subscription_id JOIN products p ON p.tenant_id = s.tenant_id "
        "AND p.id = s.product_id WHERE o.tenant_id = :p0 AND o.user_id = :p1 AND o.kind = "
        "'grant' AND o.subscription_id <> :p2 AND p.family IS NOT NULL AND p.family = (SELECT "
        "p2.family FROM subscriptions s2 JOIN products p2 ON p2.tenant_id = s2.tenant_id AND "
        "p2.id = s2.product_id WHERE s2.tenant_id = :p3 AND s2.id = :p4)",
        {tenant, user, sub, tenant, sub}, [&](const soci::row& r) { replaced.push_back(sql::Str(r, 0)); });
    if (!s) return s;
    for (const std::string& other : replaced) {
      if (auto d = sql::Run(sql,
                            "DELETE FROM overrides WHERE tenant_id = :p0 AND user_id = :p1 AND "
                            "subscription_id = :p2",
                            {tenant, user, other});
          !d) {
        return d;
      }
      events.push_back({.action = "override.cleared",
                        .target_kind = "override",
                        .target_id = user + "/" + other,
                        .user_id = user,
                        .subscription_id = other,
                        .before_json = AuditJson({{"kind", "grant"}}),
                        .after_json = AuditJson({{"replaced_by", sub}})});
    }
  }
  const std::string now = NowRfc3339();
  if (auto d = sql::Run(sql,
                        "DELETE FROM overrides WHERE tenant_id = :p0 AND user_id = :p1 AND "
                        "subscription_id = :p2",
                        {tenant, user, sub});
      !d) {
    return d;
  }
  if (auto i = sql::Run(sql,
                        "INSERT INTO overrides (tenant_id, user_id, subscription_id, kind, set_by, "
                        "set_at) VALUES (:p0, :p1, :p2, :p3, :p4, :p5)",
                        {tenant, user, sub, kind, actor.id, now});
      !i) {
    return i;
  }
  events.push_back({.action = "override.set",
                    .target_kind = "override",
                    .target_id = user + "/" + sub,
                    .user_id = user,
                    .subscription_id = sub,
                    .before_json = before ? AuditJson({{"kind", *before}}) : "",
                    .after_json = AuditJson({{"kind", kind}})});
  return WriteAuditBatch(sql, tenant, actor, events);
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

Status Reapply1(soci::session& sql, const std::string& tenant, std::vector<std::string> users,
                const Actor& actor, const char* reason) {
  auto r = Reapply(sql, tenant, users, {actor, reason});
  if (!r) return std::unexpected(r.error());
  return Ok();
}

Error NoSeats(soci::session& sql, const std::string& tenant, const std::string& sub) {
  auto c = ReadSeatCounts(sql, tenant, sub);
  const int64_t seats = c ? c->seats : 0, taken = c ? c->assigned : 0;
  return {ErrorCode::kNoSeats, "no free seat in subscription " + sub + ": seats " +
                                   std::to_string(seats) + ", taken " + std::to_string(taken) +
                                   " (raise the seats, or assign with ?queue=true to wait)"};
}

// Locks the users an operation changes, before it reads anything it relies
// on: their overrides, grants and assignments change only under their locks
// (store/row_locks.h). Their subscriptions are locked later, by Reapply, as
// late as possible: that lock is what concurrent seat changes queue on.
Status LockUsers(soci::session& sql, const std::string& tenant, std::vector<std::string> users) {
  return store::LockUsers(sql, tenant, users);
}

Result<License> AssignIn(soci::session& sql, const std::string& tenant, const std::string& user,
                         const std::string& sub, bool queue, const Actor& actor) {
  if (auto l = LockUsers(sql, tenant, {user}); !l) return std::unexpected(l.error());
  auto active = UserActive(sql, tenant, user);
  if (!active) return std::unexpected(active.error());
  if (auto s = SubscriptionExists(sql, tenant, sub); !s) return std::unexpected(s.error());
  if (!*active) {
    return Fail(ErrorCode::kConflict,
                "user " + user + " is inactive; the identity provider must activate it first");
  }
  if (auto s = SetOverride(sql, tenant, user, sub, "grant", actor); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = Reapply1(sql, tenant, {user}, actor, "unassigned"); !s) {
    return std::unexpected(s.error());
  }
  auto lic = LicenseOf(sql, tenant, user, sub);
  if (!lic) return std::unexpected(lic.error());
  if (!*lic) return Fail(ErrorCode::kInternal, "assignment of " + sub + " vanished");
  if ((*lic)->state == "pending" && !queue) return std::unexpected(NoSeats(sql, tenant, sub));
  return **lic;
}

Status UnassignIn(soci::session& sql, const std::string& tenant, const std::string& user,
                  const std::string& sub, const Actor& actor) {
  if (auto l = LockUsers(sql, tenant, {user}); !l) return l;
  auto active = UserActive(sql, tenant, user);
  if (!active) return std::unexpected(active.error());
  if (auto s = SubscriptionExists(sql, tenant, sub); !s) return s;
  if (auto s = SetOverride(sql, tenant, user, sub, "deny", actor); !s) return s;
  return Reapply1(sql, tenant, {user}, actor, "unassigned");
}

Result<License> MoveIn(soci::session& sql, const std::string& tenant, const std::string& user,
                       const std::string& from_sub, const std::string& to_sub,
                       const Actor& actor) {
  if (from_sub == to_sub) {
    return Fail(ErrorCode::kInvalidRequest, "to_subscription is the subscription moved from");
  }
  if (auto l = LockUsers(sql, tenant, {user}); !l) {
    return std::unexpected(l.error());
  }
  auto active = UserActive(sql, tenant, user);
  if (!active) return std::unexpected(active.error());
  if (auto s = SubscriptionExists(sql, tenant, from_sub); !s) return std::unexpected(s.error());
  if (auto s = SubscriptionExists(sql, tenant, to_sub); !s) return std::unexpected(s.error());
  auto held = LicenseOf(sql, tenant, user, from_sub);
  if (!held) return std::unexpected(held.error());
  if (!*held) {
    return Fail(ErrorCode::kConflict, "user " + user + " holds no license of " + from_sub);
  }
  if (auto s = SetOverride(sql, tenant, user, from_sub, "deny", actor); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = SetOverride(sql, tenant, user, to_sub, "grant", actor); !s) {
    return std::unexpected(s.error());
  }
  if (auto s = Reapply1(sql, tenant, {user}, actor, "moved"); !s) return std::unexpected(s.error());
  auto lic = LicenseOf(sql, tenant, user, to_sub);
  if (!lic) return std::unexpected(lic.error());
  if (!*lic || (*lic)->state != "active") return std::unexpected(NoSeats(sql, tenant, to_sub));
  return **lic;
}

}  // namespace

std::string License::source() const {
  for (const std::string& s : sources) {
    if (s == "admin") return s;
  }
  return sources.empty() ? "" : sources.front();
}

Result<License> AssignLicense(store::Database& db, const std::string& tenant,
                              const std::string& user, const std::string& sub, bool queue,
                              const Actor& actor) {
  return db.WriteValue<License>(
      [&](soci::session& sql) { return AssignIn(sql, tenant, user, sub, queue, actor); });
}

Status UnassignLicense(store::Database& db, const std::string& tenant, const std::string& user,
                       const std::string& sub, const Actor& actor) {
  return db.Write([&](soci::session& sql) { return UnassignIn(sql, tenant, user, sub, actor); });
}

Status ClearOverride(store::Database& db, const std::string& tenant, const std::string& user,
                     const std::string& sub, const Actor& actor) {
  return db.Write([&](soci::session& sql) -> Status {
    if (auto l = LockUsers(sql, tenant, {user}); !l) return l;
    auto read = OverrideKindOf(sql, tenant, user, sub);
    if (!read) return std::unexpected(read.error());
    const std::optional<std::string>& before = *read;
    if (!before) {
      return Fail(ErrorCode::kNotFound, "user " + user + " has no override on " + sub);
    }
    if (auto d = sql::Run(sql,
                          "DELETE FROM overrides WHERE tenant_id = :p0 AND user_id = :p1 AND "
                          "subscription_id = :p2",
                          {tenant, user, sub});
        !d) {
      return d;
    }
    if (auto a = WriteAudit(sql, tenant, actor,
                            {.action = "override.cleared",
                             .target_kind = "override",
                             .target_id = user + "/" + sub,
                             .user_id = user,
                             .subscription_id = sub,
                             .before_json = AuditJson({{"kind", *before}})});
        !a) {
      return a;
    }
    return Reapply1(sql, tenant, {user}, actor, "policy");
  });
}

Result<License> Reassign(store::Database& db, const std::string& tenant, const std::string& sub,
                         const std::string& from, const std::string& to, const Actor& actor) {
  if (from == to) return Fail(ErrorCode::kInvalidRequest, "from_user and to_user are the same");
  return db.WriteValue<License>([&](soci::session& sql) -> Result<License> {
    // Both users, then the subscription (and the rest of their reach, which
    // Reapply below changes), before the states below are read: the seat
    // changes hands under the subscription's lock, like every change of its
    // assignments, so neither state can change before the handover.
    const std::string users[] = {from, to}, subs[] = {sub};
    if (auto l = LockForReapply(sql, tenant, users, subs); !l) return std::unexpected(l.error());
    if (auto s = SubscriptionExists(sql, tenant, sub); !s) return std::unexpected(s.error());
    auto to_active = UserActive(sql, tenant, to);
    if (!to_active) return std::unexpected(to_active.error());
    if (!*to_active) return Fail(ErrorCode::kConflict, "to_user " + to + " is inactive");
    auto held = LicenseOf(sql, tenant, from, sub);
    if (!held) return std::unexpected(held.error());
    if (!*held || (*held)->state != "active") {
      return Fail(ErrorCode::kConflict, "from_user " + from + " holds no seat of " + sub);
    }
    auto target = LicenseOf(sql, tenant, to, sub);
    if (!target) return std::unexpected(target.error());
    if (*target && (*target)->state == "active") {
      return Fail(ErrorCode::kConflict, "to_user " + to + " already holds a seat of " + sub);
    }
    if (auto s = SetOverride(sql, tenant, from, sub, "deny", actor); !s) {
      return std::unexpected(s.error());
    }
    if (auto s = SetOverride(sql, tenant, to, sub, "grant", actor); !s) {
      return std::unexpected(s.error());
    }
    // The seat changes hands directly: the counter does not move, so it can
    // neither be lost nor go to the queue.
    const std::string now = NowRfc3339();
    if (auto d = sql::Run(sql,
                          "DELETE FROM assignments WHERE tenant_id = :p0 AND user_id = :p1 AND "
                          "subscription_id = :p2 AND state = 'active'",
                          {tenant, from, sub});
        !d) {
      return std::unexpected(d.error());
    }
    if (auto d = sql::Run(sql,
                          "DELETE FROM assignments WHERE tenant_id = :p0 AND user_id = :p1 AND "
                          "subscription_id = :p2",
                          {tenant, to, sub});
        !d) {
      return std::unexpected(d.error());
    }
    if (auto i = sql::Run(sql,
                          "INSERT INTO assignments (tenant_id, user_id, subscription_id, state, "
                          "sources, wanted_since, activated_at) VALUES (:p0, :p1, :p2, 'active', "
                          "'admin', :p3, :p4)",
                          {tenant, to, sub, now, now});
        !i) {
      return std::unexpected(i.error());
    }
    if (auto h = CloseHistory(sql, tenant, {{from, sub, "reassigned"}}, now); !h) {
      return std::unexpected(h.error());
    }
    if (auto h = OpenHistory(sql, tenant, {{to, sub, "admin"}}, now); !h) {
      return std::unexpected(h.error());
    }
    if (auto a = WriteAudit(sql, tenant, actor,
                            {.action = "assignment.reassigned",
                             .target_kind = "assignment",
                             .target_id = to + "/" + sub,
                             .user_id = to,
                             .subscription_id = sub,
                             .before_json = AuditJson({{"user_id", from}}),
                             .after_json = AuditJson({{"user_id", to}, {"state", "active"}})});
        !a) {
      return std::unexpected(a.error());
    }
    if (auto s = Reapply1(sql, tenant, {from, to}, actor, "reassigned"); !s) {
      return std::unexpected(s.error());
    }
    auto lic = LicenseOf(sql, tenant, to, sub);
    if (!lic) return std::unexpected(lic.error());
    if (!*lic) return Fail(ErrorCode::kInternal, "reassigned seat vanished");
    return **lic;
  });
}

Result<License> Move(store::Database& db, const std::string& tenant, const std::string& user,
                     const std::string& from_sub, const std::string& to_sub,
                     const Actor& actor) {
  return db.WriteValue<License>(
      [&](soci::session& sql) { return MoveIn(sql, tenant, user, from_sub, to_sub, actor); });
}

Result<BulkOutcome> Bulk(store::Database& db, const std::string& tenant, const BulkRequest& req,
                         const Actor& actor) {
  if (req.action != "assign" && req.action != "unassign" && req.action != "move") {
    return Fail(ErrorCode::kInvalidRequest, "action must be assign, unassign or move");
  }
  if (req.action == "move" && req.to_subscription_id.empty()) {
    return Fail(ErrorCode::kInvalidRequest, "to_subscription_id is required for move");
  }
  if (req.user_ids.empty()) return Fail(ErrorCode::kInvalidRequest, "user_ids is empty");
  if (req.user_ids.size() > 10000) {
    return Fail(ErrorCode::kInvalidRequest, "user_ids: at most 10000 per request");
  }
  auto one = [&](soci::session& sql, const std::string& user, BulkResult& out) -> Status {
    out.user_id = user;
    if (req.action == "unassign") {
      return UnassignIn(sql, tenant, user, req.subscription_id, actor);
    }
    auto lic = req.action == "assign"
                   ? AssignIn(sql, tenant, user, req.subscription_id, req.queue, actor)
                   : MoveIn(sql, tenant, user, req.subscription_id, req.to_subscription_id, actor);
    if (!lic) return std::unexpected(lic.error());
    out.state = lic->state;
    return Ok();
  };
  BulkOutcome outcome;
  outcome.results.resize(req.user_ids.size());
  if (req.atomic) {
    size_t failed_at = req.user_ids.size();
    Status s = db.Write([&](soci::session& sql) -> Status {
      // All users, then all subscriptions, before the first change: one
      // user's change must not lock a subscription below one already held.
      std::vector<std::string> subs = {req.subscription_id};
      if (!req.to_subscription_id.empty()) subs.push_back(req.to_subscription_id);
      if (auto l = LockForReapply(sql, tenant, req.user_ids, subs); !l) return l;
      for (size_t i = 0; i < req.user_ids.size(); ++i) {
        Status r = one(sql, req.user_ids[i], outcome.results[i]);
        if (!r) {
          failed_at = i;
          return r;
        }
      }
      return Ok();
    });
    if (!s) {
      outcome.applied = false;
      for (size_t i = 0; i < outcome.results.size(); ++i) {
        BulkResult& r = outcome.results[i];
        r.user_id = req.user_ids[i];
        r.state.clear();
        if (i == failed_at || failed_at == req.user_ids.size()) {
          r.error = s.error();
        } else {
          r.error = Error{ErrorCode::kConflict,
                          i < failed_at ? "rolled back: another user of this atomic request failed"
                                        : "not attempted: an earlier user failed"};
        }
      }
    }
    return outcome;
  }
  for (size_t i = 0; i < req.user_ids.size(); ++i) {
    Status s = db.Write(
        [&](soci::session& sql) { return one(sql, req.user_ids[i], outcome.results[i]); });
    if (!s) {
      outcome.results[i].user_id = req.user_ids[i];
      outcome.results[i].state.clear();
      outcome.results[i].error = s.error();
    }
  }
  return outcome;
}

}  // namespace allot::licensing
