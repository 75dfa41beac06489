// scim/filter.h — SCIM filters (RFC 7644 §3.4.2.2): the AST, its parser and
// its canonical text.
//
// The AST is a public tree of plain structs so that the server can translate
// it into SQL; scim/filter_eval.h evaluates it in memory. Precedence is
// not > and > or; `not` requires parentheses, as in the RFC grammar. Operator
// and logical keywords, and true/false/null, match in any case. Paths inside
// a value filter (`emails[type eq "work"]`) are relative to the outer
// attribute: their `attr` is the sub-attribute name.
// Thread-safety: an AST is immutable once built; nodes are shared with
// shared_ptr<const>, so copies are cheap and safe to use from many threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "scim/attr_path.h"
#include "scim/error.h"

namespace scim {

enum class CompareOp { kEq, kNe, kCo, kSw, kEw, kGt, kGe, kLt, kLe };
std::string_view ToString(CompareOp op);  // "eq", "ne", …

struct FilterNode;
using FilterPtr = std::shared_ptr<const FilterNode>;

// attrPath op compValue. `value` is a JSON string, number, boolean or null.
struct Comparison {
  AttrPath path;
  CompareOp op = CompareOp::kEq;
  nlohmann::json value;
};

// attrPath pr
struct Presence {
  AttrPath path;
};

// left and right / left or right
struct Logical {
  enum class Op { kAnd, kOr };
  Op op = Op::kAnd;
  FilterPtr left;
  FilterPtr right;
};

// not ( operand )
struct Negation {
  FilterPtr operand;
};

// attr[filter]: some value of the multi-valued (or complex) attribute `attr`
// matches `filter`, whose paths name sub-attributes of `attr`. `attr.sub` is
// always empty here.
struct ValuePath {
  AttrPath attr;
  FilterPtr filter;
};

struct FilterNode {
  std::variant<Comparison, Presence, Logical, Negation, ValuePath> node;
};

// Parses a filter. Fails with invalidFilter giving the 1-based character
// position and what was expected there. Nesting deeper than 64 levels fails.
Result<FilterPtr> ParseFilter(std::string_view text);

// The canonical text of a filter: keywords in lower case, every and/or group
// in parentheses, values as JSON. ParseFilter(ToString(f)) yields a filter
// with the same canonical text.
std::string ToString(const FilterNode& filter);

// Used by the PATCH path parser: parses the filter inside `[...]` starting at
// text[*pos]; on success *pos is just after the closing ']'.
Result<FilterPtr> ParseValueFilter(std::string_view text, size_t* pos);

}  // namespace scim
