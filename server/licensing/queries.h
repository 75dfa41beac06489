// server/licensing/queries.h — the read side: users' licenses (also for the
// SCIM User extension), overrides, history, a subscription's assignments and
// the usage report.
// Thread-safety: stateless functions; each uses the caller's session or a
// read transaction of the thread-safe Database.
#pragma once

#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "server/base/error.h"
#include "server/licensing/catalog.h"
#include "server/licensing/licenses.h"
#include "server/licensing/overrides.h"
#include "server/store/database.h"

namespace allot::licensing {

// The SCIM extension schema listing a user's licenses (read-only).

// Licenses of `user_ids` (batch queries), by user; users without any are absent.
Result<std::unordered_map<std::string, std::vector<License>>> ReadLicenses(
    soci::session& sql, const std::string& tenant, std::span<const std::string> user_ids);

// For the SCIM layer, in its own session/transaction: an object mapping every
// id of `user_ids` to the value of the licensing extension
//   {"licenses":[{"subscriptionId","productId","state","source","since"}]}
// (an empty list for users without licenses). Errors are the database's.
Result<nlohmann::json> LicensesForUsers(soci::session& sql, const std::string& tenant,
                                        const std::vector<std::string>& user_ids);

// The admin view of one user's licenses; kNotFound for an unknown user
// (deleted users keep nothing and are not found).
Result<std::vector<License>> UserLicenses(store::Database& db, const std::string& tenant,
                                          const std::string& user);

struct HistoryEntry {
  int64_t id = 0;
  std::string subscription_id, product_id;
  std::vector<std::string> sources;
  std::string started_at, ended_at, end_reason;  // ended_at empty while held
};
// Every seat the user ever held (also after deletion), oldest first; kNotFound
// when the user never existed.
Result<ListPage<HistoryEntry>> UserHistory(store::Database& db, const std::string& tenant,
                                           const std::string& user, int limit, int64_t after_id);

struct AssignmentView {
  std::string user_id, user_name, display_name, state, source, since;
};
// kNotFound for an unknown subscription. Paged by user id; `state` "" for
// any, else "active" or "pending".
Result<ListPage<AssignmentView>> SubscriptionAssignments(store::Database& db,
                                                         const std::string& tenant,
                                                         const std::string& sub,
                                                         const std::string& state, int limit,
                                                         const std::string& after_user);

// Per subscription (optionally restricted to `only`): seats, assigned, pending.
Result<std::vector<Subscription>> UsageReport(store::Database& db, const std::string& tenant,
                                              const std::vector<std::string>* only);

struct UsageTotals {
  int64_t seats = 0, assigned = 0, pending = 0, available = 0;
};
// The totals of a usage report. They saturate at the int64 range instead of
// overflowing: kMaxSeats keeps new rows small, but a row written before the
// limit may hold any int64.
UsageTotals SumUsage(const std::vector<Subscription>& rows);

}  // namespace allot::licensing
