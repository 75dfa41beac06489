// server/licensing/holds.h — "revoke all": an administrator takes every
// license of a user at once and puts the user on hold (table user_holds):
// while it lasts no policy, override or queue gives the user a seat (apply.h
// decides nothing for a held user) and an assign is refused naming the hold.
// Clearing the hold evaluates the user again at once. Both write audit
// events (hold.set, hold.cleared) in their transaction.
// Thread-safety: stateless functions over the thread-safe Database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/licensing/admin_change.h"
#include "server/store/database.h"

namespace allot::licensing {

struct RevokeOutcome {
  int64_t released = 0;  // licenses (active or pending) ended
  int64_t grants_cleared = 0;
  Hold hold;
};

// Releases every license of `user` (history end_reason "held"), clears the
// user's grant overrides and sets the hold (kept as it was when the user is
// on hold already). kNotFound for an unknown or deleted user. `reason` empty:
// a default sentence.
Result<RevokeOutcome> RevokeAll(store::Database& db, const std::string& tenant,
                                const std::string& user, const std::string& reason,
                                const Actor& actor);

// Clears the hold and evaluates the user again; kNotFound when the user is
// unknown or not on hold.
Status ClearHold(store::Database& db, const std::string& tenant, const std::string& user,
                 const Actor& actor);

}  // namespace allot::licensing
