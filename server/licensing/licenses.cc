#include "server/licensing/licenses.h"

#include <soci/soci.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "server/base/clock.h"
#include "server/licensing/admin_change.h"
#include "server/licensing/apply.h"
#include "server/licensing/audit.h"
#include "server/base/comma_list.h"
#include "server/licensing/decide.h"
#include "server/licensing/history.h"
#include "server/licensing/locks.h"
#include "server/licensing/queries.h"
#include "server/licensing/queue.h"
#include "server/licensing/sql.h"

namespace allot::licensing {
namespace {

constexpr const char* kAssignHint = "assign with ?queue=true to wait for one";
constexpr const char* kMoveHint =
    "move with \"queue\": true to wait for one, keeping the current license";
constexpr const char* kBulkAssignHint = "send \"queue\": true to wait for one";
constexpr const char* kBulkMoveHint =
    "send \"queue\": true to wait for one, keeping the current licenses";

Status Reapply1(soci::session& sql, const std::string& tenant, std::vector<std::string> users,
                const Actor& actor, const char* reason) {
  auto r = Reapply(sql, tenant, users, {actor, reason});
  if (!r) return std::unexpected(r.error());
  return Ok();
}

// Serves the queues where `freed` counts seats given back.
Status ServeFreed(soci::session& sql, const std::string& tenant,
                  const std::map<std::string, int64_t>& freed, const Actor& actor) {
  std::set<std::string> subs;
  for (const auto& [sub, n] : freed) subs.insert(sub);
  auto p = PromoteWaiting(sql, tenant, subs, actor);
  if (!p) return std::unexpected(p.error());
  return Ok();
}

// The license the user ends up with after a change that wants `sub` for them:
// a pending one gets a free seat from the administrator (whatever the fill
// mode); without one, kNoSeats unless the caller may wait.
Result<License> SeatOrWait(soci::session& sql, const std::string& tenant, const std::string& user,
                           const std::string& sub, bool queue, const std::string& hint,
                           const Actor& actor) {
  auto lic = LicenseOf(sql, tenant, user, sub);
  if (!lic) return std::unexpected(lic.error());
  if (!*lic) return Fail(ErrorCode::kInternal, "the license of " + sub + " was not applied");
  if ((*lic)->state == "pending") {
    auto given = ActivatePending(sql, tenant, user, sub, actor);
    if (!given) return std::unexpected(given.error());
    if (*given) {
      lic = LicenseOf(sql, tenant, user, sub);
      if (!lic) return std::unexpected(lic.error());
      if (!*lic) return Fail(ErrorCode::kInternal, "the license of " + sub + " vanished");
    }
  }
  if ((*lic)->state == "pending" && !queue) return std::unexpected(NoSeats(sql, tenant, sub, hint));
  return **lic;
}

Result<AssignOutcome> AssignIn(soci::session& sql, const std::string& tenant,
                               const std::string& user, const std::string& sub,
                               const AssignOptions& options, const std::string& hint,
                               const Actor& actor, const ChangeScope& scope) {
  const std::vector<std::string> users = {user};
  if (auto l = LockForChange(sql, tenant, users, {sub}); !l) return std::unexpected(l.error());
  auto active = UserActive(sql, tenant, user);
  if (!active) return std::unexpected(active.error());
  if (auto s = SubscriptionExists(sql, tenant, sub); !s) return std::unexpected(s.error());
  if (!*active) {
    return Fail(ErrorCode::kConflict,
                "user " + user + " is inactive; the identity provider must activate it first");
  }
  if (auto h = RefuseIfHeld(sql, tenant, user); !h) return std::unexpected(h.error());
  auto guard = ScopeGuard::Take(sql, tenant, users, scope);
  if (!guard) return std::unexpected(guard.error());

  auto existing = ReadOverride(sql, tenant, user, sub);
  if (!existing) return std::unexpected(existing.error());
  AssignOutcome out;
  if (*existing && (*existing)->kind == "grant") {
    out.override = **existing;
    if (!options.note.reason.empty() || !options.note.expires_at.empty()) {
      OverrideNote note = options.note;
      if (note.reason.empty()) note.reason = (*existing)->reason;
      auto set = SetOverride(sql, tenant, user, sub, "grant", note, "assigned by an administrator",
                             actor);
      if (!set) return std::unexpected(set.error());
      out.override = *set;
    }
  } else {
    if (*existing) {  // a deny: assigning clears it
      auto d = DeleteOverride(sql, tenant, user, sub, "assigned by an administrator", actor);
      if (!d) return std::unexpected(d.error());
    }
    auto gives = PolicyGives(sql, tenant, user, sub);
    if (!gives) return std::unexpected(gives.error());
    if (!*gives) {
      auto set = SetOverride(sql, tenant, user, sub, "grant", options.note,
                             "assigned by an administrator", actor);
      if (!set) return std::unexpected(set.error());
      out.override = *set;
    }
  }
  if (auto s = Reapply1(sql, tenant, users, actor, "policy"); !s) return std::unexpected(s.error());
  auto lic = SeatOrWait(sql, tenant, user, sub, options.queue, hint, actor);
  if (!lic) return std::unexpected(lic.error());
  if (auto c = guard->Check(sql); !c) return std::unexpected(c.error());
  out.license = std::move(*lic);
  return out;
}

Result<UnassignOutcome> UnassignIn(soci::session& sql, const std::string& tenant,
                                   const std::string& user, const std::string& sub,
                                   const UnassignOptions& options, const Actor& actor,
                                   const ChangeScope& scope) {
  const std::vector<std::string> users = {user};
  if (auto l = LockForChange(sql, tenant, users, {sub}); !l) return std::unexpected(l.error());
  if (auto a = UserActive(sql, tenant, user); !a) return std::unexpected(a.error());
  if (auto s = SubscriptionExists(sql, tenant, sub); !s) return std::unexpected(s.error());
  auto guard = ScopeGuard::Take(sql, tenant, users, scope);
  if (!guard) return std::unexpected(guard.error());
  auto lic = LicenseOf(sql, tenant, user, sub);
  if (!lic) return std::unexpected(lic.error());
  UnassignOutcome out;
  if (!*lic) {
    if (!options.deny) {
      return Fail(ErrorCode::kNotFound,
                  "user " + user + " neither holds nor waits for a license of " + sub +
                      "; nothing changed (unassign with ?deny=true to keep policies from giving "
                      "it)");
    }
    auto set = SetOverride(sql, tenant, user, sub, "deny", options.note,
                           "never give this license (set by an administrator)", actor);
    if (!set) return std::unexpected(set.error());
    out.override = *set;
  } else {
    auto existing = ReadOverride(sql, tenant, user, sub);
    if (!existing) return std::unexpected(existing.error());
    if (*existing && (*existing)->kind == "grant") {
      auto d = DeleteOverride(sql, tenant, user, sub, "unassigned by an administrator", actor);
      if (!d) return std::unexpected(d.error());
    }
    auto wants = PolicyGives(sql, tenant, user, sub);
    if (!wants) return std::unexpected(wants.error());
    if (*wants || options.deny) {
      auto set = SetOverride(sql, tenant, user, sub, "deny", options.note,
                             "unassigned by an administrator", actor);
      if (!set) return std::unexpected(set.error());
      out.override = *set;
    }
    std::map<std::string, int64_t> freed;
    auto released = ReleaseAssignments(
        sql, tenant,
        {{user, sub, (*lic)->state, JoinCommaList((*lic)->sources), "unassigned"}}, actor, freed);
    if (!released) return std::unexpected(released.error());
    out.released = *released > 0;
    if (auto s = ServeFreed(sql, tenant, freed, actor); !s) return std::unexpected(s.error());
  }
  if (auto s = Reapply1(sql, tenant, users, actor, "unassigned"); !s) {
    return std::unexpected(s.error());
  }
  if (auto c = guard->Check(sql); !c) return std::unexpected(c.error());
  return out;
}

struct ProductOf {
  std::string product, family;
};
Result<ProductOf> ReadProductOf(soci::session& sql, const std::string& tenant,
                                const std::string& sub) {
  std::optional<ProductOf> out;
  auto s = sql::Run(sql,
                    "SELECT s.product_id, COALESCE(p.family, '') FROM subscriptions s JOIN "
                    "products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id WHERE "
                    "s.tenant_id = :p0 AND s.id = :p1",
                    {tenant, sub},
                    [&](const soci::row& r) { out = ProductOf{sql::Str(r, 0), sql::Str(r, 1)}; });
  if (!s) return std::unexpected(s.error());
  if (!out) return Fail(ErrorCode::kNotFound, "no subscription " + sub);
  return *out;
}

Result<License> MoveIn(soci::session& sql, const std::string& tenant, const std::string& user,
                       const std::string& from_sub, const std::string& to_sub,
                       const MoveOptions& options, const std::string& hint, const Actor& actor,
                       const ChangeScope& scope) {
  if (from_sub == to_sub) {
    return Fail(ErrorCode::kInvalidRequest, "to_subscription is the subscription moved from");
  }
  const std::vector<std::string> users = {user};
  if (auto l = LockForChange(sql, tenant, users, {from_sub, to_sub}); !l) {
    return std::unexpected(l.error());
  }
  auto active = UserActive(sql, tenant, user);
  if (!active) return std::unexpected(active.error());
  auto from = ReadProductOf(sql, tenant, from_sub);
  if (!from) return std::unexpected(from.error());
  auto to = ReadProductOf(sql, tenant, to_sub);
  if (!to) return std::unexpected(to.error());
  const bool same_family = !from->family.empty() && from->family == to->family;
  if (from->product != to->product && !same_family && !options.across_families) {
    auto describe = [](const std::string& sub, const ProductOf& p) {
      return sub + " is of product " + p.product +
             (p.family.empty() ? " (no family)" : " (family " + p.family + ")");
    };
    return Fail(ErrorCode::kInvalidRequest,
                "a move changes the license type within one product or one exclusive family: " +
                    describe(from_sub, *from) + ", " + describe(to_sub, *to) +
                    "; send \"across_families\": true to move across");
  }
  if (!*active) {
    return Fail(ErrorCode::kConflict,
                "user " + user + " is inactive; the identity provider must activate it first");
  }
  if (auto h = RefuseIfHeld(sql, tenant, user); !h) return std::unexpected(h.error());
  auto held = LicenseOf(sql, tenant, user, from_sub);
  if (!held) return std::unexpected(held.error());
  if (!*held) {
    return Fail(ErrorCode::kConflict, "user " + user + " holds no license of " + from_sub);
  }
  auto target = LicenseOf(sql, tenant, user, to_sub);
  if (!target) return std::unexpected(target.error());
  if (*target && (*target)->state == "active") {
    return Fail(ErrorCode::kConflict, "user " + user + " already holds a license of " + to_sub);
  }
  auto guard = ScopeGuard::Take(sql, tenant, users, scope);
  if (!guard) return std::unexpected(guard.error());

  // The new license: a deny on it goes; a grant unless a policy gives it.
  auto to_override = ReadOverride(sql, tenant, user, to_sub);
  if (!to_override) return std::unexpected(to_override.error());
  if (*to_override && (*to_override)->kind == "deny") {
    auto d = DeleteOverride(sql, tenant, user, to_sub, "moved from " + from_sub, actor);
    if (!d) return std::unexpected(d.error());
  }
  if (!*to_override || (*to_override)->kind != "grant") {
    auto gives = PolicyGives(sql, tenant, user, to_sub);
    if (!gives) return std::unexpected(gives.error());
    if (!*gives) {
      auto set = SetOverride(sql, tenant, user, to_sub, "grant", {}, "moved from " + from_sub,
                             actor);
      if (!set) return std::unexpected(set.error());
    }
  }
  // The old license stays until the new one is active. Within a family its
  // grant stays as the fallback until then too (decide.h); elsewhere the
  // marker alone keeps it, and a policy that still wants it is denied.
  if (!same_family) {
    auto from_override = ReadOverride(sql, tenant, user, from_sub);
    if (!from_override) return std::unexpected(from_override.error());
    if (*from_override && (*from_override)->kind == "grant") {
      auto d = DeleteOverride(sql, tenant, user, from_sub, "moved to " + to_sub, actor);
      if (!d) return std::unexpected(d.error());
    }
  }
  if ((*held)->state == "active") {
    if (auto u = sql::Run(sql,
                          "UPDATE assignments SET held_for = :p0 WHERE tenant_id = :p1 AND "
                          "user_id = :p2 AND subscription_id = :p3",
                          {to_sub, tenant, user, from_sub});
        !u) {
      return std::unexpected(u.error());
    }
  }
  auto wants_old = PolicyGives(sql, tenant, user, from_sub);
  if (!wants_old) return std::unexpected(wants_old.error());
  if (*wants_old) {
    auto set = SetOverride(sql, tenant, user, from_sub, "deny", {}, "moved to " + to_sub, actor);
    if (!set) return std::unexpected(set.error());
  }
  if (auto s = Reapply1(sql, tenant, users, actor, "moved"); !s) return std::unexpected(s.error());
  auto lic = SeatOrWait(sql, tenant, user, to_sub, options.queue, hint, actor);
  if (!lic) return std::unexpected(lic.error());
  if (auto c = guard->Check(sql); !c) return std::unexpected(c.error());
  return *lic;
}

Result<License> ReassignIn(soci::session& sql, const std::string& tenant, const std::string& sub,
                           const std::string& from, const std::string& to, const Actor& actor,
                           const ChangeScope& scope) {
  const std::vector<std::string> users = {from, to};
  if (auto l = LockForChange(sql, tenant, users, {sub}); !l) return std::unexpected(l.error());
  if (auto s = SubscriptionExists(sql, tenant, sub); !s) return std::unexpected(s.error());
  auto to_active = UserActive(sql, tenant, to);
  if (!to_active) return std::unexpected(to_active.error());
  if (!*to_active) return Fail(ErrorCode::kConflict, "to_user " + to + " is inactive");
  if (auto h = RefuseIfHeld(sql, tenant, to); !h) return std::unexpected(h.error());
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
  auto guard = ScopeGuard::Take(sql, tenant, users, scope);
  if (!guard) return std::unexpected(guard.error());

  // from: as an unassign (a deny only if a policy still wants it for them).
  auto from_override = ReadOverride(sql, tenant, from, sub);
  if (!from_override) return std::unexpected(from_override.error());
  if (*from_override && (*from_override)->kind == "grant") {
    auto d = DeleteOverride(sql, tenant, from, sub, "seat reassigned to " + to, actor);
    if (!d) return std::unexpected(d.error());
  }
  auto from_wants = PolicyGives(sql, tenant, from, sub);
  if (!from_wants) return std::unexpected(from_wants.error());
  if (*from_wants) {
    auto set = SetOverride(sql, tenant, from, sub, "deny", {}, "seat reassigned to " + to, actor);
    if (!set) return std::unexpected(set.error());
  }
  // to: as an assign (a grant only if no policy gives it).
  auto to_override = ReadOverride(sql, tenant, to, sub);
  if (!to_override) return std::unexpected(to_override.error());
  if (*to_override && (*to_override)->kind == "deny") {
    auto d = DeleteOverride(sql, tenant, to, sub, "seat reassigned from " + from, actor);
    if (!d) return std::unexpected(d.error());
  }
  if (!*to_override || (*to_override)->kind != "grant") {
    auto gives = PolicyGives(sql, tenant, to, sub);
    if (!gives) return std::unexpected(gives.error());
    if (!*gives) {
      auto set =
          SetOverride(sql, tenant, to, sub, "grant", {}, "seat reassigned from " + from, actor);
      if (!set) return std::unexpected(set.error());
    }
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
  if (auto s = Reapply1(sql, tenant, users, actor, "reassigned"); !s) {
    return std::unexpected(s.error());
  }
  // to's swap, if the seat completes one: what it kept goes, superseded
  // grants of the family too.
  std::map<std::string, int64_t> freed;
  const std::vector<std::string> receiver = {to};
  if (auto a = AfterActivation(sql, tenant, sub, &receiver, actor, freed); !a) {
    return std::unexpected(a.error());
  }
  if (auto s = ServeFreed(sql, tenant, freed, actor); !s) return std::unexpected(s.error());
  auto lic = LicenseOf(sql, tenant, to, sub);
  if (!lic) return std::unexpected(lic.error());
  if (!*lic) return Fail(ErrorCode::kInternal, "reassigned seat vanished");
  if (auto c = guard->Check(sql); !c) return std::unexpected(c.error());
  return **lic;
}

}  // namespace

bool ChangeScope::Covers(const std::string& sub) const {
  return subscriptions == nullptr ||
         std::find(subscriptions->begin(), subscriptions->end(), sub) != subscriptions->end();
}

std::string License::source() const {
  for (const std::string& s : sources) {
    if (s == "admin") return s;
  }
  return sources.empty() ? "" : sources.front();
}

Result<AssignOutcome> AssignLicense(store::Database& db, const std::string& tenant,
                                    const std::string& user, const std::string& sub,
                                    const AssignOptions& options, const Actor& actor,
                                    const ChangeScope& scope) {
  return db.WriteValue<AssignOutcome>([&](soci::session& sql) {
    return AssignIn(sql, tenant, user, sub, options, kAssignHint, actor, scope);
  });
}

Result<UnassignOutcome> UnassignLicense(store::Database& db, const std::string& tenant,
                                        const std::string& user, const std::string& sub,
                                        const UnassignOptions& options, const Actor& actor,
                                        const ChangeScope& scope) {
  return db.WriteValue<UnassignOutcome>([&](soci::session& sql) {
    return UnassignIn(sql, tenant, user, sub, options, actor, scope);
  });
}

Status ClearOverride(store::Database& db, const std::string& tenant, const std::string& user,
                     const std::string& sub, const Actor& actor, const ChangeScope& scope) {
  return db.Write([&](soci::session& sql) -> Status {
    const std::vector<std::string> users = {user};
    if (auto l = LockForChange(sql, tenant, users, {sub}); !l) return l;
    auto guard = ScopeGuard::Take(sql, tenant, users, scope);
    if (!guard) return std::unexpected(guard.error());
    auto removed = DeleteOverride(sql, tenant, user, sub, "", actor);
    if (!removed) return std::unexpected(removed.error());
    if (!*removed) return Fail(ErrorCode::kNotFound, "user " + user + " has no override on " + sub);
    if (auto s = Reapply1(sql, tenant, users, actor, "policy"); !s) return s;
    return guard->Check(sql);
  });
}

Result<License> Reassign(store::Database& db, const std::string& tenant, const std::string& sub,
                         const std::string& from, const std::string& to, const Actor& actor,
                         const ChangeScope& scope) {
  if (from == to) return Fail(ErrorCode::kInvalidRequest, "from_user and to_user are the same");
  return db.WriteValue<License>([&](soci::session& sql) {
    return ReassignIn(sql, tenant, sub, from, to, actor, scope);
  });
}

Result<License> Move(store::Database& db, const std::string& tenant, const std::string& user,
                     const std::string& from_sub, const std::string& to_sub,
                     const MoveOptions& options, const Actor& actor, const ChangeScope& scope) {
  return db.WriteValue<License>([&](soci::session& sql) {
    return MoveIn(sql, tenant, user, from_sub, to_sub, options, kMoveHint, actor, scope);
  });
}

Result<BulkOutcome> Bulk(store::Database& db, const std::string& tenant, const BulkRequest& req,
                         const Actor& actor, const ChangeScope& scope) {
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
      auto r = UnassignIn(sql, tenant, user, req.subscription_id, {}, actor, scope);
      if (!r) return std::unexpected(r.error());
      return Ok();
    }
    if (req.action == "assign") {
      auto r = AssignIn(sql, tenant, user, req.subscription_id, {.queue = req.queue},
                        kBulkAssignHint, actor, scope);
      if (!r) return std::unexpected(r.error());
      out.state = r->license.state;
      return Ok();
    }
    auto lic = MoveIn(sql, tenant, user, req.subscription_id, req.to_subscription_id,
                      {.queue = req.queue, .across_families = req.across_families},
                      kBulkMoveHint, actor, scope);
    if (!lic) return std::unexpected(lic.error());
    out.state = lic->state;
    return Ok();
  };
  BulkOutcome outcome;
  outcome.results.resize(req.user_ids.size());
  if (req.atomic) {
    size_t failed_at = req.user_ids.size();
    Status s = db.Write([&](soci::session& sql) -> Status {
      // Every user, then every subscription, before the first change: one
      // lock order for the whole request.
      std::set<std::string> subs = {req.subscription_id};
      if (!req.to_subscription_id.empty()) subs.insert(req.to_subscription_id);
      if (auto l = LockForChange(sql, tenant, req.user_ids, subs); !l) return l;
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
