#include "server/licensing/apply.h"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "server/base/clock.h"
#include "server/licensing/audit.h"
#include "server/base/comma_list.h"
#include "server/licensing/decide.h"
#include "server/licensing/history.h"
#include "server/licensing/locks.h"
#include "server/licensing/queue.h"
#include "server/licensing/terms.h"
#include "server/licensing/seats.h"
#include "server/licensing/sql.h"
#include "server/store/bulk.h"
#include "server/store/database.h"
#include "server/store/row_locks.h"

namespace allot::licensing {
namespace {

struct Current {
  std::string state, sources, held_for;
};

struct Inputs {
  std::unordered_map<std::string, bool> live;  // absent: unknown user, not live
  std::unordered_set<std::string> held;        // users on hold (revoke all)
  FamilyMap families;
  std::unordered_map<std::string, std::vector<PolicyGrantIn>> grants;
  std::unordered_map<std::string, std::vector<OverrideIn>> overrides;
  std::unordered_map<std::string, std::map<std::string, Current>> current;  // user -> sub -> row
};

// Reads the inputs of the users in the session's id list (sql::FillIdList;
// LockForChange fills it), locked already on PostgreSQL.
Result<Inputs> LoadInputs(soci::session& sql, const std::string& tenant,
                          const EvaluatedUsers* known) {
  Inputs in;
  const std::string in_list = std::string(" IN ") + sql::kIdList;
  Status s;
  if (known != nullptr) {
    in.live = known->live;
    in.grants = known->grants;
  } else {
    s = sql::Run(
        sql, "SELECT id, active, deleted_at FROM scim_users WHERE tenant_id = :p0 AND id" + in_list,
        {tenant}, [&](const soci::row& r) {
          in.live[sql::Str(r, 0)] = sql::Int(r, 1) != 0 && sql::IsNull(r, 2);
        });
    if (!s) return std::unexpected(s.error());
    s = sql::Run(
        sql,
        "SELECT user_id, policy_name, priority, subscription_id FROM policy_grants "
        "WHERE tenant_id = :p0 AND user_id" +
            in_list,
        {tenant}, [&](const soci::row& r) {
          in.grants[sql::Str(r, 0)].push_back({sql::Str(r, 1), sql::Int(r, 2), sql::Str(r, 3)});
        });
    if (!s) return std::unexpected(s.error());
  }
  s = sql::Run(sql, "SELECT user_id FROM user_holds WHERE tenant_id = :p0 AND user_id" + in_list,
               {tenant}, [&](const soci::row& r) { in.held.insert(sql::Str(r, 0)); });
  if (!s) return std::unexpected(s.error());
  s = sql::Run(
      sql,
      "SELECT s.id, p.family FROM subscriptions s JOIN products p ON p.tenant_id = "
      "s.tenant_id AND p.id = s.product_id WHERE s.tenant_id = :p0 AND p.family IS NOT NULL",
      {tenant}, [&](const soci::row& r) { in.families[sql::Str(r, 0)] = sql::Str(r, 1); });
  if (!s) return std::unexpected(s.error());
  s = sql::Run(sql,
               "SELECT user_id, subscription_id, kind, set_at FROM overrides WHERE tenant_id = "
               ":p0 AND user_id" +
                   in_list,
               {tenant}, [&](const soci::row& r) {
                 in.overrides[sql::Str(r, 0)].push_back(
                     {sql::Str(r, 1),
                      sql::Str(r, 2) == "deny" ? OverrideKind::kDeny : OverrideKind::kGrant,
                      sql::Str(r, 3)});
               });
  if (!s) return std::unexpected(s.error());
  s = sql::Run(sql,
               "SELECT user_id, subscription_id, state, sources, held_for FROM assignments WHERE "
               "tenant_id = :p0 AND user_id" +
                   in_list,
               {tenant}, [&](const soci::row& r) {
                 in.current[sql::Str(r, 0)][sql::Str(r, 1)] = {sql::Str(r, 2), sql::Str(r, 3),
                                                               sql::Str(r, 4)};
               });
  if (!s) return std::unexpected(s.error());
  return in;
}

struct Add {
  std::string sub, user, sources;  // ordered by sub first: one lock order for all writers
  auto operator<=>(const Add&) const = default;
};
struct SourceChange {
  std::string user, sub, before, after;
};
// An active assignment kept while its user waits for `held_for` (or no
// longer kept: `held_for` empty).
struct HeldChange {
  std::string user, sub, held_for;
};

const std::string& FamilyOf(const FamilyMap& families, const std::string& sub) {
  static const std::string kNone;
  auto it = families.find(sub);
  return it == families.end() ? kNone : it->second;
}

bool HasAdminSource(const std::string& sources) {
  for (const std::string& s : SplitCommaList(sources)) {
    if (s == "admin") return true;
  }
  return false;
}

Result<int64_t> PendingCount(soci::session& sql, const std::string& tenant, const std::string& sub) {
  int64_t n = 0;
  auto s = sql::Run(sql,
                    "SELECT COUNT(*) FROM assignments WHERE tenant_id = :p0 AND subscription_id = "
                    ":p1 AND state = 'pending'",
                    {tenant, sub}, [&](const soci::row& r) { n = sql::Int(r, 0); });
  if (!s) return std::unexpected(s.error());
  return n;
}

Status WriteHeldChanges(soci::session& sql, const std::string& tenant,
                        const std::vector<HeldChange>& changes, std::vector<AuditEvent>& audit) {
  for (const HeldChange& h : changes) {
    // sql::Run binds by position: the placeholders appear in order.
    Status s = h.held_for.empty()
                   ? sql::Run(sql,
                              "UPDATE assignments SET held_for = NULL WHERE tenant_id = :p0 AND "
                              "user_id = :p1 AND subscription_id = :p2",
                              {tenant, h.user, h.sub})
                   : sql::Run(sql,
                              "UPDATE assignments SET held_for = :p0 WHERE tenant_id = :p1 AND "
                              "user_id = :p2 AND subscription_id = :p3",
                              {h.held_for, tenant, h.user, h.sub});
    if (!s) return s;
    if (!h.held_for.empty()) {
      audit.push_back({.action = "assignment.kept",
                       .target_kind = "assignment",
                       .target_id = h.user + "/" + h.sub,
                       .user_id = h.user,
                       .subscription_id = h.sub,
                       .after_json = AuditJson({{"state", "active"},
                                                {"held_for", h.held_for},
                                                {"reason", "kept until " + h.held_for +
                                                               " is active (make before break)"}})});
    }
  }
  return Ok();
}

}  // namespace

Result<ApplyCounts> Reapply(soci::session& sql, const std::string& tenant,
                            std::span<const std::string> user_ids, const ApplyContext& context,
                            const EvaluatedUsers* known) {
  ApplyCounts counts;
  if (user_ids.empty()) return counts;
  // Locks before reads (PostgreSQL; nothing on SQLite), in the global order
  // of store/row_locks.h (locks.h): the users, then the subscriptions in
  // their reach, whole families. Grants in `known` were stored in this
  // transaction, but a caller may hand over grants it has not stored: their
  // subscriptions are added. LockForChange leaves the users in the
  // session's id list, which LoadInputs reads.
  std::set<std::string> known_subs;
  if (known != nullptr) {
    for (const auto& [user, grants] : known->grants) {
      for (const PolicyGrantIn& g : grants) known_subs.insert(g.subscription_id);
    }
  }
  if (auto s = LockForChange(sql, tenant, user_ids, known_subs); !s) {
    return std::unexpected(s.error());
  }
  auto in = LoadInputs(sql, tenant, known);
  if (!in) return std::unexpected(in.error());
  // Terms (terms.h): nobody wants an expired subscription; a scheduled one
  // is wanted but gives no seat yet.
  auto terms = LoadOutOfTerm(sql, tenant, NowRfc3339());
  if (!terms) return std::unexpected(terms.error());

  std::vector<Release> releases;
  std::vector<Add> adds;
  std::vector<SourceChange> source_changes;
  std::vector<HeldChange> held_changes;
  std::set<std::string> touched_subs;
  static const std::vector<PolicyGrantIn> kNoGrants;
  static const std::vector<OverrideIn> kNoOverrides;
  static const std::map<std::string, Current> kNoCurrent;
  std::set<std::string> seen;
  for (const std::string& user : user_ids) {
    if (!seen.insert(user).second) continue;
    auto live_it = in->live.find(user);
    const bool live = live_it != in->live.end() && live_it->second;
    const bool held = in->held.contains(user);
    auto g = in->grants.find(user);
    auto o = in->overrides.find(user);
    auto c = in->current.find(user);
    const auto& current = c == in->current.end() ? kNoCurrent : c->second;
    std::vector<Wanted> wanted =
        Decide(live && !held, g == in->grants.end() ? kNoGrants : g->second,
               o == in->overrides.end() ? kNoOverrides : o->second, in->families);
    std::erase_if(wanted, [&](const Wanted& w) { return terms->expired.contains(w.subscription_id); });
    std::set<std::string> wanted_subs;
    for (Wanted& w : wanted) {
      wanted_subs.insert(w.subscription_id);
      std::string sources = JoinCommaList(w.sources);
      auto it = current.find(w.subscription_id);
      if (it == current.end()) {
        adds.push_back({w.subscription_id, user, std::move(sources)});
      } else {
        if (it->second.sources != sources) {
          source_changes.push_back({user, w.subscription_id, it->second.sources, sources});
        }
        if (!it->second.held_for.empty()) held_changes.push_back({user, w.subscription_id, ""});
        if (it->second.state == "pending") touched_subs.insert(w.subscription_id);
      }
    }
    // A wanted license that is not active yet: what an active one, no longer
    // wanted, waits for (its own marker first, else the same family).
    auto successor_of = [&](const std::string& sub, const Current& row) -> std::string {
      auto waits = [&](const std::string& s) {
        auto it = current.find(s);
        return wanted_subs.contains(s) && (it == current.end() || it->second.state != "active");
      };
      if (!row.held_for.empty() && waits(row.held_for)) return row.held_for;
      const std::string& family = FamilyOf(in->families, sub);
      if (family.empty()) return "";
      for (const std::string& s : wanted_subs) {
        if (FamilyOf(in->families, s) == family && waits(s)) return s;
      }
      return "";
    };
    for (const auto& [sub, row] : current) {
      if (wanted_subs.contains(sub)) continue;
      if (live && !held && row.state == "active") {
        std::string successor = successor_of(sub, row);
        if (!successor.empty()) {
          if (row.held_for != successor) held_changes.push_back({user, sub, successor});
          continue;
        }
      }
      // A license of a family whose wanted one is already active ends as
      // replaced, whatever made the change.
      bool replaced = false;
      const std::string& family = FamilyOf(in->families, sub);
      if (!family.empty() && row.state == "active") {
        for (const std::string& s : wanted_subs) replaced = replaced || FamilyOf(in->families, s) == family;
      }
      const std::string reason = !live  ? "deprovisioned"
                                 : held ? "held"
                                 : replaced ? "replaced"
                                 : terms->expired.contains(sub) ? "expired"
                                            : context.end_reason;
      releases.push_back({user, sub, row.state, row.sources, reason});
    }
  }

  const std::string now = NowRfc3339();
  std::vector<AuditEvent> audit;
  auto event = [&](const char* action, const std::string& user, const std::string& sub,
                   nlohmann::json before, nlohmann::json after) {
    audit.push_back({.action = action,
                     .target_kind = "assignment",
                     .target_id = user + "/" + sub,
                     .user_id = user,
                     .subscription_id = sub,
                     .before_json = AuditJson(before),
                     .after_json = AuditJson(after)});
  };

  // 1. Releases; count freed seats per subscription.
  // The rows are as read: they change only under the locks this call holds
  // (PostgreSQL) or the one writer (SQLite), so one statement deletes them.
  std::map<std::string, int64_t> freed;
  auto released = ReleaseAssignments(sql, tenant, releases, context.actor, freed);
  if (!released) return std::unexpected(released.error());
  counts.released += *released;

  // 2. Licenses kept while their successor waits (and markers no longer needed).
  if (auto s = WriteHeldChanges(sql, tenant, held_changes, audit); !s) {
    return std::unexpected(s.error());
  }

  // 3. Freed seats go to the oldest pending first, before any new want of
  // this batch, which queues behind them.
  std::set<std::string> freed_subs;
  for (const auto& [sub, n] : freed) freed_subs.insert(sub);
  auto promoted = PromoteWaiting(sql, tenant, freed_subs, context.actor);
  if (!promoted) return std::unexpected(promoted.error());
  counts.promoted += *promoted;

  // 4. Adds, in (subscription, user) order.
  std::sort(adds.begin(), adds.end());
  std::vector<std::string> a_user, a_sub, a_state, a_sources, a_reason, a_activated;
  std::vector<soci::indicator> a_reason_ind, a_activated_ind;
  std::vector<HistoryOpen> opened;
  std::map<std::string, std::vector<std::string>> activated;  // sub -> users
  // Seats for a run of adds of one subscription are taken in one conditional
  // statement (TakeSeats); the first `granted` eligible adds of the run, in
  // user order, become active, the rest queue: the same outcome as one seat
  // at a time. A subscription filled by hand keeps its free seats for
  // administrators while anyone waits: only an administrator's grant takes one.
  int64_t granted = 0;
  bool admin_only = false;
  for (size_t i = 0; i < adds.size(); ++i) {
    const Add& add = adds[i];
    if (i == 0 || adds[i - 1].sub != add.sub) {
      size_t run = 1;
      while (i + run < adds.size() && adds[i + run].sub == add.sub) ++run;
      auto mode = FillMode(sql, tenant, add.sub);
      if (!mode) return std::unexpected(mode.error());
      admin_only = false;
      if (*mode == "manual") {
        auto waiting = PendingCount(sql, tenant, add.sub);
        if (!waiting) return std::unexpected(waiting.error());
        admin_only = *waiting > 0;
      }
      int64_t eligible = 0;
      for (size_t k = i; k < i + run; ++k) {
        if (!admin_only || HasAdminSource(adds[k].sources)) ++eligible;
      }
      granted = 0;
      if (eligible > 0) {
        auto took = TakeSeats(sql, tenant, add.sub, eligible);
        if (!took) return std::unexpected(took.error());
        granted = *took;
      }
    }
    const bool took = granted > 0 && (!admin_only || HasAdminSource(add.sources));
    if (took) --granted;
    a_user.push_back(add.user);
    a_sub.push_back(add.sub);
    a_sources.push_back(add.sources);
    if (took) {
      ++counts.activated;
      a_state.push_back("active");
      a_reason.push_back("");
      a_reason_ind.push_back(soci::i_null);
      a_activated.push_back(now);
      a_activated_ind.push_back(soci::i_ok);
      opened.push_back({add.user, add.sub, add.sources});
      activated[add.sub].push_back(add.user);
      event("assignment.activated", add.user, add.sub, nullptr,
            {{"state", "active"}, {"sources", add.sources}});
    } else {
      ++counts.queued;
      a_state.push_back("pending");
      a_reason.push_back(terms->scheduled.contains(add.sub) ? std::string(kNotStartedReason)
                         : admin_only ? "waiting for an administrator: subscription " + add.sub +
                                          " gives freed seats by hand"
                                    : "no free seat in subscription " + add.sub);
      a_reason_ind.push_back(soci::i_ok);
      a_activated.push_back("");
      a_activated_ind.push_back(soci::i_null);
      event("assignment.queued", add.user, add.sub, nullptr,
            {{"state", "pending"}, {"sources", add.sources}, {"reason", a_reason.back()}});
    }
  }
  if (!a_user.empty()) {
    const size_t n = a_user.size();
    std::vector<std::string> tenants(n, tenant), nows(n, now);
    if (auto s = store::InsertRows(sql, "assignments",
                                   {{"tenant_id", &tenants},
                                    {"user_id", &a_user},
                                    {"subscription_id", &a_sub},
                                    {"state", &a_state},
                                    {"sources", &a_sources},
                                    {"wanted_since", &nows},
                                    {"pending_reason", &a_reason, &a_reason_ind},
                                    {"activated_at", &a_activated, &a_activated_ind}});
        !s) {
      return std::unexpected(s.error());
    }
  }
  if (auto s = OpenHistory(sql, tenant, opened, now); !s) return std::unexpected(s.error());

  // 5. Same licenses, other sources.
  if (!source_changes.empty()) {
    const size_t n = source_changes.size();
    std::vector<std::string> tenants(n, tenant), users(n), subs(n), sources(n);
    for (size_t i = 0; i < n; ++i) {
      users[i] = source_changes[i].user;
      subs[i] = source_changes[i].sub;
      sources[i] = source_changes[i].after;
      event("assignment.sources_changed", users[i], subs[i],
            {{"sources", source_changes[i].before}}, {{"sources", sources[i]}});
    }
    auto updated = store::UpdateRows(
        sql, "assignments", {{"sources", &sources}},
        {{"tenant_id", &tenants}, {"user_id", &users}, {"subscription_id", &subs}});
    if (!updated) return std::unexpected(updated.error());
  }
  if (auto s = WriteAuditBatch(sql, tenant, context.actor, audit); !s) {
    return std::unexpected(s.error());
  }

  // 6. The licenses these activations replace go now, in this transaction.
  std::map<std::string, int64_t> freed_by_swaps;
  for (const auto& [sub, users] : activated) {
    if (auto s = AfterActivation(sql, tenant, sub, &users, context.actor, freed_by_swaps); !s) {
      return std::unexpected(s.error());
    }
  }

  // 7. Queues facing a free seat (seats freed by swaps; or, after a race
  // between processes, a pending assignment of these users) are served.
  std::set<std::string> serve;
  for (const std::string& sub : touched_subs) {
    if (!freed_subs.contains(sub)) serve.insert(sub);  // step 3 served those
  }
  for (const auto& [sub, n] : freed_by_swaps) serve.insert(sub);
  auto healed = PromoteWaiting(sql, tenant, serve, context.actor);
  if (!healed) return std::unexpected(healed.error());
  counts.promoted += *healed;
  return counts;
}

}  // namespace allot::licensing
