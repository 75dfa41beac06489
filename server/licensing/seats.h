// server/licensing/seats.h — the seat counter of a subscription and its
// pending queue. Taking a seat is ONE conditional statement
// (`assigned = assigned + 1 … WHERE assigned < seats`, one affected row or
// none), never a read followed by a write, so the invariant
// active ≤ seats holds with any number of threads and processes: SQLite
// serialises writers (BEGIN IMMEDIATE); on PostgreSQL (READ COMMITTED) the
// statement waits for the row lock of a concurrent writer and re-checks its
// condition on the row that writer committed.
//
// The rule every writer of licensing rows follows (store/row_locks.h): the
// assignment rows of a subscription — its pending queue — change only
// under the subscription's row lock, taken after the locks of the users
// concerned (locks.h: LockForChange). FillPending relies on it.
// Thread-safety: stateless; each call uses the caller's transaction.
#pragma once

#include <cstdint>
#include <string>

#include "server/base/actor.h"
#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::licensing {

// True when a seat was free and is now taken; false when none was free.
Result<bool> TakeSeat(soci::session& sql, const std::string& tenant, const std::string& sub);

// Takes up to `n` seats at once (n ≥ 1) and returns how many it took (0 when
// none was free). Each attempt is one conditional statement
// (`assigned + k <= seats`), so the invariant holds as for TakeSeat; when k
// do not fit, it reads what is free and tries that many.
Result<int64_t> TakeSeats(soci::session& sql, const std::string& tenant, const std::string& sub,
                          int64_t n);

// Gives back `n` seats (n ≥ 1) taken by active assignments now gone.
Status GiveBackSeats(soci::session& sql, const std::string& tenant, const std::string& sub,
                     int64_t n);

// Locks `sub` (PostgreSQL: see above; the caller may hold it already, and
// must not hold a lock that comes after it in the global order), then
// activates its oldest pending assignments (wanted_since, then user_id)
// while a seat is free; writes their history and audit events. Returns how
// many were activated.
Result<int64_t> FillPending(soci::session& sql, const std::string& tenant, const std::string& sub,
                            const Actor& actor);

// seats and assigned of `sub`, for messages; kNotFound when it does not exist.
struct SeatCounts {
  int64_t seats = 0, assigned = 0;
};
Result<SeatCounts> ReadSeatCounts(soci::session& sql, const std::string& tenant,
                                  const std::string& sub);

}  // namespace allot::licensing
