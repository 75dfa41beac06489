// scim/filter.h — SCIM filters (RFC 7644 §3.4.2.2): the AST, its parser and
// its canonical text.
//
// The AST is a public tree of plain structs so that the server can translate
// it into SQL; scim/filter_eval.h evaluates it in memory. Precedence is
// not > and > or; `not` requires parentheses, as in the RFC grammar. Operator
// and logical keywords, and true/false/null, match in any case. Paths inside
// a value filter (`emails[type eq "work"]`) are relative to the outer
// attribute: their `attr` is the sub-attribute name.
//
// Bounds (CONTRACT.md, "Limits and hostile clients"): the parser refuses a
// filter longer than kMaxFilterBytes, with more than kMaxFilterComparisons
// comparisons, or nesting parentheses/brackets deeper than
// kMaxFilterNesting. `and`/`or` chains are one n-ary node, never a deep tree,
// so an AST from the parser is at most kMaxFilterTreeDepth nodes deep: the
// recursive walks over it (evaluation, SQL translation, printing,
// destruction) use a small, bounded stack.
// Thread-safety: an AST is immutable once built; nodes are shared with
// shared_ptr<const>, so copies are cheap and safe to use from many threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim/attr_path.h"
#include "scim/error.h"

namespace scim {

// A filter's text, at most (8 KiB). PATCH paths are held to the same length.
inline constexpr size_t kMaxFilterBytes = 8 * 1024;
// Comparisons (`attr op value` and `attr pr`, inside value filters too).
inline constexpr int kMaxFilterComparisons = 200;
// Nested groups: the whole filter, each `( … )`, `not ( … )` and `attr[ … ]`.
inline constexpr int kMaxFilterNesting = 64;
// Each nesting level adds at most an or-node, an and-node and a not- or
// value-path node; the comparison below is the last.
inline constexpr int kMaxFilterTreeDepth = 3 * kMaxFilterNesting + 1;

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

// a and b and … / a or b or …: two or more operands, in filter order, none
// of which is itself a Logical with the same op (the parser flattens
// `(a and b) and c` into one node of three operands).
struct Logical {
  enum class Op { kAnd, kOr };
  Op op = Op::kAnd;
  std::vector<FilterPtr> operands;
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
// position and what was expected there, or naming the limit passed (length,
// comparisons, nesting; see above).
Result<FilterPtr> ParseFilter(std::string_view text);

// The canonical text of a filter: keywords in lower case, single spaces,
// values as JSON, and parentheses only where precedence needs them
// (`a pr or b pr and c pr`, `(a pr or b pr) and c pr`, `not (a pr)`). It
// nests no deeper than the text it was parsed from, so for a filter from
// ParseFilter, ParseFilter(ToString(f)) yields a filter with the same
// canonical text — unless that text passes kMaxFilterBytes (a value can
// print longer than it was written: 1e9 prints as 1000000000.0).
std::string ToString(const FilterNode& filter);

// Used by the PATCH path parser: parses the filter inside `[...]` starting at
// text[*pos]; on success *pos is just after the closing ']'. The comparison
// and nesting limits apply; the caller limits the length of `text`.
Result<FilterPtr> ParseValueFilter(std::string_view text, size_t* pos);

}  // namespace scim
