#include "server/auth/operator_tokens.h"

#include <openssl/crypto.h>
#include <soci/soci.h>

#include "server/base/ascii.h"
#include "server/base/clock.h"
#include "server/base/random.h"
#include "server/store/database.h"

namespace allot::auth {

Result<IssuedToken> IssueOperatorToken(soci::session& sql, const std::string& name) {
  IssuedToken issued;
  issued.id = RandomUuid();
  issued.token = RandomToken("allot_operator_");
  const std::string hash = HashToken(issued.token);
  const std::string now = NowRfc3339();
  sql << "INSERT INTO operator_tokens (id, name, token_hash, created_at) "
         "VALUES (:id, :n, :h, :c)",
      soci::use(issued.id), soci::use(name), soci::use(hash), soci::use(now);
  return issued;
}

Result<std::optional<IssuedToken>> IssueFirstOperatorToken(soci::session& sql) {
  long long count = 0;
  sql << "SELECT COUNT(*) FROM operator_tokens", soci::into(count);
  if (count > 0) return std::optional<IssuedToken>();
  auto issued = IssueOperatorToken(sql, "initial operator token");
  if (!issued) return std::unexpected(issued.error());
  return std::optional<IssuedToken>(std::move(*issued));
}

Result<Principal> AuthenticateOperator(store::Database& db, std::string_view header) {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.empty()) {
    return Fail(ErrorCode::kUnauthorized,
                "missing Authorization header; send 'Authorization: Bearer <operator token>'");
  }
  if (header.size() <= kBearer.size() || !StartsWithIgnoreAsciiCase(header, kBearer)) {
    return Fail(ErrorCode::kUnauthorized, "the Authorization header must be 'Bearer <token>'");
  }
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 512) {
    return Fail(ErrorCode::kUnauthorized, "the bearer token is empty or too long");
  }
  const std::string presented = HashToken(token);
  const bool tenant_token = token.starts_with("allot_admin_") || token.starts_with("allot_scim_") ||
                            token.starts_with("allot_app_");
  return db.ReadValue<Principal>([&](soci::session& sql) -> Result<Principal> {
    std::string id, name, stored;
    std::string revoked_at;
    soci::indicator revoked_ind = soci::i_null;
    sql << "SELECT id, name, token_hash, revoked_at FROM operator_tokens WHERE token_hash = :h",
        soci::use(presented), soci::into(id), soci::into(name), soci::into(stored),
        soci::into(revoked_at, revoked_ind);
    // Constant-time comparison, as for tenant tokens (tokens.cc).
    if (!sql.got_data() || stored.size() != presented.size() ||
        CRYPTO_memcmp(stored.data(), presented.data(), stored.size()) != 0) {
      return Fail(ErrorCode::kUnauthorized,
                  tenant_token ? "a tenant's admin, SCIM or app token cannot be used here; use an "
                                 "operator token (allot operator-token)"
                               : "the bearer token is not a valid operator token");
    }
    if (revoked_ind == soci::i_ok) {
      return Fail(ErrorCode::kUnauthorized, "the operator token has been revoked");
    }
    Principal p;
    p.id = id;
    p.name = name;
    p.kind = TokenKind::kOperator;
    p.token_id = id;
    return p;
  });
}

}  // namespace allot::auth
