// server/admin/usage_series.h — one subscription's assigned and pending
// seats over time, for the console's usage chart
// (GET /admin/v1/reports/usage/series).
//
// Assigned comes from the assignment history: at a time t it is the number
// of seat periods started at or before t and not ended by t. Pending comes
// from the audit log, walked back from the current number of waiting users:
// a queued event added one, a promotion or a release of a waiting user took
// one away. So the last point always equals the pool as it is now.
// Thread-safety: stateless; reads one snapshot.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "server/base/error.h"

namespace allot::store {
class Database;
}

namespace allot::admin {

struct UsagePoint {
  std::chrono::system_clock::time_point at;
  int64_t assigned = 0;
  int64_t pending = 0;
};

// `points` evenly spaced times from `since` to `until` (inclusive), at least
// 2. kNotFound when the tenant has no such subscription.
Result<std::vector<UsagePoint>> UsageSeries(store::Database& db, const std::string& tenant,
                                            const std::string& subscription_id,
                                            std::chrono::system_clock::time_point since,
                                            std::chrono::system_clock::time_point until,
                                            int points);

}  // namespace allot::admin
