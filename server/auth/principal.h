// server/auth/principal.h — who is calling: the principal a bearer token
// belongs to, bound to one tenant. Plain value; thread-safe to copy.
#pragma once

#include <string>
#include <vector>

namespace allot::auth {

// kOperator: the vendor's token (operator_tokens.h), bound to no tenant.
// kApp: a product app's token (app_tokens.h), for /entitlements/v1 only.
enum class TokenKind { kAdmin, kScim, kOperator, kApp };

struct Principal {
  std::string tenant_id;
  std::string id;        // principal id (admin id or SCIM client id)
  std::string name;
  TokenKind kind = TokenKind::kScim;
  std::string role;      // admins: global_admin | subscription_admin | user_admin
  std::vector<std::string> subscriptions;  // subscription_admin's scope
  std::string token_id;  // the token used for this request
  // The tenant's catalog is its admins' to manage (tenants of `allot init`);
  // false when the operator runs it (authz: seats, terms, products).
  bool self_managed_catalog = true;
  // App tokens: the products it may ask about (empty: every product).
  std::vector<std::string> products;
};

inline const char* TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kAdmin: return "admin";
    case TokenKind::kScim: return "scim";
    case TokenKind::kOperator: return "operator";
    case TokenKind::kApp: return "app";
  }
  return "scim";
}

}  // namespace allot::auth
