#include "server/admin/audit_events.h"

#include <nlohmann/json.hpp>

#include "server/licensing/audit.h"

namespace allot::admin {

Status RecordAudit(soci::session& sql, const std::string& tenant, const Actor& actor,
                   std::string_view action, std::string_view target_kind,
                   const std::string& target_id, const nlohmann::json& before,
                   const nlohmann::json& after) {
  return licensing::WriteAudit(sql, tenant, actor,
                               {.action = std::string(action),
                                .target_kind = std::string(target_kind),
                                .target_id = target_id,
                                .before_json = licensing::AuditJson(before),
                                .after_json = licensing::AuditJson(after)});
}

}  // namespace allot::admin
