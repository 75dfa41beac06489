#include "server/webhooks/outbox.h"

#include <soci/soci.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "server/base/clock.h"
#include "server/base/comma_list.h"
#include "server/base/random.h"
#include "server/store/bulk.h"
#include "server/store/database.h"
#include "server/store/statement_cache.h"

namespace allot::webhooks {
namespace {

using nlohmann::json;

struct Wakeup {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t generation = 0;  // guarded by mu
};

Wakeup& TheWakeup() {
  static Wakeup w;
  return w;
}

struct SubscriberLookup : store::CachedStatement {
  explicit SubscriberLookup(soci::session& sql)
      : st((sql.prepare << "SELECT id, events FROM webhooks WHERE tenant_id = :t ORDER BY id",
            soci::use(tenant), soci::into(id), soci::into(events))) {}
  std::string tenant, id, events;
  soci::statement st;
};

// A change usually writes an event or two: for those, the lookups run as
// statements kept prepared per connection (statement_cache.h) — preparing
// them per change cost about as much as the change. Larger batches (a
// reconcile, a bulk assign) use IN lists. The inserts always go through
// store::InsertRows, which keeps its statements on both databases and
// writes the rows in order (delivery ids grow in event order).
constexpr size_t kFewRows = 4;

struct UserNames : store::CachedStatement {
  explicit UserNames(soci::session& sql)
      : st((sql.prepare << "SELECT user_name, external_id FROM scim_users WHERE tenant_id = :t "
                           "AND id = :id",
            soci::use(tenant), soci::use(id), soci::into(user_name),
            soci::into(external_id, external_ind))) {}
  std::string tenant, id, user_name, external_id;
  soci::indicator external_ind = soci::i_null;
  soci::statement st;
};

struct ProductOf : store::CachedStatement {
  explicit ProductOf(soci::session& sql)
      : st((sql.prepare << "SELECT product_id FROM subscriptions WHERE tenant_id = :t AND id = :id",
            soci::use(tenant), soci::use(id), soci::into(product))) {}
  std::string tenant, id, product;
  soci::statement st;
};

template <typename T>
T* Kept(soci::session& sql, const char* key, std::unique_ptr<store::CachedStatement>* scratch) {
  return store::Prepared<T>(
      sql, key, [](soci::session& s) { return std::make_unique<T>(s); }, scratch);
}

// Runs `before (:i0, :i1, …) after` for chunks of `ids`, `leading` bound
// first; calls `on_row` for each row.
void SelectIn(soci::session& sql, const std::string& before, const std::string& after,
              const std::string& leading, const std::vector<std::string>& ids,
              const std::function<void(const soci::row&)>& on_row) {
  constexpr size_t kChunk = 500;
  for (size_t start = 0; start < ids.size(); start += kChunk) {
    const size_t n = std::min(kChunk, ids.size() - start);
    std::string text = before + "(";
    for (size_t i = 0; i < n; ++i) text += (i ? ", :i" : ":i") + std::to_string(i);
    text += ")" + after;
    std::string lead = leading;
    std::vector<std::string> chunk(ids.begin() + start, ids.begin() + start + n);
    soci::row row;
    soci::statement st(sql);
    st.exchange(soci::into(row));
    st.exchange(soci::use(lead));
    for (std::string& id : chunk) st.exchange(soci::use(id));
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
    if (st.execute(true)) {
      do {
        on_row(row);
      } while (st.fetch());
    }
  }
}

std::string Text(const soci::row& r, size_t i) {
  return r.get_indicator(i) == soci::i_ok ? r.get<std::string>(i) : std::string();
}

json OrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

}  // namespace

bool IsEventType(std::string_view type) {
  return std::any_of(std::begin(kEventTypes), std::end(kEventTypes),
                     [&](const char* t) { return type == t; });
}

bool Subscriber::Wants(std::string_view type) const {
  return std::find(events.begin(), events.end(), type) != events.end();
}

Result<std::vector<Subscriber>> LoadSubscribers(soci::session& sql, const std::string& tenant) {
  try {
    std::unique_ptr<store::CachedStatement> scratch;
    auto* q = store::Prepared<SubscriberLookup>(
        sql, "webhooks.subscribers",
        [](soci::session& s) { return std::make_unique<SubscriberLookup>(s); }, &scratch);
    q->tenant = tenant;
    std::vector<Subscriber> out;
    q->st.execute(false);
    while (q->st.fetch()) out.push_back({q->id, SplitCommaList(q->events)});
    return out;
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
}

Status Enqueue(soci::session& sql, const std::string& tenant,
               const std::vector<Subscriber>& subscribers, const std::vector<OutboxEvent>& events) {
  std::vector<const OutboxEvent*> wanted;
  for (const OutboxEvent& e : events) {
    if (std::any_of(subscribers.begin(), subscribers.end(),
                    [&](const Subscriber& s) { return s.Wants(e.type); })) {
      wanted.push_back(&e);
    }
  }
  if (wanted.empty()) return Ok();
  try {
    // The names the body carries: users (deleted ones keep their row) and
    // the product of each subscription.
    std::vector<std::string> user_ids, sub_ids;
    for (const OutboxEvent* e : wanted) {
      if (!e->user_id.empty()) user_ids.push_back(e->user_id);
      if (!e->subscription_id.empty()) sub_ids.push_back(e->subscription_id);
    }
    for (auto* ids : {&user_ids, &sub_ids}) {
      std::sort(ids->begin(), ids->end());
      ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
    }
    std::map<std::string, std::pair<std::string, std::string>> users;  // id -> userName, externalId
    std::map<std::string, std::string> products;                      // subscription -> product
    if (user_ids.size() <= kFewRows) {
      std::unique_ptr<store::CachedStatement> scratch;
      auto* q = Kept<UserNames>(sql, "webhooks.user_names", &scratch);
      for (const std::string& id : user_ids) {
        q->tenant = tenant;
        q->id = id;
        q->external_ind = soci::i_null;
        q->st.execute(false);
        bool found = false;
        while (q->st.fetch()) found = true;
        if (found) {
          users[id] = {q->user_name, q->external_ind == soci::i_ok ? q->external_id : ""};
        }
      }
    } else {
      SelectIn(sql,
               "SELECT id, user_name, external_id FROM scim_users WHERE tenant_id = :t AND id IN ",
               "", tenant, user_ids, [&](const soci::row& r) {
                 users[r.get<std::string>(0)] = {Text(r, 1), Text(r, 2)};
               });
    }
    if (sub_ids.size() <= kFewRows) {
      std::unique_ptr<store::CachedStatement> scratch;
      auto* q = Kept<ProductOf>(sql, "webhooks.product_of", &scratch);
      for (const std::string& id : sub_ids) {
        q->tenant = tenant;
        q->id = id;
        q->st.execute(false);
        bool found = false;
        while (q->st.fetch()) found = true;
        if (found) products[id] = q->product;
      }
    } else {
      SelectIn(sql, "SELECT id, product_id FROM subscriptions WHERE tenant_id = :t AND id IN ",
               "", tenant, sub_ids, [&](const soci::row& r) {
                 products[r.get<std::string>(0)] = r.get<std::string>(1);
               });
    }

    const std::string now = NowRfc3339();
    std::vector<std::string> e_tenant, e_id, e_type, e_user, e_at, e_body;
    std::vector<soci::indicator> e_user_ind;
    std::vector<std::string> d_tenant, d_webhook, d_event, d_key, d_status, d_next, d_created;
    for (const OutboxEvent* e : wanted) {
      const std::string id = "evt_" + TimeOrderedUuid();
      const auto user = users.find(e->user_id);
      const auto product = products.find(e->subscription_id);
      json data = {
          {"user_id", OrNull(e->user_id)},
          {"user_name", user == users.end() ? json(nullptr) : OrNull(user->second.first)},
          {"external_id", user == users.end() ? json(nullptr) : OrNull(user->second.second)},
          {"subscription_id", OrNull(e->subscription_id)},
          {"product_id", product == products.end() ? json(nullptr) : json(product->second)},
          {"state", OrNull(e->state)},
          {"reason", OrNull(e->reason)}};
      json body = {{"id", id},
                   {"type", e->type},
                   {"tenant", tenant},
                   {"occurred_at", now},
                   {"data", std::move(data)}};
      e_tenant.push_back(tenant);
      e_id.push_back(id);
      e_type.push_back(e->type);
      e_user.push_back(e->user_id);
      e_user_ind.push_back(e->user_id.empty() ? soci::i_null : soci::i_ok);
      e_at.push_back(now);
      e_body.push_back(body.dump(-1, ' ', false, json::error_handler_t::replace));
      for (const Subscriber& s : subscribers) {
        if (!s.Wants(e->type)) continue;
        d_tenant.push_back(tenant);
        d_webhook.push_back(s.webhook_id);
        d_event.push_back(id);
        d_key.push_back(e->user_id);
        d_status.push_back("pending");
        d_next.push_back(now);
        d_created.push_back(now);
      }
    }
    if (auto s = store::InsertRows(sql, "webhook_events",
                                   {{"tenant_id", &e_tenant},
                                    {"id", &e_id},
                                    {"type", &e_type},
                                    {"user_id", &e_user, &e_user_ind},
                                    {"occurred_at", &e_at},
                                    {"body", &e_body}});
        !s) {
      return s;
    }
    if (auto s = store::InsertRows(sql, "webhook_deliveries",
                                   {{"tenant_id", &d_tenant},
                                    {"webhook_id", &d_webhook},
                                    {"event_id", &d_event},
                                    {"order_key", &d_key},
                                    {"status", &d_status},
                                    {"next_attempt_at", &d_next},
                                    {"created_at", &d_created}});
        !s) {
      return s;
    }
  } catch (const std::exception& e) {
    return std::unexpected(store::ErrorFromException(e));
  }
  // The senders of this process look as soon as the rows are visible.
  store::OnCommit(sql, [] { NotifyOutbox(); });
  return Ok();
}

void NotifyOutbox() { NotifyOutbox(false); }

void NotifyOutbox(bool everyone) {
  Wakeup& w = TheWakeup();
  {
    std::lock_guard lock(w.mu);
    ++w.generation;
  }
  if (everyone) {
    w.cv.notify_all();
  } else {
    w.cv.notify_one();
  }
}

uint64_t OutboxGeneration() {
  Wakeup& w = TheWakeup();
  std::lock_guard lock(w.mu);
  return w.generation;
}

void WaitForOutbox(uint64_t seen, std::chrono::milliseconds timeout) {
  Wakeup& w = TheWakeup();
  std::unique_lock lock(w.mu);
  w.cv.wait_for(lock, timeout, [&] { return w.generation != seen; });
}

}  // namespace allot::webhooks
