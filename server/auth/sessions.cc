#include "server/auth/sessions.h"

#include <openssl/crypto.h>
#include <soci/soci.h>

#include "server/auth/tokens.h"
#include "server/base/ascii.h"
#include "server/base/clock.h"
#include "server/base/random.h"
#include "server/store/database.h"

namespace allot::auth {
namespace {

using Clock = std::chrono::system_clock;

// A session's last_seen_at is written at most this often: most requests of
// an active console then only read.
constexpr std::chrono::seconds kTouchInterval{60};

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Error NoSession(std::string_view why) {
  return {ErrorCode::kUnauthorized, std::string(why) + "; sign in again"};
}

}  // namespace

std::string CsrfFor(std::string_view session_secret) {
  return HashToken("allot-csrf:" + std::string(session_secret));
}

bool NeedsCsrf(std::string_view method) {
  return !(method == "GET" || method == "HEAD" || method == "OPTIONS");
}

std::string SessionSecretFromCookies(std::string_view header) {
  // "name=value; name2=value2": the first cookie with our name wins.
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = pair.substr(0, eq);
    std::string_view value = pair.substr(eq + 1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (name == kSessionCookieName && !value.empty() && value.size() <= 256) {
      return std::string(value);
    }
  }
  return "";
}

Result<NewSession> CreateSession(store::Database& db, std::string_view admin_token,
                                 Clock::time_point now) {
  if (admin_token.empty()) {
    return Fail(ErrorCode::kUnauthorized, "no token given; paste an admin token");
  }
  auto principal = Authenticate(db, "Bearer " + std::string(admin_token), TokenKind::kAdmin);
  if (!principal) return std::unexpected(principal.error());

  NewSession session;
  session.secret = RandomToken("");
  session.csrf = CsrfFor(session.secret);
  session.principal = std::move(*principal);
  const std::string hash = HashToken(session.secret);
  const std::string id = RandomUuid();
  const std::string at = TimeRfc3339(now);
  const std::string idle_cutoff = TimeRfc3339(now - kSessionIdleLimit);
  const Principal& p = session.principal;
  auto written = db.Write([&](soci::session& sql) -> Status {
    sql << "DELETE FROM console_sessions WHERE tenant_id = :t AND last_seen_at < :cutoff",
        soci::use(p.tenant_id), soci::use(idle_cutoff);
    sql << "INSERT INTO console_sessions (tenant_id, id, session_hash, principal_id, token_id, "
           "created_at, last_seen_at) VALUES (:t, :id, :h, :p, :tok, :c, :l)",
        soci::use(p.tenant_id), soci::use(id), soci::use(hash), soci::use(p.id),
        soci::use(p.token_id), soci::use(at), soci::use(at);
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return session;
}

Result<Principal> AuthenticateSession(store::Database& db, std::string_view cookie_header,
                                      std::string_view csrf_header, std::string_view method,
                                      Clock::time_point now) {
  const std::string secret = SessionSecretFromCookies(cookie_header);
  if (secret.empty()) {
    return Fail(ErrorCode::kUnauthorized,
                "no credential: send 'Authorization: Bearer <token>' or sign in to the console");
  }
  const std::string hash = HashToken(secret);

  struct Found {
    Principal principal;
    std::string session_id, last_seen;
  };
  auto found = db.ReadValue<Found>([&](soci::session& sql) -> Result<Found> {
    Found f;
    std::string stored_hash, ended_at, revoked_at, deleted_at, role, kind, tenant_status;
    int self_managed = 1;
    soci::indicator ended_ind = soci::i_null, revoked_ind = soci::i_null,
                    deleted_ind = soci::i_null, role_ind = soci::i_null;
    sql << "SELECT s.tenant_id, s.id, s.session_hash, s.principal_id, s.token_id, s.last_seen_at, "
           "s.ended_at, t.revoked_at, t.kind, p.name, p.role, p.deleted_at, tn.status, "
           "tn.self_managed_catalog "
           "FROM console_sessions s "
           "JOIN tokens t ON t.tenant_id = s.tenant_id AND t.id = s.token_id "
           "JOIN principals p ON p.tenant_id = s.tenant_id AND p.id = s.principal_id "
           "JOIN tenants tn ON tn.id = s.tenant_id "
           "WHERE s.session_hash = :h",
        soci::use(hash), soci::into(f.principal.tenant_id), soci::into(f.session_id),
        soci::into(stored_hash), soci::into(f.principal.id), soci::into(f.principal.token_id),
        soci::into(f.last_seen), soci::into(ended_at, ended_ind),
        soci::into(revoked_at, revoked_ind), soci::into(kind), soci::into(f.principal.name),
        soci::into(role, role_ind), soci::into(deleted_at, deleted_ind),
        soci::into(tenant_status), soci::into(self_managed);
    if (!sql.got_data() || !ConstantTimeEquals(stored_hash, hash)) {
      return std::unexpected(NoSession("the console session is not valid"));
    }
    if (ended_ind == soci::i_ok) {
      return std::unexpected(NoSession("the console session was signed out"));
    }
    if (revoked_ind == soci::i_ok || deleted_ind == soci::i_ok || kind != "admin") {
      return std::unexpected(NoSession("the token of this console session has been revoked"));
    }
    // A session is its token: a suspended tenant's sessions stop with it.
    if (auto t = ApplyTenantState(tenant_status, self_managed != 0, f.principal); !t) {
      return std::unexpected(t.error());
    }
    f.principal.kind = TokenKind::kAdmin;
    if (role_ind == soci::i_ok) f.principal.role = role;
    LoadSubscriptionScope(sql, f.principal);
    return f;
  });
  if (!found) return std::unexpected(found.error());

  const auto last_seen = ParseRfc3339(found->last_seen);
  if (!last_seen || now - *last_seen > kSessionIdleLimit) {
    return std::unexpected(NoSession("the console session expired after 8 hours without use"));
  }
  if (NeedsCsrf(method) && !ConstantTimeEquals(csrf_header, CsrfFor(secret))) {
    return Fail(ErrorCode::kForbidden,
                "this change needs the X-Allot-CSRF header of the console session");
  }
  if (now - *last_seen >= kTouchInterval) {
    const std::string at = TimeRfc3339(now);
    const Principal& p = found->principal;
    auto touched = db.Write([&](soci::session& sql) -> Status {
      sql << "UPDATE console_sessions SET last_seen_at = :at WHERE tenant_id = :t AND id = :id",
          soci::use(at), soci::use(p.tenant_id), soci::use(found->session_id);
      return Ok();
    });
    if (!touched) return std::unexpected(touched.error());
  }
  return std::move(found->principal);
}

Result<Principal> AuthenticateAdminRequest(store::Database& db, std::string_view authorization,
                                           std::string_view cookie_header,
                                           std::string_view csrf_header, std::string_view method) {
  if (!authorization.empty() || SessionSecretFromCookies(cookie_header).empty()) {
    return Authenticate(db, authorization, TokenKind::kAdmin);
  }
  return AuthenticateSession(db, cookie_header, csrf_header, method);
}

Status EndSession(store::Database& db, std::string_view cookie_header) {
  const std::string secret = SessionSecretFromCookies(cookie_header);
  if (secret.empty()) return std::unexpected(NoSession("no console session"));
  const std::string hash = HashToken(secret);
  const std::string now = NowRfc3339();
  return db.Write([&](soci::session& sql) -> Status {
    // The lookup by hash finds the tenant, as for bearer tokens.
    std::string tenant, id;
    sql << "SELECT tenant_id, id FROM console_sessions WHERE session_hash = :h AND ended_at IS NULL",
        soci::use(hash), soci::into(tenant), soci::into(id);
    if (!sql.got_data()) return std::unexpected(NoSession("no live console session"));
    sql << "UPDATE console_sessions SET ended_at = :now WHERE tenant_id = :t AND id = :id",
        soci::use(now), soci::use(tenant), soci::use(id);
    return Ok();
  });
}

std::string SessionCookie(std::string_view secret, bool secure) {
  std::string cookie = std::string(kSessionCookieName) + "=" + std::string(secret) +
                       "; Path=/admin/v1; HttpOnly; SameSite=Strict";
  if (secure) cookie += "; Secure";
  return cookie;
}

std::string ClearedSessionCookie(bool secure) {
  std::string cookie = std::string(kSessionCookieName) +
                       "=; Path=/admin/v1; Max-Age=0; HttpOnly; SameSite=Strict";
  if (secure) cookie += "; Secure";
  return cookie;
}

}  // namespace allot::auth
