// /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4), from
// the library's registry, plus the root POST /.search (RFC 7644 §3.4.3).
#include "scim/discovery.h"
#include "scim/messages.h"
#include "scim/schema.h"
#include "server/scim_api/handlers.h"
#include "server/scim_api/render.h"
#include "server/scim_api/scim_http.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

json ServiceProviderConfig(const ScimApiDeps& deps, const std::string& base_url) {
  scim::ServiceProviderOptions options;
  options.bulk_max_operations = kMaxBulkOperations;
  options.bulk_max_payload_size = static_cast<int64_t>(deps.max_payload_bytes);
  options.filter_max_results = static_cast<int>(kMaxCount);
  // Absolute and answering (RFC 7643 §5: HTTP-addressable): allot serves its
  // own docs (server/app/docs_routes.h).
  options.documentation_uri = base_url + "/docs/scim-api.md";
  json out = scim::RenderServiceProviderConfig(options, base_url + "/scim/v2");
  // RFC 9865 cursor pagination (not yet in the library's options).
  out["pagination"] = {{"cursor", true},
                       {"index", true},
                       {"defaultPaginationMethod", "index"},
                       {"defaultPageSize", kDefaultCount},
                       {"maxPageSize", kMaxCount}};
  return out;
}

void RenderJson(json body, http::Response& res) {
  res.status = 200;
  res.content_type = kScimContentType;
  res.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

void AddDiscoveryRoutes(http::Router& router, const ScimApiDeps& deps) {
  router.Add("GET", "/scim/v2/ServiceProviderConfig",
             [deps](const http::Request& req, http::Response& res) {
               RenderJson(ServiceProviderConfig(deps, req.base_url), res);
             });
  router.Add("GET", "/scim/v2/ResourceTypes", [](const http::Request& req, http::Response& res) {
    RenderJson(scim::RenderResourceTypes(scim::DefaultRegistry(), req.base_url + "/scim/v2"), res);
  });
  router.Add("GET", "/scim/v2/ResourceTypes/{id}",
             [](const http::Request& req, http::Response& res) {
               const scim::ResourceType* t =
                   scim::DefaultRegistry().FindResourceType(req.path_params[0]);
               if (!t) {
                 return RenderScimError(
                     scim::Error::NotFound("no ResourceType '" + req.path_params[0] + "'"), res);
               }
               RenderJson(scim::RenderResourceType(*t, req.base_url + "/scim/v2"), res);
             });
  router.Add("GET", "/scim/v2/Schemas", [](const http::Request& req, http::Response& res) {
    RenderJson(scim::RenderSchemas(scim::DefaultRegistry(), req.base_url + "/scim/v2"), res);
  });
  router.Add("GET", "/scim/v2/Schemas/{id}", [](const http::Request& req, http::Response& res) {
    const scim::Schema* s = scim::DefaultRegistry().FindSchema(req.path_params[0]);
    if (!s) {
      return RenderScimError(scim::Error::NotFound("no Schema '" + req.path_params[0] + "'"), res);
    }
    RenderJson(scim::RenderSchema(*s, req.base_url + "/scim/v2"), res);
  });
}

void AddRootSearchRoute(http::Router& router, const ScimApiDeps& deps) {
  // Users first, then Groups, as one list. A filter naming an attribute one
  // type lacks matches nothing of that type.
  router.Add("POST", "/scim/v2/.search", [deps](const http::Request& req, http::Response& res) {
    auto body = ParseBody(req);
    if (!body) return RenderScimError(body.error(), res);
    auto list = ListRequestFromSearch(*body, nullptr);
    if (!list) return RenderScimError(list.error(), res);
    if (list->query.cursor || list->query.sort_by) {
      return RenderScimError(scim::Error::InvalidValue(
                                 "POST /.search supports startIndex paging without sortBy"),
                             res);
    }
    RenderedPage all;
    all.start_index = list->query.start_index;
    long long skip = list->query.start_index - 1;
    long long want = list->query.count;
    bool any_type = false;
    scim::Error last_error = scim::Error::InvalidFilter("the filter matches no resource type");
    for (const char* type_id : {"User", "Group"}) {
      const scim::ResourceType& type = *scim::DefaultRegistry().FindResourceType(type_id);
      ListRequest one = *list;
      if (one.has_projection) {
        auto p = scim::ParseProjection(type, one.attributes, one.excluded_attributes);
        if (!p) return RenderScimError(p.error(), res);
        one.projection = std::move(*p);
      }
      one.query.start_index = skip + 1;
      one.query.count = want;
      auto page = std::string(type_id) == "User" ? ListUsersRendered(deps, req, one)
                                                 : ListGroupsRendered(deps, req, one);
      if (!page) {
        if (page.error().scim_type == "invalidFilter") {
          last_error = page.error();
          continue;
        }
        return RenderScimError(page.error(), res);
      }
      any_type = true;
      all.total += page->total;
      skip = std::max<long long>(0, skip - page->total);
      want -= static_cast<long long>(page->resources.size());
      for (auto& r : page->resources) all.resources.push_back(std::move(r));
    }
    if (!any_type) return RenderScimError(last_error, res);
    res.status = 200;
    res.content_type = kScimContentType;
    res.body = RenderList(all.total, all.start_index, all.resources, std::nullopt,
                          list->count_zero);
  });
}

}  // namespace allot::scim_api
