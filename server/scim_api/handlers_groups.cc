// The /Groups endpoints: thin handlers over group_store.
#include <soci/soci.h>

#include "scim/patch.h"
#include "server/scim_api/group_store.h"
#include "server/scim_api/handlers.h"
#include "server/scim_api/list_store.h"
#include "server/scim_api/render.h"
#include "server/scim_api/scim_http.h"
#include "server/scim_api/sql_util.h"
#include "server/scim_api/user_store.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

const scim::ResourceType& GroupType() {
  return *scim::DefaultRegistry().FindResourceType("Group");
}

void RespondWithGroup(const http::Request& req, const GroupRecord& rec, int status,
                      http::Response& res) {
  auto projection = ProjectionFromQuery(req, GroupType());
  if (!projection) return RenderScimError(projection.error(), res);
  const std::vector<Ref>* members =
      rec.members && Returned(*projection, GroupType(), "members") ? &*rec.members : nullptr;
  RenderResource(status,
                 RenderGroup(rec.row, members, req.base_url, *projection ? &**projection : nullptr),
                 rec.row.version, GroupLocation(req.base_url, rec.row.id), res);
}

void ListGroups(const ScimApiDeps& deps, const http::Request& req, const ListRequest& list,
                http::Response& res) {
  RespondWithList(ListGroupsRendered(deps, req, list), list, res);
}

}  // namespace

scim::Result<RenderedPage> ListGroupsRendered(const ScimApiDeps& deps, const http::Request& req,
                                              const ListRequest& list) {
  RenderedPage out;
  const std::string& tenant = req.principal->tenant_id;
  const bool with_members = Returned(list.projection, GroupType(), "members");
  auto s = ScimRead(deps.db, [&](soci::session& sql) -> scim::Status {
    auto page = ListResources(sql, tenant, ResourceKind::kGroup, list.query);
    if (!page) return scim::Fail(page.error());
    out.total = page->total;
    out.start_index = page->start_index;
    out.next_cursor = page->next_cursor;
    std::map<std::string, std::vector<Ref>> members;
    if (with_members && !page->rows.empty()) {
      std::vector<std::string> ids;
      for (const ResourceRow& r : page->rows) ids.push_back(r.id);
      members = LoadMembers(sql, tenant, ids);  // one query for the page
    }
    const scim::Projection* p = list.projection ? &*list.projection : nullptr;
    for (const ResourceRow& r : page->rows) {
      auto it = members.find(r.id);
      out.resources.push_back(
          RenderGroup(r, it == members.end() ? nullptr : &it->second, req.base_url, p));
    }
    return scim::Ok();
  });
  if (!s) return scim::Fail(s.error());
  return out;
}

void AddGroupRoutes(http::Router& router, const ScimApiDeps& deps) {
  router.Add("GET", "/scim/v2/Groups", [deps](const http::Request& req, http::Response& res) {
    auto list = ListRequestFromQuery(req, &GroupType());
    if (!list) return RenderScimError(list.error(), res);
    ListGroups(deps, req, *list, res);
  });

  router.Add("POST", "/scim/v2/Groups/.search",
             [deps](const http::Request& req, http::Response& res) {
               auto body = ParseBody(req);
               if (!body) return RenderScimError(body.error(), res);
               auto list = ListRequestFromSearch(*body, &GroupType());
               if (!list) return RenderScimError(list.error(), res);
               ListGroups(deps, req, *list, res);
             });

  router.Add("GET", "/scim/v2/Groups/{id}", [deps](const http::Request& req, http::Response& res) {
    auto projection = ProjectionFromQuery(req, GroupType());
    if (!projection) return RenderScimError(projection.error(), res);
    // excludedAttributes=members (Entra) never loads the member rows.
    const bool with_members = Returned(*projection, GroupType(), "members");
    auto rec = GetGroup(deps.db, req.principal->tenant_id, req.path_params[0], with_members);
    if (!rec) return RenderScimError(rec.error(), res);
    const std::string inm = req.Header("If-None-Match");
    if (!inm.empty() && ETagMatches(inm, rec->row.version)) {
      res.status = 304;
      res.content_type = kScimContentType;
      res.SetHeader("ETag", ETag(rec->row.version));
      return;
    }
    RespondWithGroup(req, *rec, 200, res);
  });

  router.Add("POST", "/scim/v2/Groups", [deps](const http::Request& req, http::Response& res) {
    auto body = ParseBody(req);
    if (!body) return RenderScimError(body.error(), res);
    auto rec = CreateGroup(deps.db, CallerOf(req, deps), *body);
    if (!rec) return RenderScimError(rec.error(), res);
    RespondWithGroup(req, *rec, 201, res);
  });

  router.Add("PUT", "/scim/v2/Groups/{id}", [deps](const http::Request& req, http::Response& res) {
    auto body = ParseBody(req);
    if (!body) return RenderScimError(body.error(), res);
    auto rec = ReplaceGroup(deps.db, CallerOf(req, deps), req.path_params[0], *body,
                            req.Header("If-Match"));
    if (!rec) return RenderScimError(rec.error(), res);
    RespondWithGroup(req, *rec, 200, res);
  });

  // PATCH answers 204 (RFC 7644 §3.5.2 allows it; Entra and Okta accept it)
  // so a membership change on a large group does not render the group; a
  // client that wants the resource asks with `attributes` or
  // `excludedAttributes` and gets 200 with it.
  router.Add("PATCH", "/scim/v2/Groups/{id}",
             [deps](const http::Request& req, http::Response& res) {
               auto body = ParseBody(req);
               if (!body) return RenderScimError(body.error(), res);
               auto patch = scim::ParsePatchRequest(*body);
               if (!patch) return RenderScimError(patch.error(), res);
               auto projection = ProjectionFromQuery(req, GroupType());
               if (!projection) return RenderScimError(projection.error(), res);
               auto row = PatchGroup(deps.db, CallerOf(req, deps), req.path_params[0], *patch,
                                     req.Header("If-Match"));
               if (!row) return RenderScimError(row.error(), res);
               if (!*projection) {
                 res.status = 204;
                 res.content_type = kScimContentType;
                 res.SetHeader("ETag", ETag(row->version));
                 return;
               }
               auto rec = GetGroup(deps.db, req.principal->tenant_id, row->id,
                                   Returned(*projection, GroupType(), "members"));
               if (!rec) return RenderScimError(rec.error(), res);
               RespondWithGroup(req, *rec, 200, res);
             });

  router.Add("DELETE", "/scim/v2/Groups/{id}",
             [deps](const http::Request& req, http::Response& res) {
               auto s = DeleteGroup(deps.db, CallerOf(req, deps), req.path_params[0],
                                    req.Header("If-Match"));
               if (!s) return RenderScimError(s.error(), res);
               res.status = 204;
               res.content_type = kScimContentType;
             });
}

}  // namespace allot::scim_api
