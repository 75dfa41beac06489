// server/scim_api/identity_audit.h — SCIM changes of identities in the audit
// log: user.created, user.updated, user.deactivated, user.reactivated,
// user.deleted, group.created, group.updated (with how many members were
// added and removed), group.deleted. Written in the SCIM write transaction,
// with the SCIM client as actor, so the log and the directory never
// disagree. before/after carry a summary (names, externalId, active, member
// counts), never the whole resource.
// Thread-safety: stateless; each call uses the caller's transaction.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "server/scim_api/records.h"

namespace soci {
class session;
}

namespace allot::scim_api {

// {userName, displayName?, externalId?, active} of a stored User resource.
nlohmann::json UserSummary(const nlohmann::json& resource);
// {displayName, externalId?} of a stored Group resource.
nlohmann::json GroupSummary(const nlohmann::json& resource);

// Appends one event about the user or group `id` (kind "user" or "group");
// `before`/`after` null when there is no such state. Errors are the
// database's, as SCIM errors (the transaction then rolls back).
scim::Status AuditIdentity(soci::session& sql, const Caller& caller, std::string_view action,
                           std::string_view kind, const std::string& id,
                           const nlohmann::json& before, const nlohmann::json& after);

// user.updated, or user.deactivated / user.reactivated when `active` changed.
scim::Status AuditUserChange(soci::session& sql, const Caller& caller, const std::string& id,
                             const nlohmann::json& before, const nlohmann::json& after);

}  // namespace allot::scim_api
