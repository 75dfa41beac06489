// server/scim_api/user_search.h — the text the admin API's user search
// (`GET /admin/v1/users?q=`) matches: a user's userName, displayName,
// name.formatted, name.givenName, name.familyName and email values,
// ASCII-lowered (as the SCIM filter's caseExact=false comparison is) and
// joined by line feeds, less any value found inside another, stored in
// scim_users.search_text (migration 072).
// A plain `q` (printable ASCII) is a substring of this text exactly when it
// is a case-insensitive substring of one of those values.
// Thread-safety: stateless.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "server/base/error.h"

namespace allot::store {
class Database;
}

namespace allot::scim_api {

// The search text of a stored User resource (as user_store keeps it).
std::string UserSearchText(const nlohmann::json& resource);

// True when `q` can be matched against the search text by SQL LIKE on both
// backends: printable ASCII only (no line feed, which joins the values).
bool IsPlainSearch(std::string_view q);

// Fills search_text of live users written before migration 072 (NULL
// there), `batch` users per write transaction, every tenant. Returns how
// many were filled. Safe to run on several instances at once (each row is
// set to the same value).
Result<long long> FillMissingUserSearchText(store::Database& db, int batch = 1000);

}  // namespace allot::scim_api
