// server/auth/app_tokens.h — the bearer tokens of a tenant's product apps:
// random (256 bits, prefix "allot_app_"), shown once, stored only as SHA-256
// in app_tokens (migration 060), bound to one tenant and optionally to some
// of its products. They work only under /entitlements/v1: admin, SCIM and
// operator tokens are not found here (401), and app tokens are not found
// among those (401 there).
// Thread-safety: stateless functions; the Database serialises access.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/auth/principal.h"
#include "server/auth/tokens.h"
#include "server/base/error.h"

namespace soci {
class session;
}
namespace allot::store {
class Database;
}

namespace allot::auth {

// Issues an app token named `name` for `products` (empty: every product),
// inside the caller's transaction. Errors are the database's.
Result<IssuedToken> IssueAppToken(soci::session& sql, const std::string& tenant_id,
                                  const std::string& name,
                                  const std::vector<std::string>& products);

// Revokes a live app token of the tenant. kNotFound when there is none with
// that id.
Status RevokeAppToken(soci::session& sql, const std::string& tenant_id, const std::string& id);


// Resolves "Bearer <token>" to the app principal (kind kApp, its tenant,
// id = the token's id, `products` its products). kUnauthorized when the
// header is missing or malformed or the token unknown or revoked (another
// kind of token gets a message saying it does not work here);
// kTenantSuspended while its tenant is suspended. One prepared point query
// per call (kept per connection): this runs on every entitlement check.
Result<Principal> AuthenticateApp(store::Database& db, std::string_view authorization_header);

}  // namespace allot::auth
