// server/admin/audit_log.h — reading the audit log (audit_events, written by
// licensing::WriteAudit): newest first, filtered, paged by event id. There is
// no function to change or delete an event, by design.
// A Subscription admin reads only events of its subscriptions; events with
// no subscription (roles, tokens, policies) are not in its view.
// Thread-safety: stateless functions over the Database.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "server/admin/authz.h"
#include "server/admin/routes.h"
#include "server/base/error.h"

namespace allot::store {
class Database;
}

namespace allot::admin {

struct AuditQuery {
  std::string since;            // RFC 3339 UTC (or a date); events at or after it
  std::string until;            // RFC 3339 UTC (or a date); events before it
  std::string actor_kind;       // "", admin, scim, policy, system
  std::string actor_id;         // "" for any
  std::string user_id;          // "" for any
  std::string subscription_id;  // "" for any
  std::string action;           // "" for any
};

// Parses since=, until=, actor=, user_id=, subscription_id=, action= from the query
// string. kInvalidRequest naming the parameter when malformed. `actor` is
// "<kind>:<id>", "<kind>" or "<id>".
Result<AuditQuery> ParseAuditQuery(const http::Request& request);

// Events matching `query` within `access`, newest first. kNotFound when
// `query.subscription_id` is outside a Subscription admin's scope; a
// malformed cursor is kInvalidRequest.
Result<Listing<nlohmann::json>> ReadAudit(store::Database& db, const Access& access,
                                          const AuditQuery& query, const Page& page);

}  // namespace allot::admin
