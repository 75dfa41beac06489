#include "server/admin/subscription_refs.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "server/admin/sql_query.h"

namespace allot::admin {
namespace {

std::vector<std::string> SplitSources(const std::string& sources) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= sources.size()) {
    const size_t comma = sources.find(',', start);
    const size_t end = comma == std::string::npos ? sources.size() : comma;
    if (end > start) out.push_back(sources.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

// Tables of the licensing engine (011_licensing.sql): subscriptions,
// assignments (state active|pending, sources comma-separated).

Status CheckSubscriptionExists(soci::session& sql, const std::string& tenant,
                               const std::string& id, std::string_view field) {
  int count = 0;
  sql << "SELECT COUNT(*) FROM subscriptions WHERE tenant_id = :t AND id = :id", soci::use(tenant),
      soci::use(id), soci::into(count);
  if (count == 0) {
    return Fail(ErrorCode::kInvalidRequest,
                "field \"" + std::string(field) + "\": no subscription with id '" + id + "'");
  }
  return Ok();
}

std::string UserInScopeCondition(std::string_view user_id_column) {
  // Holding (active) or waiting for (pending) a seat: every assignment row.
  return std::string(user_id_column) +
         " IN (SELECT sa.user_id FROM assignments sa JOIN principal_subscriptions sp "
         "ON sp.tenant_id = sa.tenant_id AND sp.subscription_id = sa.subscription_id "
         "WHERE sp.tenant_id = ? AND sp.principal_id = ?)";
}

Result<nlohmann::json> UserLicenses(soci::session& sql, const Access& access,
                                    const std::string& user_id) {
  SqlQuery q;
  q.Bind("SELECT a.subscription_id, s.product_id, a.state, a.sources, "
         "COALESCE(a.activated_at, a.wanted_since), a.pending_reason "
         "FROM assignments a JOIN subscriptions s "
         "ON s.tenant_id = a.tenant_id AND s.id = a.subscription_id "
         "WHERE a.tenant_id = ? AND a.user_id = ? ORDER BY a.subscription_id",
         {access.tenant(), user_id});
  nlohmann::json out = nlohmann::json::array();
  soci::rowset<soci::row> rows = q.Run(sql);
  for (const soci::row& r : rows) {
    const std::string subscription = RowString(r, 0);
    if (!access.Covers(subscription)) continue;
    nlohmann::json license = {{"subscription_id", subscription},
                              {"product_id", RowString(r, 1)},
                              {"state", RowString(r, 2)},
                              {"source", RowString(r, 3)},
                              {"sources", SplitSources(RowString(r, 3))},
                              {"since", RowString(r, 4)}};
    if (!RowIsNull(r, 5)) license["pending_reason"] = RowString(r, 5);
    out.push_back(std::move(license));
  }
  return out;
}

}  // namespace allot::admin
