#include "server/auth/app_tokens.h"

#include <openssl/crypto.h>
#include <soci/soci.h>

#include "server/base/clock.h"
#include "server/base/comma_list.h"
#include "server/base/random.h"
#include "server/store/database.h"
#include "server/store/statement_cache.h"

namespace allot::auth {

Result<IssuedToken> IssueAppToken(soci::session& sql, const std::string& tenant_id,
                                  const std::string& name,
                                  const std::vector<std::string>& products) {
  IssuedToken issued;
  issued.id = RandomUuid();
  issued.token = RandomToken("allot_app_");
  const std::string hash = HashToken(issued.token);
  const std::string now = NowRfc3339();
  const std::string joined = JoinCommaList(products);
  soci::indicator products_ind = products.empty() ? soci::i_null : soci::i_ok;
  sql << "INSERT INTO app_tokens (tenant_id, id, name, products, token_hash, created_at) "
         "VALUES (:t, :id, :n, :p, :h, :c)",
      soci::use(tenant_id), soci::use(issued.id), soci::use(name),
      soci::use(joined, products_ind), soci::use(hash), soci::use(now);
  return issued;
}

Status RevokeAppToken(soci::session& sql, const std::string& tenant_id, const std::string& id) {
  const std::string now = NowRfc3339();
  soci::statement st = (sql.prepare << "UPDATE app_tokens SET revoked_at = :now WHERE "
                                       "tenant_id = :t AND id = :id AND revoked_at IS NULL",
                        soci::use(now), soci::use(tenant_id), soci::use(id));
  st.execute(true);
  if (st.get_affected_rows() == 0) {
    return Fail(ErrorCode::kNotFound, "no live app token with id '" + id + "'");
  }
  return Ok();
}

namespace {

// The lookup and its buffers, kept prepared per connection. token_hash is
// unique: at most one row, still fetched to the end (statement_cache.h).
struct AppTokenLookup : store::CachedStatement {
  explicit AppTokenLookup(soci::session& sql)
      : st((sql.prepare << "SELECT a.tenant_id, a.id, a.name, a.products, a.token_hash, "
                           "a.revoked_at, tn.status FROM app_tokens a JOIN tenants tn ON "
                           "tn.id = a.tenant_id WHERE a.token_hash = :h",
            soci::use(hash), soci::into(tenant_id), soci::into(id), soci::into(name),
            soci::into(products, products_ind), soci::into(stored_hash),
            soci::into(revoked_at, revoked_ind), soci::into(tenant_status))) {}
  std::string hash;
  std::string tenant_id, id, name, products, stored_hash, revoked_at, tenant_status;
  soci::indicator products_ind = soci::i_null, revoked_ind = soci::i_null;
  soci::statement st;
};

bool OtherKindOfToken(std::string_view token) {
  return token.starts_with("allot_admin_") || token.starts_with("allot_scim_") ||
         token.starts_with("allot_operator_");
}

}  // namespace

Result<Principal> AuthenticateApp(store::Database& db, std::string_view header) {
  auto bearer = BearerToken(header);
  if (!bearer) return std::unexpected(bearer.error());
  const std::string_view token = *bearer;
  const std::string presented = HashToken(token);
  // One statement: no BEGIN/COMMIT around it (database.h).
  return db.ReadOneStatementValue<Principal>([&](soci::session& sql) -> Result<Principal> {
    std::unique_ptr<store::CachedStatement> scratch;
    auto* q = store::Prepared<AppTokenLookup>(
        sql, "auth.app_token_lookup",
        [](soci::session& s) { return std::make_unique<AppTokenLookup>(s); }, &scratch);
    q->hash = presented;
    bool found = false;
    q->st.execute(false);
    while (q->st.fetch()) found = true;
    // Looked up by hash (an index), compared in constant time (tokens.cc).
    if (!found || q->stored_hash.size() != presented.size() ||
        CRYPTO_memcmp(q->stored_hash.data(), presented.data(), presented.size()) != 0) {
      return Fail(ErrorCode::kUnauthorized,
                  OtherKindOfToken(token)
                      ? "an admin, SCIM or operator token cannot be used here; use an app token "
                        "(POST /admin/v1/app-tokens)"
                      : "the bearer token is not a valid app token");
    }
    if (q->revoked_ind == soci::i_ok) {
      return Fail(ErrorCode::kUnauthorized, "the app token has been revoked");
    }
    Principal p;
    p.tenant_id = q->tenant_id;
    p.id = q->id;
    p.name = q->name;
    p.kind = TokenKind::kApp;
    p.token_id = q->id;
    if (q->products_ind == soci::i_ok) p.products = SplitCommaList(q->products);
    // Only a valid token learns that its tenant is suspended.
    if (auto t = ApplyTenantState(q->tenant_status, true, p); !t) {
      return std::unexpected(t.error());
    }
    return p;
  });
}

}  // namespace allot::auth
