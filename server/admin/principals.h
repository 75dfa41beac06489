// server/admin/principals.h — administrators, their roles and tokens, and SCIM
// provisioning tokens: the domain behind /admins and /scim-tokens. Knows
// nothing of HTTP.
//
// Every change runs in one transaction with its audit event, so a failed
// request changes nothing and a successful one is always recorded. One rule
// keeps a tenant from locking itself out: no change may leave it without a
// Global admin that holds a live token (kConflict, nothing changed).
// Tokens are returned once, in IssuedToken; only their hashes are stored.
// Thread-safety: stateless functions; the Database serialises writes.
#pragma once

#include <string>
#include <vector>

#include "server/admin/routes.h"
#include "server/auth/tokens.h"
#include "server/base/actor.h"
#include "server/base/error.h"

namespace allot::store {
class Database;
}

namespace allot::admin {

struct AdminView {
  std::string id;
  std::string name;
  std::string role;
  std::vector<std::string> subscriptions;  // subscription_admin only; sorted
  std::string created_at;
};

struct NewAdmin {
  std::string name;
  std::string role;
  std::vector<std::string> subscriptions;
};

struct CreatedAdmin {
  AdminView admin;
  auth::IssuedToken token;
};

struct TokenView {
  std::string id;
  std::string principal_id;
  std::string name;  // the principal's name (SCIM tokens: the client's name)
  std::string created_at;
};

struct CreatedScimToken {
  TokenView view;
  std::string token;
};

// Live (not deleted) administrators ordered by id, after `page.after`.
Result<Listing<AdminView>> ListAdmins(store::Database& db, const std::string& tenant,
                                      const Page& page);

// kNotFound when there is no live administrator with this id.
Result<AdminView> GetAdmin(store::Database& db, const std::string& tenant, const std::string& id);

// Creates the principal and its first token. kInvalidRequest naming the
// field for a bad name, role or subscriptions (required for, and only for,
// subscription_admin; each must be an existing subscription when the
// licensing tables exist).
Result<CreatedAdmin> CreateAdmin(store::Database& db, const std::string& tenant,
                                 const Actor& actor, const NewAdmin& request);

// Deletes the administrator and revokes all its tokens at once. kNotFound
// for no such live admin; kConflict if it is the last usable Global admin.
Status DeleteAdmin(store::Database& db, const std::string& tenant, const Actor& actor,
                   const std::string& id);

// Live tokens of a live administrator (ids and dates, never the token).
Result<std::vector<TokenView>> ListAdminTokens(store::Database& db, const std::string& tenant,
                                               const std::string& admin_id);

// Issues one more token for a live administrator.
Result<auth::IssuedToken> IssueAdminToken(store::Database& db, const std::string& tenant,
                                          const Actor& actor, const std::string& admin_id);

// Revokes one live token of that administrator. kNotFound for no such
// token of that admin; kConflict if it would leave no usable Global admin.
Status RevokeAdminToken(store::Database& db, const std::string& tenant, const Actor& actor,
                        const std::string& admin_id, const std::string& token_id);

// Creates a SCIM client principal named `name` (default "SCIM client") and
// its token; the returned view's id is the token's id.
Result<CreatedScimToken> CreateScimToken(store::Database& db, const std::string& tenant,
                                         const Actor& actor, const std::string& name);

// Live SCIM tokens ordered by id, after `page.after`.
Result<Listing<TokenView>> ListScimTokens(store::Database& db, const std::string& tenant,
                                          const Page& page);

// Revokes a live SCIM token. kNotFound when there is none with that id.
Status RevokeScimToken(store::Database& db, const std::string& tenant, const Actor& actor,
                       const std::string& token_id);

// kInvalidRequest naming the problem when `name` is not a usable display
// name (1–200 characters, no control characters).
Status ValidateName(const std::string& field, const std::string& name);

}  // namespace allot::admin
