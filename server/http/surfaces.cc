#include "server/http/surfaces.h"

#include <iterator>

#include "server/base/ascii.h"

namespace allot::http {
namespace {

// Longest prefixes need no special order: rules never nest.
constexpr SurfaceRule kRules[] = {
    {"/scim/v2", Surface::kScim, Credential::kScimToken},
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
