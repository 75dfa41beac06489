// server/entitlements/entitlements.h — what a product app asks allot: is this
// user entitled to this product, and which licenses does the user hold.
//
// Entitled means exactly: the user exists (not deleted), is active, is not
// on hold, and has an `active` assignment in a subscription of the product
// whose term has begun and not ended at `now`. A pending assignment, an
// active one outside its term (an expiry the sweep has not reached yet),
// an inactive, deleted or held user: not entitled.
//
// A user is named by its SCIM id, its userName (case-insensitively) or its
// externalId, tried in that order; when an externalId is shared by several
// users, the smallest id wins.
//
// Each call runs one prepared statement (kept per pooled connection, every
// table reached by an index probe; no BEGIN/COMMIT around it: a single
// statement's own transaction is one snapshot), reading the committed rows
// directly: nothing is cached, so an answer is never staler than the last
// commit, on any instance sharing the database.
// Thread-safety: stateless functions; the Database is thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/base/error.h"

namespace allot::store {
class Database;
}

namespace allot::entitlements {

// The products an app token may ask about; empty: every product.
using ProductScope = std::vector<std::string>;

struct CheckResult {
  bool entitled = false;
  std::optional<std::string> user_id;  // nullopt: no such user
  std::string product_id;
  std::optional<std::string> subscription_id, state, ends_at;
};

// The answer for `user` and `product` at `now` (RFC 3339 UTC). The license
// shown is the one that entitles, else an active one outside its term, else
// a pending one (then by subscription id). A product outside `scope` is
// answered as one the user holds no license of. Errors are the database's.
Result<CheckResult> Check(store::Database& db, const std::string& tenant, const std::string& user,
                          const std::string& product, const ProductScope& scope,
                          const std::string& now);

struct UserLicense {
  std::string product_id, subscription_id, state;
  std::string since;  // active: when it became active; pending: since it was wanted
  std::optional<std::string> ends_at;
  bool entitled = false;
};

struct UserEntitlements {
  std::string user_id, user_name;
  std::optional<std::string> external_id;
  bool active = false;
  std::vector<UserLicense> licenses;  // of products in the scope, by product then subscription
};

// The user and its licenses at `now`. kNotFound for no such (or a deleted)
// user.
Result<UserEntitlements> UserLicenses(store::Database& db, const std::string& tenant,
                                      const std::string& user, const ProductScope& scope,
                                      const std::string& now);

// The text of the one statement both run (the query-plan test checks that
// every table is reached by an index probe).
std::string UserLicensesSql();

}  // namespace allot::entitlements
