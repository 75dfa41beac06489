// server/auth/tenants.h — creating a tenant with its first credentials.
// Thread-safety: stateless; the Database serialises access.
#pragma once

#include <functional>
#include <string>

#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::store {
class Database;
}

namespace allot::auth {

struct TenantCredentials {
  std::string tenant;
  std::string admin_token;  // a Global administrator's token
  std::string scim_token;   // a SCIM provisioning token
  // Who and what was made, for the audit log.
  std::string admin_id, admin_token_id, scim_client_id, scim_token_id;
};

// Returns true when `id` is a valid tenant id: [a-z0-9][a-z0-9._-]{0,63}.
bool IsValidTenantId(const std::string& id);

// Creates the tenant, a Global administrator "initial admin" and a SCIM
// client "default SCIM client", each with one token, in one transaction.
// kConflict if the tenant exists (nothing is changed), kInvalidRequest for a
// malformed id. `also` (may be empty) runs last in the same transaction, so
// that what it writes (the audit events of `allot init`) and the tenant are
// committed together or not at all.
using TenantCreatedFn = std::function<Status(soci::session&, const TenantCredentials&)>;
Result<TenantCredentials> CreateTenant(store::Database& db, const std::string& id,
                                       const TenantCreatedFn& also = nullptr);

}  // namespace allot::auth
