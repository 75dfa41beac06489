// server/admin/webhooks.h — a tenant's webhooks behind /admin/v1/webhooks
// (Global admin): create (the secret shown once), list, read, delete, the
// delivery log of each, and a manual retry. Every change runs in one
// transaction with its audit event (webhook.created, webhook.deleted,
// webhook.delivery_retried; never the secret). Sending is the delivery
// worker's (webhooks/delivery_worker.h). Knows nothing of HTTP.
// Thread-safety: stateless functions; the Database serialises writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/admin/routes.h"
#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/webhooks/target.h"

namespace allot::store {
class Database;
}

namespace allot::admin {

inline constexpr int kMaxWebhooksPerTenant = 50;

struct WebhookView {
  std::string id, url;
  std::vector<std::string> events;
  std::optional<std::string> description;
  std::string created_at;
};

struct NewWebhook {
  std::string url;
  std::optional<std::vector<std::string>> events;  // nullopt: every type
  std::optional<std::string> description;
};

struct CreatedWebhook {
  WebhookView webhook;
  std::string secret;  // "whsec_…", shown once
};

// Checks the URL against `policy` (webhooks/target.h: scheme, and every
// address the host resolves to now) and the events (known types, at least
// one), then stores the webhook with a new secret. kInvalidRequest naming
// the field; kConflict past kMaxWebhooksPerTenant. Sends nothing to the URL.
Result<CreatedWebhook> CreateWebhook(store::Database& db, const std::string& tenant,
                                     const Actor& actor, const NewWebhook& request,
                                     const webhooks::TargetPolicy& policy);

Result<Listing<WebhookView>> ListWebhooks(store::Database& db, const std::string& tenant,
                                          const Page& page);
// kNotFound for no such webhook.
Result<WebhookView> GetWebhook(store::Database& db, const std::string& tenant,
                               const std::string& id);
// Deletes the webhook and its deliveries (pending ones are never sent).
// kNotFound for no such webhook.
Status DeleteWebhook(store::Database& db, const std::string& tenant, const Actor& actor,
                     const std::string& id);

struct DeliveryView {
  int64_t id = 0;
  std::string event_id, event_type, status;
  int64_t attempts = 0;
  std::optional<int64_t> last_status;
  std::optional<std::string> last_error;
  std::optional<std::string> next_attempt_at;  // while pending
  std::string created_at;
  std::optional<std::string> finished_at;
};

// The webhook's deliveries, newest first, before `page.after` (a delivery
// id). kNotFound for no such webhook.
Result<Listing<DeliveryView>> ListDeliveries(store::Database& db, const std::string& tenant,
                                             const std::string& webhook_id, const Page& page);

// Sends a delivered or failed delivery again: pending from now, with a new
// series of attempts (order: it goes out even if later events went first).
// kNotFound for no such delivery of that webhook; kConflict while it is
// still pending.
Result<DeliveryView> RetryDelivery(store::Database& db, const std::string& tenant,
                                   const Actor& actor, const std::string& webhook_id,
                                   const std::string& delivery_id);

}  // namespace allot::admin
