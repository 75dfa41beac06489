// server/auth/tokens.h — bearer tokens: issued random (256 bits), shown once,
// stored only as SHA-256, compared in constant time, bound to one tenant and
// one kind (admin tokens work only under /admin/v1, SCIM tokens only under
// /scim/v2).
// Thread-safety: stateless functions; the Database serialises access.
#pragma once

#include <string>
#include <string_view>

#include "server/auth/principal.h"
#include "server/base/error.h"

namespace soci {
class session;
}
namespace allot::store {
class Database;
}

namespace allot::auth {

// Hex SHA-256 of a token.
std::string HashToken(std::string_view token);

struct IssuedToken {
  std::string id;
  std::string token;  // shown once to the caller; never stored or logged
};

// Creates a principal row. `role` is empty for SCIM clients.
Status CreatePrincipal(soci::session& sql, const std::string& tenant_id, const std::string& id,
                       TokenKind kind, const std::string& name, const std::string& role);

// Issues a new token for an existing principal, inside the caller's
// transaction.
Result<IssuedToken> IssueToken(soci::session& sql, const std::string& tenant_id,
                               const std::string& principal_id, TokenKind kind);

// Revokes one token of the tenant. kNotFound if there is no such live token.
Status RevokeToken(soci::session& sql, const std::string& tenant_id, const std::string& token_id);

// The tenant's side of a credential (a token, or a console session, which
// stands for its token): kTenantSuspended while the tenant is suspended;
// otherwise records the tenant's catalog mode in `p`.
Status ApplyTenantState(std::string_view tenant_status, bool self_managed_catalog, Principal& p);

// Loads a Subscription admin's subscriptions into `p.subscriptions`.
void LoadSubscriptionScope(soci::session& sql, Principal& p);

// The token of an Authorization header "Bearer <token>" (spaces around it
// dropped). kUnauthorized, saying what is wrong without echoing the token,
// when the header is missing or malformed or the token empty or over 512
// characters.
Result<std::string_view> BearerToken(std::string_view authorization_header);

// Resolves "Bearer <token>" to its principal. kUnauthorized when the header
// is missing or malformed, the token unknown or revoked, or of another kind.
// The message says which, without echoing the token.
Result<Principal> Authenticate(store::Database& db, std::string_view authorization_header,
                               TokenKind required_kind);

}  // namespace allot::auth
