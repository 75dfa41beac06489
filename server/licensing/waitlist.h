// server/licensing/waitlist.h — a subscription's queue as administrators see
// and steer it: who waits, in which order (position 1 is served next), and
// taking someone off it (a deny override, reason "removed from waitlist", so
// no policy puts them back). Whether freed seats go to the queue at all is
// the subscription's `fill` (catalog.h, queue.h).
// Thread-safety: stateless functions over the thread-safe Database.
#pragma once

#include <cstdint>
#include <string>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/licensing/catalog.h"
#include "server/licensing/licenses.h"
#include "server/store/database.h"

namespace allot::licensing {

struct WaitlistEntry {
  int64_t position = 0;  // 1 = next to get a seat
  std::string user_id, user_name, display_name, since, reason;
};

// The queue of `sub` in order, after the key `after` (the previous page's
// next_after); kNotFound for an unknown subscription, kInvalidRequest for a
// bad cursor.
Result<ListPage<WaitlistEntry>> Waitlist(store::Database& db, const std::string& tenant,
                                         const std::string& sub, int limit,
                                         const std::string& after);

// Takes `user` off the queue of `sub`: kNotFound when the user does not wait
// for it. Returns the deny override set. Scope as for licenses.h.
Result<OverrideView> RemoveFromWaitlist(store::Database& db, const std::string& tenant,
                                        const std::string& sub, const std::string& user,
                                        const Actor& actor, const ChangeScope& scope);

}  // namespace allot::licensing
