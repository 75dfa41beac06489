// server/licensing/catalog.h — products and subscriptions (the seat pools):
// create, read, list, change, delete; seats raised at any time (the pending
// queue fills FIFO at once) and lowered only down to what is assigned.
// Every change writes an audit event in its transaction.
// Thread-safety: stateless functions over the thread-safe Database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/base/actor.h"
#include "server/base/error.h"
#include "server/store/database.h"

namespace allot::licensing {

struct Product {
  std::string id, name;
  std::optional<std::string> family;
  std::string created_at;
};

struct Subscription {
  std::string id, product_id;
  int64_t seats = 0, assigned = 0, pending = 0;
  int64_t available() const { return seats - assigned; }
  std::string created_at;
  std::string fill = "auto";  // auto | manual: who gets a freed seat (queue.h)
  // The term (terms.h), RFC 3339 UTC in NowRfc3339's form; nullopt: unbounded.
  std::optional<std::string> starts_at, ends_at;
  std::string status = "active";  // scheduled | active | expired, when read
};

// The most seats one subscription may have (CONTRACT.md, "Limits and hostile
// clients"): sums over a tenant's subscriptions then stay far inside int64.
inline constexpr int64_t kMaxSeats = 1'000'000'000;

// Ok for 0 <= seats <= kMaxSeats; otherwise kInvalidRequest naming the
// range. Every path that sets seats checks here, so the limit lives in one
// place.
Status ValidateSeats(int64_t seats);

struct ListOptions {
  int limit = 100;
  std::string after;  // last id of the previous page
  // When set, only these subscription ids (a Subscription admin's scope).
  const std::vector<std::string>* only = nullptr;
};
template <typename T>
struct ListPage {
  std::vector<T> items;
  std::string next_after;  // empty on the last page
};

// id empty → generated. kInvalidRequest (bad id, empty name), kConflict
// (id taken), kNotFound (product of a subscription).
Result<Product> CreateProduct(store::Database& db, const std::string& tenant, Product product,
                              const Actor& actor);
Result<Product> GetProduct(store::Database& db, const std::string& tenant, const std::string& id);
Result<ListPage<Product>> ListProducts(store::Database& db, const std::string& tenant,
                                       const ListOptions& options);
// Fields left nullopt stay; family set to "" clears it. Changing a family
// re-decides nobody at once (next reconcile does).
struct ProductChange {
  std::optional<std::string> name;
  std::optional<std::string> family;  // "" clears
};
Result<Product> UpdateProduct(store::Database& db, const std::string& tenant,
                              const std::string& id, const ProductChange& change,
                              const Actor& actor);
// kConflict while a subscription of it exists.
Status DeleteProduct(store::Database& db, const std::string& tenant, const std::string& id,
                     const Actor& actor);

// seats as ValidateSeats; id empty → generated; starts_at before ends_at
// when both are given (kInvalidRequest).
Result<Subscription> CreateSubscription(store::Database& db, const std::string& tenant,
                                        Subscription subscription, const Actor& actor);
Result<Subscription> GetSubscription(store::Database& db, const std::string& tenant,
                                     const std::string& id);
Result<ListPage<Subscription>> ListSubscriptions(store::Database& db, const std::string& tenant,
                                                 const ListOptions& options);
// Raises (filling pending FIFO) or lowers (kConflict with the numbers when
// below assigned) the seats; kInvalidRequest as ValidateSeats.
Result<Subscription> SetSeats(store::Database& db, const std::string& tenant,
                              const std::string& id, int64_t seats, const Actor& actor);

// PATCH of a subscription: the fields given change together, in one
// transaction, with one subscription.updated event. Seats as SetSeats;
// `fill` "auto" or "manual" (kInvalidRequest otherwise); turning a
// subscription back to auto serves its queue at once.
// Terms: a set outer optional changes the field, an empty inner one clears
// it; starts_at must stay before ends_at (kInvalidRequest). Moving ends_at
// later than now on an expired subscription renews it: the users its
// policies and overrides give it are evaluated again (terms.h).
struct SubscriptionChange {
  std::optional<int64_t> seats;
  std::optional<std::string> fill;
  std::optional<std::optional<std::string>> starts_at, ends_at;
};
Result<Subscription> UpdateSubscription(store::Database& db, const std::string& tenant,
                                        const std::string& id, const SubscriptionChange& change,
                                        const Actor& actor);

// Reads one subscription in an open transaction; kNotFound.
Result<Subscription> ReadSubscription(soci::session& sql, const std::string& tenant,
                                      const std::string& id);

}  // namespace allot::licensing
