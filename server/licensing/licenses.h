// server/licensing/licenses.h — what administrators do to one user's
// licenses: assign (a grant override), unassign (a deny override), clear an
// override, reassign a seat to another user, move to another subscription,
// and the bulk form of these. Each runs in one transaction: overrides change,
// the user's licenses are re-decided from the stored policy grants (no
// plugin runs), and a request that fails changes nothing.
// Thread-safety: stateless functions over the thread-safe Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/store/database.h"

namespace allot::licensing {

struct License {
  std::string user_id, subscription_id, product_id, state;  // state: active | pending
  std::vector<std::string> sources;                          // "admin", "policy:<name>"
  std::string since;          // activated_at when active, else when first wanted
  std::string pending_reason;  // empty when active
  // The main source: "admin" when an override grants it, else the first policy.
  std::string source() const;
};

// kNotFound: no such user (or deleted) / subscription. kConflict: the user is
// inactive. kNoSeats (with seats and taken counts) when no seat is free and
// !queue; with queue the license is pending.
Result<License> AssignLicense(store::Database& db, const std::string& tenant,
                              const std::string& user, const std::string& sub, bool queue,
                              const Actor& actor);
// Sets a deny override and releases the seat (or the place in the queue).
Status UnassignLicense(store::Database& db, const std::string& tenant, const std::string& user,
                       const std::string& sub, const Actor& actor);
// kNotFound when the user has no override on `sub`.
Status ClearOverride(store::Database& db, const std::string& tenant, const std::string& user,
                     const std::string& sub, const Actor& actor);
// The seat `from` holds goes to `to` directly (not to the queue): kConflict
// when `from` holds no active seat of `sub` or `to` already holds one.
Result<License> Reassign(store::Database& db, const std::string& tenant, const std::string& sub,
                         const std::string& from, const std::string& to, const Actor& actor);
// Replaces `user`'s license of `from_sub` by one of `to_sub`: kConflict when
// the user has none of `from_sub`, kNoSeats when `to_sub` has no free seat.
Result<License> Move(store::Database& db, const std::string& tenant, const std::string& user,
                     const std::string& from_sub, const std::string& to_sub, const Actor& actor);

struct BulkRequest {
  std::string action;  // assign | unassign | move
  std::vector<std::string> user_ids;
  std::string subscription_id, to_subscription_id;
  bool atomic = false;
  bool queue = false;
};
struct BulkResult {
  std::string user_id;
  std::optional<Error> error;  // none: done
  std::string state;           // assign/move: the resulting state
};
struct BulkOutcome {
  bool applied = true;  // atomic and a failure: false, nothing changed
  std::vector<BulkResult> results;
};
// kInvalidRequest for a bad action or missing to_subscription_id; per-user
// errors are in the results.
Result<BulkOutcome> Bulk(store::Database& db, const std::string& tenant, const BulkRequest& req,
                         const Actor& actor);

}  // namespace allot::licensing
