// server/licensing/apply.h — brings the assignments of a set of users in line
// with their desired licenses (decide.h), set-based, in the caller's
// transaction: loads the users' live flag, stored policy grants, overrides and
// current assignments in batch queries, decides, then releases (giving freed
// seats at once to the oldest pending), adds (a seat if one is free, else
// pending FIFO) and updates sources, with history and audit rows.
// Thread-safety: stateless; each call uses the caller's transaction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/licensing/decide.h"

namespace soci {
class session;
}

namespace allot::licensing {

struct ApplyCounts {
  int64_t activated = 0;  // new active assignments of these users
  int64_t queued = 0;     // new pending assignments of these users
  int64_t released = 0;   // assignments (active or pending) ended
  int64_t promoted = 0;   // pending assignments (of anyone) activated by freed seats
  ApplyCounts& operator+=(const ApplyCounts& o) {
    activated += o.activated;
    queued += o.queued;
    released += o.released;
    promoted += o.promoted;
    return *this;
  }
};

struct ApplyContext {
  Actor actor;
  // end_reason of released assignments of live users ("policy", "unassigned",
  // "moved", "reassigned"); a user inactive or deleted always ends with
  // "deprovisioned".
  std::string end_reason = "policy";
};

// What EvaluateAndStore (evaluate.h) learnt about the users, so that Reapply
// in the same transaction need not read it again: each known user's live flag (absent:
// no such user) and the grants stored for each user after the call.
struct EvaluatedUsers {
  std::unordered_map<std::string, bool> live;
  std::unordered_map<std::string, std::vector<PolicyGrantIn>> grants;
};

// Locks, on PostgreSQL (store/row_locks.h; nothing on SQLite), all that
// Reapply of `user_ids` may change, in the global order: the users, then
// every subscription they hold or wait for, that a stored policy grant or a
// grant override gives them, and `also_subscriptions`. Reapply takes these
// locks itself; a transaction that reads or changes a user's licensing rows
// before its Reapply (admin operations), or that runs Reapply for several
// users one after the other (atomic bulk), takes them first, all at once,
// so that it never locks a user or a lower subscription after a higher one.
// Errors are the database's.
Status LockForReapply(soci::session& sql, const std::string& tenant,
                      std::span<const std::string> user_ids,
                      std::span<const std::string> also_subscriptions = {});

// Locks as LockForReapply does (the users first), then decides and applies.
// Errors are the database's; the caller's transaction then rolls back.
// `known`, when given, must cover every user of `user_ids` (their live flags
// and grants are then taken from it instead of the database).
Result<ApplyCounts> Reapply(soci::session& sql, const std::string& tenant,
                            std::span<const std::string> user_ids, const ApplyContext& context,
                            const EvaluatedUsers* known = nullptr);

}  // namespace allot::licensing
