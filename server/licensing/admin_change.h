// server/licensing/admin_change.h — what every administrator's change of
// licenses (licenses.h, holds.h, waitlist.h) checks and asks before it
// writes, in the caller's transaction: does the user exist (and is it
// active, not on hold), does the subscription exist, which license does the
// user have of it, would the policies give it, and — for a Subscription
// admin — did the change leave every license outside its scope as it was.
// Thread-safety: stateless; each call uses the caller's transaction.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <string>
#include <vector>

#include "server/base/error.h"
#include "server/licensing/licenses.h"

namespace soci {
class session;
}

namespace allot::licensing {

// kNotFound unless the user exists and is not deleted; returns `active`.
Result<bool> UserActive(soci::session& sql, const std::string& tenant, const std::string& user);

// kNotFound for an unknown subscription.
Status SubscriptionExists(soci::session& sql, const std::string& tenant, const std::string& sub);

struct Hold {
  std::string set_by_id, set_by_name, set_at, reason;
};
// The user's hold (revoke all), or nullopt.
Result<std::optional<Hold>> ReadHold(soci::session& sql, const std::string& tenant,
                                     const std::string& user);
// The holds of `users` (batch queries), by user; users without one are absent.
Result<std::unordered_map<std::string, Hold>> ReadHolds(soci::session& sql,
                                                        const std::string& tenant,
                                                        std::span<const std::string> users);
// kConflict naming the hold when the user is on hold.
Status RefuseIfHeld(soci::session& sql, const std::string& tenant, const std::string& user);

// The user's license of `sub` (active or pending), or nullopt.
Result<std::optional<License>> LicenseOf(soci::session& sql, const std::string& tenant,
                                         const std::string& user, const std::string& sub);

// True when, with the user's current overrides except any on `sub`, the
// decision (decide.h) gives the user `sub`: a policy wants it for them.
Result<bool> PolicyGives(soci::session& sql, const std::string& tenant, const std::string& user,
                         const std::string& sub);

// kNoSeats with the subscription's numbers and `hint` (how to wait, for the
// operation that failed).
Error NoSeats(soci::session& sql, const std::string& tenant, const std::string& sub,
              const std::string& hint);

// The licenses and overrides of some users outside a Subscription admin's
// scope, taken before a change and compared after it: a change by a scoped
// admin may give licenses, never release, alter or displace one it cannot
// see. With an unscoped ChangeScope it records and checks nothing.
class ScopeGuard {
 public:
  static Result<ScopeGuard> Take(soci::session& sql, const std::string& tenant,
                                 const std::vector<std::string>& users, const ChangeScope& scope);
  // kForbidden (without naming the license) when something recorded changed.
  Status Check(soci::session& sql) const;

 private:
  struct Snapshot {
    std::map<std::string, std::string> rows;  // "user/sub" -> "state|held_for" or "kind|set_at|…"
  };
  static Result<Snapshot> Read(soci::session& sql, const std::string& tenant,
                               const std::vector<std::string>& users, const ChangeScope& scope);
  std::string tenant_;
  std::vector<std::string> users_;
  ChangeScope scope_;
  Snapshot before_;
};

}  // namespace allot::licensing
