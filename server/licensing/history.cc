#include "server/licensing/history.h"

#include <soci/soci.h>

#include <map>

#include "server/store/bulk.h"
#include "server/store/database.h"

namespace allot::licensing {

Status OpenHistory(soci::session& sql, const std::string& tenant,
                   const std::vector<HistoryOpen>& rows, const std::string& at) {
  if (rows.empty()) return Ok();
  // The product of each subscription once, then plain bulk inserts: an
  // INSERT … SELECT per row costs a subscription lookup per row.
  std::map<std::string, std::string> product_of;
  for (const HistoryOpen& r : rows) product_of.try_emplace(r.subscription_id);
  try {
    for (auto& [sub, product] : product_of) {
      soci::indicator ind = soci::i_null;
      sql << "SELECT product_id FROM subscriptions WHERE tenant_id = :t AND id = :s",
          soci::into(product, ind), soci::use(tenant), soci::use(sub);
      if (ind != soci::i_ok) product.clear();
    }
    const size_t n = rows.size();
    std::vector<std::string> tenants, users, subs, products, sources;
    for (size_t i = 0; i < n; ++i) {
      const std::string& product = product_of[rows[i].subscription_id];
      if (product.empty()) continue;  // no such subscription: as the join did, no row
      users.push_back(rows[i].user_id);
      subs.push_back(rows[i].subscription_id);
      products.push_back(product);
      sources.push_back(rows[i].sources);
    }
    if (users.empty()) return Ok();
    tenants.assign(users.size(), tenant);
    std::vector<std::string> ats(users.size(), at);
    return store::InsertRows(sql, "assignment_history",
                             {{"tenant_id", &tenants},
                              {"user_id", &users},
                              {"subscription_id", &subs},
                              {"product_id", &products},
                              {"sources", &sources},
                              {"started_at", &ats}});
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
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
  auto updated = store::UpdateRows(
      sql, "assignment_history", {{"ended_at", &ats}, {"end_reason", &reasons}},
      {{"tenant_id", &tenants}, {"user_id", &users}, {"subscription_id", &subs}}, "",
      "ended_at IS NULL");
  if (!updated) return std::unexpected(updated.error());
  return Ok();
}

}  // namespace allot::licensing
