#include "server/admin/routes.h"

#include "server/base/base64url.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "scim/json_parse.h"
#include "server/admin/csv_export.h"
#include "server/http/error_table.h"

namespace allot::admin {
namespace {


std::string_view TypeName(FieldType type) {
  switch (type) {
    case FieldType::kString: return "a string";
    case FieldType::kInteger: return "an integer";
    case FieldType::kBoolean: return "true or false";
    case FieldType::kArrayOfStrings: return "an array of strings";
    case FieldType::kObject: return "an object";
    case FieldType::kAny: return "a value";
  }
  return "a value";
}

bool HasType(const nlohmann::json& v, FieldType type) {
  switch (type) {
    case FieldType::kString: return v.is_string();
    case FieldType::kInteger: return v.is_number_integer();
    case FieldType::kBoolean: return v.is_boolean();
    case FieldType::kObject: return v.is_object();
    case FieldType::kAny: return true;
    case FieldType::kArrayOfStrings:
      if (!v.is_array()) return false;
      for (const auto& item : v) {
        if (!item.is_string()) return false;
      }
      return true;
  }
  return false;
}


// Set once while the server is built, read by request threads afterwards.
UserScopeCheck& InstalledUserScopeCheck() {
  static UserScopeCheck check;
  return check;
}

// Read routes about one user: "/users/{…}" followed by anything.
bool ReadsOneUser(std::string_view pattern, Action action) {
  return (action == Action::kReadDirectory || action == Action::kReadAudit) &&
         pattern.starts_with("/users/{");
}

}  // namespace

void SetUserScopeCheck(UserScopeCheck check) { InstalledUserScopeCheck() = std::move(check); }

QueryNames Paged(std::initializer_list<std::string_view> more) {
  QueryNames names = {"limit", "cursor"};
  names.insert(names.end(), more.begin(), more.end());
  return names;
}

Status CheckQueryNames(const http::Request& request, const QueryNames& allowed) {
  for (const auto& [name, value] : request.query) {
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    std::string known;
    for (std::string_view a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
    return Fail(ErrorCode::kInvalidRequest,
                "unknown query parameter \"" + name + "\"" +
                    (known.empty() ? std::string("; this endpoint takes none")
                                   : "; this endpoint takes " + known));
  }
  return Ok();
}

void AddAdminRoute(http::Router& router, std::string method, std::string_view pattern,
                   Action action, AdminHandler handler, QueryNames query) {
  const bool reads_one_user = ReadsOneUser(pattern, action);
  const CsvExport* csv = method == "GET" ? CsvExportFor(pattern) : nullptr;
  // A list that exports to CSV takes format= beside its own parameters.
  if (csv != nullptr) query.push_back("format");
  router.Add(std::move(method), "/admin/v1" + std::string(pattern),
             [action, reads_one_user, csv, handler = std::move(handler),
              query = std::move(query)](const http::Request& req, http::Response& res) {
               // The server authenticates every /admin/v1 request before
               // routing; a missing principal is a wiring bug, not a 500.
               if (req.principal == nullptr) {
                 return RenderError({ErrorCode::kUnauthorized, "no credential"}, res);
               }
               auto access = Authorize(*req.principal, action);
               if (!access) return RenderError(access.error(), res);
               if (auto q = CheckQueryNames(req, query); !q) return RenderError(q.error(), res);
               const UserScopeCheck& check = InstalledUserScopeCheck();
               if (reads_one_user && !access->all_subscriptions && check &&
                   !req.path_params.empty()) {
                 if (auto s = check(*access, req.path_params[0]); !s) {
                   return RenderError(s.error(), res);
                 }
               }
               if (csv && req.HasQuery("format")) {
                 const std::string format = req.Query("format");
                 if (format == "csv") {
                   // The stream calls the handler again for each page after
                   // this request's handler returned: it keeps copies (the
                   // access points at the request's principal, which lives
                   // as long as the response).
                   return RenderCsvExport(
                       *csv, req,
                       [handler, access = *access](const http::Request& page,
                                                   http::Response& out) {
                         handler(page, access, out);
                       },
                       res);
                 }
                 if (format != "json") {
                   return RenderError(
                       {ErrorCode::kInvalidRequest, "format must be json (the default) or csv"},
                       res);
                 }
                 http::Request as_json = req;
                 as_json.query.erase("format");
                 return handler(as_json, *access, res);
               }
               handler(req, *access, res);
             });
}

void RenderJson(int status, const nlohmann::json& body, http::Response& response) {
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void RenderError(const Error& error, http::Response& response) {
  http::RenderError(http::Surface::kAdmin, error, response);
}

Result<nlohmann::json> ParseBody(std::string_view body, std::initializer_list<FieldSpec> fields) {
  nlohmann::json j;
  const scim::JsonParseStatus parsed = scim::ParseJsonBounded(body, &j);
  if (parsed == scim::JsonParseStatus::kTooDeep) {
    return Fail(ErrorCode::kInvalidRequest, scim::JsonTooDeepMessage());
  }
  if (parsed != scim::JsonParseStatus::kOk || !j.is_object()) {
    return Fail(ErrorCode::kInvalidRequest, "the request body must be a JSON object");
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const FieldSpec& f : fields) known = known || f.name == it.key();
    if (!known) {
      return Fail(ErrorCode::kInvalidRequest, "unknown field \"" + it.key() + "\"");
    }
  }
  for (const FieldSpec& f : fields) {
    auto it = j.find(f.name);
    if (it == j.end() || it->is_null()) {
      if (f.required) {
        return Fail(ErrorCode::kInvalidRequest,
                    "missing field \"" + std::string(f.name) + "\" (" +
                        std::string(TypeName(f.type)) + ")");
      }
      if (it != j.end()) j.erase(it);
      continue;
    }
    if (!HasType(*it, f.type)) {
      return Fail(ErrorCode::kInvalidRequest, "field \"" + std::string(f.name) + "\" must be " +
                                                  std::string(TypeName(f.type)));
    }
  }
  return j;
}

Result<nlohmann::json> ParseOptionalBody(std::string_view body,
                                         std::initializer_list<FieldSpec> fields) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return ParseBody("{}", fields);
  }
  return ParseBody(body, fields);
}

nlohmann::json PageBody(nlohmann::json items, std::string_view next_key) {
  nlohmann::json out = {{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (!next_key.empty()) out["next_cursor"] = EncodeCursor(next_key);
  return out;
}

Result<Page> ParsePage(const http::Request& request) {
  Page page;
  if (request.HasQuery("limit")) {
    const std::string text = request.Query("limit");
    if (text.empty() || text.size() > 4 || text.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(text) < 1 || std::stoi(text) > 1000) {
      return Fail(ErrorCode::kInvalidRequest, "limit must be an integer from 1 to 1000");
    }
    page.limit = std::stoi(text);
  }
  if (request.HasQuery("cursor")) {
    auto decoded = Base64UrlDecode(request.Query("cursor"));
    if (!decoded || decoded->empty()) {
      return Fail(ErrorCode::kInvalidRequest,
                  "cursor is not valid; pass the next_cursor of the previous page");
    }
    page.after = std::move(*decoded);
  }
  return page;
}

std::string EncodeCursor(std::string_view key) { return Base64UrlEncode(key); }

bool IsValidSlug(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(id[0])) return false;
  for (char c : id) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace allot::admin
