// server/licensing/evaluate.h — runs the policies over a set of users and
// stores each policy's grants (policy_grants), in the caller's transaction.
// Facts (the SCIM resource, active/deleted, groups) come from the scim_*
// tables in batch queries; users are evaluated in batches of kEvalBatch.
// A policy whose batch fails keeps its previous grants for those users (the
// rows are left alone) and is reported, so a failure never takes a seat away.
// Grants of policies no longer loaded are removed.
// Thread-safety: stateless; the PolicySet is immutable and shared.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/licensing/apply.h"

namespace soci {
class session;
}
namespace allot::policy {
class PolicySet;
}

namespace allot::licensing {

inline constexpr size_t kEvalBatch = 1000;

struct PolicyFailure {
  std::string policy;
  std::string error;
};

// Evaluates `user_ids` and replaces their stored grants of every policy that
// succeeded, writing only the rows that differ. Fills `known` when given. Returns the failures
// (also written to the audit log as policy.failed, one event per policy and call). Errors are the
// database's.
Result<std::vector<PolicyFailure>> EvaluateAndStore(soci::session& sql, const std::string& tenant,
                                                    std::span<const std::string> user_ids,
                                                    const policy::PolicySet* policies,
                                                    const Actor& actor,
                                                    EvaluatedUsers* known = nullptr);

}  // namespace allot::licensing
