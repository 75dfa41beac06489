// server/admin/subscription_json.h — the one JSON shape of a product and of a
// subscription (admin API and operator API alike), seats as a body gives them, and the parsing of its terms
// (starts_at, ends_at) from a request body.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/base/error.h"
#include "server/admin/routes.h"
#include "server/licensing/catalog.h"

namespace allot::admin {

// {id, name, family, created_at}; no family is null.
nlohmann::json ProductJson(const licensing::Product& p);

// A JSON integer (ParseBody checked the type) as seats. One past int64 (a
// uint64) saturates, so ValidateSeats refuses it as above the limit instead
// of seeing it wrap to a negative number.
int64_t SeatsOf(const nlohmann::json& v);

// A page of catalog items as {items, next_cursor}.
template <typename T, typename F>
nlohmann::json CatalogPageJson(const licensing::ListPage<T>& page, F to_json) {
  nlohmann::json items = nlohmann::json::array();
  for (const T& t : page.items) items.push_back(to_json(t));
  return PageBody(std::move(items), page.next_after);
}

// {id, product_id, seats, assigned, pending, available, fill, starts_at,
//  ends_at, status, created_at}; unbounded terms are null.
nlohmann::json SubscriptionJson(const licensing::Subscription& s);

// A term field as given in a body: absent (outer nullopt), null (clear it:
// inner nullopt) or an RFC 3339 time, stored in the server's UTC form.
using TermField = std::optional<std::optional<std::string>>;
struct TermFields {
  TermField starts_at, ends_at;
  bool any() const { return starts_at.has_value() || ends_at.has_value(); }
};

// Reads "starts_at" and "ends_at" from `raw_body` (already accepted by
// ParseBody with both as kAny). kInvalidRequest naming the field when it is
// neither null nor an RFC 3339 time.
Result<TermFields> ParseTermFields(std::string_view raw_body);

}  // namespace allot::admin
