#include "server/licensing/audit.h"

#include <soci/soci.h>

#include <nlohmann/json.hpp>

#include "server/base/clock.h"
#include "server/licensing/license_events.h"
#include "server/store/bulk.h"
#include "server/store/database.h"

namespace allot::licensing {

Status WriteAudit(soci::session& sql, const std::string& tenant_id, const Actor& actor,
                  const AuditEvent& event) {
  return WriteAuditBatch(sql, tenant_id, actor, {event});
}

Status WriteAuditBatch(soci::session& sql, const std::string& tenant_id, const Actor& actor,
                       const std::vector<AuditEvent>& events) {
  if (events.empty()) return Ok();
  const std::string at = NowRfc3339();
  const std::string kind = ActorKindName(actor.kind);
  const size_t n = events.size();
  std::vector<std::string> action(n), target_kind(n), target_id(n), user(n), sub(n), before(n),
      after(n);
  std::vector<soci::indicator> user_ind(n), sub_ind(n), before_ind(n), after_ind(n);
  for (size_t i = 0; i < n; ++i) {
    const AuditEvent& e = events[i];
    action[i] = e.action;
    target_kind[i] = e.target_kind;
    target_id[i] = e.target_id;
    user[i] = e.user_id;
    user_ind[i] = e.user_id.empty() ? soci::i_null : soci::i_ok;
    sub[i] = e.subscription_id;
    sub_ind[i] = e.subscription_id.empty() ? soci::i_null : soci::i_ok;
    before[i] = e.before_json;
    before_ind[i] = e.before_json.empty() ? soci::i_null : soci::i_ok;
    after[i] = e.after_json;
    after_ind[i] = e.after_json.empty() ? soci::i_null : soci::i_ok;
  }
  std::vector<std::string> tenants(n, tenant_id), ats(n, at), kinds(n, kind), ids(n, actor.id);
  // One statement for the whole batch on PostgreSQL (store/bulk.h).
  Status inserted = store::InsertRows(sql, "audit_events",
                           {{"tenant_id", &tenants},
                            {"at", &ats},
                            {"actor_kind", &kinds},
                            {"actor_id", &ids},
                            {"action", &action},
                            {"target_kind", &target_kind},
                            {"target_id", &target_id},
                            {"user_id", &user, &user_ind},
                            {"subscription_id", &sub, &sub_ind},
                            {"before_json", &before, &before_ind},
                            {"after_json", &after, &after_ind}});
  if (!inserted) return inserted;
  // The webhook events of these changes, in the same transaction
  // (license_events.h).
  return PublishWebhookEvents(sql, tenant_id, events);
}

std::string AuditJson(const nlohmann::json& value) {
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace allot::licensing
