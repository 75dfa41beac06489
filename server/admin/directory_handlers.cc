// GET /users, /users/{id}, /groups, /groups/{id}: read-only views of what
// the IdP provisioned, within the caller's scope (directory.h).
#include <nlohmann/json.hpp>

#include "server/admin/directory.h"
#include "server/admin/handlers.h"
#include "server/admin/routes.h"

namespace allot::admin {

void AddDirectoryRoutes(http::Router& router, const AdminDeps& deps) {
  store::Database& db = *deps.db;

  AddAdminRoute(
      router, "GET", "/users", Action::kReadDirectory,
      [&db](const http::Request& req, const Access& access, http::Response& res) {
        auto page = ParsePage(req);
        if (!page) return RenderError(page.error(), res);
        auto filter = ParseFilterParameter(req.Query("filter"));
        if (!filter) return RenderError(filter.error(), res);
        UserQuery query{.filter = *filter,
                        .q = req.Query("q"),
                        .subscription_id = req.Query("subscription_id"),
                        .state = req.Query("state"),
                        .group_id = req.Query("group_id")};
        if (req.HasQuery("state") && query.state != "active" && query.state != "pending") {
          return RenderError({ErrorCode::kInvalidRequest, "state must be active or pending"}, res);
        }
        for (const char* name : {"q", "subscription_id", "group_id"}) {
          if (req.HasQuery(name) && req.Query(name).empty()) {
            return RenderError({ErrorCode::kInvalidRequest,
                                "query parameter " + std::string(name) + " must not be empty"},
                               res);
          }
        }
        auto users = ListUsers(db, access, query, *page);
        if (!users) return RenderError(users.error(), res);
        nlohmann::json items = nlohmann::json::array();
        for (const UserView& u : users->items) items.push_back(UserJson(u));
        RenderJson(200, PageBody(std::move(items), users->next_key), res);
      },
      Paged({"filter", "q", "subscription_id", "state", "group_id"}));

  AddAdminRoute(router, "GET", "/users/{id}", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto user = GetUser(db, access, req.path_params[0]);
                  if (!user) return RenderError(user.error(), res);
                  RenderJson(200, UserJson(*user), res);
                });

  AddAdminRoute(
      router, "GET", "/groups", Action::kReadDirectory,
      [&db](const http::Request& req, const Access& access, http::Response& res) {
        auto page = ParsePage(req);
        if (!page) return RenderError(page.error(), res);
        auto filter = ParseFilterParameter(req.Query("filter"));
        if (!filter) return RenderError(filter.error(), res);
        auto groups = ListGroups(db, access, *filter, *page);
        if (!groups) return RenderError(groups.error(), res);
        nlohmann::json items = nlohmann::json::array();
        for (const GroupView& g : groups->items) items.push_back(GroupJson(g, false));
        RenderJson(200, PageBody(std::move(items), groups->next_key), res);
      },
      Paged({"filter"}));

  AddAdminRoute(router, "GET", "/groups/{id}", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto group = GetGroup(db, access, req.path_params[0]);
                  if (!group) return RenderError(group.error(), res);
                  RenderJson(200, GroupJson(*group, true), res);
                });
}

}  // namespace allot::admin
