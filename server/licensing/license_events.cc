#include "server/licensing/license_events.h"

#include <nlohmann/json.hpp>

namespace allot::licensing {
namespace {

using nlohmann::json;

bool IsWebhookAction(const std::string& action) {
  return action == "assignment.activated" || action == "assignment.queued" ||
         action == "assignment.released" || action == "assignment.reassigned" ||
         action == "subscription.expired" || action == "user.deleted" ||
         action == "user.deactivated";
}

// A string field of an audit event's JSON text, or "".
std::string Field(const std::string& json_text, const char* key) {
  if (json_text.empty()) return "";
  const json j = json::parse(json_text, nullptr, false);
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::vector<webhooks::OutboxEvent> WebhookEventsOf(const std::vector<AuditEvent>& events) {
  std::vector<webhooks::OutboxEvent> out;
  for (const AuditEvent& e : events) {
    const std::string& a = e.action;
    if (a == "assignment.activated") {
      out.push_back({"license.assigned", e.user_id, e.subscription_id, "active",
                     Field(e.after_json, "reason")});
    } else if (a == "assignment.queued") {
      out.push_back({"license.pending", e.user_id, e.subscription_id, "pending",
                     Field(e.after_json, "reason")});
    } else if (a == "assignment.released") {
      out.push_back({"license.released", e.user_id, e.subscription_id,
                     Field(e.before_json, "state"), Field(e.after_json, "reason")});
    } else if (a == "assignment.reassigned") {
      const std::string from = Field(e.before_json, "user_id");
      if (!from.empty()) {
        out.push_back({"license.released", from, e.subscription_id, "active", "reassigned"});
      }
      out.push_back({"license.assigned", e.user_id, e.subscription_id, "active", "reassigned"});
    } else if (a == "subscription.expired") {
      out.push_back({"subscription.expired", "", e.subscription_id, "", "expired"});
    } else if (a == "user.deleted" || a == "user.deactivated") {
      out.push_back({"user.deprovisioned", e.user_id, "", "",
                     a == "user.deleted" ? "deleted" : "deactivated"});
    }
  }
  return out;
}

Status PublishWebhookEvents(soci::session& sql, const std::string& tenant,
                            const std::vector<AuditEvent>& events) {
  bool any = false;
  for (const AuditEvent& e : events) any = any || IsWebhookAction(e.action);
  if (!any) return Ok();
  auto subscribers = webhooks::LoadSubscribers(sql, tenant);
  if (!subscribers) return std::unexpected(subscribers.error());
  if (subscribers->empty()) return Ok();
  return webhooks::Enqueue(sql, tenant, *subscribers, WebhookEventsOf(events));
}

}  // namespace allot::licensing
