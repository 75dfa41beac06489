// server/webhooks/delivery_store.h — the delivery worker's statements over
// webhook_deliveries: claim due deliveries under a lease, record what an
// attempt gave, prune what is finished. Across tenants by design (the
// worker serves every tenant); each row it touches carries its tenant.
//
// Claim: a pending delivery is due when its next attempt time has come, no
// live lease holds it, and no earlier delivery of the same webhook and user
// (order_key) is still pending — so event N+1 is never sent while N waits or
// is being retried. The claim sets lease_owner and lease_until in one write
// transaction; on PostgreSQL the SELECT takes the rows FOR UPDATE SKIP
// LOCKED (store/row_locks.h: the one dialect difference), so instances
// claiming at once take different rows instead of waiting, and never the
// same row. A lease that ran out (its process died: kill -9) makes the row
// claimable again, so a committed event is never lost; it may then be sent
// twice (at least once).
//
// Record: only while this owner still holds the lease (a row taken over
// after an expired lease is not overwritten by the late first owner).
// Thread-safety: stateless functions over the thread-safe Database.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "server/base/error.h"

namespace allot::store {
class Database;
}

namespace allot::webhooks {

struct ClaimedDelivery {
  int64_t id = 0;
  std::string tenant, webhook_id, event_id, url, secret, body;
  int64_t attempts = 0;  // before this one
};

// Claims up to `limit` due deliveries for `owner` until now + `lease`.
// Deliveries whose webhook was deleted meanwhile are dropped here, not
// returned. Errors are the database's.
Result<std::vector<ClaimedDelivery>> ClaimDue(store::Database& db, const std::string& owner,
                                              int limit, std::chrono::milliseconds lease);

// True when some delivery could be claimed now (a read, before the claim's
// write transaction; the same conditions).
Result<bool> AnyDue(store::Database& db);

struct AttemptOutcome {
  int64_t id = 0;
  int64_t attempts_before = 0;
  bool delivered = false;
  int status = 0;     // the HTTP status, 0 for none (no answer)
  std::string error;  // why it failed ("" when delivered)
};

struct RetryPolicy {
  int max_attempts = 12;
  std::chrono::milliseconds base{2000};  // wait after the first failure
  std::chrono::milliseconds cap{3600 * 1000};
};

// The wait before attempt `attempts_done + 1`: base · 2^(attempts_done − 1),
// at most `cap`, times a random factor in [0.75, 1.25).
std::chrono::milliseconds BackOff(const RetryPolicy& policy, int64_t attempts_done);

// Records the outcomes of `owner`'s attempts, in one transaction: delivered;
// or failed, then pending again after BackOff, or `failed` once
// max_attempts are spent. Errors are the database's.
Status RecordOutcomes(store::Database& db, const std::string& owner,
                      const std::vector<AttemptOutcome>& outcomes, const RetryPolicy& policy);

// Gives back the leases `owner_prefix`'s owners still hold (a process
// shutting down, with deliveries claimed and not sent): they are claimable
// at once, by any instance. Errors are the database's.
Status ReleaseLeases(store::Database& db, const std::string& owner_prefix);

// Deletes deliveries finished before now − `retention`, then events older
// than that which no delivery refers to (at most `limit` rows of each per
// call). Returns how many rows went.
Result<int64_t> Prune(store::Database& db, std::chrono::seconds retention, int limit = 5000);

}  // namespace allot::webhooks
