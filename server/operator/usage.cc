#include "server/operator/usage.h"

#include <soci/soci.h>

#include "server/base/clock.h"
#include "server/licensing/sql.h"
#include "server/licensing/terms.h"

namespace allot::operator_api {
namespace {

namespace sql = licensing::sql;

// Label values: backslash, double quote and newline escaped (Prometheus
// text format). Ids are slugs, so this is only a safeguard.
std::string LabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

Result<UsagePage> ListUsage(store::Database& db, const std::string& tenant, int limit,
                            const std::string& after) {
  std::string after_tenant, after_sub;
  if (const size_t slash = after.find('/'); slash != std::string::npos) {
    after_tenant = after.substr(0, slash);
    after_sub = after.substr(slash + 1);
  }
  return db.ReadValue<UsagePage>([&](soci::session& session) -> Result<UsagePage> {
    UsagePage page;
    const std::string now = NowRfc3339();
    std::vector<std::string> params = {after_tenant, after_tenant, after_sub};
    std::string where = "WHERE (s.tenant_id > :p0 OR (s.tenant_id = :p1 AND s.id > :p2))";
    if (!tenant.empty()) {
      where += " AND s.tenant_id = :p3";
      params.push_back(tenant);
    }
    auto s = sql::Run(
        session,
        "SELECT s.tenant_id, s.id, s.product_id, s.seats, s.assigned, (SELECT COUNT(*) FROM "
        "assignments a WHERE a.tenant_id = s.tenant_id AND a.subscription_id = s.id AND "
        "a.state = 'pending'), s.starts_at, s.ends_at FROM subscriptions s " +
            where + " ORDER BY s.tenant_id, s.id LIMIT " + std::to_string(limit + 1),
        params, [&](const soci::row& r) {
          UsageRow u{sql::Str(r, 0), sql::Str(r, 1), sql::Str(r, 2), sql::Int(r, 3),
                     sql::Int(r, 4), sql::Int(r, 5)};
          if (!sql::IsNull(r, 6)) u.starts_at = sql::Str(r, 6);
          if (!sql::IsNull(r, 7)) u.ends_at = sql::Str(r, 7);
          u.status = licensing::TermStatus(u.starts_at, u.ends_at, now);
          page.items.push_back(std::move(u));
        });
    if (!s) return std::unexpected(s.error());
    if (page.items.size() > static_cast<size_t>(limit)) {
      page.items.pop_back();
      page.next_after = page.items.back().tenant_id + "/" + page.items.back().subscription_id;
    }
    return page;
  });
}

Result<std::string> RenderSubscriptionGauges(store::Database& db, int max_subscriptions) {
  auto page = ListUsage(db, "", max_subscriptions, "");
  if (!page) return std::unexpected(page.error());
  std::string seats =
      "# HELP allot_subscription_seats Seats a subscription has (what the tenant bought).\n"
      "# TYPE allot_subscription_seats gauge\n";
  std::string assigned =
      "# HELP allot_subscription_assigned Seats of a subscription held by active assignments.\n"
      "# TYPE allot_subscription_assigned gauge\n";
  std::string pending =
      "# HELP allot_subscription_pending Assignments waiting for a seat of a subscription.\n"
      "# TYPE allot_subscription_pending gauge\n";
  for (const UsageRow& u : page->items) {
    const std::string labels = "{tenant=\"" + LabelValue(u.tenant_id) + "\",subscription=\"" +
                               LabelValue(u.subscription_id) + "\"} ";
    seats += "allot_subscription_seats" + labels + std::to_string(u.seats) + "\n";
    assigned += "allot_subscription_assigned" + labels + std::to_string(u.assigned) + "\n";
    pending += "allot_subscription_pending" + labels + std::to_string(u.pending) + "\n";
  }
  return seats + assigned + pending +
         "# HELP allot_subscription_gauges_truncated 1 when there are more subscriptions than "
         "the per-subscription gauges cover.\n"
         "# TYPE allot_subscription_gauges_truncated gauge\n"
         "allot_subscription_gauges_truncated " +
         std::string(page->next_after.empty() ? "0" : "1") + "\n";
}

}  // namespace allot::operator_api
