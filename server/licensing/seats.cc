#include "server/licensing/seats.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "server/base/clock.h"
#include "server/licensing/audit.h"
#include "server/licensing/history.h"
#include "server/licensing/sql.h"
#include "server/licensing/terms.h"
#include "server/store/database.h"

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
  int64_t activated = 0;
  for (;;) {
    struct Waiting {
      std::string user, sources;
    };
    std::vector<Waiting> queue;
    auto s = sql::Run(sql,
                      "SELECT user_id, sources FROM assignments WHERE tenant_id = :p0 AND "
                      "subscription_id = :p1 AND state = 'pending' "
                      "ORDER BY wanted_since, user_id LIMIT 64",
                      {tenant, sub}, [&](const soci::row& r) {
                        queue.push_back({sql::Str(r, 0), sql::Str(r, 1)});
                      });
    if (!s) return std::unexpected(s.error());
    if (queue.empty()) return activated;
    for (const Waiting& w : queue) {
      auto took = TakeSeat(sql, tenant, sub);
      if (!took) return std::unexpected(took.error());
      if (!*took) return activated;
      const std::string now = NowRfc3339();
      // Conditional: another transaction (PostgreSQL) may have activated or
      // removed it since we read the queue; then the seat goes back.
      long long changed = 0;
      try {
        soci::statement st = (sql.prepare << "UPDATE assignments SET state = 'active', "
                                             "pending_reason = NULL, activated_at = :n "
                                             "WHERE tenant_id = :t AND user_id = :u AND "
                                             "subscription_id = :s AND state = 'pending'",
                              soci::use(now), soci::use(tenant), soci::use(w.user), soci::use(sub));
        st.execute(true);
        changed = st.get_affected_rows();
      } catch (const std::exception& e) {
        return std::unexpected(store::ErrorFromException(e));
      }
      if (changed != 1) {
        if (auto g = GiveBackSeats(sql, tenant, sub, 1); !g) return std::unexpected(g.error());
        continue;
      }
      if (auto h = OpenHistory(sql, tenant, {{w.user, sub, w.sources}}, now); !h) {
        return std::unexpected(h.error());
      }
      AuditEvent e{
          .action = "assignment.activated",
          .target_kind = "assignment",
          .target_id = w.user + "/" + sub,
          .user_id = w.user,
          .subscription_id = sub,
          .before_json = AuditJson({{"state", "pending"}}),
          .after_json = AuditJson(
              {{"state", "active"}, {"sources", w.sources}, {"reason", "a seat became free"}})};
      if (auto a = WriteAudit(sql, tenant, actor, e); !a) return std::unexpected(a.error());
      ++activated;
    }
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
