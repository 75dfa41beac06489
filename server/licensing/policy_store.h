// server/licensing/policy_store.h — policies as tenant data (migration
// 040_policies.sql): the tenant's own policies (table policies), the version
// of each tenant's policies that every allot instance polls to learn of a
// change and the lease of the full re-evaluation after one
// (tenant_policy_state), and the outcome of each policy's last evaluation,
// shared by the instances (policy_status).
//
// Every function runs in the caller's transaction; writes audit in it
// (policy.created, policy.updated, policy.deleted). Reads that a write
// depends on lock their rows on PostgreSQL (FOR UPDATE / FOR SHARE), so
// they are safe under READ COMMITTED; SQLite's single writer needs no lock.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/base/actor.h"
#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::licensing {

struct StoredPolicy {
  std::string name, plugin;
  int priority = 0;
  nlohmann::json config = nlohmann::json::object();
  bool enabled = true;
  int64_t version = 0;
  std::string created_at, updated_at;
};

// What PUT /policies/{name} sets.
struct PolicyInput {
  std::string plugin;
  int priority = 0;
  nlohmann::json config = nlohmann::json::object();
  bool enabled = true;
};

// " FOR UPDATE" / " FOR SHARE" on PostgreSQL, "" on SQLite (one writer).
std::string LockRows(soci::session& sql, bool exclusive);

Result<std::vector<StoredPolicy>> ListStoredPolicies(soci::session& sql, const std::string& tenant);
Result<std::optional<StoredPolicy>> GetStoredPolicy(soci::session& sql, const std::string& tenant,
                                                    const std::string& name);

// Creates or replaces policy `name` (version + 1), raises the tenant's
// version and audits. Returns the stored policy and whether it is new.
Result<std::pair<StoredPolicy, bool>> PutStoredPolicy(soci::session& sql,
                                                      const std::string& tenant,
                                                      const std::string& name,
                                                      const PolicyInput& input,
                                                      const Actor& actor);
// Deletes it (its status too), raises the tenant's version and audits.
// kNotFound when there is no such policy.
Status DeleteStoredPolicy(soci::session& sql, const std::string& tenant, const std::string& name,
                          const Actor& actor);

struct PolicyVersion {
  int64_t version = 0;
  int64_t reconciled = 0;
  std::string pass_owner, pass_until;
};

// The tenant's policy version, locked for share (a policy change waits for
// the caller's transaction; see evaluate.h). A tenant without a row gets
// one (version 0).
Result<PolicyVersion> LockPolicyVersion(soci::session& sql, const std::string& tenant);
// Every tenant's version, unlocked (the poller).
Result<std::map<std::string, PolicyVersion>> AllPolicyVersions(soci::session& sql);
Status RaisePolicyVersion(soci::session& sql, const std::string& tenant);

// Takes the lease of the tenant's full re-evaluation for `owner` until
// `until` (RFC 3339) when no other owner holds an unexpired one (`now`);
// renewing one's own lease also succeeds. Returns whether it is held.
Result<bool> ClaimPass(soci::session& sql, const std::string& tenant, const std::string& owner,
                       const std::string& now, const std::string& until);
// Records that every user was evaluated with policies of `version` (never
// lowering it) and gives the lease back.
Status FinishPass(soci::session& sql, const std::string& tenant, const std::string& owner,
                  int64_t version);

struct StoredStatus {
  std::string status = "ok", error, failed_at;
};
Result<std::map<std::string, StoredStatus>> ReadPolicyStatuses(soci::session& sql,
                                                               const std::string& tenant);
// A failed evaluation (or load) of policy `name`.
Status RecordPolicyFailure(soci::session& sql, const std::string& tenant, const std::string& name,
                           const std::string& error);
// A successful evaluation: clears a failure (a no-op when there is none).
Status RecordPolicySuccess(soci::session& sql, const std::string& tenant, const std::string& name);

}  // namespace allot::licensing
