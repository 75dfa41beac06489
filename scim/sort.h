// scim/sort.h — `sortBy` and `sortOrder` (RFC 7644 §3.4.2.3).
//
// Strings compare case-insensitively unless the attribute is caseExact
// (ASCII folding); numbers numerically; dateTimes as instants; false before
// true. A multi-valued attribute sorts by its primary value, else its first.
// Resources without a value sort last in either order (a decision: the RFC
// leaves it open). Ties compare equal: use a stable sort on a stable order.
// Thread-safety: a SortSpec is an immutable value; functions are pure.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "scim/error.h"
#include "scim/schema.h"

namespace scim {

struct SortSpec {
  ResolvedAttribute attribute;
  bool descending = false;
};

// `sort_order` is "", "ascending" or "descending" in any case. Fails with
// invalidPath for an unknown or malformed sortBy and invalidValue for
// another sortOrder.
Result<SortSpec> ParseSort(const ResourceType& type, std::string_view sort_by, std::string_view sort_order);

// <0 when `a` sorts before `b`, 0 when equal, >0 otherwise.
int CompareForSort(const SortSpec& spec, const nlohmann::json& a, const nlohmann::json& b);

// A comparator for std::stable_sort.
struct SortLess {
  const SortSpec& spec;
  bool operator()(const nlohmann::json& a, const nlohmann::json& b) const { return CompareForSort(spec, a, b) < 0; }
};

}  // namespace scim
