#include "server/licensing/locks.h"

#include <soci/soci.h>

#include <map>
#include <vector>

#include "server/licensing/sql.h"
#include "server/store/row_locks.h"

namespace allot::licensing {

Status LockSubscriptions(soci::session& sql, const std::string& tenant,
                         const std::set<std::string>& subs) {
  if (subs.empty() || !store::LocksRows(sql)) return Ok();
  // Widen to whole families (a tenant has few subscriptions: read them all).
  std::map<std::string, std::vector<std::string>> by_family;
  std::map<std::string, std::string> family_of;
  if (auto s = sql::Run(sql,
                        "SELECT s.id, p.family FROM subscriptions s JOIN products p ON "
                        "p.tenant_id = s.tenant_id AND p.id = s.product_id WHERE s.tenant_id = "
                        ":p0 AND p.family IS NOT NULL",
                        {tenant},
                        [&](const soci::row& r) {
                          by_family[sql::Str(r, 1)].push_back(sql::Str(r, 0));
                          family_of[sql::Str(r, 0)] = sql::Str(r, 1);
                        });
      !s) {
    return s;
  }
  std::set<std::string> all = subs;
  for (const std::string& sub : subs) {
    auto f = family_of.find(sub);
    if (f == family_of.end()) continue;
    for (const std::string& sibling : by_family[f->second]) all.insert(sibling);
  }
  // One statement, rows locked in id order (store/row_locks.h).
  const std::vector<std::string> ids(all.begin(), all.end());
  return store::LockSubscriptions(sql, tenant, ids);
}

Status LockForChange(soci::session& sql, const std::string& tenant,
                     std::span<const std::string> user_ids, const std::set<std::string>& extra_subs) {
  if (!user_ids.empty()) {
    if (auto l = store::LockUsers(sql, tenant, user_ids); !l) return l;
    if (auto s = sql::FillIdList(sql, user_ids); !s) return s;
  }
  if (!store::LocksRows(sql)) return Ok();
  std::set<std::string> subs = extra_subs;
  if (!user_ids.empty()) {
    // What Reapply of these users may change: what they hold or wait for,
    // what a stored policy grant gives them, what an override names.
    const std::string in_list = std::string(" IN ") + sql::kIdList;
    if (auto s = sql::Run(sql,
                          "SELECT subscription_id FROM assignments WHERE tenant_id = :p0 AND "
                          "user_id" +
                              in_list +
                              " UNION SELECT subscription_id FROM policy_grants WHERE "
                              "tenant_id = :p1 AND user_id" +
                              in_list +
                              " UNION SELECT subscription_id FROM overrides WHERE tenant_id = "
                              ":p2 AND user_id" +
                              in_list,
                          {tenant, tenant, tenant},
                          [&](const soci::row& r) { subs.insert(sql::Str(r, 0)); });
        !s) {
      return s;
    }
  }
  return LockSubscriptions(sql, tenant, subs);
}

}  // namespace allot::licensing
