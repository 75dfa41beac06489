// server/webhooks/outbox.h — the outbox: webhook events written in the
// transaction of the change that causes them, so that a committed change
// always has its events (a crash loses none) and a rolled-back one has none.
//
// Enqueue writes one webhook_events row per event (its JSON body complete,
// with the user's names and the subscription's product looked up here) and
// fans it out at once, in the same transaction, into one
// webhook_deliveries row per webhook of the tenant that wants its type. A
// tenant without webhooks costs one indexed read per call and writes
// nothing. The delivery worker (delivery_worker.h) sends the rows after the
// commit; nothing here does any network I/O.
//
// Order: deliveries get increasing ids in the order of `events` and of the
// transactions' commits for one user (a user's licenses change only under
// the user's lock, or the one writer of SQLite; store/row_locks.h), which is
// the order the worker keeps per webhook and user.
// Thread-safety: stateless, each call uses the caller's transaction; the
// wake-up signal (WaitForOutbox, NotifyOutbox) is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::webhooks {

// The event types (CONTRACT.md), in the order docs list them.
inline constexpr const char* kEventTypes[] = {"license.assigned", "license.pending",
                                              "license.released", "subscription.expired",
                                              "user.deprovisioned"};
bool IsEventType(std::string_view type);

struct OutboxEvent {
  std::string type;             // one of kEventTypes
  std::string user_id;          // "" when the event is about no user
  std::string subscription_id;  // "" when about no subscription
  std::string state;            // "" → null
  std::string reason;           // "" → null
};

// A live webhook of the tenant and the event types it wants.
struct Subscriber {
  std::string webhook_id;
  std::vector<std::string> events;
  bool Wants(std::string_view type) const;
};

// The tenant's webhooks (one prepared, indexed read). Errors are the
// database's.
Result<std::vector<Subscriber>> LoadSubscribers(soci::session& sql, const std::string& tenant);

// Writes `events` for `subscribers` (as LoadSubscribers returned them, in
// this transaction); the worker is signalled once the transaction commits
// (store::OnCommit). Errors are the database's; the caller's transaction
// then rolls back with the change.
Status Enqueue(soci::session& sql, const std::string& tenant,
               const std::vector<Subscriber>& subscribers, const std::vector<OutboxEvent>& events);

// The worker's wake-up: NotifyOutbox runs when a transaction that wrote
// deliveries has committed (and after a manual retry) and wakes ONE waiting
// sender (all of them racing to claim one delivery cost a write transaction
// each; a sender that finds a full batch wakes the next); `everyone` wakes
// all (shutdown). OutboxGeneration counts the calls; WaitForOutbox returns
// when it moved past `seen` (and this thread was woken) or after `timeout`.
void NotifyOutbox();
void NotifyOutbox(bool everyone);
uint64_t OutboxGeneration();
void WaitForOutbox(uint64_t seen, std::chrono::milliseconds timeout);

}  // namespace allot::webhooks
