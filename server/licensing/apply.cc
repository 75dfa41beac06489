#include "server/licensing/apply.h"

#include <soci/soci.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <vector>

#include "server/base/clock.h"
#include "server/licensing/audit.h"
#include "server/licensing/decide.h"
#include "server/licensing/history.h"
#include "server/licensing/seats.h"
#include "server/licensing/sql.h"
#include "server/store/bulk.h"
#include "server/store/database.h"
#include "server/store/row_locks.h"

namespace allot::licensing {
namespace {

struct Current {
  std::string state, sources;
};

struct Inputs {
  std::unordered_map<std::string, bool> live;  // absent: unknown user, not live
  FamilyMap families;
  std::unordered_map<std::string, std::vector<PolicyGrantIn>> grants;
  std::unordered_map<std::string, std::vector<OverrideIn>> overrides;
  std::unordered_map<std::string, std::map<std::string, Current>> current;  // user -> sub -> row
};

// Reads the inputs of the users in the session's id list (sql::FillIdList),
// all but their current assignments (LoadCurrent).
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
  s = sql::Run(
      sql,
      "SELECT s.id, p.family FROM subscriptions s JOIN products p ON p.tenant_id = "
      "s.tenant_id AND p.id = s.product_id WHERE s.tenant_id = :p0 AND p.family IS NOT NULL",
      {tenant}, [&](const soci::row& r) { in.families[sql::Str(r, 0)] = sql::Str(r, 1); });
  if (!s) return std::unexpected(s.error());
  s = sql::Run(sql,
               "SELECT user_id, subscription_id, kind FROM overrides WHERE tenant_id = :p0 AND "
               "user_id" +
                   in_list,
               {tenant}, [&](const soci::row& r) {
                 in.overrides[sql::Str(r, 0)].push_back(
                     {sql::Str(r, 1),
                      sql::Str(r, 2) == "deny" ? OverrideKind::kDeny : OverrideKind::kGrant});
               });
  if (!s) return std::unexpected(s.error());
  return in;
}

// Reads the current assignments of the users in the id list into `in`. On
// PostgreSQL only once their subscriptions are locked: until then another
// transaction may still promote one of them from pending to active.
Status LoadCurrent(soci::session& sql, const std::string& tenant, Inputs& in) {
  return sql::Run(sql,
                  std::string("SELECT user_id, subscription_id, state, sources FROM assignments "
                              "WHERE tenant_id = :p0 AND user_id IN ") +
                      sql::kIdList,
                  {tenant}, [&](const soci::row& r) {
                    in.current[sql::Str(r, 0)][sql::Str(r, 1)] = {sql::Str(r, 2), sql::Str(r, 3)};
                  });
}

// The subscriptions Reapply of the users in the id list may change: those
// they hold or wait for, and those a stored policy grant or a grant
// override gives them (what Decide can want), plus `also`.
Result<std::vector<std::string>> SubscriptionsInReach(soci::session& sql, const std::string& tenant,
                                                      std::span<const std::string> also) {
  std::vector<std::string> subs(also.begin(), also.end());
  const std::string in_list = std::string(" IN ") + sql::kIdList;
  auto s = sql::Run(
      sql,
      "SELECT subscription_id FROM assignments WHERE tenant_id = :p0 AND user_id" + in_list +
          " UNION SELECT subscription_id FROM policy_grants WHERE tenant_id = :p1 "
          "AND user_id" +
          in_list +
          " UNION SELECT subscription_id FROM overrides WHERE tenant_id = :p2 AND "
          "kind = 'grant' AND user_id" +
          in_list,
      {tenant, tenant, tenant}, [&](const soci::row& r) { subs.push_back(sql::Str(r, 0)); });
  if (!s) return std::unexpected(s.error());
  return subs;
}

// The subscriptions in reach of the users in the id list, plus `also`,
// locked (the users must be locked already).
Status LockReach(soci::session& sql, const std::string& tenant, std::span<const std::string> also) {
  if (!store::LocksRows(sql)) return Ok();
  auto subs = SubscriptionsInReach(sql, tenant, also);
  if (!subs) return std::unexpected(subs.error());
  return store::LockSubscriptions(sql, tenant, *subs);
}

struct Release {
  std::string user, sub, state, sources, reason;
};
struct Add {
  std::string sub, user, sources;  // ordered by sub first: one lock order for all writers
  auto operator<=>(const Add&) const = default;
};
struct SourceChange {
  std::string user, sub, before, after;
};

}  // namespace

Status LockForReapply(soci::session& sql, const std::string& tenant,
                      std::span<const std::string> user_ids,
                      std::span<const std::string> also_subscriptions) {
  if (!store::LocksRows(sql) || user_ids.empty()) return Ok();
  if (auto l = store::LockUsers(sql, tenant, user_ids); !l) return l;
  if (auto f = sql::FillIdList(sql, user_ids); !f) return f;
  return LockReach(sql, tenant, also_subscriptions);
}

Result<ApplyCounts> Reapply(soci::session& sql, const std::string& tenant,
                            std::span<const std::string> user_ids, const ApplyContext& context,
                            const EvaluatedUsers* known) {
  ApplyCounts counts;
  if (user_ids.empty()) return counts;
  // Locks before reads (PostgreSQL; nothing on SQLite), in the global order
  // of store/row_locks.h: the users, then — as late as possible, since a
  // subscription's lock is what concurrent seat changes queue on — the
  // subscriptions in their reach, then their assignments are read. Grants
  // in `known` were stored in this transaction, but a caller may hand over
  // grants it has not stored: their subscriptions are added.
  if (auto l = store::LockUsers(sql, tenant, user_ids); !l) return std::unexpected(l.error());
  if (auto f = sql::FillIdList(sql, user_ids); !f) return std::unexpected(f.error());
  auto in = LoadInputs(sql, tenant, known);
  if (!in) return std::unexpected(in.error());
  std::vector<std::string> known_subs;
  if (known != nullptr) {
    for (const auto& [user, grants] : known->grants) {
      for (const PolicyGrantIn& g : grants) known_subs.push_back(g.subscription_id);
    }
  }
  if (auto l = LockReach(sql, tenant, known_subs); !l) return std::unexpected(l.error());
  if (auto c = LoadCurrent(sql, tenant, *in); !c) return std::unexpected(c.error());

  std::vector<Release> releases;
  std::vector<Add> adds;
  std::vector<SourceChange> source_changes;
  std::set<std::string> touched_subs;
  static const std::vector<PolicyGrantIn> kNoGrants;
  static const std::vector<OverrideIn> kNoOverrides;
  static const std::map<std::string, Current> kNoCurrent;
  std::set<std::string> seen;
  for (const std::string& user : user_ids) {
    if (!seen.insert(user).second) continue;
    auto live_it = in->live.find(user);
    const bool live = live_it != in->live.end() && live_it->second;
    auto g = in->grants.find(user);
    auto o = in->overrides.find(user);
    auto c = in->current.find(user);
    const auto& current = c == in->current.end() ? kNoCurrent : c->second;
    std::vector<Wanted> wanted =
        Decide(live, g == in->grants.end() ? kNoGrants : g->second,
               o == in->overrides.end() ? kNoOverrides : o->second, in->families);
    std::set<std::string> wanted_subs;
    for (Wanted& w : wanted) {
      wanted_subs.insert(w.subscription_id);
      std::string sources = JoinSources(w.sources);
      auto it = current.find(w.subscription_id);
      if (it == current.end()) {
        adds.push_back({w.subscription_id, user, std::move(sources)});
      } else {
        if (it->second.sources != sources) {
          source_changes.push_back({user, w.subscription_id, it->second.sources, sources});
        }
        if (it->second.state == "pending") touched_subs.insert(w.subscription_id);
      }
    }
    for (const auto& [sub, row] : current) {
      if (wanted_subs.contains(sub)) continue;
      releases.push_back(
          {user, sub, row.state, row.sources, live ? context.end_reason : "deprovisioned"});
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
  std::vector<HistoryClose> closed;
  if (!releases.empty()) {
    const size_t n = releases.size();
    std::vector<std::string> tenants(n, tenant), users(n), subs(n);
    for (size_t i = 0; i < n; ++i) {
      users[i] = releases[i].user;
      subs[i] = releases[i].sub;
    }
    auto deleted = store::DeleteRows(
        sql, "assignments",
        {{"tenant_id", &tenants}, {"user_id", &users}, {"subscription_id", &subs}});
    if (!deleted) return std::unexpected(deleted.error());
    if (*deleted != static_cast<int64_t>(n)) {
      return Fail(ErrorCode::kInternal, "assignments changed under their locks");
    }
  }
  for (const Release& r : releases) {
    ++counts.released;
    if (r.state == "active") {
      ++freed[r.sub];
      closed.push_back({r.user, r.sub, r.reason});
    }
    event("assignment.released", r.user, r.sub, {{"state", r.state}, {"sources", r.sources}},
          {{"reason", r.reason}});
  }
  for (const auto& [sub, n] : freed) {
    if (auto s = GiveBackSeats(sql, tenant, sub, n); !s) return std::unexpected(s.error());
    touched_subs.insert(sub);
  }
  if (auto s = CloseHistory(sql, tenant, closed, now); !s) return std::unexpected(s.error());
  if (auto s = WriteAuditBatch(sql, tenant, context.actor, audit); !s) {
    return std::unexpected(s.error());
  }
  audit.clear();

  // 2. Freed seats go to the oldest pending first, before any new want of
  // this batch, which queues behind them.
  for (const auto& [sub, n] : freed) {
    auto filled = FillPending(sql, tenant, sub, context.actor);
    if (!filled) return std::unexpected(filled.error());
    counts.promoted += *filled;
  }

  // 3. Adds, in (subscription, user) order.
  std::sort(adds.begin(), adds.end());
  std::vector<std::string> a_user, a_sub, a_state, a_sources, a_reason, a_activated;
  std::vector<soci::indicator> a_reason_ind, a_activated_ind;
  std::vector<HistoryOpen> opened;
  // Seats for a run of adds of one subscription are taken in one conditional
  // statement (TakeSeats); the first `granted` of the run, in user order,
  // become active, the rest queue: the same outcome as one seat at a time.
  int64_t granted = 0;
  for (size_t i = 0; i < adds.size(); ++i) {
    const Add& add = adds[i];
    if (i == 0 || adds[i - 1].sub != add.sub) {
      size_t run = 1;
      while (i + run < adds.size() && adds[i + run].sub == add.sub) ++run;
      auto took = TakeSeats(sql, tenant, add.sub, static_cast<int64_t>(run));
      if (!took) return std::unexpected(took.error());
      granted = *took;
    }
    const bool took = granted > 0;
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
      event("assignment.activated", add.user, add.sub, nullptr,
            {{"state", "active"}, {"sources", add.sources}});
    } else {
      ++counts.queued;
      a_state.push_back("pending");
      a_reason.push_back("no free seat in subscription " + add.sub);
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

  // 4. Same licenses, other sources.
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

  // 5. Self-healing: a pending assignment of these users facing a free seat
  // is activated (none should: every change of a subscription's seats and
  // queue happens under its lock, and fills the queue before committing).
  for (const std::string& sub : touched_subs) {
    if (freed.contains(sub)) continue;
    auto filled = FillPending(sql, tenant, sub, context.actor);
    if (!filled) return std::unexpected(filled.error());
    counts.promoted += *filled;
  }
  return counts;
}

}  // namespace allot::licensing
