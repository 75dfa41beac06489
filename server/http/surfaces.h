// server/http/surfaces.h — the one table from a path prefix to the API
// surface it belongs to and the credential that surface takes.
//
// The surface decides the shape of error bodies (SCIM or admin JSON); the
// credential decides what the server asks the Authenticator to check before
// any body is read. Later APIs add a row here (and a case to the
// authenticator in server/app/serve_command.cc), nothing else.
// Thread-safety: constant data and pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace allot::http {

// Which API a path belongs to.
enum class Surface {
  kOps,           // /healthz, /readyz and anything not in the table
  kScim,          // /scim/v2
  kAdmin,         // /admin/v1
  kMetrics,       // /metrics
  kOperator,      // /operator/v1
  kEntitlements,  // /entitlements/v1: the vendor's product apps
  kConsole,       // / and /console: the admin console's files
};

// What a request on a surface must present.
enum class Credential {
  kNone,           // served without authentication
  kScimToken,      // a tenant's SCIM provisioning token
  kAdminToken,     // a tenant's admin token; on the admin surface, or the
                   // console's session cookie (with X-Allot-CSRF on writes)
  kOperatorToken,  // the vendor's operator token (auth/operator_tokens.h)
  kAppToken,       // a product app's token (auth/app_tokens.h)
};

// The body limit of the console's sign-in, which is read without a
// credential: {"token":"…"} and nothing else.
inline constexpr size_t kSignInBodyLimit = 8 * 1024;

struct SurfaceRule {
  std::string_view prefix;  // matches the prefix itself and anything under "prefix/"
  Surface surface;
  Credential credential;
  // A body limit below the server's max_body_bytes (0: the server's). A
  // route that takes a body without a credential must have one.
  size_t max_body_bytes = 0;
};

// The rule of `path`: the first row of the table that covers it (compared
// without regard to ASCII case, by whole path segments: "/scim/v2" covers
// "/scim/v2/Users" but not "/scim/v20"); paths under no prefix get
// {"", kOps, kNone}.
const SurfaceRule& SurfaceRuleOf(std::string_view path);

inline Surface SurfaceOf(std::string_view path) { return SurfaceRuleOf(path).surface; }

}  // namespace allot::http
