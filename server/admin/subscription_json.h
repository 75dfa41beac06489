// server/admin/subscription_json.h — the one JSON shape of a subscription
// (admin API and operator API alike) and the parsing of its terms
// (starts_at, ends_at) from a request body.
// Thread-safety: stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "server/base/error.h"
#include "server/licensing/catalog.h"

namespace allot::admin {

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
