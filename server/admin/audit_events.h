// server/admin/audit_events.h — how the admin platform records its changes
// (roles, admin and SCIM tokens) in the audit log, inside the caller's
// transaction. One place that adapts to the licensing engine's audit writer.
// Thread-safety: stateless; the session belongs to the caller.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "server/base/actor.h"
#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::admin {

// Appends one audit event through licensing::WriteAudit. `before`/`after`
// are null (json null) when the target did not exist before or does not
// exist after. Never pass a token. Errors are the database's.
Status RecordAudit(soci::session& sql, const std::string& tenant, const Actor& actor,
                   std::string_view action, std::string_view target_kind,
                   const std::string& target_id, const nlohmann::json& before,
                   const nlohmann::json& after);

}  // namespace allot::admin
