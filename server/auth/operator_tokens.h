// server/auth/operator_tokens.h — the vendor's (operator's) bearer tokens:
// random (256 bits, prefix "allot_operator_"), shown once, stored only as
// SHA-256 in operator_tokens (migration 050), bound to no tenant. They work
// only under /operator/v1 and on /metrics; tenant tokens are not found here,
// so they get 401 there, and operator tokens are not found among tenant
// tokens (tokens.h), so they get 401 everywhere else.
// Thread-safety: stateless functions; the Database serialises access.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

// Issues an operator token named `name`, inside the caller's transaction.
Result<IssuedToken> IssueOperatorToken(soci::session& sql, const std::string& name);

// Issues the first operator token when the database has none yet (a new
// database, or one made before operator tokens existed); nullopt when one
// exists. Inside the caller's transaction, so `allot init` prints it only
// when its tenant is committed too.
Result<std::optional<IssuedToken>> IssueFirstOperatorToken(soci::session& sql);

// Resolves "Bearer <token>" to the operator principal (kind kOperator, no
// tenant, id = the token's id). kUnauthorized when the header is missing or
// malformed, the token unknown or revoked; a tenant token gets a message
// saying it does not work here.
Result<Principal> AuthenticateOperator(store::Database& db, std::string_view authorization_header);

}  // namespace allot::auth
