#include "server/auth/tenants.h"

#include <soci/soci.h>

#include <regex>

#include "server/auth/tokens.h"
#include "server/base/clock.h"
#include "server/base/random.h"
#include "server/store/database.h"

namespace allot::auth {

bool IsValidTenantId(const std::string& id) {
  static const std::regex kPattern("[a-z0-9][a-z0-9._-]{0,63}");
  return std::regex_match(id, kPattern);
}

Result<TenantCredentials> CreateTenant(store::Database& db, const std::string& id,
                                       const TenantCreatedFn& also) {
  if (!IsValidTenantId(id)) {
    return Fail(ErrorCode::kInvalidRequest,
                "invalid tenant id '" + id +
                    "': use 1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
  }
  return db.WriteValue<TenantCredentials>([&](soci::session& sql) -> Result<TenantCredentials> {
    int exists = 0;
    sql << "SELECT COUNT(*) FROM tenants WHERE id = :id", soci::use(id), soci::into(exists);
    if (exists > 0) {
      return Fail(ErrorCode::kConflict, "tenant '" + id +
                                            "' already exists; its tokens were shown when it was "
                                            "created (use --tenant to add another tenant)");
    }
    std::string now = NowRfc3339();
    sql << "INSERT INTO tenants (id, created_at) VALUES (:id, :c)", soci::use(id), soci::use(now);

    TenantCredentials out{.tenant = id};
    const std::string admin_id = RandomUuid();
    if (auto s = CreatePrincipal(sql, id, admin_id, TokenKind::kAdmin, "initial admin",
                                 "global_admin");
        !s) {
      return std::unexpected(s.error());
    }
    auto admin_token = IssueToken(sql, id, admin_id, TokenKind::kAdmin);
    if (!admin_token) return std::unexpected(admin_token.error());
    out.admin_token = admin_token->token;
    out.admin_id = admin_id;
    out.admin_token_id = admin_token->id;

    const std::string scim_id = RandomUuid();
    if (auto s = CreatePrincipal(sql, id, scim_id, TokenKind::kScim, "default SCIM client", "");
        !s) {
      return std::unexpected(s.error());
    }
    auto scim_token = IssueToken(sql, id, scim_id, TokenKind::kScim);
    if (!scim_token) return std::unexpected(scim_token.error());
    out.scim_token = scim_token->token;
    out.scim_client_id = scim_id;
    out.scim_token_id = scim_token->id;
    if (also) {
      if (auto s = also(sql, out); !s) return std::unexpected(s.error());
    }
    return out;
  });
}

}  // namespace allot::auth
