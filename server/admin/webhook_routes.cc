// /webhooks: thin handlers over webhooks.h. Only a Global admin reaches
// them (kManageWebhooks).
#include <nlohmann/json.hpp>

#include "server/admin/handlers.h"
#include "server/admin/routes.h"
#include "server/admin/webhooks.h"

namespace allot::admin {
namespace {

using nlohmann::json;

template <typename T>
json OrNull(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json WebhookBody(const WebhookView& w) {
  return {{"id", w.id},
          {"url", w.url},
          {"events", w.events},
          {"description", OrNull(w.description)},
          {"created_at", w.created_at}};
}

json DeliveryBody(const DeliveryView& d) {
  return {{"id", std::to_string(d.id)},
          {"event_id", d.event_id},
          {"event_type", d.event_type},
          {"status", d.status},
          {"attempts", d.attempts},
          {"last_status", OrNull(d.last_status)},
          {"last_error", OrNull(d.last_error)},
          {"next_attempt_at", OrNull(d.next_attempt_at)},
          {"created_at", d.created_at},
          {"finished_at", OrNull(d.finished_at)}};
}

}  // namespace

void AddWebhookRoutes(http::Router& router, store::Database& db, webhooks::TargetPolicy policy) {
  AddAdminRoute(router, "GET", "/webhooks", Action::kManageWebhooks,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  auto list = ListWebhooks(db, access.tenant(), *page);
                  if (!list) return RenderError(list.error(), res);
                  json items = json::array();
                  for (const WebhookView& w : list->items) items.push_back(WebhookBody(w));
                  RenderJson(200, PageBody(std::move(items), list->next_key), res);
                },
                Paged());

  AddAdminRoute(router, "POST", "/webhooks", Action::kManageWebhooks,
                [&db, policy](const http::Request& req, const Access& access,
                              http::Response& res) {
                  auto body = ParseBody(req.body, {{"url", FieldType::kString, true},
                                                   {"events", FieldType::kArrayOfStrings},
                                                   {"description", FieldType::kString}});
                  if (!body) return RenderError(body.error(), res);
                  NewWebhook request{.url = (*body)["url"].get<std::string>()};
                  if (body->contains("events")) {
                    request.events = (*body)["events"].get<std::vector<std::string>>();
                  }
                  if (body->contains("description")) {
                    request.description = (*body)["description"].get<std::string>();
                  }
                  auto created = CreateWebhook(db, access.tenant(), ActorOf(access), request, policy);
                  if (!created) return RenderError(created.error(), res);
                  RenderJson(201, {{"webhook", WebhookBody(created->webhook)},
                                   {"secret", created->secret}},
                             res);
                });

  AddAdminRoute(router, "GET", "/webhooks/{id}", Action::kManageWebhooks,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto w = GetWebhook(db, access.tenant(), req.path_params[0]);
                  if (!w) return RenderError(w.error(), res);
                  RenderJson(200, WebhookBody(*w), res);
                });

  AddAdminRoute(router, "DELETE", "/webhooks/{id}", Action::kManageWebhooks,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto s = DeleteWebhook(db, access.tenant(), ActorOf(access), req.path_params[0]);
                  if (!s) return RenderError(s.error(), res);
                  res.status = 204;
                  res.body.clear();
                });

  AddAdminRoute(router, "GET", "/webhooks/{id}/deliveries", Action::kManageWebhooks,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto page = ParsePage(req);
                  if (!page) return RenderError(page.error(), res);
                  auto list = ListDeliveries(db, access.tenant(), req.path_params[0], *page);
                  if (!list) return RenderError(list.error(), res);
                  json items = json::array();
                  for (const DeliveryView& d : list->items) items.push_back(DeliveryBody(d));
                  RenderJson(200, PageBody(std::move(items), list->next_key), res);
                },
                Paged());

  AddAdminRoute(router, "POST", "/webhooks/{id}/deliveries/{delivery_id}/retry",
                Action::kManageWebhooks,
                [&db](const http::Request& req, const Access& access, http::Response& res) {
                  auto body = ParseOptionalBody(req.body, {});
                  if (!body) return RenderError(body.error(), res);
                  auto d = RetryDelivery(db, access.tenant(), ActorOf(access), req.path_params[0],
                                         req.path_params[1]);
                  if (!d) return RenderError(d.error(), res);
                  RenderJson(200, DeliveryBody(*d), res);
                });
}

}  // namespace allot::admin
