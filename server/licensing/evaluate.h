// server/licensing/evaluate.h — evaluating a set of users in three steps, so
// that no plugin ever runs inside a transaction (on SQLite, while holding
// the database's single writer):
//
//   1. ReadEvaluation, in a read transaction: each user's facts as the
//      policies read them (a FactsBatch with only the attribute paths the
//      policies resolved) and the user's facts_seq (licensing_user_state,
//      bumped by every identity change in the transaction of that change);
//   2. the policies run over the batch, outside any transaction;
//   3. ApplyEvaluation, in a short write transaction: it checks that the
//      tenant's policy version is the one the policies were built from
//      (else nothing is applied: the caller rebuilds and evaluates again),
//      locks the users' state rows and keeps only the users whose facts_seq
//      is still the one read — the others changed meanwhile and stay marked
//      for the next round — stores each policy's grants for those users (a
//      policy that failed keeps its previous grants: a failure never takes a
//      seat away), records each policy's status (failed until an evaluation
//      of it succeeds) and audits failures (policy.failed), applies with
//      Reapply, and clears the users' marks.
//
// Thread-safety: stateless; each call uses the caller's session.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/licensing/apply.h"
#include "server/policy/policy.h"

namespace soci {
class session;
}

namespace allot::licensing {

inline constexpr size_t kEvalBatch = 1000;

struct PolicyFailure {
  std::string policy;
  std::string error;
};

// One user of an evaluation, as read.
struct EvalUser {
  std::string id;
  int64_t facts_seq = 0;
  bool has_state = false;  // a licensing_user_state row existed
  bool marked = false;     // it waited for evaluation
  bool live = false;       // active and not deleted (false: no such user)
  Actor marked_by{Actor::Kind::kSystem, "allot"};
  int32_t fact_index = -1;  // its row in `facts`, -1 when there is no such user
};

struct EvaluationInput {
  std::string tenant;
  std::vector<EvalUser> users;
  std::unique_ptr<policy::FactsBatch> facts;
};

// Step 1 for `ids` (read or write transaction). `paths` are the attribute
// paths the policies read (PolicySet::AttributePaths).
Result<EvaluationInput> ReadEvaluation(soci::session& sql, const std::string& tenant,
                                       std::span<const std::string> ids,
                                       const std::vector<std::string>& paths);

// Up to `limit` users of `tenant` waiting for evaluation, oldest mark first.
Result<std::vector<std::string>> ReadMarkedUsers(soci::session& sql, const std::string& tenant,
                                                 size_t limit);
// Up to `limit` users of `tenant` with ids after `after`, in id order (a full
// pass).
Result<std::vector<std::string>> ReadUserPage(soci::session& sql, const std::string& tenant,
                                              const std::string& after, size_t limit);

using PolicyResults = std::vector<std::pair<const policy::PolicyStatus*, policy::BatchResult>>;

struct ApplyOutcome {
  bool stale_policies = false;  // nothing applied: the policies changed
  int64_t applied = 0;          // users whose evaluation was applied
  int64_t changed_meanwhile = 0;  // users left marked: their facts changed
  ApplyCounts changes;
  std::vector<PolicyFailure> failures;
};

// Step 3. `policy_version` is the tenant version the policies were built
// from. `actor`, when given, is the actor of the licensing changes (a
// reconcile); else each user's marked_by (who changed the user).
Result<ApplyOutcome> ApplyEvaluation(soci::session& sql, const EvaluationInput& input,
                                     const PolicyResults& results, int64_t policy_version,
                                     const Actor* actor);

// Marks `user_ids` for evaluation (facts_seq + 1), in the caller's
// transaction: what the SCIM listener does.
Status MarkUsers(soci::session& sql, const std::string& tenant,
                 std::span<const std::string> user_ids, const Actor& actor);

// Tenants with users marked before `before` (RFC 3339): work left behind by
// a process that died, or by a transaction that committed after the wake.
Result<std::vector<std::string>> TenantsWithOldMarks(soci::session& sql, const std::string& before);

}  // namespace allot::licensing
