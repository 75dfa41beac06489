// server/licensing/evaluate.cc — see evaluate.h.
#include "server/licensing/evaluate.h"

#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "server/base/clock.h"
#include "server/licensing/audit.h"
#include "server/licensing/locks.h"
#include "server/licensing/policy_store.h"
#include "server/licensing/sql.h"
#include "server/policy/policy.h"
#include "server/store/bulk.h"
#include "server/store/database.h"
#include "server/store/row_locks.h"

namespace allot::licensing {
namespace {

// A set of ids as ONE parameter (a JSON array), which reads also use: the
// temporary id list (sql::FillIdList) needs a write transaction on
// PostgreSQL. The difference between the backends is here only.
std::string IdsJson(std::span<const std::string> ids) {
  nlohmann::json a = nlohmann::json::array();
  for (const std::string& id : ids) a.push_back(id);
  return a.dump();
}
std::string InIds(soci::session& sql, const char* param) {
  if (sql.get_backend_name() == "postgresql") {
    return std::string("(SELECT jsonb_array_elements_text(CAST(") + param + " AS jsonb)))";
  }
  return std::string("(SELECT value FROM json_each(") + param + "))";
}

Actor ActorFrom(const std::string& kind, const std::string& id) {
  if (kind == "admin") return {Actor::Kind::kAdmin, id};
  if (kind == "scim") return {Actor::Kind::kScim, id};
  if (kind == "policy") return {Actor::Kind::kPolicy, id};
  return {Actor::Kind::kSystem, id.empty() ? "allot" : id};
}

// (policy, subscription) -> priority: one user's stored grants.
using StoredGrants = std::map<std::pair<std::string, std::string>, int64_t>;

struct GrantRows {
  std::vector<std::string> users, names, subs;
  std::vector<long long> priorities;
  void Add(const std::string& user, const std::string& name, const std::string& sub,
           int64_t priority) {
    users.push_back(user);
    names.push_back(name);
    subs.push_back(sub);
    priorities.push_back(priority);
  }
};

Status WriteGrantDiff(soci::session& sql, const std::string& tenant, const GrantRows& gone,
                      const GrantRows& added) {
  // One statement each on PostgreSQL (store/bulk.h).
  if (!gone.users.empty()) {
    std::vector<std::string> tenants(gone.users.size(), tenant);
    auto d = store::DeleteRows(sql, "policy_grants",
                               {{"tenant_id", &tenants},
                                {"user_id", &gone.users},
                                {"policy_name", &gone.names},
                                {"subscription_id", &gone.subs}});
    if (!d) return std::unexpected(d.error());
  }
  if (!added.users.empty()) {
    std::vector<std::string> tenants(added.users.size(), tenant), priorities;
    for (long long p : added.priorities) priorities.push_back(std::to_string(p));
    return store::InsertRows(sql, "policy_grants",
                             {{"tenant_id", &tenants},
                              {"user_id", &added.users},
                              {"policy_name", &added.names},
                              {"subscription_id", &added.subs},
                              {"priority", &priorities, nullptr, "bigint"}});
  }
  return Ok();
}

// Runs `statement` once per element of `users` (bound as :u, after :t).
Status ForEachUser(soci::session& sql, const std::string& statement, const std::string& tenant,
                   const std::vector<std::string>& users) {
  if (users.empty()) return Ok();
  try {
    std::vector<std::string> tenants(users.size(), tenant);
    sql << statement, soci::use(tenants, "t"), soci::use(users, "u");
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
  return Ok();
}

}  // namespace

Result<EvaluationInput> ReadEvaluation(soci::session& sql, const std::string& tenant,
                                       std::span<const std::string> ids,
                                       const std::vector<std::string>& paths) {
  EvaluationInput in;
  in.tenant = tenant;
  std::vector<std::string> subscriptions;
  auto s = sql::Run(sql, "SELECT id FROM subscriptions WHERE tenant_id = :p0", {tenant},
                    [&](const soci::row& r) { subscriptions.push_back(sql::Str(r, 0)); });
  if (!s) return std::unexpected(s.error());
  in.facts = std::make_unique<policy::FactsBatch>(tenant, std::move(subscriptions), paths);
  policy::FactsBatch& facts = *in.facts;

  std::unordered_map<std::string, size_t> position;  // id -> index in in.users
  for (const std::string& id : ids) {
    if (position.try_emplace(id, in.users.size()).second) in.users.push_back(EvalUser{.id = id});
  }
  if (in.users.empty()) return in;
  const std::string ids_json = IdsJson(ids);
  const std::string in_ids = InIds(sql, ":p1");

  // The resource is read (and parsed) only when a policy reads attributes.
  std::vector<std::string> resources(in.users.size());
  std::vector<bool> found(in.users.size(), false);
  s = sql::Run(sql,
               std::string("SELECT id, active, deleted_at, ") +
                   (paths.empty() ? "''" : "resource") +
                   " FROM scim_users WHERE tenant_id = :p0 AND id IN " + in_ids,
               {tenant, ids_json}, [&](const soci::row& r) {
                 auto it = position.find(sql::Str(r, 0));
                 if (it == position.end()) return;
                 found[it->second] = true;
                 in.users[it->second].live = sql::Int(r, 1) != 0 && sql::IsNull(r, 2);
                 if (!paths.empty()) resources[it->second] = sql::Str(r, 3);
               });
  if (!s) return std::unexpected(s.error());

  // Memberships with their live groups, by member.
  std::vector<std::vector<uint32_t>> groups_of(in.users.size());
  std::unordered_map<std::string, uint32_t> group_index;
  s = sql::Run(sql,
               "SELECT m.member_id, g.id, g.display_name, g.external_id FROM scim_group_members m "
               "JOIN scim_groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id WHERE "
               "m.tenant_id = :p0 AND g.deleted_at IS NULL AND m.member_id IN " +
                   in_ids,
               {tenant, ids_json}, [&](const soci::row& r) {
                 auto it = position.find(sql::Str(r, 0));
                 if (it == position.end()) return;
                 std::string gid = sql::Str(r, 1);
                 auto [g, fresh] = group_index.try_emplace(gid, 0);
                 if (fresh) g->second = facts.AddGroup(gid, sql::Str(r, 2), sql::Str(r, 3));
                 groups_of[it->second].push_back(g->second);
               });
  if (!s) return std::unexpected(s.error());

  s = sql::Run(sql,
               "SELECT user_id, facts_seq, dirty_since, marked_by_kind, marked_by_id FROM "
               "licensing_user_state WHERE tenant_id = :p0 AND user_id IN " +
                   in_ids,
               {tenant, ids_json}, [&](const soci::row& r) {
                 auto it = position.find(sql::Str(r, 0));
                 if (it == position.end()) return;
                 EvalUser& u = in.users[it->second];
                 u.has_state = true;
                 u.facts_seq = sql::Int(r, 1);
                 u.marked = !sql::IsNull(r, 2);
                 if (u.marked) u.marked_by = ActorFrom(sql::Str(r, 3), sql::Str(r, 4));
               });
  if (!s) return std::unexpected(s.error());

  for (size_t k = 0; k < in.users.size(); ++k) {
    if (!found[k]) continue;
    EvalUser& u = in.users[k];
    u.fact_index = static_cast<int32_t>(facts.size());
    facts.AddUser(u.id, u.live);
    for (uint32_t g : groups_of[k]) facts.AddUserGroup(g);
    if (!paths.empty()) {
      const nlohmann::json resource = nlohmann::json::parse(resources[k], nullptr, false);
      if (!resource.is_discarded()) facts.AddUserValues(resource);
    }
  }
  return in;
}

Result<std::vector<std::string>> ReadMarkedUsers(soci::session& sql, const std::string& tenant,
                                                 size_t limit) {
  std::vector<std::string> out;
  auto s = sql::Run(sql,
                    "SELECT user_id FROM licensing_user_state WHERE tenant_id = :p0 AND "
                    "dirty_since IS NOT NULL ORDER BY dirty_since, user_id LIMIT " +
                        std::to_string(limit),
                    {tenant}, [&](const soci::row& r) { out.push_back(sql::Str(r, 0)); });
  if (!s) return std::unexpected(s.error());
  return out;
}

Result<std::vector<std::string>> ReadUserPage(soci::session& sql, const std::string& tenant,
                                              const std::string& after, size_t limit) {
  std::vector<std::string> out;
  auto s = sql::Run(sql,
                    "SELECT id FROM scim_users WHERE tenant_id = :p0 AND id > :p1 ORDER BY id "
                    "LIMIT " + std::to_string(limit),
                    {tenant, after}, [&](const soci::row& r) { out.push_back(sql::Str(r, 0)); });
  if (!s) return std::unexpected(s.error());
  return out;
}

Result<ApplyOutcome> ApplyEvaluation(soci::session& sql, const EvaluationInput& input,
                                     const PolicyResults& results, int64_t policy_version,
                                     const Actor* actor) {
  ApplyOutcome out;
  const std::string& tenant = input.tenant;
  // Users never marked have no state row yet: give them one, so that the
  // lock below holds a row for every user.
  std::vector<std::string> all, stateless;
  for (const EvalUser& u : input.users) {
    all.push_back(u.id);
    if (!u.has_state) stateless.push_back(u.id);
  }
  // The users' own rows first, as a SCIM write and every licensing change
  // lock them (store/row_locks.h's global order): then the tenant's policy
  // version and the users' state rows, then (Reapply) subscriptions.
  if (auto l = store::LockUsers(sql, tenant, all); !l) return std::unexpected(l.error());
  // A policy change waits for this transaction (FOR SHARE), or this one sees
  // it and applies nothing. (A policy change locks no user or subscription,
  // so taking this row after the users closes no cycle.)
  auto version = LockPolicyVersion(sql, tenant);
  if (!version) return std::unexpected(version.error());
  if (version->version != policy_version) {
    out.stale_policies = true;
    return out;
  }
  if (input.users.empty()) return out;
  if (auto w = ForEachUser(sql,
                           "INSERT INTO licensing_user_state (tenant_id, user_id, facts_seq) "
                           "VALUES (:t, :u, 0) ON CONFLICT (tenant_id, user_id) DO NOTHING",
                           tenant, stateless);
      !w) {
    return std::unexpected(w.error());
  }
  if (auto f = sql::FillIdList(sql, all); !f) return std::unexpected(f.error());
  const std::string in_list = std::string(" IN ") + sql::kIdList;

  // The facts the evaluation was based on must still be current: lock each
  // user's state row (in id order, the order every writer locks them in).
  std::unordered_map<std::string, int64_t> seq_now;
  auto s = sql::Run(sql,
                    "SELECT user_id, facts_seq FROM licensing_user_state WHERE tenant_id = :p0 "
                    "AND user_id" + in_list + " ORDER BY user_id" + LockRows(sql, true),
                    {tenant}, [&](const soci::row& r) { seq_now[sql::Str(r, 0)] = sql::Int(r, 1); });
  if (!s) return std::unexpected(s.error());
  std::vector<const EvalUser*> current;
  for (const EvalUser& u : input.users) {
    auto it = seq_now.find(u.id);
    if (it != seq_now.end() && it->second == u.facts_seq) {
      current.push_back(&u);
    } else {
      ++out.changed_meanwhile;
    }
  }

  std::unordered_map<std::string, StoredGrants> stored;
  s = sql::Run(sql,
               "SELECT user_id, policy_name, subscription_id, priority FROM policy_grants WHERE "
               "tenant_id = :p0 AND user_id" + in_list,
               {tenant}, [&](const soci::row& r) {
                 stored[sql::Str(r, 0)][{sql::Str(r, 1), sql::Str(r, 2)}] = sql::Int(r, 3);
               });
  if (!s) return std::unexpected(s.error());

  // What each current user should have stored: the grants of the policies
  // that succeeded, plus the previous rows of those that failed. Rows of
  // policies no longer evaluated (removed, disabled) go.
  std::set<std::string> kept;
  for (const auto& [status, result] : results) {
    if (!result.ok) kept.insert(status->name);
  }
  std::unordered_map<std::string, StoredGrants> target;
  GrantRows gone, added;
  for (const EvalUser* u : current) {
    StoredGrants& want = target[u->id];
    auto h = stored.find(u->id);
    if (h != stored.end()) {
      for (const auto& [key, priority] : h->second) {
        if (kept.contains(key.first)) want[key] = priority;
      }
    }
    if (u->fact_index >= 0) {
      for (const auto& [status, result] : results) {
        if (!result.ok || static_cast<size_t>(u->fact_index) >= result.grants_by_user.size()) continue;
        for (const policy::Grant& g : result.grants_by_user[u->fact_index]) {
          want.try_emplace({status->name, g.subscription_id}, status->priority);
        }
      }
    }
    // Write only the difference: in the steady state nothing at all.
    if (h != stored.end()) {
      for (const auto& [key, priority] : h->second) {
        auto w = want.find(key);
        if (w == want.end() || w->second != priority) gone.Add(u->id, key.first, key.second, 0);
      }
    }
    for (const auto& [key, priority] : want) {
      if (h != stored.end()) {
        auto was = h->second.find(key);
        if (was != h->second.end() && was->second == priority) continue;
      }
      added.Add(u->id, key.first, key.second, priority);
    }
  }
  if (auto w = WriteGrantDiff(sql, tenant, gone, added); !w) return std::unexpected(w.error());

  // Each policy's status: failed from any failed evaluation until one
  // succeeds. A failure is the policy's own audit event, with the change
  // that made it run beside the error.
  const Actor trigger = actor != nullptr ? *actor : current.empty() ? input.users.front().marked_by
                                                                   : current.front()->marked_by;
  for (const auto& [status, result] : results) {
    if (result.ok) {
      if (auto w = RecordPolicySuccess(sql, tenant, status->name); !w) return std::unexpected(w.error());
      continue;
    }
    out.failures.push_back({status->name, result.error});
    if (auto w = RecordPolicyFailure(sql, tenant, status->name, result.error); !w) {
      return std::unexpected(w.error());
    }
    const AuditEvent event{
        .action = "policy.failed",
        .target_kind = "policy",
        .target_id = status->name,
        .after_json = AuditJson({{"error", result.error},
                                 {"users", input.users.size()},
                                 {"kept", "previous grants"},
                                 {"triggered_by",
                                  {{"kind", ActorKindName(trigger.kind)}, {"id", trigger.id}}}})};
    if (auto w = WriteAudit(sql, tenant, Actor{Actor::Kind::kPolicy, status->name}, event); !w) {
      return std::unexpected(w.error());
    }
  }

  // Apply, the licensing changes carrying the actor who caused them.
  EvaluatedUsers known;
  std::map<std::pair<int, std::string>, std::vector<std::string>> by_actor;
  for (const EvalUser* u : current) {
    known.live[u->id] = u->live;
    auto& grants = known.grants[u->id];
    for (const auto& [key, priority] : target[u->id]) grants.push_back({key.first, priority, key.second});
    const Actor& who = actor != nullptr ? *actor : u->marked_by;
    by_actor[{static_cast<int>(who.kind), who.id}].push_back(u->id);
  }
  for (const auto& [who, ids] : by_actor) {
    const Actor a{static_cast<Actor::Kind>(who.first), who.second};
    auto applied = Reapply(sql, tenant, ids, {a, "policy"}, &known);
    if (!applied) return std::unexpected(applied.error());
    out.changes += *applied;
  }

  std::vector<std::string> unmark;
  for (const EvalUser* u : current) {
    if (u->marked) unmark.push_back(u->id);
  }
  if (auto w = ForEachUser(sql,
                           "UPDATE licensing_user_state SET dirty_since = NULL, marked_by_kind = "
                           "NULL, marked_by_id = NULL WHERE tenant_id = :t AND user_id = :u",
                           tenant, unmark);
      !w) {
    return std::unexpected(w.error());
  }
  out.applied = static_cast<int64_t>(current.size());
  return out;
}

Status MarkUsers(soci::session& sql, const std::string& tenant,
                 std::span<const std::string> user_ids, const Actor& actor) {
  // Sorted: concurrent markers lock the rows in the same order.
  std::vector<std::string> ids(user_ids.begin(), user_ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) return Ok();
  const std::string now = NowRfc3339(), kind = ActorKindName(actor.kind);
  const std::string statement =
      "INSERT INTO licensing_user_state (tenant_id, user_id, facts_seq, dirty_since, "
      "marked_by_kind, marked_by_id) VALUES (:t, :u, 1, :d, :k, :i) ON CONFLICT (tenant_id, "
      "user_id) DO UPDATE SET facts_seq = licensing_user_state.facts_seq + 1, dirty_since = "
      "COALESCE(licensing_user_state.dirty_since, excluded.dirty_since), marked_by_kind = "
      "excluded.marked_by_kind, marked_by_id = excluded.marked_by_id";
  if (ids.size() <= 16) {
    for (const std::string& id : ids) {
      if (auto s = sql::Run(sql,
                            "INSERT INTO licensing_user_state (tenant_id, user_id, facts_seq, "
                            "dirty_since, marked_by_kind, marked_by_id) VALUES (:p0, :p1, 1, :p2, "
                            ":p3, :p4) ON CONFLICT (tenant_id, user_id) DO UPDATE SET facts_seq = "
                            "licensing_user_state.facts_seq + 1, dirty_since = "
                            "COALESCE(licensing_user_state.dirty_since, excluded.dirty_since), "
                            "marked_by_kind = excluded.marked_by_kind, marked_by_id = "
                            "excluded.marked_by_id",
                            {tenant, id, now, kind, actor.id});
          !s) {
        return s;
      }
    }
    return Ok();
  }
  try {
    std::vector<std::string> t(ids.size(), tenant), d(ids.size(), now), k(ids.size(), kind),
        a(ids.size(), actor.id);
    sql << statement, soci::use(t), soci::use(ids), soci::use(d), soci::use(k), soci::use(a);
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
  return Ok();
}

Result<std::vector<std::string>> TenantsWithOldMarks(soci::session& sql, const std::string& before) {
  std::vector<std::string> out;
  auto s = sql::Run(sql,
                    "SELECT DISTINCT tenant_id FROM licensing_user_state WHERE dirty_since IS NOT "
                    "NULL AND dirty_since < :p0",
                    {before}, [&](const soci::row& r) { out.push_back(sql::Str(r, 0)); });
  if (!s) return std::unexpected(s.error());
  return out;
}

}  // namespace allot::licensing
