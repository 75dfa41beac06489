// server/licensing/licenses.h — what administrators do to one user's
// licenses (CONTRACT.md, "Licensing semantics admins can trust"): assign,
// unassign, clear an override, reassign a seat to another user, move to
// another license type, and the bulk form of these. Each runs in one
// transaction: the user's rows and subscriptions are locked (locks.h),
// overrides change only as far as needed, the user's licenses are re-decided
// from the stored policy grants (no plugin runs), and a request that fails
// changes nothing.
//  - Assign clears a deny override and sets a grant override only when no
//    policy gives the license; unassign releases it and sets a deny only
//    when a policy still wants it.
//  - In an exclusive family (and for a move) the held license stays active
//    until the new one has a seat (make before break, apply.h).
//  - A Subscription admin's change never releases, alters or displaces a
//    license outside its scope (kForbidden, nothing changes).
// Thread-safety: stateless functions over the thread-safe Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/licensing/overrides.h"
#include "server/store/database.h"

namespace allot::licensing {

struct License {
  std::string user_id, subscription_id, product_id, state;  // state: active | pending
  std::vector<std::string> sources;                          // "admin", "policy:<name>"
  std::string since;          // activated_at when active, else when first wanted
  std::string pending_reason;  // empty when active
  std::string held_for;        // active, kept until this subscription's license is active
  // The main source: "admin" when an override grants it, else the first policy.
  std::string source() const;
};

// Which subscriptions the administrator making a change may touch.
struct ChangeScope {
  const std::vector<std::string>* subscriptions = nullptr;  // nullptr: every one
  bool Covers(const std::string& sub) const;
};

struct AssignOptions {
  bool queue = false;  // wait (pending) when no seat is free, instead of kNoSeats
  OverrideNote note;   // for the grant override, if one is set
};
struct AssignOutcome {
  License license;
  std::optional<OverrideView> override;  // the grant in force, if any
};
// kNotFound: no such user (or deleted) / subscription. kConflict: the user
// is inactive or on hold. kNoSeats (with the numbers) when no seat is free
// and !queue. kForbidden: see the scope rule above.
Result<AssignOutcome> AssignLicense(store::Database& db, const std::string& tenant,
                                    const std::string& user, const std::string& sub,
                                    const AssignOptions& options, const Actor& actor,
                                    const ChangeScope& scope);

struct UnassignOptions {
  bool deny = false;  // set a deny even when no policy wants it / nothing is held
  OverrideNote note;  // for the deny override, if one is set
};
struct UnassignOutcome {
  bool released = false;
  std::optional<OverrideView> override;  // the deny set, if any
};
// kNotFound when the user neither holds nor waits for `sub` (unless deny).
Result<UnassignOutcome> UnassignLicense(store::Database& db, const std::string& tenant,
                                        const std::string& user, const std::string& sub,
                                        const UnassignOptions& options, const Actor& actor,
                                        const ChangeScope& scope);

// kNotFound when the user has no override on `sub`.
Status ClearOverride(store::Database& db, const std::string& tenant, const std::string& user,
                     const std::string& sub, const Actor& actor, const ChangeScope& scope);

// The seat `from` holds goes to `to` directly (not to the queue): kConflict
// when `from` holds no active seat of `sub`, `to` already holds one, or `to`
// is inactive or on hold.
Result<License> Reassign(store::Database& db, const std::string& tenant, const std::string& sub,
                         const std::string& from, const std::string& to, const Actor& actor,
                         const ChangeScope& scope);

struct MoveOptions {
  bool queue = false;            // wait for a seat, keeping the old license
  bool across_families = false;  // allow another product outside the family
};
// Replaces `user`'s license of `from_sub` by one of `to_sub`: kInvalidRequest
// when `to_sub` is of another product and family (unless across_families),
// kConflict when the user has none of `from_sub`, kNoSeats when `to_sub` has
// no free seat and !queue.
Result<License> Move(store::Database& db, const std::string& tenant, const std::string& user,
                     const std::string& from_sub, const std::string& to_sub,
                     const MoveOptions& options, const Actor& actor, const ChangeScope& scope);

struct BulkRequest {
  std::string action;  // assign | unassign | move
  std::vector<std::string> user_ids;
  std::string subscription_id, to_subscription_id;
  bool atomic = false;
  bool queue = false;
  bool across_families = false;
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
                         const Actor& actor, const ChangeScope& scope);

}  // namespace allot::licensing
