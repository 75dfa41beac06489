// server/auth/principal.h — who is calling: the principal a bearer token
// belongs to, bound to one tenant. Plain value; thread-safe to copy.
#pragma once

#include <string>
#include <vector>

namespace allot::auth {

enum class TokenKind { kAdmin, kScim };

struct Principal {
  std::string tenant_id;
  std::string id;        // principal id (admin id or SCIM client id)
  std::string name;
  TokenKind kind = TokenKind::kScim;
  std::string role;      // admins: global_admin | subscription_admin | user_admin
  std::vector<std::string> subscriptions;  // subscription_admin's scope
  std::string token_id;  // the token used for this request
};

inline const char* TokenKindName(TokenKind kind) {
  return kind == TokenKind::kAdmin ? "admin" : "scim";
}

}  // namespace allot::auth
