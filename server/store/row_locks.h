// server/store/row_locks.h — the row locks a write takes on PostgreSQL,
// where writes run under READ COMMITTED (database.h): a read that a write
// then depends on locks what it read, and every transaction takes its locks
// in ONE global order, so two transactions may wait for each other but
// never in a cycle (no deadlock):
//
//   1. the tenant row — administrator changes that must not interleave
//      (the last Global admin; server/admin/principals.cc);
//   2. the SCIM group being written (LoadForWrite in server/scim_api);
//   3. users, in id order (LockUsers) — per-user serialisation: a user's
//      SCIM row, group memberships, policy grants, overrides and
//      assignments change only under the user's lock;
//   4. the shard row of a SCIM list counter (one per connection);
//   5. subscriptions, in id order (LockSubscriptions) — a subscription's
//      seat counter AND its assignment rows (its pending queue) change only
//      under its lock, so promoting the oldest pending assignment waits for
//      nobody (an ordered lock, not SKIP LOCKED: the queue stays FIFO);
//   then any other row (history, audit, policy grants of locked users).
//
// A transaction may skip levels, never go back up one: after locking a
// subscription it locks no user. On SQLite every function here does
// nothing: SQLite runs one writer at a time.
// Thread-safety: stateless; each call uses the caller's transaction.
#pragma once

#include <span>
#include <string>

#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::store {

// True on PostgreSQL, where the functions below lock rows.
bool LocksRows(soci::session& sql);

// " FOR NO KEY UPDATE" on PostgreSQL, "" on SQLite: appended to a SELECT of
// one table's rows that this transaction will then change. (NO KEY: the
// lock an UPDATE of non-key columns takes, so foreign-key checks of other
// transactions, which take KEY SHARE, do not wait on it.)
const char* ForUpdate(soci::session& sql);

// " FOR UPDATE SKIP LOCKED" on PostgreSQL, "" on SQLite: for a SELECT that
// claims work rows (webhook deliveries) several instances take from one
// table at once; each skips the rows another is claiming instead of waiting
// for them. Not for rows of the lock order above (a queue that must stay
// FIFO is locked in order, never skipped).
const char* ForUpdateSkipLocked(soci::session& sql);

// Locks the rows of `ids` (any order, duplicates allowed; ids that do not
// exist are skipped) of the tenant's users, in id order. Errors are the
// database's.
Status LockUsers(soci::session& sql, const std::string& tenant, std::span<const std::string> ids);

// The same for subscriptions.
Status LockSubscriptions(soci::session& sql, const std::string& tenant,
                         std::span<const std::string> ids);

}  // namespace allot::store
