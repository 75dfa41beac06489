// server/licensing/audit.h — the write side of the audit log (table
// audit_events, migration 010_audit.sql). Every change of an assignment,
// override, subscription, product, role or token writes one event through
// WriteAudit in the same transaction as the change, so the log and the data
// never disagree: a rolled-back change leaves no event either. The webhook
// events of these changes are written here too (license_events.h).
//
// Thread-safety: stateless; each call uses the caller's session.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "server/base/actor.h"
#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::licensing {

struct AuditEvent {
  std::string action;       // e.g. "assignment.activated", "token.revoked"
  std::string target_kind;  // e.g. "assignment", "subscription", "token"
  std::string target_id;
  std::string user_id;          // the user concerned, or empty
  std::string subscription_id;  // the subscription concerned, or empty
  std::string before_json;      // JSON text, or empty for none
  std::string after_json;       // JSON text, or empty for none
};

// Appends one event by `actor` at the current time. Errors are the
// database's (the caller's transaction then rolls back).
Status WriteAudit(soci::session& sql, const std::string& tenant_id, const Actor& actor,
                  const AuditEvent& event);

// Appends many events in one bulk statement (used by reconcile). Same errors.
Status WriteAuditBatch(soci::session& sql, const std::string& tenant_id, const Actor& actor,
                       const std::vector<AuditEvent>& events);

// Convenience: a JSON value as text for before_json / after_json ("" for null).
std::string AuditJson(const nlohmann::json& value);

}  // namespace allot::licensing
