// Admin endpoints of users' licenses, overrides, reassign, move, bulk,
// history and a subscription's assignments (policies: policies.cc).
#include "server/admin/licenses_routes.h"

#include <nlohmann/json.hpp>

#include "server/admin/routes.h"
#include "server/http/error_table.h"
#include "server/licensing/licenses.h"
#include "server/licensing/queries.h"

namespace allot::admin {
namespace {

using licensing::License;

Actor ActorOf(const Access& access) { return {Actor::Kind::kAdmin, access.principal->id}; }

Error NotFoundSub(const std::string& sub) { return {ErrorCode::kNotFound, "no subscription " + sub}; }

nlohmann::json LicenseJson(const License& l) {
  nlohmann::json j = {{"subscription_id", l.subscription_id},
                      {"product_id", l.product_id},
                      {"state", l.state},
                      {"source", l.source()},
                      {"sources", l.sources},
                      {"since", l.since}};
  if (!l.pending_reason.empty()) j["pending_reason"] = l.pending_reason;
  return j;
}

nlohmann::json ErrorJson(const Error& e) {
  return {{"code", http::MappingFor(e.code).admin_code}, {"message", e.message}};
}

nlohmann::json Cursor(const std::string& next) {
  return next.empty() ? nlohmann::json(nullptr) : nlohmann::json(EncodeCursor(next));
}

}  // namespace

void AddLicensesRoutes(http::Router& router, licensing::Engine& engine) {
  store::Database& db = engine.db();
  AddAdminRoute(router, "GET", "/users/{id}/licenses", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto all = licensing::UserLicenses(db, access.tenant(), req.path_params[0]);
                  if (!all) return RenderError(all.error(), res);
                  nlohmann::json items = nlohmann::json::array();
                  for (const License& l : *all) {
                    if (access.Covers(l.subscription_id)) items.push_back(LicenseJson(l));
                  }
                  if (!access.all_subscriptions && items.empty()) {
                    return RenderError({ErrorCode::kNotFound, "no user " + req.path_params[0]},
                                       res);
                  }
                  RenderJson(200, {{"items", std::move(items)}, {"next_cursor", nullptr}}, res);
                });
  AddAdminRoute(router, "PUT", "/users/{id}/licenses/{sub}", Action::kChangeLicenses,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[1];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  const std::string q = req.Query("queue");
                  if (req.HasQuery("queue") && q != "true" && q != "false") {
                    return RenderError({ErrorCode::kInvalidRequest, "queue must be true or false"},
                                       res);
                  }
                  auto l = licensing::AssignLicense(db, access.tenant(), req.path_params[0], sub,
                                                    q == "true", ActorOf(access));
                  if (!l) return RenderError(l.error(), res);
                  RenderJson(200, LicenseJson(*l), res);
                });
  AddAdminRoute(router, "DELETE", "/users/{id}/licenses/{sub}", Action::kChangeLicenses,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[1];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  auto s = licensing::UnassignLicense(db, access.tenant(), req.path_params[0], sub,
                                                      ActorOf(access));
                  if (!s) return RenderError(s.error(), res);
                  res.status = 204;
                });
  AddAdminRoute(router, "DELETE", "/users/{id}/overrides/{sub}", Action::kChangeLicenses,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[1];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  auto s = licensing::ClearOverride(db, access.tenant(), req.path_params[0], sub,
                                                    ActorOf(access));
                  if (!s) return RenderError(s.error(), res);
                  res.status = 204;
                });
  AddAdminRoute(router, "GET", "/users/{id}/overrides", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto all = licensing::UserOverrides(db, access.tenant(), req.path_params[0]);
                  if (!all) return RenderError(all.error(), res);
                  nlohmann::json items = nlohmann::json::array();
                  for (const auto& o : *all) {
                    if (!access.Covers(o.subscription_id)) continue;
                    items.push_back({{"subscription_id", o.subscription_id},
                                     {"kind", o.kind},
                                     {"set_by", o.set_by},
                                     {"set_at", o.set_at}});
                  }
                  RenderJson(200, {{"items", std::move(items)}, {"next_cursor", nullptr}}, res);
                });
  AddAdminRoute(router, "POST", "/subscriptions/{id}/reassign", Action::kChangeLicenses,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[0];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  auto body = ParseBody(req.body, {{"from_user", FieldType::kString, true},
                                                   {"to_user", FieldType::kString, true}});
                  if (!body) return RenderError(body.error(), res);
                  auto l = licensing::Reassign(db, access.tenant(), sub, (*body)["from_user"],
                                               (*body)["to_user"], ActorOf(access));
                  if (!l) return RenderError(l.error(), res);
                  nlohmann::json j = LicenseJson(*l);
                  j["user_id"] = l->user_id;
                  RenderJson(200, j, res);
                });
  AddAdminRoute(router, "POST", "/users/{id}/licenses/{sub}/move", Action::kChangeLicenses,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[1];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  auto body = ParseBody(req.body, {{"to_subscription", FieldType::kString, true}});
                  if (!body) return RenderError(body.error(), res);
                  const std::string to = (*body)["to_subscription"];
                  if (!access.Covers(to)) return RenderError(NotFoundSub(to), res);
                  auto l = licensing::Move(db, access.tenant(), req.path_params[0], sub, to,
                                           ActorOf(access));
                  if (!l) return RenderError(l.error(), res);
                  RenderJson(200, LicenseJson(*l), res);
                });
  AddAdminRoute(
      router, "POST", "/licenses/bulk", Action::kChangeLicenses,
      [&db](const http::Request& req, const Access& access, http::Response& res) {
        auto body = ParseBody(req.body, {{"action", FieldType::kString, true},
                                         {"user_ids", FieldType::kArrayOfStrings, true},
                                         {"subscription_id", FieldType::kString, true},
                                         {"to_subscription_id", FieldType::kString},
                                         {"atomic", FieldType::kBoolean},
                                         {"queue", FieldType::kBoolean}});
        if (!body) return RenderError(body.error(), res);
        licensing::BulkRequest r{.action = (*body)["action"],
                                 .user_ids = (*body)["user_ids"].get<std::vector<std::string>>(),
                                 .subscription_id = (*body)["subscription_id"],
                                 .to_subscription_id = body->value("to_subscription_id", ""),
                                 .atomic = body->value("atomic", false),
                                 .queue = body->value("queue", false)};
        if (!access.Covers(r.subscription_id)) return RenderError(NotFoundSub(r.subscription_id), res);
        if (!r.to_subscription_id.empty() && !access.Covers(r.to_subscription_id)) {
          return RenderError(NotFoundSub(r.to_subscription_id), res);
        }
        auto out = licensing::Bulk(db, access.tenant(), r, ActorOf(access));
        if (!out) return RenderError(out.error(), res);
        nlohmann::json results = nlohmann::json::array();
        int64_t ok = 0, failed = 0;
        std::optional<Error> first;
        for (const auto& x : out->results) {
          nlohmann::json j = {{"user_id", x.user_id}, {"ok", !x.error}};
          if (x.error) {
            ++failed;
            j["error"] = ErrorJson(*x.error);
            if (!first) first = x.error;
          } else {
            ++ok;
            if (!x.state.empty()) j["state"] = x.state;
          }
          results.push_back(std::move(j));
        }
        nlohmann::json j = {{"applied", out->applied},
                            {"succeeded", out->applied ? ok : 0},
                            {"failed", failed},
                            {"results", std::move(results)}};
        // atomic and a failure: nothing changed; the status is the failure's.
        int status = 200;
        if (!out->applied && first) {
          for (const auto& x : out->results) {
            if (x.error && x.error->message.rfind("rolled back", 0) != 0 &&
                x.error->message.rfind("not attempted", 0) != 0) {
              first = x.error;
              break;
            }
          }
          status = http::MappingFor(first->code).http_status;
          j["error"] = ErrorJson(*first);
        }
        RenderJson(status, j, res);
      });
  AddAdminRoute(router, "GET", "/users/{id}/history", Action::kReadAudit,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  int64_t after = 0;
                  if (!page->after.empty()) {
                    try {
                      after = std::stoll(page->after);
                    } catch (const std::exception&) {
                      return RenderError({ErrorCode::kInvalidRequest, "cursor is not valid"}, res);
                    }
                  }
                  auto h = licensing::UserHistory(db, access.tenant(), req.path_params[0],
                                                  page->limit, after);
                  if (!h) return RenderError(h.error(), res);
                  nlohmann::json items = nlohmann::json::array();
                  for (const auto& e : h->items) {
                    if (!access.Covers(e.subscription_id)) continue;
                    items.push_back(
                        {{"subscription_id", e.subscription_id},
                         {"product_id", e.product_id},
                         {"sources", e.sources},
                         {"started_at", e.started_at},
                         {"ended_at", e.ended_at.empty() ? nlohmann::json(nullptr)
                                                         : nlohmann::json(e.ended_at)},
                         {"end_reason", e.end_reason.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(e.end_reason)}});
                  }
                  RenderJson(200, {{"items", std::move(items)}, {"next_cursor", Cursor(h->next_after)}},
                             res);
                });
  AddAdminRoute(router, "GET", "/subscriptions/{id}/assignments", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[0];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  auto list = licensing::SubscriptionAssignments(db, access.tenant(), sub,
                                                                 page->limit, page->after);
                  if (!list) return RenderError(list.error(), res);
                  nlohmann::json items = nlohmann::json::array();
                  for (const auto& a : list->items) {
                    items.push_back({{"user_id", a.user_id},
                                     {"user_name", a.user_name},
                                     {"state", a.state},
                                     {"source", a.source},
                                     {"since", a.since}});
                  }
                  RenderJson(200,
                             {{"items", std::move(items)}, {"next_cursor", Cursor(list->next_after)}},
                             res);
                });
}

}  // namespace allot::admin
