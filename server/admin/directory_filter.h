// server/admin/directory_filter.h — the small filter language of GET /users and
// GET /groups: comparisons `attribute op "value"` joined with `and`, e.g.
//   userName sw "ann" and active eq true
// Attributes: users userName, displayName, externalId, active; groups
// displayName, externalId. Operators: eq, ne, sw, ew, co (strings), eq, ne
// (active). userName and displayName compare without regard to case,
// externalId exactly (as their SCIM definitions say).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/base/error.h"
#include "server/base/ascii.h"  // AsciiLower: the form of the *_lower columns

namespace allot::admin {

enum class FilterOp { kEq, kNe, kSw, kEw, kCo };

struct FilterTerm {
  std::string attribute;  // as written in SCIM: "userName", ...
  FilterOp op = FilterOp::kEq;
  std::string value;      // unquoted; "true"/"false" for active
};

// Which attributes a resource offers, and whether each is case-exact.
struct FilterAttribute {
  std::string_view name;
  bool boolean = false;
  bool case_exact = false;
};

// Parses `text`. kInvalidRequest naming the position, attribute or operator
// that is not understood. An empty text is no filter (no terms).
Result<std::vector<FilterTerm>> ParseDirectoryFilter(std::string_view text,
                                                     const std::vector<FilterAttribute>& allowed);

// The attributes GET /users and GET /groups accept.
const std::vector<FilterAttribute>& UserFilterAttributes();
const std::vector<FilterAttribute>& GroupFilterAttributes();

// The LIKE pattern for a term (sw/ew/co) with %, _ and \ escaped by '\'.
std::string LikePattern(FilterOp op, std::string_view value);


}  // namespace allot::admin
