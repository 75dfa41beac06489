#include "server/licensing/history.h"

#include <soci/soci.h>

#include "server/store/database.h"

namespace allot::licensing {

Status OpenHistory(soci::session& sql, const std::string& tenant,
                   const std::vector<HistoryOpen>& rows, const std::string& at) {
  if (rows.empty()) return Ok();
  const size_t n = rows.size();
  std::vector<std::string> tenants(n, tenant), users(n), subs(n), sources(n), ats(n, at);
  for (size_t i = 0; i < n; ++i) {
    users[i] = rows[i].user_id;
    subs[i] = rows[i].subscription_id;
    sources[i] = rows[i].sources;
  }
  try {
    sql << "INSERT INTO assignment_history (tenant_id, user_id, subscription_id, product_id, "
           "sources, started_at) SELECT tenant_id, :u, id, product_id, :src, :at "
           "FROM subscriptions WHERE tenant_id = :t AND id = :s",
        soci::use(users), soci::use(sources), soci::use(ats), soci::use(tenants), soci::use(subs);
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
  return Ok();
}

Status CloseHistory(soci::session& sql, const std::string& tenant,
                    const std::vector<HistoryClose>& rows, const std::string& at) {
  if (rows.empty()) return Ok();
  const size_t n = rows.size();
  std::vector<std::string> tenants(n, tenant), users(n), subs(n), reasons(n), ats(n, at);
  for (size_t i = 0; i < n; ++i) {
    users[i] = rows[i].user_id;
    subs[i] = rows[i].subscription_id;
    reasons[i] = rows[i].end_reason;
  }
  try {
    sql << "UPDATE assignment_history SET ended_at = :at, end_reason = :r WHERE tenant_id = :t "
           "AND user_id = :u AND subscription_id = :s AND ended_at IS NULL",
        soci::use(ats), soci::use(reasons), soci::use(tenants), soci::use(users), soci::use(subs);
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
  return Ok();
}

}  // namespace allot::licensing
