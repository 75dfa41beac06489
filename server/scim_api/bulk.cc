#include "server/scim_api/bulk.h"

#include <map>

#include <nlohmann/json.hpp>

#include "scim/messages.h"
#include "server/scim_api/scim_http.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

constexpr std::string_view kBulkRequest = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
constexpr std::string_view kBulkResponse = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

// Replaces "bulkId:x" strings (whole values) in `v` with the created ids.
// Returns false naming the first unresolved reference in *missing.
bool Resolve(json& v, const std::map<std::string, std::string>& ids, std::string* missing) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.rfind("bulkId:", 0) == 0) {
      auto it = ids.find(s.substr(7));
      if (it == ids.end()) {
        *missing = s;
        return false;
      }
      v = it->second;
    }
    return true;
  }
  if (v.is_array() || v.is_object()) {
    for (auto& e : v) {
      if (!Resolve(e, ids, missing)) return false;
    }
  }
  return true;
}

json ErrorResponse(const scim::Error& e) { return scim::ErrorBody(e); }

}  // namespace

void AddBulkRoute(http::Router& router, const ScimApiDeps& deps) {
  const http::Router* r = &router;
  router.Add("POST", "/scim/v2/Bulk", [r, deps](const http::Request& req, http::Response& res) {
    auto body = ParseBody(req);
    if (!body) return RenderScimError(body.error(), res);
    auto ops_it = body->find("Operations");
    if (ops_it == body->end() || !ops_it->is_array()) {
      return RenderScimError(
          scim::Error::InvalidSyntax("a BulkRequest needs an 'Operations' array"), res);
    }
    if (ops_it->size() > static_cast<size_t>(kMaxBulkOperations)) {
      return RenderScimError(
          scim::Error{413, "tooMany",
                      "a BulkRequest may hold at most " + std::to_string(kMaxBulkOperations) +
                          " operations (maxOperations); this one has " +
                          std::to_string(ops_it->size())},
          res);
    }
    long long fail_on_errors = 0;  // 0: do them all
    if (auto f = body->find("failOnErrors"); f != body->end() && !f->is_null()) {
      // 0 (sent by some clients) means no limit, like leaving it out.
      if (!f->is_number_integer() || f->get<long long>() < 0) {
        return RenderScimError(
            scim::Error::InvalidValue("failOnErrors must be a non-negative integer"), res);
      }
      fail_on_errors = f->get<long long>();
    }
    std::map<std::string, std::string> created;  // bulkId → id
    json results = json::array();
    long long errors = 0;
    for (json& op : *ops_it) {
      if (fail_on_errors > 0 && errors >= fail_on_errors) break;
      json out = json::object();
      auto fail = [&](const scim::Error& e) {
        out["status"] = std::to_string(e.status);
        out["response"] = ErrorResponse(e);
        results.push_back(out);
        ++errors;
      };
      if (!op.is_object()) {
        fail(scim::Error::InvalidSyntax("each bulk operation must be an object"));
        continue;
      }
      std::string method = op.value("method", json()).is_string() ? op["method"].get<std::string>() : "";
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out["method"] = method;
      std::string bulk_id;
      if (auto b = op.find("bulkId"); b != op.end() && b->is_string()) {
        bulk_id = *b;
        out["bulkId"] = bulk_id;
      }
      json path = op.value("path", json());
      if (method != "POST" && method != "PUT" && method != "PATCH" && method != "DELETE") {
        fail(scim::Error::InvalidValue("bulk operation method must be POST, PUT, PATCH or DELETE"));
        continue;
      }
      if (!path.is_string() || path.get<std::string>().empty() || path.get<std::string>()[0] != '/') {
        fail(scim::Error::InvalidValue("bulk operation path must be like '/Users' or '/Users/{id}'"));
        continue;
      }
      if (method == "POST" && bulk_id.empty()) {
        fail(scim::Error::InvalidValue("a bulk POST needs a bulkId"));
        continue;
      }
      std::string missing;
      json data = op.value("data", json());
      // A path references a bulkId as its last segment: /Users/bulkId:x.
      if (std::string ps = path.get<std::string>(); ps.find("/bulkId:") != std::string::npos) {
        const size_t at = ps.find("/bulkId:");
        json ref = ps.substr(at + 1);
        if (Resolve(ref, created, &missing)) path = ps.substr(0, at + 1) + ref.get<std::string>();
      }
      if (!missing.empty() || !Resolve(data, created, &missing)) {
        fail(scim::Error{409, "invalidValue",
                         "unresolved bulkId reference '" + missing + "'"});
        continue;
      }
      const std::string p = path.get<std::string>();
      if (!(p.rfind("/Users", 0) == 0 || p.rfind("/Groups", 0) == 0) ||
          p.find('?') != std::string::npos || p.find("/.search") != std::string::npos) {
        fail(scim::Error::InvalidValue("bulk operation path must name /Users or /Groups"));
        continue;
      }
      http::Router::Match match = r->Find(method, "/scim/v2" + p);
      if (match.kind != http::Router::Match::Kind::kFound) {
        fail(scim::Error{match.kind == http::Router::Match::Kind::kNotFound ? 404 : 405, "",
                         "no " + method + " on " + p});
        continue;
      }
      http::Request sub;
      sub.method = method;
      sub.path = "/scim/v2" + p;
      sub.path_params = std::move(match.params);
      sub.body = data.is_null() ? "" : data.dump(-1, ' ', false, json::error_handler_t::replace);
      sub.request_id = req.request_id;
      sub.base_url = req.base_url;
      sub.principal = req.principal;
      if (auto v = op.find("version"); v != op.end() && v->is_string()) {
        sub.headers.emplace("If-Match", v->get<std::string>());
      }
      http::Response sub_res;
      (*match.handler)(sub, sub_res);
      out["status"] = std::to_string(sub_res.status);
      std::string location, etag;
      for (const auto& [k, v] : sub_res.headers) {
        if (k == "Location") location = v;
        if (k == "ETag") etag = v;
      }
      if (location.empty() && method != "DELETE") location = req.base_url + "/scim/v2" + p;
      if (!location.empty()) out["location"] = location;
      if (!etag.empty()) out["version"] = etag;
      if (sub_res.status >= 400) {
        out["response"] = json::parse(sub_res.body, nullptr, false);
        ++errors;
      } else if (method == "POST") {
        json created_body = json::parse(sub_res.body, nullptr, false);
        if (created_body.is_object() && created_body.contains("id")) {
          created[bulk_id] = created_body["id"].get<std::string>();
        }
      }
      results.push_back(std::move(out));
    }
    json response = {{"schemas", {kBulkResponse}}, {"Operations", std::move(results)}};
    res.status = 200;
    res.content_type = kScimContentType;
    res.body = response.dump(-1, ' ', false, json::error_handler_t::replace);
  });
  (void)kBulkRequest;
}

}  // namespace allot::scim_api
