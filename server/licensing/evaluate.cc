#include "server/licensing/evaluate.h"

#include <soci/soci.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "server/licensing/audit.h"
#include "server/licensing/sql.h"
#include "server/policy/policy.h"
#include "server/store/bulk.h"
#include "server/store/database.h"

namespace allot::licensing {
namespace {

struct Batch {
  std::vector<policy::UserFacts> users;
  std::deque<nlohmann::json> resources;                        // stable addresses
  std::unordered_map<std::string, policy::GroupFacts> groups;  // by group id; node-stable
};

// Reads the facts of the users in the session's id list (sql::FillIdList).
Status LoadFacts(soci::session& sql, const std::string& tenant, Batch& batch) {
  std::unordered_map<std::string, size_t> index;
  auto s = sql::Run(
      sql,
      std::string("SELECT id, active, deleted_at, resource FROM scim_users WHERE tenant_id = :p0 "
                  "AND id IN ") +
          sql::kIdList,
      {tenant}, [&](const soci::row& r) {
        policy::UserFacts f;
        f.id = sql::Str(r, 0);
        f.active = sql::Int(r, 1) != 0 && sql::IsNull(r, 2);
        batch.resources.push_back(nlohmann::json::parse(sql::Str(r, 3), nullptr, false));
        if (batch.resources.back().is_discarded()) batch.resources.back() = nullptr;
        f.resource = &batch.resources.back();
        index[f.id] = batch.users.size();
        batch.users.push_back(std::move(f));
      });
  if (!s) return s;
  // Memberships with their live groups in one statement, driven by the id
  // list: list -> scim_group_members_by_member -> scim_groups primary key.
  s = sql::Run(sql,
               std::string("SELECT m.member_id, g.id, g.display_name, g.external_id "
                           "FROM scim_group_members m JOIN scim_groups g ON g.tenant_id = "
                           "m.tenant_id AND g.id = m.group_id WHERE m.tenant_id = :p0 AND "
                           "g.deleted_at IS NULL AND m.member_id IN ") +
                   sql::kIdList,
               {tenant}, [&](const soci::row& r) {
                 auto it = index.find(sql::Str(r, 0));
                 if (it == index.end()) return;
                 std::string gid = sql::Str(r, 1);
                 auto [g, inserted] = batch.groups.try_emplace(gid);
                 if (inserted) g->second = {gid, sql::Str(r, 2), sql::Str(r, 3)};
                 batch.users[it->second].groups.push_back(&g->second);
               });
  return s;
}

// (policy, subscription) -> priority: one user's stored grants.
using StoredGrants = std::map<std::pair<std::string, std::string>, int64_t>;

// Stored grants of the users in the id list.
Status LoadStoredGrants(soci::session& sql, const std::string& tenant,
                        std::unordered_map<std::string, StoredGrants>& out) {
  return sql::Run(sql,
                  std::string("SELECT user_id, policy_name, subscription_id, priority FROM "
                              "policy_grants WHERE tenant_id = :p0 AND user_id IN ") +
                      sql::kIdList,
                  {tenant}, [&](const soci::row& r) {
                    out[sql::Str(r, 0)][{sql::Str(r, 1), sql::Str(r, 2)}] = sql::Int(r, 3);
                  });
}

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

}  // namespace

Result<std::vector<PolicyFailure>> EvaluateAndStore(soci::session& sql, const std::string& tenant,
                                                    std::span<const std::string> user_ids,
                                                    const policy::PolicySet* policies,
                                                    const Actor& actor, EvaluatedUsers* known) {
  std::vector<PolicyFailure> failures;
  std::unordered_set<std::string> subscriptions;
  auto s = sql::Run(sql, "SELECT id FROM subscriptions WHERE tenant_id = :p0", {tenant},
                    [&](const soci::row& r) { subscriptions.insert(sql::Str(r, 0)); });
  if (!s) return std::unexpected(s.error());
  std::map<std::string, std::string> failed;  // policy -> first error

  for (size_t start = 0; start < user_ids.size(); start += kEvalBatch) {
    auto ids = user_ids.subspan(start, std::min(kEvalBatch, user_ids.size() - start));
    if (auto f = sql::FillIdList(sql, ids); !f) return std::unexpected(f.error());
    Batch batch;
    if (auto l = LoadFacts(sql, tenant, batch); !l) return std::unexpected(l.error());
    std::unordered_map<std::string, StoredGrants> stored;
    if (auto l = LoadStoredGrants(sql, tenant, stored); !l) return std::unexpected(l.error());

    std::vector<std::pair<const policy::PolicyStatus*, policy::BatchResult>> results;
    if (policies != nullptr && !batch.users.empty()) {
      results = policies->Evaluate(tenant, batch.users, subscriptions);
    }
    // The grants each user should have stored: those of the policies that
    // succeeded, plus the previous rows of the policies that failed (a
    // failure never takes a seat away). Rows of policies no longer loaded go.
    std::set<std::string> kept_policies;
    for (const auto& [status, result] : results) {
      if (!result.ok) {
        kept_policies.insert(status->name);
        failed.try_emplace(status->name, result.error);
      }
    }
    std::unordered_map<std::string, StoredGrants> target;
    for (const auto& [user, rows] : stored) {
      for (const auto& [key, priority] : rows) {
        if (kept_policies.contains(key.first)) target[user][key] = priority;
      }
    }
    for (const auto& [status, result] : results) {
      if (!result.ok) continue;
      for (size_t i = 0; i < result.grants_by_user.size() && i < batch.users.size(); ++i) {
        StoredGrants& mine = target[batch.users[i].id];
        for (const policy::Grant& g : result.grants_by_user[i]) {
          mine.try_emplace({status->name, g.subscription_id}, status->priority);
        }
      }
    }
    // Write only the difference: in the steady state nothing at all.
    GrantRows gone, added;
    static const StoredGrants kNone;
    for (const auto& [user, rows] : stored) {
      auto t = target.find(user);
      const StoredGrants& want = t == target.end() ? kNone : t->second;
      for (const auto& [key, priority] : rows) {
        auto w = want.find(key);
        if (w == want.end() || w->second != priority) gone.Add(user, key.first, key.second, 0);
      }
    }
    for (const auto& [user, rows] : target) {
      auto h = stored.find(user);
      for (const auto& [key, priority] : rows) {
        if (h != stored.end()) {
          auto was = h->second.find(key);
          if (was != h->second.end() && was->second == priority) continue;
        }
        added.Add(user, key.first, key.second, priority);
      }
    }
    if (auto w = WriteGrantDiff(sql, tenant, gone, added); !w) return std::unexpected(w.error());
    if (known != nullptr) {
      for (const policy::UserFacts& u : batch.users) known->live[u.id] = u.active;
      for (auto& [user, rows] : target) {
        auto& out = known->grants[user];
        out.clear();  // a user listed twice is evaluated twice; keep the last
        for (const auto& [key, priority] : rows) out.push_back({key.first, priority, key.second});
      }
    }
  }
  // A failure is the policy's own event: its actor is the policy, and the
  // change that made it run is recorded beside the error.
  for (const auto& [name, error] : failed) {
    failures.push_back({name, error});
    const AuditEvent event{
        .action = "policy.failed",
        .target_kind = "policy",
        .target_id = name,
        .after_json = AuditJson({{"error", error},
                                 {"users", user_ids.size()},
                                 {"kept", "previous grants"},
                                 {"triggered_by", {{"kind", ActorKindName(actor.kind)}, {"id", actor.id}}}})};
    if (auto w = WriteAudit(sql, tenant, Actor{Actor::Kind::kPolicy, name}, event); !w) {
      return std::unexpected(w.error());
    }
  }
  return failures;
}

}  // namespace allot::licensing
