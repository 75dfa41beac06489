// server/licensing/locks.h — the row locks a licensing change takes before it
// reads what it decides on, so that a read-then-write is safe under READ
// COMMITTED on PostgreSQL: first the users' rows (scim_users, in id order),
// then every subscription the change may touch (subscriptions, in id order),
// which also guards that subscription's assignment rows. Subscriptions of an
// exclusive family are taken together: a swap in one family can cascade
// through its queues (make before break) but never outside it.
//
// Every licensing write follows this order, and re-locking a row already
// held is free, so a caller that locks a superset first (an admin change
// that then calls Reapply) keeps one global order. On SQLite writers are
// serialised already (BEGIN IMMEDIATE): these take no lock there. The
// global order, and which write takes what, is store/row_locks.h's and
// docs/operations.md's.
// Thread-safety: stateless; each call uses the caller's transaction.
#pragma once

#include <set>
#include <span>
#include <string>

#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::licensing {

// Locks the users' rows, then the subscriptions they hold, wait for, are
// granted by a policy or have an override on, together with `extra_subs`,
// each widened to its whole exclusive family (store/row_locks.h: FOR NO KEY
// UPDATE, in id order). On both backends it leaves `user_ids` (when not
// empty) in the session's id list (sql::FillIdList), which Reapply reads.
// Errors are the database's.
Status LockForChange(soci::session& sql, const std::string& tenant,
                     std::span<const std::string> user_ids, const std::set<std::string>& extra_subs);

// Locks exactly these subscription rows (and their families), in id order.
Status LockSubscriptions(soci::session& sql, const std::string& tenant,
                         const std::set<std::string>& subs);

}  // namespace allot::licensing
