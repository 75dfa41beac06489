#include "server/licensing/evaluate.h"

#include <soci/soci.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "server/licensing/audit.h"
#include "server/licensing/sql.h"
#include "server/policy/policy.h"
#include "server/store/database.h"

namespace allot::licensing {
namespace {

struct Batch {
  std::vector<policy::UserFacts> users;
  std::deque<nlohmann::json> resources;                          // stable addresses
  std::unordered_map<std::string, policy::GroupFacts> groups;  // by group id; node-stable
};

Status LoadFacts(soci::session& sql, const std::string& tenant, std::span<const std::string> ids,
                 Batch& batch) {
  std::unordered_map<std::string, size_t> index;
  auto s = sql::RunIn(
      sql, "SELECT id, active, deleted_at, resource FROM scim_users WHERE tenant_id = :p0 AND id IN ",
      "", {tenant}, ids, {}, [&](const soci::row& r) {
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
  return sql::RunIn(sql,
                    "SELECT m.member_id, g.id, g.display_name, g.external_id FROM "
                    "scim_group_members m JOIN scim_groups g ON g.tenant_id = m.tenant_id AND "
                    "g.id = m.group_id WHERE m.tenant_id = :p0 AND g.deleted_at IS NULL AND "
                    "m.member_id IN ",
                    "", {tenant}, ids, {}, [&](const soci::row& r) {
                      auto it = index.find(sql::Str(r, 0));
                      if (it == index.end()) return;
                      std::string gid = sql::Str(r, 1);
                      auto [g, inserted] = batch.groups.try_emplace(gid);
                      if (inserted) {
                        g->second = {gid, sql::Str(r, 2), sql::Str(r, 3)};
                      }
                      batch.users[it->second].groups.push_back(&g->second);
                    });
}

}  // namespace

Result<std::vector<PolicyFailure>> EvaluateAndStore(soci::session& sql, const std::string& tenant,
                                                    std::span<const std::string> user_ids,
                                                    const policy::PolicySet* policies,
                                                    const Actor& actor) {
  std::vector<PolicyFailure> failures;
  std::unordered_set<std::string> subscriptions;
  auto s = sql::Run(sql, "SELECT id FROM subscriptions WHERE tenant_id = :p0", {tenant},
                    [&](const soci::row& r) { subscriptions.insert(sql::Str(r, 0)); });
  if (!s) return std::unexpected(s.error());
  std::map<std::string, std::string> failed;  // policy -> first error

  for (size_t start = 0; start < user_ids.size(); start += kEvalBatch) {
    auto ids = user_ids.subspan(start, std::min(kEvalBatch, user_ids.size() - start));
    Batch batch;
    if (auto l = LoadFacts(sql, tenant, ids, batch); !l) return std::unexpected(l.error());

    std::vector<std::pair<const policy::PolicyStatus*, policy::BatchResult>> results;
    if (policies != nullptr && !batch.users.empty()) {
      results = policies->Evaluate(tenant, batch.users, subscriptions);
    }
    // Keep the rows of failed policies; drop every other row of these users,
    // then write the new grants of the policies that succeeded.
    std::vector<std::string> keep;
    for (const auto& [status, result] : results) {
      if (!result.ok) {
        keep.push_back(status->name);
        failed.try_emplace(status->name, result.error);
      }
    }
    std::string keep_clause;
    if (!keep.empty()) {
      keep_clause = " AND policy_name NOT IN (" + sql::Placeholders(keep.size(), 100000) + ")";
    }
    if (auto d = sql::RunIn(sql, "DELETE FROM policy_grants WHERE tenant_id = :p0 AND user_id IN ",
                            keep_clause, {tenant}, ids, keep);
        !d) {
      return std::unexpected(d.error());
    }
    std::vector<std::string> users, names, subs;
    std::vector<long long> priorities;
    for (const auto& [status, result] : results) {
      if (!result.ok) continue;
      for (size_t i = 0; i < result.grants_by_user.size() && i < batch.users.size(); ++i) {
        std::unordered_set<std::string_view> once;
        for (const policy::Grant& g : result.grants_by_user[i]) {
          if (!once.insert(g.subscription_id).second) continue;
          users.push_back(batch.users[i].id);
          names.push_back(status->name);
          subs.push_back(g.subscription_id);
          priorities.push_back(status->priority);
        }
      }
    }
    if (!users.empty()) {
      std::vector<std::string> tenants(users.size(), tenant);
      try {
        sql << "INSERT INTO policy_grants (tenant_id, user_id, policy_name, subscription_id, "
               "priority) VALUES (:t, :u, :p, :s, :pr)",
            soci::use(tenants), soci::use(users), soci::use(names), soci::use(subs),
            soci::use(priorities);
      } catch (const std::exception& e) {
        return std::unexpected(store::ErrorFromException(e));
      }
    }
  }
  std::vector<AuditEvent> events;
  for (const auto& [name, error] : failed) {
    failures.push_back({name, error});
    events.push_back({.action = "policy.failed",
                      .target_kind = "policy",
                      .target_id = name,
                      .after_json = AuditJson({{"error", error},
                                               {"users", user_ids.size()},
                                               {"kept", "previous grants"}})});
  }
  if (auto w = WriteAuditBatch(sql, tenant, actor, events); !w) return std::unexpected(w.error());
  return failures;
}

}  // namespace allot::licensing
