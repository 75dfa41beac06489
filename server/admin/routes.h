// server/admin/routes.h — registering admin API routes under /admin/v1 with
// their Action, so that authorisation runs before the handler (authz.h), and
// the small JSON helpers every admin handler shares: strict body parsing,
// rendering, errors and cursor paging.
// Thread-safety: registration before serving; helpers are stateless.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "server/admin/authz.h"
#include "server/base/error.h"
#include "server/http/router.h"

namespace allot::admin {

using AdminHandler =
    std::function<void(const http::Request&, const Access&, http::Response&)>;

// The query parameters a route accepts (string literals). Every admin route
// refuses any other with 400 invalid_request naming it, before its handler
// runs: a typo (`?qeue=true`, `?until=`) never silently does something else.
using QueryNames = std::vector<std::string_view>;
// `limit` and `cursor` (ParsePage), plus `more`.
QueryNames Paged(std::initializer_list<std::string_view> more = {});

// Adds METHOD /admin/v1<pattern>; the handler runs only when Authorize()
// grants `action` to the request's principal, else 403 with the reason, and
// only when the query has no parameter outside `query`, else 400.
void AddAdminRoute(http::Router& router, std::string method, std::string_view pattern,
                   Action action, AdminHandler handler, QueryNames query = {});

// kInvalidRequest naming the first parameter of `request` not in `allowed`.
Status CheckQueryNames(const http::Request& request, const QueryNames& allowed);

// The scope of a Subscription admin over users, checked before the handler
// of every read route under /users/{id}… (kReadDirectory, kReadAudit): the
// check answers kNotFound when the user is outside the access's scope, so
// no read handler can leak a user it does not cover. admin::AddRoutes
// installs the real check (a database lookup) before serving; until one is
// installed, nothing is checked. Not for concurrent use with serving.
using UserScopeCheck = std::function<Status(const Access&, const std::string& user_id)>;
void SetUserScopeCheck(UserScopeCheck check);

// Writes `body` as JSON with `status`.
void RenderJson(int status, const nlohmann::json& body, http::Response& response);

// Writes an error in the admin shape {"error":{"code","message"}}.
void RenderError(const Error& error, http::Response& response);

enum class FieldType { kString, kInteger, kBoolean, kArrayOfStrings, kObject, kAny };
struct FieldSpec {
  std::string_view name;
  FieldType type;
  bool required = false;
};

// Parses `body` as a JSON object whose fields are all in `fields`, of their
// types. kInvalidRequest naming the field (unknown, missing, wrong type) or
// saying the body is not a JSON object or nests deeper than kMaxJsonDepth
// (scim/json_parse.h, the same check as SCIM bodies). `null` counts as absent
// for optional fields.
Result<nlohmann::json> ParseBody(std::string_view body, std::initializer_list<FieldSpec> fields);

// As ParseBody, for endpoints whose body may be left out: an empty (or
// all-whitespace) body parses as {}.
Result<nlohmann::json> ParseOptionalBody(std::string_view body,
                                         std::initializer_list<FieldSpec> fields);

// Cursor paging: `limit` (1–1000, default 100) and an opaque `cursor` that
// carries the last key of the previous page.
struct Page {
  int limit = 100;
  std::string after;  // the decoded key; empty for the first page
};
// kInvalidRequest naming `limit` or `cursor` when malformed.
Result<Page> ParsePage(const http::Request& request);
std::string EncodeCursor(std::string_view last_key);

// One page of a listing: the items and the key to continue after (empty on
// the last page).
template <typename T>
struct Listing {
  std::vector<T> items;
  std::string next_key;
};

// {"items": items, "next_cursor": EncodeCursor(next_key) or null when
// `next_key` is empty (the last page)}.
nlohmann::json PageBody(nlohmann::json items, std::string_view next_key);

// True for a client-chosen id: [a-z0-9][a-z0-9._-]{0,63}.
bool IsValidSlug(std::string_view id);

}  // namespace allot::admin
