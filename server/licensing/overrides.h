// server/licensing/overrides.h — administrators' overrides (table overrides):
// a `grant` keeps a license whatever the policies say, a `deny` keeps one
// away from policies. Each carries why it was set (`reason`), an optional
// `expires_at` after which the expiry sweep removes it and the user is
// evaluated again, who set it (`set_by`, with the principal's name) and
// when. Setting and clearing write override.set / override.cleared in the
// caller's transaction; the sweep writes override.expired, once per
// override however many allot instances sweep the same database.
// Thread-safety: stateless functions; the write helpers use the caller's
// transaction, the rest the thread-safe Database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/licensing/catalog.h"
#include "server/store/database.h"

namespace soci {
class session;
}

namespace allot::licensing {

struct OverrideView {
  std::string user_id, user_name, subscription_id, kind;  // kind: grant | deny
  std::string reason;      // "" only for overrides set before reasons existed
  std::string expires_at;  // "" for never
  std::string set_by_id, set_by_name, set_at;
};

// What an administrator says when setting one; `expires_at` empty or a
// normalised RFC 3339 UTC time in the future (the admin API checks it).
struct OverrideNote {
  std::string reason;
  std::string expires_at;
};

// The user's override on `sub`, or nullopt. A failed read is an error.
Result<std::optional<OverrideView>> ReadOverride(soci::session& sql, const std::string& tenant,
                                                 const std::string& user, const std::string& sub);

// Sets (or replaces) the override on (user, sub) with `kind` and `note`
// (`note.reason` empty: `default_reason`). Writes override.set.
Result<OverrideView> SetOverride(soci::session& sql, const std::string& tenant,
                                 const std::string& user, const std::string& sub,
                                 const std::string& kind, const OverrideNote& note,
                                 const std::string& default_reason, const Actor& actor);

// Removes the override on (user, sub) if there is one; writes
// override.cleared with `why` in its after. True when one was removed.
Result<bool> DeleteOverride(soci::session& sql, const std::string& tenant, const std::string& user,
                            const std::string& sub, const std::string& why, const Actor& actor);

struct OverrideQuery {
  std::string user_id, subscription_id, kind;  // "" for any
  // When set, only these subscriptions (a Subscription admin's scope).
  const std::vector<std::string>* only = nullptr;
};
// The tenant's overrides matching `query`, by user then subscription, after
// the key `after` (from the previous page's next_after). kInvalidRequest for
// a bad cursor or kind.
Result<ListPage<OverrideView>> ListOverrides(store::Database& db, const std::string& tenant,
                                             const OverrideQuery& query, int limit,
                                             const std::string& after);

// One user's overrides; kNotFound for an unknown or deleted user.
Result<std::vector<OverrideView>> UserOverrides(store::Database& db, const std::string& tenant,
                                                const std::string& user);

// Removes every override (of every tenant) whose expires_at is at or before
// `now` (RFC 3339 UTC, as NowRfc3339), one transaction per override: the
// row goes only if it is still the one read, then override.expired is
// written (actor system "expiry sweep") and the user evaluated again. Returns
// how many this call removed; errors are the first failed transaction's.
Result<int64_t> SweepExpiredOverrides(store::Database& db, const std::string& now);

}  // namespace allot::licensing
