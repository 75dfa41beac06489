#include "server/admin/webhooks.h"

#include <soci/soci.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "server/admin/audit_events.h"
#include "server/base/clock.h"
#include "server/base/random.h"
#include "server/licensing/sql.h"
#include "server/store/database.h"
#include "server/base/comma_list.h"
#include "server/webhooks/outbox.h"
#include "server/webhooks/signature.h"

namespace allot::admin {
namespace {

using nlohmann::json;

json AuditBody(const WebhookView& w) {
  return {{"id", w.id}, {"url", w.url}, {"events", w.events}};
}

Result<std::vector<std::string>> CheckEvents(const std::optional<std::vector<std::string>>& events) {
  std::vector<std::string> out;
  if (!events) {
    out.assign(std::begin(webhooks::kEventTypes), std::end(webhooks::kEventTypes));
    return out;
  }
  if (events->empty()) {
    return Fail(ErrorCode::kInvalidRequest,
                "events must name at least one event type; leave it out for every type");
  }
  for (const std::string& e : *events) {
    if (!webhooks::IsEventType(e)) {
      std::string known;
      for (const char* t : webhooks::kEventTypes) known += (known.empty() ? "" : ", ") + std::string(t);
      return Fail(ErrorCode::kInvalidRequest,
                  "events: unknown event type \"" + e + "\"; the types are " + known);
    }
  }
  // In the documented order, once each.
  for (const char* t : webhooks::kEventTypes) {
    if (std::find(events->begin(), events->end(), t) != events->end()) out.push_back(t);
  }
  return out;
}

std::optional<int64_t> ParseId(const std::string& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

Result<WebhookView> LoadWebhook(soci::session& sql, const std::string& tenant,
                                const std::string& id) {
  WebhookView w;
  std::string events, description;
  soci::indicator description_ind = soci::i_null;
  sql << "SELECT id, url, events, description, created_at FROM webhooks WHERE tenant_id = :t "
         "AND id = :id",
      soci::use(tenant), soci::use(id), soci::into(w.id), soci::into(w.url), soci::into(events),
      soci::into(description, description_ind), soci::into(w.created_at);
  if (!sql.got_data()) return Fail(ErrorCode::kNotFound, "no webhook with id '" + id + "'");
  w.events = SplitCommaList(events);
  if (description_ind == soci::i_ok) w.description = description;
  return w;
}

constexpr const char* kDeliveryColumns =
    "SELECT d.id, d.event_id, e.type, d.status, d.attempts, d.last_status, d.last_error, "
    "d.next_attempt_at, d.created_at, d.finished_at FROM webhook_deliveries d LEFT JOIN "
    "webhook_events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id ";

DeliveryView DeliveryOf(const soci::row& r) {
  namespace sql = licensing::sql;
  DeliveryView d;
  d.id = sql::Int(r, 0);
  d.event_id = sql::Str(r, 1);
  d.event_type = sql::Str(r, 2);
  d.status = sql::Str(r, 3);
  d.attempts = sql::Int(r, 4);
  if (!sql::IsNull(r, 5)) d.last_status = sql::Int(r, 5);
  if (!sql::IsNull(r, 6)) d.last_error = sql::Str(r, 6);
  if (d.status == "pending") d.next_attempt_at = sql::Str(r, 7);
  d.created_at = sql::Str(r, 8);
  if (!sql::IsNull(r, 9)) d.finished_at = sql::Str(r, 9);
  return d;
}

}  // namespace

Result<CreatedWebhook> CreateWebhook(store::Database& db, const std::string& tenant,
                                     const Actor& actor, const NewWebhook& request,
                                     const webhooks::TargetPolicy& policy) {
  auto url = webhooks::ParseWebhookUrl(request.url);
  if (!url) return std::unexpected(url.error());
  // Resolved now, outside the transaction (DNS may take a while); checked
  // again before every delivery.
  if (auto addresses = webhooks::ResolveAllowed(*url, policy); !addresses) {
    return std::unexpected(addresses.error());
  }
  auto events = CheckEvents(request.events);
  if (!events) return std::unexpected(events.error());
  if (request.description && request.description->size() > 500) {
    return Fail(ErrorCode::kInvalidRequest, "description may be at most 500 characters");
  }
  return db.WriteValue<CreatedWebhook>([&](soci::session& sql) -> Result<CreatedWebhook> {
    int count = 0;
    sql << "SELECT COUNT(*) FROM webhooks WHERE tenant_id = :t", soci::use(tenant),
        soci::into(count);
    if (count >= kMaxWebhooksPerTenant) {
      return Fail(ErrorCode::kConflict, "a tenant may have at most " +
                                            std::to_string(kMaxWebhooksPerTenant) +
                                            " webhooks; delete one first");
    }
    CreatedWebhook out{.webhook = {.id = RandomUuid(),
                                   .url = request.url,
                                   .events = *events,
                                   .description = request.description,
                                   .created_at = NowRfc3339()},
                       .secret = webhooks::NewSecret()};
    const std::string joined = JoinCommaList(out.webhook.events);
    const std::string description = request.description.value_or("");
    soci::indicator description_ind = request.description ? soci::i_ok : soci::i_null;
    sql << "INSERT INTO webhooks (tenant_id, id, url, events, description, secret, created_at) "
           "VALUES (:t, :id, :u, :e, :d, :s, :c)",
        soci::use(tenant), soci::use(out.webhook.id), soci::use(out.webhook.url),
        soci::use(joined), soci::use(description, description_ind), soci::use(out.secret),
        soci::use(out.webhook.created_at);
    if (auto s = RecordAudit(sql, tenant, actor, "webhook.created", "webhook", out.webhook.id,
                             nullptr, AuditBody(out.webhook));
        !s) {
      return std::unexpected(s.error());
    }
    return out;
  });
}

Result<Listing<WebhookView>> ListWebhooks(store::Database& db, const std::string& tenant,
                                          const Page& page) {
  return db.ReadValue<Listing<WebhookView>>([&](soci::session& sql)
                                                -> Result<Listing<WebhookView>> {
    Listing<WebhookView> out;
    const int fetch = page.limit + 1;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT id, url, events, description, created_at FROM webhooks WHERE "
                        "tenant_id = :t AND id > :after ORDER BY id LIMIT :n",
         soci::use(tenant), soci::use(page.after), soci::use(fetch));
    for (const soci::row& r : rows) {
      WebhookView w{.id = r.get<std::string>(0),
                    .url = r.get<std::string>(1),
                    .events = SplitCommaList(r.get<std::string>(2)),
                    .created_at = r.get<std::string>(4)};
      if (r.get_indicator(3) == soci::i_ok) w.description = r.get<std::string>(3);
      out.items.push_back(std::move(w));
    }
    if (static_cast<int>(out.items.size()) > page.limit) {
      out.items.resize(page.limit);
      out.next_key = out.items.back().id;
    }
    return out;
  });
}

Result<WebhookView> GetWebhook(store::Database& db, const std::string& tenant,
                               const std::string& id) {
  return db.ReadValue<WebhookView>(
      [&](soci::session& sql) -> Result<WebhookView> { return LoadWebhook(sql, tenant, id); });
}

Status DeleteWebhook(store::Database& db, const std::string& tenant, const Actor& actor,
                     const std::string& id) {
  return db.Write([&](soci::session& sql) -> Status {
    auto w = LoadWebhook(sql, tenant, id);
    if (!w) return std::unexpected(w.error());
    sql << "DELETE FROM webhook_deliveries WHERE tenant_id = :t AND webhook_id = :id",
        soci::use(tenant), soci::use(id);
    sql << "DELETE FROM webhooks WHERE tenant_id = :t AND id = :id", soci::use(tenant),
        soci::use(id);
    return RecordAudit(sql, tenant, actor, "webhook.deleted", "webhook", id, AuditBody(*w),
                       nullptr);
  });
}

Result<Listing<DeliveryView>> ListDeliveries(store::Database& db, const std::string& tenant,
                                             const std::string& webhook_id, const Page& page) {
  std::optional<int64_t> before;
  if (!page.after.empty()) {
    before = ParseId(page.after);
    if (!before) {
      return Fail(ErrorCode::kInvalidRequest,
                  "cursor is not valid; pass the next_cursor of the previous page");
    }
  }
  return db.ReadValue<Listing<DeliveryView>>([&](soci::session& sql)
                                                 -> Result<Listing<DeliveryView>> {
    if (auto w = LoadWebhook(sql, tenant, webhook_id); !w) return std::unexpected(w.error());
    Listing<DeliveryView> out;
    const int fetch = page.limit + 1;
    long long below = before.value_or(std::numeric_limits<int64_t>::max());
    soci::rowset<soci::row> rows =
        (sql.prepare << std::string(kDeliveryColumns) +
                            "WHERE d.tenant_id = :t AND d.webhook_id = :w AND d.id < :b "
                            "ORDER BY d.id DESC LIMIT :n",
         soci::use(tenant), soci::use(webhook_id), soci::use(below), soci::use(fetch));
    for (const soci::row& r : rows) out.items.push_back(DeliveryOf(r));
    if (static_cast<int>(out.items.size()) > page.limit) {
      out.items.resize(page.limit);
      out.next_key = std::to_string(out.items.back().id);
    }
    return out;
  });
}

Result<DeliveryView> RetryDelivery(store::Database& db, const std::string& tenant,
                                   const Actor& actor, const std::string& webhook_id,
                                   const std::string& delivery_id) {
  const auto id = ParseId(delivery_id);
  if (!id) return Fail(ErrorCode::kNotFound, "no delivery with id '" + delivery_id + "'");
  auto retried = db.WriteValue<DeliveryView>([&](soci::session& sql) -> Result<DeliveryView> {
    long long key = *id;
    auto find = [&]() -> std::optional<DeliveryView> {
      soci::rowset<soci::row> rows =
          (sql.prepare << std::string(kDeliveryColumns) +
                              "WHERE d.tenant_id = :t AND d.webhook_id = :w AND d.id = :id",
           soci::use(tenant), soci::use(webhook_id), soci::use(key));
      for (const soci::row& r : rows) return DeliveryOf(r);
      return std::nullopt;
    };
    auto before = find();
    if (!before) {
      return Fail(ErrorCode::kNotFound, "webhook '" + webhook_id + "' has no delivery with id '" +
                                            delivery_id + "'");
    }
    if (before->status == "pending") {
      return Fail(ErrorCode::kConflict, "delivery " + delivery_id +
                                            " is still pending; it is retried on its own");
    }
    const std::string now = NowRfc3339();
    sql << "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = :n, "
           "finished_at = NULL, lease_owner = NULL, lease_until = NULL WHERE tenant_id = :t AND "
           "id = :id",
        soci::use(now), soci::use(tenant), soci::use(key);
    if (auto s = RecordAudit(sql, tenant, actor, "webhook.delivery_retried", "webhook",
                             webhook_id, {{"delivery_id", before->id}, {"status", before->status}},
                             {{"delivery_id", before->id}, {"status", "pending"}});
        !s) {
      return std::unexpected(s.error());
    }
    auto after = find();
    if (!after) return Fail(ErrorCode::kInternal, "retried delivery vanished");
    return *after;
  });
  if (retried) webhooks::NotifyOutbox();
  return retried;
}

}  // namespace allot::admin
