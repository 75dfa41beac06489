#include "server/http/surfaces.h"

#include <iterator>

#include "server/base/ascii.h"

namespace allot::http {
namespace {

// The first rule that matches wins, so a nested prefix comes before the
// one it sits under.
constexpr SurfaceRule kRules[] = {
    {"/scim/v2", Surface::kScim, Credential::kScimToken},
    // The console's sign-in: POST takes the admin token in its small body;
    // GET and DELETE of /current check the session cookie themselves
    // (server/admin/sessions.cc).
    {"/admin/v1/sessions", Surface::kAdmin, Credential::kNone, kSignInBodyLimit},
    {"/admin/v1", Surface::kAdmin, Credential::kAdminToken},
    {"/metrics", Surface::kMetrics, Credential::kOperatorToken},  // spans every tenant
    {"/healthz", Surface::kOps, Credential::kNone},
    {"/readyz", Surface::kOps, Credential::kNone},
    {"/operator/v1", Surface::kOperator, Credential::kOperatorToken},
    {"/entitlements/v1", Surface::kEntitlements, Credential::kAppToken},
    {"/console", Surface::kConsole, Credential::kNone},
    {"/", Surface::kConsole, Credential::kNone},  // "/" itself (the console's redirect)
};
constexpr SurfaceRule kDefault = {"", Surface::kOps, Credential::kNone};

bool Under(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return path == "/";
  return StartsWithIgnoreAsciiCase(path, prefix) &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

}  // namespace

const SurfaceRule& SurfaceRuleOf(std::string_view path) {
  for (const SurfaceRule& rule : kRules) {
    if (Under(path, rule.prefix)) return rule;
  }
  return kDefault;
}

}  // namespace allot::http
