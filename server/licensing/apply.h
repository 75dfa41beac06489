// server/licensing/apply.h — brings the assignments of a set of users in line
// with their desired licenses (decide.h), set-based, in the caller's
// transaction: locks the users and their subscriptions (locks.h), loads the
// users' live flag, hold, stored policy grants, overrides and current
// assignments in batch queries, decides, then releases (giving freed seats
// at once to the oldest pending where the subscription fills
// automatically), adds (a seat if one is free, else pending FIFO) and updates
// sources, with history and audit rows. The single entry that turns desired
// licenses into assignments: policy evaluation and admin changes feed it.
//
// Make before break: within an exclusive family (or for a queued move, see
// assignments.held_for) a user keeps the active license they hold while the
// one that should replace it waits for a seat; the old one is released, with
// end reason "replaced", in the transaction that activates the new one.
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
  // "reassigned", "expired"); a user inactive or deleted always ends with
  // "deprovisioned", a user on hold with "held", a license replaced by its
  // successor with "replaced".
  std::string end_reason = "policy";
};

// What EvaluateAndStore (evaluate.h) learnt about the users, so that Reapply
// in the same transaction need not read it again: each known user's live flag (absent:
// no such user) and the grants stored for each user after the call.
struct EvaluatedUsers {
  std::unordered_map<std::string, bool> live;
  std::unordered_map<std::string, std::vector<PolicyGrantIn>> grants;
};

// Locks what it may change (locks.h: LockForChange, the users first; a
// caller that reads or changes a user's licensing rows before, or runs
// Reapply for several users one after the other, takes those locks first,
// all at once), then decides and applies.
// Errors are the database's; the caller's transaction then rolls back.
// `known`, when given, must cover every user of `user_ids` (their live flags
// and grants are then taken from it instead of the database).
Result<ApplyCounts> Reapply(soci::session& sql, const std::string& tenant,
                            std::span<const std::string> user_ids, const ApplyContext& context,
                            const EvaluatedUsers* known = nullptr);

}  // namespace allot::licensing
