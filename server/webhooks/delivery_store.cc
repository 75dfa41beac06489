#include "server/webhooks/delivery_store.h"

#include <soci/soci.h>

#include <random>

#include "server/base/clock.h"
#include "server/store/database.h"
#include "server/store/row_locks.h"

namespace allot::webhooks {
namespace {

using SystemClock = std::chrono::system_clock;

std::string At(std::chrono::milliseconds from_now) {
  return TimeRfc3339(SystemClock::now() + from_now);
}

double Jitter() {
  thread_local std::minstd_rand engine(std::random_device{}());
  return std::uniform_real_distribution<double>(0.75, 1.25)(engine);
}

}  // namespace

namespace {

// Due: pending, its time come, no live lease, and no earlier pending
// delivery of the same webhook and user (order).
constexpr const char* kDue =
    "SELECT d.id FROM webhook_deliveries d WHERE d.status = 'pending' AND d.next_attempt_at <= "
    ":now AND (d.lease_until IS NULL OR d.lease_until <= :now2) AND NOT EXISTS (SELECT 1 FROM "
    "webhook_deliveries e WHERE e.status = 'pending' AND e.tenant_id = d.tenant_id AND "
    "e.webhook_id = d.webhook_id AND e.order_key = d.order_key AND e.id < d.id) ORDER BY "
    "d.next_attempt_at, d.id LIMIT :n";

}  // namespace

Result<std::vector<ClaimedDelivery>> ClaimDue(store::Database& db, const std::string& owner,
                                              int limit, std::chrono::milliseconds lease) {
  return db.WriteValue<std::vector<ClaimedDelivery>>(
      [&](soci::session& sql) -> Result<std::vector<ClaimedDelivery>> {
        const std::string now = NowRfc3339();
        const std::string until = At(lease);
        std::vector<long long> ids;
        {
          long long id = 0;
          soci::statement st =
              (sql.prepare << std::string(kDue) + store::ForUpdateSkipLocked(sql),
               soci::use(now), soci::use(now), soci::use(limit), soci::into(id));
          st.execute(false);
          while (st.fetch()) ids.push_back(id);
        }
        std::vector<ClaimedDelivery> out;
        for (long long id : ids) {
          // Conditional, so that a row is claimed once even if the SELECT
          // above ran without its lock (a second line of defence).
          soci::statement lease_row =
              (sql.prepare << "UPDATE webhook_deliveries SET lease_owner = :o, lease_until = :u "
                              "WHERE id = :id AND status = 'pending' AND (lease_until IS NULL OR "
                              "lease_until <= :now)",
               soci::use(owner), soci::use(until), soci::use(id), soci::use(now));
          lease_row.execute(true);
          if (lease_row.get_affected_rows() != 1) continue;
          ClaimedDelivery c;
          c.id = id;
          long long attempts = 0;
          std::string url, secret, body;
          soci::indicator url_ind = soci::i_null, body_ind = soci::i_null,
                          secret_ind = soci::i_null;
          sql << "SELECT d.tenant_id, d.webhook_id, d.event_id, d.attempts, w.url, w.secret, "
                 "e.body FROM webhook_deliveries d LEFT JOIN webhooks w ON w.tenant_id = "
                 "d.tenant_id AND w.id = d.webhook_id LEFT JOIN webhook_events e ON "
                 "e.tenant_id = d.tenant_id AND e.id = d.event_id WHERE d.id = :id",
              soci::use(id), soci::into(c.tenant), soci::into(c.webhook_id),
              soci::into(c.event_id), soci::into(attempts), soci::into(url, url_ind),
              soci::into(secret, secret_ind), soci::into(body, body_ind);
          if (url_ind != soci::i_ok || body_ind != soci::i_ok || secret_ind != soci::i_ok) {
            // Its webhook was deleted while the event was being written.
            sql << "DELETE FROM webhook_deliveries WHERE id = :id", soci::use(id);
            continue;
          }
          c.attempts = attempts;
          c.url = std::move(url);
          c.secret = std::move(secret);
          c.body = std::move(body);
          out.push_back(std::move(c));
        }
        return out;
      });
}

Result<bool> AnyDue(store::Database& db) {
  return db.ReadValue<bool>([&](soci::session& sql) -> Result<bool> {
    const std::string now = NowRfc3339();
    long long id = 0;
    int one = 1;
    sql << kDue, soci::use(now), soci::use(now), soci::use(one), soci::into(id);
    return sql.got_data();
  });
}

Status ReleaseLeases(store::Database& db, const std::string& owner_prefix) {
  return db.Write([&](soci::session& sql) -> Status {
    const std::string pattern = owner_prefix + "%";
    sql << "UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL WHERE "
           "status = 'pending' AND lease_owner LIKE :o",
        soci::use(pattern);
    return Ok();
  });
}

std::chrono::milliseconds BackOff(const RetryPolicy& policy, int64_t attempts_done) {
  const int64_t doublings = std::clamp<int64_t>(attempts_done - 1, 0, 40);
  double wait = static_cast<double>(policy.base.count());
  for (int64_t i = 0; i < doublings && wait < static_cast<double>(policy.cap.count()); ++i) {
    wait *= 2;
  }
  wait = std::min(wait, static_cast<double>(policy.cap.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(wait * Jitter()));
}

Status RecordOutcomes(store::Database& db, const std::string& owner,
                      const std::vector<AttemptOutcome>& outcomes, const RetryPolicy& policy) {
  if (outcomes.empty()) return Ok();
  return db.Write([&](soci::session& sql) -> Status {
    const std::string now = NowRfc3339();
    for (const AttemptOutcome& o : outcomes) {
      long long id = o.id;
      long long attempts = o.attempts_before + 1;
      long long status = o.status;
      soci::indicator status_ind = o.status > 0 ? soci::i_ok : soci::i_null;
      std::string error = o.error.substr(0, 500);
      soci::indicator error_ind = o.delivered ? soci::i_null : soci::i_ok;
      const bool last = !o.delivered && attempts >= policy.max_attempts;
      std::string new_status = o.delivered ? "delivered" : last ? "failed" : "pending";
      std::string next = o.delivered || last ? now : At(BackOff(policy, attempts));
      std::string finished = now;
      soci::indicator finished_ind = o.delivered || last ? soci::i_ok : soci::i_null;
      sql << "UPDATE webhook_deliveries SET status = :s, attempts = :a, last_status = :ls, "
             "last_error = :le, next_attempt_at = :n, finished_at = :f, lease_owner = NULL, "
             "lease_until = NULL WHERE id = :id AND lease_owner = :o AND status = 'pending'",
          soci::use(new_status), soci::use(attempts), soci::use(status, status_ind),
          soci::use(error, error_ind), soci::use(next), soci::use(finished, finished_ind),
          soci::use(id), soci::use(owner);
    }
    return Ok();
  });
}

Result<int64_t> Prune(store::Database& db, std::chrono::seconds retention, int limit) {
  return db.WriteValue<int64_t>([&](soci::session& sql) -> Result<int64_t> {
    const std::string cutoff = TimeRfc3339(SystemClock::now() - retention);
    int64_t removed = 0;
    soci::statement deliveries =
        (sql.prepare << "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM "
                        "webhook_deliveries WHERE finished_at IS NOT NULL AND finished_at < :c "
                        "LIMIT :n)",
         soci::use(cutoff), soci::use(limit));
    deliveries.execute(true);
    removed += deliveries.get_affected_rows();
    soci::statement events =
        (sql.prepare << "DELETE FROM webhook_events WHERE (tenant_id, id) IN (SELECT e.tenant_id, "
                        "e.id FROM webhook_events e WHERE e.occurred_at < :c AND NOT EXISTS "
                        "(SELECT 1 FROM webhook_deliveries d WHERE d.tenant_id = e.tenant_id AND "
                        "d.event_id = e.id) LIMIT :n)",
         soci::use(cutoff), soci::use(limit));
    events.execute(true);
    removed += events.get_affected_rows();
    return removed;
  });
}

}  // namespace allot::webhooks
