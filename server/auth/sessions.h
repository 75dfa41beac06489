// server/auth/sessions.h — console sign-in sessions: an admin token is
// exchanged once (POST /admin/v1/sessions) for a random session secret in an
// HttpOnly, SameSite=Strict cookie; the admin API then accepts the cookie
// instead of the bearer token.
//
// - Only SHA-256 of the secret is stored (console_sessions, migration 070).
// - A session is bound to the admin token that opened it: revoking the token
//   or deleting the admin ends it.
// - It expires after kSessionIdleLimit without a request.
// - Requests that change state (anything but GET, HEAD, OPTIONS) must carry
//   the CSRF value in X-Allot-CSRF. That value is derived from the secret
//   (CsrfFor), so nothing more is stored and a page reload can ask for it
//   again (GET /admin/v1/sessions/current) with the cookie alone, which a
//   cross-site page can neither send (SameSite) nor read (same-origin).
//
// The functions take plain values (header texts, method), so the HTTP layer
// and the tests call them the same way.
// Thread-safety: stateless functions; the Database serialises writes.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "server/auth/principal.h"
#include "server/base/error.h"

namespace allot::store {
class Database;
}

namespace allot::auth {

inline constexpr std::string_view kSessionCookieName = "allot_session";
inline constexpr std::string_view kCsrfHeaderName = "X-Allot-CSRF";
inline constexpr std::chrono::hours kSessionIdleLimit{8};

struct NewSession {
  std::string secret;  // the cookie's value: shown to the browser once, never stored
  std::string csrf;    // CsrfFor(secret)
  Principal principal;
};

// Opens a session for the admin token `admin_token` (the token itself, not a
// header). kUnauthorized (the token's own message) when it is not a live
// admin token; the database's error otherwise. Also removes the tenant's
// sessions idle for longer than the limit.
Result<NewSession> CreateSession(
    store::Database& db, std::string_view admin_token,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The value of the session cookie in a Cookie header ("a=b; allot_session=…"),
// or "" when there is none.
std::string SessionSecretFromCookies(std::string_view cookie_header);

// The CSRF value of a session: hex SHA-256 of a label and the secret.
std::string CsrfFor(std::string_view session_secret);

// True for methods that change state and so need the CSRF header.
bool NeedsCsrf(std::string_view method);

// Resolves the session cookie of a request to its admin principal, and
// refreshes its idle time. kUnauthorized when there is no session cookie, or
// the session is unknown, signed out, idle past the limit, or its token or
// admin is gone; kForbidden when `method` changes state and `csrf_header`
// does not equal the session's CSRF value. Messages never echo the secret.
Result<Principal> AuthenticateSession(
    store::Database& db, std::string_view cookie_header, std::string_view csrf_header,
    std::string_view method,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The admin API's credential rule: a bearer token when an Authorization
// header is present (auth::Authenticate), else the session cookie
// (AuthenticateSession). kUnauthorized when neither is there.
Result<Principal> AuthenticateAdminRequest(store::Database& db, std::string_view authorization,
                                           std::string_view cookie_header,
                                           std::string_view csrf_header, std::string_view method);

// Ends the session whose secret the Cookie header carries. kUnauthorized
// when there is no such live session.
Status EndSession(store::Database& db, std::string_view cookie_header);

// Set-Cookie values: the session cookie (HttpOnly, SameSite=Strict,
// Path=/admin/v1, Secure when `secure`), and one that clears it.
std::string SessionCookie(std::string_view secret, bool secure);
std::string ClearedSessionCookie(bool secure);

}  // namespace allot::auth
