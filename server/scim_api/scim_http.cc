#include "server/scim_api/scim_http.h"

#include <charconv>

#include "scim/messages.h"
#include "scim/resource.h"
#include "server/http/error_table.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

scim::Result<long long> ParseInt(std::string_view name, std::string_view text) {
  long long v = 0;
  const char* b = text.data();
  const char* e = text.data() + text.size();
  if (!text.empty() && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, v);
  if (text.empty() || ec != std::errc() || p != e) {
    return scim::Fail(scim::Error::InvalidValue(std::string(name) + " must be an integer, got '" +
                                                std::string(text.substr(0, 40)) + "'"));
  }
  return v;
}

// Shared by the query-string and body forms; `get` returns the parameter's
// text, or nullopt when absent.
template <typename Get>
scim::Result<ListRequest> Build(Get get, const scim::ResourceType* type) {
  ListRequest out;
  if (auto f = get("filter"); f && !f->empty()) {
    auto parsed = scim::ParseFilter(*f);
    if (!parsed) return scim::Fail(parsed.error());
    out.query.filter = *parsed;
  }
  if (auto s = get("startIndex"); s && !s->empty()) {
    auto v = ParseInt("startIndex", *s);
    if (!v) return scim::Fail(v.error());
    out.query.start_index = std::max<long long>(1, *v);  // RFC: < 1 means 1
  }
  out.query.count = kDefaultCount;
  if (auto c = get("count"); c && !c->empty()) {
    auto v = ParseInt("count", *c);
    if (!v) return scim::Fail(v.error());
    out.query.count = std::clamp<long long>(*v, 0, kMaxCount);  // RFC: negative means 0
  }
  out.count_zero = out.query.count == 0;
  if (auto s = get("sortBy"); s && !s->empty()) {
    auto path = scim::ParseAttrPath(*s);
    if (!path) return scim::Fail(scim::Error::InvalidValue("sortBy: " + path.error().detail));
    out.query.sort_by = *path;
  }
  if (auto o = get("sortOrder"); o && !o->empty()) {
    std::string lower;
    for (char ch : *o) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == "descending") {
      out.query.descending = true;
    } else if (lower != "ascending") {
      return scim::Fail(scim::Error::InvalidValue("sortOrder must be 'ascending' or 'descending'"));
    }
  }
  if (auto c = get("cursor"); c) out.query.cursor = *c;
  auto a = get("attributes");
  auto x = get("excludedAttributes");
  out.attributes = a ? *a : "";
  out.excluded_attributes = x ? *x : "";
  out.has_projection = !out.attributes.empty() || !out.excluded_attributes.empty();
  if (type && out.has_projection) {
    auto p = scim::ParseProjection(*type, out.attributes, out.excluded_attributes);
    if (!p) return scim::Fail(p.error());
    out.projection = std::move(*p);
  }
  return out;
}

// Joins a JSON list of attribute names (SearchRequest form) with commas.
std::optional<std::string> ListText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (!v.is_array()) return std::nullopt;
  std::string out;
  for (const json& e : v) {
    if (!e.is_string()) continue;
    if (!out.empty()) out += ',';
    out += e.get<std::string>();
  }
  return out;
}

}  // namespace

void RenderScimError(const scim::Error& error, http::Response& res) {
  // Never a 5xx from client input: the only 5xx left are storage failures.
  http::RenderScimError(error.status, error.scim_type, error.detail, res);
  if (error.status == 503 || error.status == 429) res.SetHeader("Retry-After", "1");
}

scim::Result<json> ParseBody(const http::Request& req) { return scim::ParseJsonObject(req.body); }

Caller CallerOf(const http::Request& req, const ScimApiDeps& deps) {
  Caller c;
  if (req.principal) {
    c.tenant = req.principal->tenant_id;
    c.actor = Actor{Actor::Kind::kScim, req.principal->id};
  }
  c.listener = deps.listener;
  return c;
}

scim::Result<ListRequest> ListRequestFromQuery(const http::Request& req,
                                               const scim::ResourceType* type) {
  return Build(
      [&](const char* name) -> std::optional<std::string> {
        // Parameter names are case-insensitive in practice (startindex).
        for (const auto& [k, v] : req.query) {
          if (scim::EqualsIgnoreCase(k, name)) return v;
        }
        return std::nullopt;
      },
      type);
}

scim::Result<ListRequest> ListRequestFromSearch(const json& body, const scim::ResourceType* type) {
  for (const auto& [k, v] : body.items()) {
    if (scim::EqualsIgnoreCase(k, "schemas") || v.is_null()) continue;
    const bool text = scim::EqualsIgnoreCase(k, "filter") || scim::EqualsIgnoreCase(k, "sortBy") ||
                      scim::EqualsIgnoreCase(k, "sortOrder") || scim::EqualsIgnoreCase(k, "cursor");
    if (text && !v.is_string()) {
      return scim::Fail(scim::Error::InvalidValue("SearchRequest '" + k + "' must be a string"));
    }
    const bool number = scim::EqualsIgnoreCase(k, "startIndex") || scim::EqualsIgnoreCase(k, "count");
    if (number && !v.is_number_integer()) {
      return scim::Fail(scim::Error::InvalidValue("SearchRequest '" + k + "' must be an integer"));
    }
  }
  return Build(
      [&](const char* name) -> std::optional<std::string> {
        for (const auto& [k, v] : body.items()) {
          if (!scim::EqualsIgnoreCase(k, name) || v.is_null()) continue;
          if (v.is_string()) return v.get<std::string>();
          if (v.is_number_integer()) return std::to_string(v.get<long long>());
          return ListText(v);
        }
        return std::nullopt;
      },
      type);
}

scim::Result<std::optional<scim::Projection>> ProjectionFromQuery(const http::Request& req,
                                                                  const scim::ResourceType& type) {
  std::string a, x;
  bool any = false;
  for (const auto& [k, v] : req.query) {
    if (scim::EqualsIgnoreCase(k, "attributes")) a = v, any = true;
    if (scim::EqualsIgnoreCase(k, "excludedAttributes")) x = v, any = true;
  }
  if (!any || (a.empty() && x.empty())) return std::optional<scim::Projection>();
  auto p = scim::ParseProjection(type, a, x);
  if (!p) return scim::Fail(p.error());
  return std::optional<scim::Projection>(std::move(*p));
}

bool Returned(const std::optional<scim::Projection>& projection, const scim::ResourceType& type,
              const char* attr) {
  return !projection || scim::IsReturned(type, *projection, attr);
}

void RenderResource(int status, std::string body, long long version, const std::string& location,
                    http::Response& res) {
  res.status = status;
  res.content_type = kScimContentType;
  res.body = std::move(body);
  res.SetHeader("ETag", "W/\"" + std::to_string(version) + "\"");
  if (status == 201) res.SetHeader("Location", location);
}

}  // namespace allot::scim_api
