#include "server/licensing/terms.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "server/licensing/apply.h"
#include "server/licensing/audit.h"
#include "server/licensing/locks.h"
#include "server/licensing/queue.h"
#include "server/licensing/sql.h"

namespace allot::licensing {

std::string TermStatus(const std::optional<std::string>& starts_at,
                       const std::optional<std::string>& ends_at, const std::string& now) {
  if (ends_at && *ends_at <= now) return "expired";
  if (starts_at && now < *starts_at) return "scheduled";
  return "active";
}

Result<bool> InTerm(soci::session& session, const std::string& tenant, const std::string& sub,
                    const std::string& now) {
  std::optional<bool> in;
  auto s = sql::Run(session,
                    "SELECT starts_at, ends_at FROM subscriptions WHERE tenant_id = :p0 AND "
                    "id = :p1",
                    {tenant, sub}, [&](const soci::row& r) {
                      std::optional<std::string> starts, ends;
                      if (!sql::IsNull(r, 0)) starts = sql::Str(r, 0);
                      if (!sql::IsNull(r, 1)) ends = sql::Str(r, 1);
                      in = TermStatus(starts, ends, now) == "active";
                    });
  if (!s) return std::unexpected(s.error());
  if (!in) return Fail(ErrorCode::kNotFound, "no subscription " + sub);
  return *in;
}

Result<OutOfTerm> LoadOutOfTerm(soci::session& session, const std::string& tenant,
                                const std::string& now) {
  OutOfTerm out;
  auto s = sql::Run(session,
                    "SELECT id, starts_at, ends_at FROM subscriptions WHERE tenant_id = :p0 AND "
                    "(starts_at > :p1 OR ends_at <= :p2)",
                    {tenant, now, now}, [&](const soci::row& r) {
                      std::optional<std::string> starts, ends;
                      if (!sql::IsNull(r, 1)) starts = sql::Str(r, 1);
                      if (!sql::IsNull(r, 2)) ends = sql::Str(r, 2);
                      const std::string status = TermStatus(starts, ends, now);
                      if (status == "expired") out.expired.insert(sql::Str(r, 0));
                      if (status == "scheduled") out.scheduled.insert(sql::Str(r, 0));
                    });
  if (!s) return std::unexpected(s.error());
  return out;
}

Result<int64_t> ReevaluateWanting(soci::session& session, const std::string& tenant,
                                  const std::string& sub, const Actor& actor) {
  std::vector<std::string> users;
  auto s = sql::Run(session,
                    "SELECT user_id FROM policy_grants WHERE tenant_id = :p0 AND "
                    "subscription_id = :p1 UNION SELECT user_id FROM overrides WHERE tenant_id = "
                    ":p2 AND subscription_id = :p3 AND kind = 'grant' ORDER BY 1",
                    {tenant, sub, tenant, sub},
                    [&](const soci::row& r) { users.push_back(sql::Str(r, 0)); });
  if (!s) return std::unexpected(s.error());
  if (users.empty()) return 0;
  auto applied = Reapply(session, tenant, users, {.actor = actor, .end_reason = "policy"});
  if (!applied) return std::unexpected(applied.error());
  return static_cast<int64_t>(users.size());
}

namespace {

struct SubRef {
  std::string tenant, id;
};

// Ends every assignment of one expired subscription, unless another
// instance (or a renewal) got there first. One transaction.
Result<bool> ExpireOne(store::Database& db, const SubRef& ref, const std::string& now) {
  const Actor sweep{Actor::Kind::kSystem, "expiry sweep"};
  return db.WriteValue<bool>([&](soci::session& session) -> Result<bool> {
    std::vector<std::string> users;
    auto s = sql::Run(session,
                      "SELECT DISTINCT user_id FROM assignments WHERE tenant_id = :p0 AND "
                      "subscription_id = :p1 ORDER BY user_id",
                      {ref.tenant, ref.id},
                      [&](const soci::row& r) { users.push_back(sql::Str(r, 0)); });
    if (!s) return std::unexpected(s.error());
    // Users first, then the subscription (the order every change locks in),
    // then the claim: on PostgreSQL a second instance waits here and then
    // finds expired_at set.
    if (auto l = LockForChange(session, ref.tenant, users, {ref.id}); !l) {
      return std::unexpected(l.error());
    }
    soci::statement claim =
        (session.prepare << "UPDATE subscriptions SET expired_at = :n WHERE tenant_id = :t AND "
                            "id = :i AND expired_at IS NULL AND ends_at IS NOT NULL AND "
                            "ends_at <= :n2",
         soci::use(now), soci::use(ref.tenant), soci::use(ref.id), soci::use(now));
    claim.execute(true);
    if (claim.get_affected_rows() != 1) return false;
    ApplyCounts counts;
    if (!users.empty()) {
      auto applied = Reapply(session, ref.tenant, users, {.actor = sweep, .end_reason = "expired"});
      if (!applied) return std::unexpected(applied.error());
      counts = *applied;
    }
    if (auto a = WriteAudit(session, ref.tenant, sweep,
                            {.action = "subscription.expired",
                             .target_kind = "subscription",
                             .target_id = ref.id,
                             .subscription_id = ref.id,
                             .after_json = AuditJson({{"status", "expired"},
                                                      {"released", counts.released}})});
        !a) {
      return std::unexpected(a.error());
    }
    return true;
  });
}

// Serves the queue of a subscription that has started.
Status StartOne(store::Database& db, const SubRef& ref, const std::string& now) {
  const Actor sweep{Actor::Kind::kSystem, "expiry sweep"};
  return db.Write([&](soci::session& session) -> Status {
    if (auto l = LockSubscriptions(session, ref.tenant, {ref.id}); !l) return l;
    if (auto in = InTerm(session, ref.tenant, ref.id, now); !in || !*in) {
      return in ? Ok() : Status(std::unexpected(in.error()));
    }
    if (auto u = sql::Run(session,
                          "UPDATE assignments SET pending_reason = :p0 WHERE tenant_id = :p1 AND "
                          "subscription_id = :p2 AND state = 'pending' AND pending_reason = :p3",
                          {"no free seat in subscription " + ref.id, ref.tenant, ref.id,
                           kNotStartedReason});
        !u) {
      return u;
    }
    auto promoted = PromoteWaiting(session, ref.tenant, {ref.id}, sweep);
    if (!promoted) return std::unexpected(promoted.error());
    return Ok();
  });
}

}  // namespace

Result<TermSweepCounts> SweepSubscriptionTerms(store::Database& db, const std::string& now) {
  // Across tenants by design: the sweep serves every tenant; each change
  // below is then made within one tenant.
  std::vector<SubRef> ending, starting;
  auto read = db.Read([&](soci::session& session) -> Status {
    if (auto s = sql::Run(session,
                          "SELECT tenant_id, id FROM subscriptions WHERE ends_at IS NOT NULL AND "
                          "ends_at <= :p0 AND expired_at IS NULL ORDER BY tenant_id, id",
                          {now},
                          [&](const soci::row& r) {
                            ending.push_back({sql::Str(r, 0), sql::Str(r, 1)});
                          });
        !s) {
      return s;
    }
    return sql::Run(session,
                    "SELECT DISTINCT s.tenant_id, s.id FROM subscriptions s JOIN assignments a "
                    "ON a.tenant_id = s.tenant_id AND a.subscription_id = s.id WHERE "
                    "a.state = 'pending' AND a.pending_reason = :p0 AND s.starts_at IS NOT NULL "
                    "AND s.starts_at <= :p1 AND (s.ends_at IS NULL OR s.ends_at > :p2) "
                    "ORDER BY s.tenant_id, s.id",
                    {kNotStartedReason, now, now}, [&](const soci::row& r) {
                      starting.push_back({sql::Str(r, 0), sql::Str(r, 1)});
                    });
  });
  if (!read) return std::unexpected(read.error());
  TermSweepCounts counts;
  for (const SubRef& ref : ending) {
    auto done = ExpireOne(db, ref, now);
    if (!done) return std::unexpected(done.error());
    if (*done) ++counts.expired;
  }
  for (const SubRef& ref : starting) {
    if (auto s = StartOne(db, ref, now); !s) return std::unexpected(s.error());
    ++counts.started;
  }
  return counts;
}

}  // namespace allot::licensing
