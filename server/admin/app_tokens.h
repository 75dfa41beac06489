// server/admin/app_tokens.h — the tokens of a tenant's product apps, behind
// /admin/v1/app-tokens (Global admin): issue (shown once), list, revoke.
// Every change runs in one transaction with its audit event (token.issued,
// token.revoked, with kind "app"); only the token's hash is stored
// (auth/app_tokens.h). Knows nothing of HTTP.
// Thread-safety: stateless functions; the Database serialises writes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/admin/routes.h"
#include "server/base/actor.h"
#include "server/base/error.h"

namespace allot::store {
class Database;
}

namespace allot::admin {

struct AppTokenView {
  std::string id;
  std::string name;
  std::vector<std::string> products;  // empty: every product
  std::string created_at;
};

struct CreatedAppToken {
  AppTokenView view;
  std::string token;  // shown once
};

// Issues a token named `name` for `products` (nullopt: every product).
// kInvalidRequest naming the field for a bad name, an empty products list,
// more than 100 products or a product the tenant does not have.
Result<CreatedAppToken> CreateAppToken(store::Database& db, const std::string& tenant,
                                       const Actor& actor, const std::string& name,
                                       const std::optional<std::vector<std::string>>& products);

// Live app tokens ordered by id, after `page.after`.
Result<Listing<AppTokenView>> ListAppTokens(store::Database& db, const std::string& tenant,
                                            const Page& page);

// Revokes a live app token. kNotFound when there is none with that id.
Status RevokeAppToken(store::Database& db, const std::string& tenant, const Actor& actor,
                      const std::string& id);

}  // namespace allot::admin
