// server/licensing/terms.h — the terms of a subscription (starts_at,
// ends_at; RFC 3339 UTC in NowRfc3339's form, so they compare as text) and
// what they mean for seats:
// - before starts_at no seat is taken (TakeSeat refuses): wants wait as
//   pending with reason "not started", and are served once it starts;
// - once ends_at has passed, nobody wants the subscription any more (apply.h
//   drops it from every user's desired licenses), so every assignment ends
//   with end_reason "expired"; the sweep does it once per expiry, marked by
//   subscriptions.expired_at through a conditional UPDATE, so several
//   instances on one database end each assignment exactly once;
// - moving ends_at later (a renewal) evaluates again the users a policy or
//   an override gives the subscription, so their seats come back.
// Thread-safety: stateless; each call uses the caller's transaction or the
// thread-safe Database.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/store/database.h"

namespace soci {
class session;
}

namespace allot::licensing {

inline constexpr const char* kNotStartedReason = "not started";

// "scheduled" (now < starts_at), "expired" (ends_at <= now) or "active".
std::string TermStatus(const std::optional<std::string>& starts_at,
                       const std::optional<std::string>& ends_at, const std::string& now);

// True when seats of `sub` may be taken at `now` (within its term).
// kNotFound for an unknown subscription.
Result<bool> InTerm(soci::session& sql, const std::string& tenant, const std::string& sub,
                    const std::string& now);

// The tenant's subscriptions not yet started and already ended at `now`.
struct OutOfTerm {
  std::set<std::string> scheduled, expired;
};
Result<OutOfTerm> LoadOutOfTerm(soci::session& sql, const std::string& tenant,
                                const std::string& now);

// Evaluates again (from stored policy grants and overrides) every user a
// policy or a grant override gives `sub`, so a renewed subscription serves
// them again. In the caller's transaction; returns how many users.
Result<int64_t> ReevaluateWanting(soci::session& sql, const std::string& tenant,
                                  const std::string& sub, const Actor& actor);

struct TermSweepCounts {
  int64_t expired = 0;  // subscriptions whose assignments this call ended
  int64_t started = 0;  // subscriptions whose queue this call served at their start
};
// One pass over every tenant at `now`: ends the assignments of each
// subscription whose ends_at passed (audit subscription.expired, exactly
// once across instances) and serves the queue of each that started with
// wants waiting as "not started". One transaction per subscription.
Result<TermSweepCounts> SweepSubscriptionTerms(store::Database& db, const std::string& now);

}  // namespace allot::licensing
