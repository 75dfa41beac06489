// server/licensing/queue.h — what happens around a pending assignment
// becoming active: the queue of a subscription is served only when the
// subscription fills automatically (`fill: auto`; `manual` keeps freed seats
// for administrators), and an activation completes a make-before-break swap:
// the license the user kept while waiting (assignments.held_for) is released
// in the same transaction ("replaced"), and grant overrides of the same
// exclusive family that the new one supersedes are cleared. A release frees
// a seat elsewhere, whose queue is served in turn; the cascade stays within
// one family and ends because every step activates a pending assignment.
// Thread-safety: stateless; each call uses the caller's transaction, which
// must hold the subscriptions' locks (locks.h).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::licensing {

// "auto" or "manual"; kNotFound for an unknown subscription.
Result<std::string> FillMode(soci::session& sql, const std::string& tenant,
                             const std::string& sub);

// Serves the queues of `subs` that fill automatically while seats are free,
// oldest first, and completes the swaps those activations finish. Returns
// how many pending assignments became active.
Result<int64_t> PromoteWaiting(soci::session& sql, const std::string& tenant,
                               const std::set<std::string>& subs, const Actor& actor);

// One assignment to end, with the state and sources read before.
struct Release {
  std::string user, sub, state, sources, reason;
};

// Ends these assignments, in one statement, each in the state read: the
// caller holds the locks under which alone they change (their
// subscriptions', locks.h), so a row that is not as read is an error
// (kInternal), never a race. Gives
// active ones' seats back (counted per subscription in `freed`), closes
// their history with `reason` and writes assignment.released. Does not serve
// the queues. Returns how many rows were deleted (all of them).
Result<int64_t> ReleaseAssignments(soci::session& sql, const std::string& tenant,
                                   const std::vector<Release>& releases, const Actor& actor,
                                   std::map<std::string, int64_t>& freed);

// Completes the swaps that activations in `sub` finish (see above): for
// every user now active in `sub` (only `users` when given), the license kept
// for it is released ("replaced") and superseded grant overrides of the
// family are cleared. Adds the subscriptions where seats were freed to
// `freed`. Replaces the session's id list (sql::FillIdList) with `users`.
// Errors are the database's.
Status AfterActivation(soci::session& sql, const std::string& tenant, const std::string& sub,
                       const std::vector<std::string>* users, const Actor& actor,
                       std::map<std::string, int64_t>& freed);

// An administrator hands a free seat to `user`'s pending assignment of
// `sub` (whatever the fill mode): true when it is active now, false when no
// seat was free. Completes the swap and serves the queues it frees.
Result<bool> ActivatePending(soci::session& sql, const std::string& tenant,
                             const std::string& user, const std::string& sub, const Actor& actor);

}  // namespace allot::licensing
