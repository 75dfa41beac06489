#include "server/licensing/seats.h"

#include <soci/soci.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "server/base/clock.h"
#include "server/licensing/audit.h"
#include "server/licensing/history.h"
#include "server/licensing/sql.h"
#include "server/store/bulk.h"
#include "server/licensing/terms.h"
#include "server/store/database.h"
#include "server/store/row_locks.h"

namespace allot::licensing {

Result<bool> TakeSeat(soci::session& sql, const std::string& tenant, const std::string& sub) {
  // Outside its term (terms.h) a subscription gives no seat.
  auto in_term = InTerm(sql, tenant, sub, NowRfc3339());
  if (!in_term || !*in_term) return in_term;
  try {
    soci::statement st = (sql.prepare << "UPDATE subscriptions SET assigned = assigned + 1 "
                                         "WHERE tenant_id = :t AND id = :s AND assigned < seats",
                          soci::use(tenant), soci::use(sub));
    st.execute(true);
    return st.get_affected_rows() == 1;
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
}

Result<int64_t> TakeSeats(soci::session& sql, const std::string& tenant, const std::string& sub,
                          int64_t n) {
  auto in_term = InTerm(sql, tenant, sub, NowRfc3339());
  if (!in_term) return std::unexpected(in_term.error());
  if (!*in_term) return 0;
  long long want = n;
  while (want > 0) {
    try {
      soci::statement st = (sql.prepare << "UPDATE subscriptions SET assigned = assigned + :n "
                                           "WHERE tenant_id = :t AND id = :s AND "
                                           "assigned + :n2 <= seats",
                            soci::use(want), soci::use(tenant), soci::use(sub), soci::use(want));
      st.execute(true);
      if (st.get_affected_rows() == 1) return static_cast<int64_t>(want);
    } catch (const std::exception& e) {
      return std::unexpected(store::ErrorFromException(e));
    }
    auto counts = ReadSeatCounts(sql, tenant, sub);
    if (!counts) return std::unexpected(counts.error());
    const long long free = counts->seats - counts->assigned;
    if (free <= 0) return 0;
    want = std::min(want, free);
  }
  return 0;
}

Status GiveBackSeats(soci::session& sql, const std::string& tenant, const std::string& sub,
                     int64_t n) {
  try {
    long long count = n;
    sql << "UPDATE subscriptions SET assigned = assigned - :n WHERE tenant_id = :t AND id = :s",
        soci::use(count), soci::use(tenant), soci::use(sub);
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
  return Ok();
}

Result<int64_t> FillPending(soci::session& sql, const std::string& tenant, const std::string& sub,
                            const Actor& actor) {
  // The subscription's lock guards its counter and its queue
  // (store/row_locks.h): with it held, nobody else changes either until
  // this transaction ends, so the oldest pending rows read here are the ones
  // promoted, in FIFO order, without waiting for any other row.
  const std::string subs[] = {sub};
  if (auto l = store::LockSubscriptions(sql, tenant, subs); !l) return std::unexpected(l.error());
  int64_t activated = 0;
  for (;;) {
    auto counts = ReadSeatCounts(sql, tenant, sub);
    if (!counts) return std::unexpected(counts.error());
    const int64_t free = counts->seats - counts->assigned;
    if (free <= 0) return activated;
    struct Waiting {
      std::string user, sources;
    };
    std::vector<Waiting> queue;
    // LIMIT is a number computed here, not client text.
    auto s = sql::Run(sql,
                      "SELECT user_id, sources FROM assignments WHERE tenant_id = :p0 AND "
                      "subscription_id = :p1 AND state = 'pending' "
                      "ORDER BY wanted_since, user_id LIMIT " +
                          std::to_string(std::min<int64_t>(free, 1000)),
                      {tenant, sub}, [&](const soci::row& r) {
                        queue.push_back({sql::Str(r, 0), sql::Str(r, 1)});
                      });
    if (!s) return std::unexpected(s.error());
    if (queue.empty()) return activated;
    const int64_t n = static_cast<int64_t>(queue.size());
    auto took = TakeSeats(sql, tenant, sub, n);
    if (!took) return std::unexpected(took.error());
    if (*took != n) {
      return Fail(ErrorCode::kInternal, "seats of " + sub + " changed under its lock");
    }
    const std::string now = NowRfc3339();
    std::vector<std::string> tenants(queue.size(), tenant), users, subs_col(queue.size(), sub),
        nows(queue.size(), now);
    std::vector<HistoryOpen> opened;
    std::vector<AuditEvent> events;
    for (const Waiting& w : queue) {
      users.push_back(w.user);
      opened.push_back({w.user, sub, w.sources});
      events.push_back(
          {.action = "assignment.activated",
           .target_kind = "assignment",
           .target_id = w.user + "/" + sub,
           .user_id = w.user,
           .subscription_id = sub,
           .before_json = AuditJson({{"state", "pending"}}),
           .after_json = AuditJson(
               {{"state", "active"}, {"sources", w.sources}, {"reason", "a seat became free"}})});
    }
    auto promoted = store::UpdateRows(
        sql, "assignments", {{"activated_at", &nows}},
        {{"tenant_id", &tenants}, {"user_id", &users}, {"subscription_id", &subs_col}},
        "state = 'active', pending_reason = NULL", "state = 'pending'");
    if (!promoted) return std::unexpected(promoted.error());
    if (*promoted != n) {
      return Fail(ErrorCode::kInternal, "the queue of " + sub + " changed under its lock");
    }
    if (auto h = OpenHistory(sql, tenant, opened, now); !h) return std::unexpected(h.error());
    if (auto a = WriteAuditBatch(sql, tenant, actor, events); !a) {
      return std::unexpected(a.error());
    }
    activated += n;
  }
}

Result<SeatCounts> ReadSeatCounts(soci::session& sql, const std::string& tenant,
                                  const std::string& sub) {
  std::optional<SeatCounts> out;
  auto s =
      sql::Run(sql, "SELECT seats, assigned FROM subscriptions WHERE tenant_id = :p0 AND id = :p1",
               {tenant, sub}, [&](const soci::row& r) {
                 out = SeatCounts{sql::Int(r, 0), sql::Int(r, 1)};
               });
  if (!s) return std::unexpected(s.error());
  if (!out) return Fail(ErrorCode::kNotFound, "no subscription " + sub);
  return *out;
}

}  // namespace allot::licensing
