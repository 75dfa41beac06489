// server/operator/usage.h — seats across every tenant, for billing and
// true-ups (GET /operator/v1/usage) and for the per-subscription gauges of
// /metrics (RenderSubscriptionGauges).
// Thread-safety: stateless functions over the thread-safe Database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/base/error.h"
#include "server/store/database.h"

namespace allot::operator_api {

struct UsageRow {
  std::string tenant_id, subscription_id, product_id;
  int64_t seats = 0, assigned = 0, pending = 0;
  std::optional<std::string> starts_at, ends_at;
  std::string status;  // scheduled | active | expired
};

struct UsagePage {
  std::vector<UsageRow> items;
  std::string next_after;  // "<tenant>/<subscription>", empty on the last page
};

// Rows ordered by tenant then subscription, after the key `after`
// ("<tenant>/<subscription>", "" for the first page), of one tenant when
// `tenant` is not empty.
Result<UsagePage> ListUsage(store::Database& db, const std::string& tenant, int limit,
                            const std::string& after);

// The most subscriptions /metrics gives gauges for: three series each, so
// at most 30,000 series however many tenants there are. Past the cap the
// gauges of the subscriptions after it (in tenant, id order) are left out
// and allot_subscription_gauges_truncated is 1.
inline constexpr int kMaxGaugedSubscriptions = 10'000;

// allot_subscription_seats, _assigned and _pending with labels tenant and
// subscription, in Prometheus text format, plus
// allot_subscription_gauges_truncated.
Result<std::string> RenderSubscriptionGauges(store::Database& db,
                                             int max_subscriptions = kMaxGaugedSubscriptions);

}  // namespace allot::operator_api
