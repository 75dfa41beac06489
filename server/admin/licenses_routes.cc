// Admin endpoints of users' licenses, overrides, holds, reassign, move, bulk,
// history, a subscription's assignments and waitlist (policies and
// reconcile: policies.cc). Thin: parse, call one licensing function, render.
#include "server/admin/licenses_routes.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "scim/value.h"
#include "server/admin/routes.h"
#include "server/http/error_table.h"
#include "server/licensing/holds.h"
#include "server/licensing/licenses.h"
#include "server/licensing/overrides.h"
#include "server/licensing/queries.h"
#include "server/licensing/waitlist.h"
#include "server/scim_api/filter_sql.h"

namespace allot::admin {
namespace {

using licensing::License;
using nlohmann::json;

Actor ActorOf(const Access& access) { return {Actor::Kind::kAdmin, access.principal->id}; }

licensing::ChangeScope ScopeOf(const Access& access) {
  return {access.all_subscriptions ? nullptr : &access.principal->subscriptions};
}

Error NotFoundSub(const std::string& sub) { return {ErrorCode::kNotFound, "no subscription " + sub}; }

json NullIfEmpty(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json LicenseJson(const License& l) {
  json j = {{"subscription_id", l.subscription_id},
            {"product_id", l.product_id},
            {"state", l.state},
            {"source", l.source()},
            {"sources", l.sources},
            {"since", l.since}};
  if (!l.pending_reason.empty()) j["pending_reason"] = l.pending_reason;
  if (!l.held_for.empty()) j["held_for"] = l.held_for;
  return j;
}

json OverrideJson(const licensing::OverrideView& o) {
  return {{"user_id", o.user_id},
          {"user_name", NullIfEmpty(o.user_name)},
          {"subscription_id", o.subscription_id},
          {"kind", o.kind},
          {"reason", NullIfEmpty(o.reason)},
          {"expires_at", NullIfEmpty(o.expires_at)},
          {"set_by", {{"id", o.set_by_id}, {"name", o.set_by_name}}},
          {"set_at", o.set_at}};
}

json OptionalOverrideJson(const std::optional<licensing::OverrideView>& o) {
  return o ? OverrideJson(*o) : json(nullptr);
}

json HoldJson(const licensing::Hold& h) {
  return {{"set_by", {{"id", h.set_by_id}, {"name", h.set_by_name}}},
          {"set_at", h.set_at},
          {"reason", h.reason}};
}

json ErrorJson(const Error& e) {
  return {{"code", http::MappingFor(e.code).admin_code}, {"message", e.message}};
}

json Cursor(const std::string& next) {
  return next.empty() ? json(nullptr) : json(EncodeCursor(next));
}

// true/false for a boolean query parameter; kInvalidRequest naming it.
Result<bool> BoolQuery(const http::Request& req, std::string_view name) {
  if (!req.HasQuery(name)) return false;
  const std::string v = req.Query(name);
  if (v == "true") return true;
  if (v == "false") return false;
  return Fail(ErrorCode::kInvalidRequest, std::string(name) + " must be true or false");
}

// The optional {"reason", "expires_at"} of an override: expires_at an RFC
// 3339 time in the future, stored in the server's UTC form.
Result<licensing::OverrideNote> ParseNote(const http::Request& req) {
  auto body = ParseOptionalBody(
      req.body, {{"reason", FieldType::kString}, {"expires_at", FieldType::kString}});
  if (!body) return std::unexpected(body.error());
  licensing::OverrideNote note;
  note.reason = body->value("reason", "");
  if (note.reason.size() > 500) {
    return Fail(ErrorCode::kInvalidRequest, "field \"reason\": at most 500 characters");
  }
  if (body->contains("expires_at")) {
    const std::string text = (*body)["expires_at"];
    auto micros = scim::ParseDateTime(text);
    if (!micros) {
      return Fail(ErrorCode::kInvalidRequest,
                  "field \"expires_at\" must be an RFC 3339 time such as 2026-12-31T23:59:59Z");
    }
    const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    if (*micros <= now) {
      return Fail(ErrorCode::kInvalidRequest, "field \"expires_at\" must be in the future");
    }
    note.expires_at = scim_api::FormatStoredTime(*micros, false);
  }
  return note;
}

}  // namespace

void AddLicensesRoutes(http::Router& router, licensing::Engine& engine) {
  store::Database& db = engine.db();
  AddAdminRoute(router, "GET", "/users/{id}/licenses", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto all = licensing::UserLicenses(db, access.tenant(), req.path_params[0]);
                  if (!all) return RenderError(all.error(), res);
                  json items = json::array();
                  for (const License& l : *all) {
                    if (access.Covers(l.subscription_id)) items.push_back(LicenseJson(l));
                  }
                  if (!access.all_subscriptions && items.empty()) {
                    return RenderError({ErrorCode::kNotFound, "no user " + req.path_params[0]},
                                       res);
                  }
                  RenderJson(200, {{"items", std::move(items)}, {"next_cursor", nullptr}}, res);
                });
  AddAdminRoute(
      router, "PUT", "/users/{id}/licenses/{sub}", Action::kChangeLicenses,
      [&db](const http::Request& req, const Access& access, http::Response& res) {
        const std::string& sub = req.path_params[1];
        if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
        auto queue = BoolQuery(req, "queue");
        if (!queue) return RenderError(queue.error(), res);
        auto note = ParseNote(req);
        if (!note) return RenderError(note.error(), res);
        auto out = licensing::AssignLicense(db, access.tenant(), req.path_params[0], sub,
                                            {.queue = *queue, .note = *note}, ActorOf(access),
                                            ScopeOf(access));
        if (!out) return RenderError(out.error(), res);
        RenderJson(200,
                   {{"license", LicenseJson(out->license)},
                    {"override", OptionalOverrideJson(out->override)}},
                   res);
      },
      {"queue"});
  AddAdminRoute(
      router, "DELETE", "/users/{id}/licenses/{sub}", Action::kChangeLicenses,
      [&db](const http::Request& req, const Access& access, http::Response& res) {
        const std::string& sub = req.path_params[1];
        if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
        auto deny = BoolQuery(req, "deny");
        if (!deny) return RenderError(deny.error(), res);
        auto note = ParseNote(req);
        if (!note) return RenderError(note.error(), res);
        auto out = licensing::UnassignLicense(db, access.tenant(), req.path_params[0], sub,
                                              {.deny = *deny, .note = *note}, ActorOf(access),
                                              ScopeOf(access));
        if (!out) return RenderError(out.error(), res);
        RenderJson(200,
                   {{"released", out->released},
                    {"override", OptionalOverrideJson(out->override)}},
                   res);
      },
      {"deny"});
  AddAdminRoute(router, "DELETE", "/users/{id}/licenses", Action::kHoldUsers,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto body = ParseOptionalBody(req.body, {{"reason", FieldType::kString}});
                  if (!body) return RenderError(body.error(), res);
                  auto out = licensing::RevokeAll(db, access.tenant(), req.path_params[0],
                                                  body->value("reason", ""), ActorOf(access));
                  if (!out) return RenderError(out.error(), res);
                  RenderJson(200,
                             {{"released", out->released},
                              {"grants_cleared", out->grants_cleared},
                              {"hold", HoldJson(out->hold)}},
                             res);
                });
  AddAdminRoute(router, "DELETE", "/users/{id}/hold", Action::kHoldUsers,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto s = licensing::ClearHold(db, access.tenant(), req.path_params[0],
                                                ActorOf(access));
                  if (!s) return RenderError(s.error(), res);
                  res.status = 204;
                });
  AddAdminRoute(router, "DELETE", "/users/{id}/overrides/{sub}", Action::kChangeLicenses,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[1];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  auto s = licensing::ClearOverride(db, access.tenant(), req.path_params[0], sub,
                                                    ActorOf(access), ScopeOf(access));
                  if (!s) return RenderError(s.error(), res);
                  res.status = 204;
                });
  AddAdminRoute(router, "GET", "/users/{id}/overrides", Action::kReadDirectory,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto all = licensing::UserOverrides(db, access.tenant(), req.path_params[0]);
                  if (!all) return RenderError(all.error(), res);
                  json items = json::array();
                  for (const auto& o : *all) {
                    if (access.Covers(o.subscription_id)) items.push_back(OverrideJson(o));
                  }
                  RenderJson(200, {{"items", std::move(items)}, {"next_cursor", nullptr}}, res);
                });
  AddAdminRoute(
      router, "GET", "/overrides", Action::kReadDirectory,
      [&db](const http::Request& req, const Access& access, http::Response& res) {
        auto page = ParsePage(req);
        if (!page) return RenderError(page.error(), res);
        licensing::OverrideQuery q{.user_id = req.Query("user_id"),
                                   .subscription_id = req.Query("subscription_id"),
                                   .kind = req.Query("kind"),
                                   .only = access.all_subscriptions
                                               ? nullptr
                                               : &access.principal->subscriptions};
        if (!q.subscription_id.empty() && !access.Covers(q.subscription_id)) {
          return RenderError(NotFoundSub(q.subscription_id), res);
        }
        auto list = licensing::ListOverrides(db, access.tenant(), q, page->limit, page->after);
        if (!list) return RenderError(list.error(), res);
        json items = json::array();
        for (const auto& o : list->items) items.push_back(OverrideJson(o));
        RenderJson(200, PageBody(std::move(items), list->next_after), res);
      },
      Paged({"user_id", "subscription_id", "kind"}));
  AddAdminRoute(router, "POST", "/subscriptions/{id}/reassign", Action::kChangeLicenses,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[0];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  auto body = ParseBody(req.body, {{"from_user", FieldType::kString, true},
                                                   {"to_user", FieldType::kString, true}});
                  if (!body) return RenderError(body.error(), res);
                  auto l = licensing::Reassign(db, access.tenant(), sub, (*body)["from_user"],
                                               (*body)["to_user"], ActorOf(access),
                                               ScopeOf(access));
                  if (!l) return RenderError(l.error(), res);
                  json j = LicenseJson(*l);
                  j["user_id"] = l->user_id;
                  RenderJson(200, j, res);
                });
  AddAdminRoute(router, "POST", "/users/{id}/licenses/{sub}/move", Action::kChangeLicenses,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[1];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  auto body = ParseBody(req.body, {{"to_subscription", FieldType::kString, true},
                                                   {"queue", FieldType::kBoolean},
                                                   {"across_families", FieldType::kBoolean}});
                  if (!body) return RenderError(body.error(), res);
                  const std::string to = (*body)["to_subscription"];
                  if (!access.Covers(to)) return RenderError(NotFoundSub(to), res);
                  auto l = licensing::Move(
                      db, access.tenant(), req.path_params[0], sub, to,
                      {.queue = body->value("queue", false),
                       .across_families = body->value("across_families", false)},
                      ActorOf(access), ScopeOf(access));
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
                                         {"queue", FieldType::kBoolean},
                                         {"across_families", FieldType::kBoolean}});
        if (!body) return RenderError(body.error(), res);
        licensing::BulkRequest r{.action = (*body)["action"],
                                 .user_ids = (*body)["user_ids"].get<std::vector<std::string>>(),
                                 .subscription_id = (*body)["subscription_id"],
                                 .to_subscription_id = body->value("to_subscription_id", ""),
                                 .atomic = body->value("atomic", false),
                                 .queue = body->value("queue", false),
                                 .across_families = body->value("across_families", false)};
        if (!access.Covers(r.subscription_id)) return RenderError(NotFoundSub(r.subscription_id), res);
        if (!r.to_subscription_id.empty() && !access.Covers(r.to_subscription_id)) {
          return RenderError(NotFoundSub(r.to_subscription_id), res);
        }
        auto out = licensing::Bulk(db, access.tenant(), r, ActorOf(access), ScopeOf(access));
        if (!out) return RenderError(out.error(), res);
        json results = json::array();
        int64_t ok = 0, failed = 0;
        std::optional<Error> first;
        for (const auto& x : out->results) {
          json j = {{"user_id", x.user_id}, {"ok", !x.error}};
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
        json j = {{"applied", out->applied},
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
  AddAdminRoute(
      router, "GET", "/users/{id}/history", Action::kReadAudit,
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
        auto h = licensing::UserHistory(db, access.tenant(), req.path_params[0], page->limit,
                                        after);
        if (!h) return RenderError(h.error(), res);
        json items = json::array();
        for (const auto& e : h->items) {
          if (!access.Covers(e.subscription_id)) continue;
          items.push_back({{"subscription_id", e.subscription_id},
                           {"product_id", e.product_id},
                           {"sources", e.sources},
                           {"started_at", e.started_at},
                           {"ended_at", NullIfEmpty(e.ended_at)},
                           {"end_reason", NullIfEmpty(e.end_reason)}});
        }
        RenderJson(200, {{"items", std::move(items)}, {"next_cursor", Cursor(h->next_after)}},
                   res);
      },
      Paged());
  AddAdminRoute(
      router, "GET", "/subscriptions/{id}/assignments", Action::kReadDirectory,
      [&db](const http::Request& req, const Access& access, http::Response& res) {
        const std::string& sub = req.path_params[0];
        if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
        auto page = ParsePage(req);
        if (!page) return RenderError(page.error(), res);
        const std::string state = req.Query("state");
        if (req.HasQuery("state") && state != "active" && state != "pending") {
          return RenderError({ErrorCode::kInvalidRequest, "state must be active or pending"},
                             res);
        }
        auto list = licensing::SubscriptionAssignments(db, access.tenant(), sub, state,
                                                       page->limit, page->after);
        if (!list) return RenderError(list.error(), res);
        json items = json::array();
        for (const auto& a : list->items) {
          items.push_back({{"user_id", a.user_id},
                           {"user_name", a.user_name},
                           {"display_name", NullIfEmpty(a.display_name)},
                           {"state", a.state},
                           {"source", a.source},
                           {"since", a.since}});
        }
        RenderJson(200, {{"items", std::move(items)}, {"next_cursor", Cursor(list->next_after)}},
                   res);
      },
      Paged({"state"}));
  AddAdminRoute(
      router, "GET", "/subscriptions/{id}/waitlist", Action::kReadDirectory,
      [&db](const http::Request& req, const Access& access, http::Response& res) {
        const std::string& sub = req.path_params[0];
        if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
        auto page = ParsePage(req);
        if (!page) return RenderError(page.error(), res);
        auto list = licensing::Waitlist(db, access.tenant(), sub, page->limit, page->after);
        if (!list) return RenderError(list.error(), res);
        json items = json::array();
        for (const auto& w : list->items) {
          items.push_back({{"position", w.position},
                           {"user_id", w.user_id},
                           {"user_name", w.user_name},
                           {"display_name", NullIfEmpty(w.display_name)},
                           {"since", w.since},
                           {"reason", w.reason}});
        }
        RenderJson(200, PageBody(std::move(items), list->next_after), res);
      },
      Paged());
  AddAdminRoute(router, "DELETE", "/subscriptions/{id}/waitlist/{user_id}",
                Action::kChangeLicenses,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  const std::string& sub = req.path_params[0];
                  if (!access.Covers(sub)) return RenderError(NotFoundSub(sub), res);
                  auto o = licensing::RemoveFromWaitlist(db, access.tenant(), sub,
                                                         req.path_params[1], ActorOf(access),
                                                         ScopeOf(access));
                  if (!o) return RenderError(o.error(), res);
                  RenderJson(200, {{"override", OverrideJson(*o)}}, res);
                });
}

}  // namespace allot::admin
