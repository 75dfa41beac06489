#include "server/auth/tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <soci/soci.h>

#include <array>

#include "server/base/ascii.h"
#include "server/base/clock.h"
#include "server/base/random.h"
#include "server/store/database.h"
#include "server/store/statement_cache.h"

namespace allot::auth {

namespace {

// SHA-256 fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up
// (under a lock) on every digest, and every request hashes its token.
const EVP_MD* Sha256() {
  static EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return fetched != nullptr ? fetched : EVP_sha256();
}

}  // namespace

std::string HashToken(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(token.data(), token.size(), digest.data(), &length, Sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

Status CreatePrincipal(soci::session& sql, const std::string& tenant_id, const std::string& id,
                       TokenKind kind, const std::string& name, const std::string& role) {
  std::string kind_name = TokenKindName(kind);
  std::string now = NowRfc3339();
  soci::indicator role_ind = role.empty() ? soci::i_null : soci::i_ok;
  sql << "INSERT INTO principals (tenant_id, id, kind, name, role, created_at) "
         "VALUES (:t, :id, :k, :n, :r, :c)",
      soci::use(tenant_id), soci::use(id), soci::use(kind_name), soci::use(name),
      soci::use(role, role_ind), soci::use(now);
  return Ok();
}

Result<IssuedToken> IssueToken(soci::session& sql, const std::string& tenant_id,
                               const std::string& principal_id, TokenKind kind) {
  IssuedToken issued;
  issued.id = RandomUuid();
  // The prefix says what the token is for, so a leaked one is recognisable
  // (secret scanners) and a misplaced one gets a precise 401 message.
  issued.token = RandomToken(kind == TokenKind::kAdmin ? "allot_admin_" : "allot_scim_");
  if (kind == TokenKind::kOperator) {
    return Fail(ErrorCode::kInternal, "operator tokens are issued by IssueOperatorToken");
  }
  std::string hash = HashToken(issued.token);
  std::string kind_name = TokenKindName(kind);
  std::string now = NowRfc3339();
  sql << "INSERT INTO tokens (tenant_id, id, principal_id, kind, token_hash, created_at) "
         "VALUES (:t, :id, :p, :k, :h, :c)",
      soci::use(tenant_id), soci::use(issued.id), soci::use(principal_id), soci::use(kind_name),
      soci::use(hash), soci::use(now);
  return issued;
}

Status RevokeToken(soci::session& sql, const std::string& tenant_id, const std::string& token_id) {
  std::string now = NowRfc3339();
  soci::statement st = (sql.prepare << "UPDATE tokens SET revoked_at = :now WHERE tenant_id = :t "
                                       "AND id = :id AND revoked_at IS NULL",
                        soci::use(now), soci::use(tenant_id), soci::use(token_id));
  st.execute(true);
  if (st.get_affected_rows() == 0) {
    return Fail(ErrorCode::kNotFound, "no active token with id '" + token_id + "'");
  }
  return Ok();
}

Status ApplyTenantState(std::string_view tenant_status, bool self_managed_catalog, Principal& p) {
  if (tenant_status == "suspended") {
    return Fail(ErrorCode::kTenantSuspended,
                "tenant '" + p.tenant_id +
                    "' is suspended; nothing can be read or changed until its operator "
                    "re-activates it");
  }
  p.self_managed_catalog = self_managed_catalog;
  return Ok();
}

void LoadSubscriptionScope(soci::session& sql, Principal& p) {
  if (p.role != "subscription_admin") return;
  soci::rowset<std::string> rows =
      (sql.prepare << "SELECT subscription_id FROM principal_subscriptions "
                      "WHERE tenant_id = :t AND principal_id = :p ORDER BY subscription_id",
       soci::use(p.tenant_id), soci::use(p.id));
  for (const std::string& s : rows) p.subscriptions.push_back(s);
}

namespace {

// The token lookup and its buffers. token_hash is unique, so there is at
// most one row; it is still fetched to the end, so that the kept statement
// does not stay on a row (which would hold the read snapshot).
struct TokenLookup : store::CachedStatement {
  explicit TokenLookup(soci::session& sql)
      : st((sql.prepare << "SELECT t.tenant_id, t.id, t.principal_id, t.kind, t.token_hash, "
                           "t.revoked_at, p.name, p.role, p.deleted_at, tn.status, "
                           "tn.self_managed_catalog "
                           "FROM tokens t JOIN principals p ON p.tenant_id = t.tenant_id AND "
                           "p.id = t.principal_id JOIN tenants tn ON tn.id = t.tenant_id "
                           "WHERE t.token_hash = :h",
            soci::use(hash), soci::into(principal.tenant_id), soci::into(principal.token_id),
            soci::into(principal.id), soci::into(kind_name), soci::into(stored_hash),
            soci::into(revoked_at, revoked_ind), soci::into(principal.name),
            soci::into(role, role_ind), soci::into(deleted_at, deleted_ind),
            soci::into(tenant_status), soci::into(self_managed))) {}
  std::string hash;
  Principal principal;
  std::string stored_hash, kind_name, revoked_at, role, deleted_at, tenant_status;
  int self_managed = 1;
  soci::indicator revoked_ind = soci::i_null, role_ind = soci::i_null, deleted_ind = soci::i_null;
  bool found = false;
  soci::statement st;
};

}  // namespace

Result<std::string_view> BearerToken(std::string_view header) {
  if (header.empty()) {
    return Fail(ErrorCode::kUnauthorized,
                "missing Authorization header; send 'Authorization: Bearer <token>'");
  }
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || !StartsWithIgnoreAsciiCase(header, kBearer)) {
    return Fail(ErrorCode::kUnauthorized,
                "the Authorization header must be 'Bearer <token>'");
  }
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 512) {
    return Fail(ErrorCode::kUnauthorized, "the bearer token is empty or too long");
  }
  return token;
}

Result<Principal> Authenticate(store::Database& db, std::string_view header,
                               TokenKind required_kind) {
  auto bearer = BearerToken(header);
  if (!bearer) return std::unexpected(bearer.error());
  const std::string_view token = *bearer;
  const std::string presented_hash = HashToken(token);

  return db.ReadValue<Principal>([&](soci::session& sql) -> Result<Principal> {
    // Every request runs this query, so it is kept prepared per connection.
    std::unique_ptr<store::CachedStatement> scratch;
    auto* q = store::Prepared<TokenLookup>(
        sql, "auth.token_lookup",
        [](soci::session& s) { return std::make_unique<TokenLookup>(s); }, &scratch);
    q->hash = presented_hash;
    q->found = false;
    q->st.execute(false);
    while (q->st.fetch()) q->found = true;
    Principal p = q->principal;
    const std::string& stored_hash = q->stored_hash;
    const std::string& kind_name = q->kind_name;
    const std::string& role = q->role;
    const soci::indicator revoked_ind = q->revoked_ind, role_ind = q->role_ind,
                          deleted_ind = q->deleted_ind;
    // The lookup is by hash (an index); the comparison below is constant
    // time so that no timing difference tells how much of a hash matched.
    if (!q->found && token.starts_with("allot_operator_")) {
      return Fail(ErrorCode::kUnauthorized,
                  "an operator token works only under /operator/v1 and on /metrics");
    }
    if (!q->found && token.starts_with("allot_app_")) {
      return Fail(ErrorCode::kUnauthorized, "an app token works only under /entitlements/v1");
    }
    if (!q->found || stored_hash.size() != presented_hash.size() ||
        CRYPTO_memcmp(stored_hash.data(), presented_hash.data(), stored_hash.size()) != 0) {
      return Fail(ErrorCode::kUnauthorized, "the bearer token is not valid");
    }
    if (revoked_ind == soci::i_ok || deleted_ind == soci::i_ok) {
      return Fail(ErrorCode::kUnauthorized, "the bearer token has been revoked");
    }
    // Only a valid token learns that its tenant is suspended.
    if (auto t = ApplyTenantState(q->tenant_status, q->self_managed != 0, p); !t) {
      return std::unexpected(t.error());
    }
    p.kind = kind_name == "admin" ? TokenKind::kAdmin : TokenKind::kScim;
    if (p.kind != required_kind) {
      return Fail(ErrorCode::kUnauthorized,
                  required_kind == TokenKind::kAdmin
                      ? "a SCIM provisioning token cannot be used here; use an admin token"
                      : "an admin token cannot be used for SCIM; use a SCIM provisioning token");
    }
    if (role_ind == soci::i_ok) p.role = role;
    LoadSubscriptionScope(sql, p);
    return p;
  });
}

}  // namespace allot::auth
