// The /Users endpoints: thin handlers over user_store.
#include <soci/soci.h>

#include "scim/patch.h"
#include "server/scim_api/handlers.h"
#include "server/scim_api/list_store.h"
#include "server/scim_api/render.h"
#include "server/scim_api/scim_http.h"
#include "server/scim_api/sql_util.h"
#include "server/scim_api/user_store.h"
#include "server/licensing/queries.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

const scim::ResourceType& UserType() {
  return *scim::DefaultRegistry().FindResourceType("User");
}

// Renders `row` with its groups (loaded when returned) for a write response.
void RespondWithUser(const ScimApiDeps& deps, const http::Request& req, const ResourceRow& row,
                     int status, http::Response& res) {
  auto projection = ProjectionFromQuery(req, UserType());
  if (!projection) return RenderScimError(projection.error(), res);
  std::vector<Ref> groups;
  if (status != 201 && Returned(*projection, UserType(), "groups")) {
    ScimRead(deps.db, [&](soci::session& sql) -> scim::Status {
      groups = std::move(LoadUserGroups(sql, req.principal->tenant_id, {row.id})[row.id]);
      return scim::Ok();
    });
  }
  RenderResource(status,
                 RenderUser(row, &groups, req.base_url, *projection ? &**projection : nullptr),
                 row.version, UserLocation(req.base_url, row.id), res);
}

void ListUsers(const ScimApiDeps& deps, const http::Request& req, const ListRequest& list,
               http::Response& res) {
  RespondWithList(ListUsersRendered(deps, req, list), list, res);
}

}  // namespace

scim::Result<RenderedPage> ListUsersRendered(const ScimApiDeps& deps, const http::Request& req,
                                             const ListRequest& list) {
  RenderedPage out;
  const std::string& tenant = req.principal->tenant_id;
  const bool with_groups = Returned(list.projection, UserType(), "groups");
  auto s = ScimRead(deps.db, [&](soci::session& sql) -> scim::Status {
    auto page = ListResources(sql, tenant, ResourceKind::kUser, list.query);
    if (!page) return scim::Fail(page.error());
    out.total = page->total;
    out.start_index = page->start_index;
    out.next_cursor = page->next_cursor;
    std::map<std::string, std::vector<Ref>> groups;
    if (with_groups && !page->rows.empty()) {
      std::vector<std::string> ids;
      for (const ResourceRow& r : page->rows) ids.push_back(r.id);
      groups = LoadUserGroups(sql, tenant, ids);  // one query for the page
    }
    const scim::Projection* p = list.projection ? &*list.projection : nullptr;
    json licensing = json::object();
    if (WantsLicensing(p) && !page->rows.empty()) {
      std::vector<std::string> ids;
      for (const ResourceRow& r : page->rows) ids.push_back(r.id);
      auto l = licensing::LicensesForUsers(sql, tenant, ids);  // one query for the page
      if (!l) return scim::Fail(scim::Error{503, "", l.error().message});
      licensing = std::move(*l);
    }
    for (const ResourceRow& r : page->rows) {
      auto it = groups.find(r.id);
      auto lic = licensing.find(r.id);
      out.resources.push_back(RenderUser(r, it == groups.end() ? nullptr : &it->second,
                                         req.base_url, p,
                                         lic == licensing.end() ? nullptr : &*lic));
    }
    return scim::Ok();
  });
  if (!s) return scim::Fail(s.error());
  return out;
}

void AddUserRoutes(http::Router& router, const ScimApiDeps& deps) {
  router.Add("GET", "/scim/v2/Users", [deps](const http::Request& req, http::Response& res) {
    auto list = ListRequestFromQuery(req, &UserType());
    if (!list) return RenderScimError(list.error(), res);
    ListUsers(deps, req, *list, res);
  });

  router.Add("POST", "/scim/v2/Users/.search",
             [deps](const http::Request& req, http::Response& res) {
               auto body = ParseBody(req);
               if (!body) return RenderScimError(body.error(), res);
               auto list = ListRequestFromSearch(*body, &UserType());
               if (!list) return RenderScimError(list.error(), res);
               ListUsers(deps, req, *list, res);
             });

  router.Add("GET", "/scim/v2/Users/{id}", [deps](const http::Request& req, http::Response& res) {
    auto projection = ProjectionFromQuery(req, UserType());
    if (!projection) return RenderScimError(projection.error(), res);
    std::vector<Ref> groups;
    const bool with_groups = Returned(*projection, UserType(), "groups");
    auto row = GetUser(deps.db, req.principal->tenant_id, req.path_params[0],
                       with_groups ? &groups : nullptr);
    if (!row) return RenderScimError(row.error(), res);
    const std::string inm = req.Header("If-None-Match");
    if (!inm.empty() && ETagMatches(inm, row->version)) {
      res.status = 304;
      res.content_type = kScimContentType;
      res.SetHeader("ETag", ETag(row->version));
      return;
    }
    const scim::Projection* p = *projection ? &**projection : nullptr;
    json licensing;
    if (WantsLicensing(p)) {
      auto s = ScimRead(deps.db, [&](soci::session& sql) -> scim::Status {
        auto l = licensing::LicensesForUsers(sql, req.principal->tenant_id, {row->id});
        if (!l) return scim::Fail(scim::Error{503, "", l.error().message});
        licensing = std::move((*l)[row->id]);
        return scim::Ok();
      });
      if (!s) return RenderScimError(s.error(), res);
    }
    RenderResource(200,
                   RenderUser(*row, &groups, req.base_url, p, licensing.is_null() ? nullptr : &licensing),
                   row->version, "", res);
  });

  router.Add("POST", "/scim/v2/Users", [deps](const http::Request& req, http::Response& res) {
    auto body = ParseBody(req);
    if (!body) return RenderScimError(body.error(), res);
    auto row = CreateUser(deps.db, CallerOf(req, deps), *body);
    if (!row) return RenderScimError(row.error(), res);
    RespondWithUser(deps, req, *row, 201, res);
  });

  router.Add("PUT", "/scim/v2/Users/{id}", [deps](const http::Request& req, http::Response& res) {
    auto body = ParseBody(req);
    if (!body) return RenderScimError(body.error(), res);
    auto row = ReplaceUser(deps.db, CallerOf(req, deps), req.path_params[0], *body,
                           req.Header("If-Match"));
    if (!row) return RenderScimError(row.error(), res);
    RespondWithUser(deps, req, *row, 200, res);
  });

  router.Add("PATCH", "/scim/v2/Users/{id}",
             [deps](const http::Request& req, http::Response& res) {
               auto body = ParseBody(req);
               if (!body) return RenderScimError(body.error(), res);
               auto patch = scim::ParsePatchRequest(*body);
               if (!patch) return RenderScimError(patch.error(), res);
               auto row = PatchUser(deps.db, CallerOf(req, deps), req.path_params[0], *patch,
                                    req.Header("If-Match"));
               if (!row) return RenderScimError(row.error(), res);
               RespondWithUser(deps, req, *row, 200, res);
             });

  router.Add("DELETE", "/scim/v2/Users/{id}",
             [deps](const http::Request& req, http::Response& res) {
               auto s = DeleteUser(deps.db, CallerOf(req, deps), req.path_params[0],
                                   req.Header("If-Match"));
               if (!s) return RenderScimError(s.error(), res);
               res.status = 204;
               res.content_type = kScimContentType;
             });
}

}  // namespace allot::scim_api
