#include "scim/filter.h"

#include <array>
#include <cctype>
#include <cmath>
#include <utility>

namespace scim {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, CompareOp>, 9> kOps = {{
    {"eq", CompareOp::kEq}, {"ne", CompareOp::kNe}, {"co", CompareOp::kCo},
    {"sw", CompareOp::kSw}, {"ew", CompareOp::kEw}, {"gt", CompareOp::kGt},
    {"ge", CompareOp::kGe}, {"lt", CompareOp::kLt}, {"le", CompareOp::kLe},
}};

FilterPtr Make(auto node) { return std::make_shared<const FilterNode>(FilterNode{std::move(node)}); }

// Adds `operand` to a chain of `op`, splicing in the operands of a
// (parenthesised) chain of the same op: and/or are associative, and a flat
// chain keeps every walk over the tree shallow however long the filter.
void AppendOperand(Logical::Op op, FilterPtr operand, std::vector<FilterPtr>* chain) {
  if (const auto* l = std::get_if<Logical>(&operand->node); l != nullptr && l->op == op) {
    chain->insert(chain->end(), l->operands.begin(), l->operands.end());
  } else {
    chain->push_back(std::move(operand));
  }
}

FilterPtr MakeChain(Logical::Op op, std::vector<FilterPtr> chain) {
  if (chain.size() == 1) return std::move(chain.front());
  return Make(Logical{op, std::move(chain)});
}

class Parser {
 public:
  Parser(std::string_view text, size_t pos) : text_(text), pos_(pos) {}

  size_t pos() const { return pos_; }

  Result<FilterPtr> ParseWhole() {
    Result<FilterPtr> f = ParseOr(false);
    if (!f) return f;
    SkipWs();
    if (pos_ < text_.size()) return Fail(Expected("'and', 'or' or the end of the filter"));
    return f;
  }

  // Parses "[ valFilter ]" with pos_ at '['.
  Result<FilterPtr> ParseBracketed() {
    ++pos_;  // '['
    Result<FilterPtr> f = ParseOr(true);
    if (!f) return f;
    SkipWs();
    if (Peek() != ']') return Fail(Expected("']'"));
    ++pos_;
    return f;
  }

 private:
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  void SkipWs() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  std::string_view PeekWord() const {
    size_t end = pos_;
    while (end < text_.size() && IsAttrPathChar(text_[end])) ++end;
    return text_.substr(pos_, end - pos_);
  }

  Error Expected(std::string_view what) const {
    std::string found = pos_ < text_.size() ? "'" + std::string(text_.substr(pos_, 12)) + "'"
                                            : std::string("the end of the filter");
    return Error::InvalidFilter("invalid filter at position " + std::to_string(pos_ + 1) +
                                ": expected " + std::string(what) + ", found " + found);
  }

  Result<FilterPtr> ParseOr(bool in_brackets) {
    if (++depth_ > kMaxFilterNesting) {
      return Fail(Error::InvalidFilter("filter nests too deeply: the limit is " +
                                       std::to_string(kMaxFilterNesting) +
                                       " levels of parentheses and brackets"));
    }
    std::vector<FilterPtr> chain;
    Result<FilterPtr> first = ParseAnd(in_brackets);
    if (!first) return first;
    AppendOperand(Logical::Op::kOr, std::move(*first), &chain);
    while (true) {
      size_t save = pos_;
      SkipWs();
      if (!EqualsIgnoreCase(PeekWord(), "or")) {
        pos_ = save;
        break;
      }
      pos_ += 2;
      Result<FilterPtr> next = ParseAnd(in_brackets);
      if (!next) return next;
      AppendOperand(Logical::Op::kOr, std::move(*next), &chain);
    }
    --depth_;
    return MakeChain(Logical::Op::kOr, std::move(chain));
  }

  Result<FilterPtr> ParseAnd(bool in_brackets) {
    std::vector<FilterPtr> chain;
    Result<FilterPtr> first = ParseUnary(in_brackets);
    if (!first) return first;
    AppendOperand(Logical::Op::kAnd, std::move(*first), &chain);
    while (true) {
      size_t save = pos_;
      SkipWs();
      if (!EqualsIgnoreCase(PeekWord(), "and")) {
        pos_ = save;
        break;
      }
      pos_ += 3;
      Result<FilterPtr> next = ParseUnary(in_brackets);
      if (!next) return next;
      AppendOperand(Logical::Op::kAnd, std::move(*next), &chain);
    }
    return MakeChain(Logical::Op::kAnd, std::move(chain));
  }

  Result<FilterPtr> ParseParenthesised(bool in_brackets) {
    ++pos_;  // '('
    Result<FilterPtr> inner = ParseOr(in_brackets);
    if (!inner) return inner;
    SkipWs();
    if (Peek() != ')') return Fail(Expected("')'"));
    ++pos_;
    return inner;
  }

  Result<FilterPtr> ParseUnary(bool in_brackets) {
    SkipWs();
    if (Peek() == '(') return ParseParenthesised(in_brackets);
    std::string_view word = PeekWord();
    if (EqualsIgnoreCase(word, "not")) {
      pos_ += 3;
      SkipWs();
      if (Peek() != '(') return Fail(Expected("'(' after 'not'"));
      Result<FilterPtr> inner = ParseParenthesised(in_brackets);
      if (!inner) return inner;
      return Make(Negation{std::move(*inner)});
    }
    return ParseAttrExpression(in_brackets);
  }

  Result<FilterPtr> ParseAttrExpression(bool in_brackets) {
    std::string_view word = PeekWord();
    if (word.empty()) return Fail(Expected("an attribute path, 'not' or '('"));
    size_t word_pos = pos_;
    Result<AttrPath> path = ParseAttrPath(word);
    if (!path) {
      return Fail(Error::InvalidFilter("invalid filter at position " + std::to_string(word_pos + 1) +
                                       ": " + path.error().detail));
    }
    pos_ += word.size();
    if (Peek() == '[') {
      if (in_brackets) return Fail(Expected("a comparison (value filters do not nest)"));
      if (!path->sub.empty()) return Fail(Expected("an attribute without sub-attribute before '['"));
      Result<FilterPtr> inner = ParseBracketed();
      if (!inner) return inner;
      if (Peek() == '.') {
        return Fail(Expected("no sub-attribute after ']' (allowed in PATCH paths only)"));
      }
      return Make(ValuePath{std::move(*path), std::move(*inner)});
    }
    if (!std::isspace(static_cast<unsigned char>(Peek()))) return Fail(Expected("a space and an operator"));
    if (++comparisons_ > kMaxFilterComparisons) {
      return Fail(Error::InvalidFilter("the filter has more than " +
                                       std::to_string(kMaxFilterComparisons) +
                                       " comparisons, the limit"));
    }
    SkipWs();
    std::string_view op_word = PeekWord();
    if (EqualsIgnoreCase(op_word, "pr")) {
      pos_ += 2;
      return Make(Presence{std::move(*path)});
    }
    for (const auto& [name, op] : kOps) {
      if (EqualsIgnoreCase(op_word, name)) {
        pos_ += 2;
        if (!std::isspace(static_cast<unsigned char>(Peek()))) return Fail(Expected("a space and a value"));
        SkipWs();
        Result<json> value = ParseValue();
        if (!value) return Fail(value.error());
        return Make(Comparison{std::move(*path), op, std::move(*value)});
      }
    }
    return Fail(Expected("an operator (eq ne co sw ew gt ge lt le pr)"));
  }

  Result<json> ParseValue() {
    size_t start = pos_;
    if (Peek() == '"') {
      ++pos_;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        if (text_[pos_] == '\\') ++pos_;
        ++pos_;
      }
      if (pos_ >= text_.size()) {
        pos_ = start;
        return Fail(Expected("a string closed by '\"'"));
      }
      ++pos_;
      json v = json::parse(text_.substr(start, pos_ - start), nullptr, false);
      if (v.is_discarded()) {
        pos_ = start;
        return Fail(Expected("a valid JSON string"));
      }
      return CheckValueEnd(std::move(v));
    }
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '-' ||
            text_[pos_] == '+' || text_[pos_] == '.')) {
      ++pos_;
    }
    std::string_view token = text_.substr(start, pos_ - start);
    json v;
    if (EqualsIgnoreCase(token, "true")) {
      v = true;
    } else if (EqualsIgnoreCase(token, "false")) {
      v = false;
    } else if (EqualsIgnoreCase(token, "null")) {
      v = nullptr;
    } else {
      v = token.empty() ? json(json::value_t::discarded) : json::parse(token, nullptr, false);
      if (v.is_discarded() || !v.is_number() ||
          (v.is_number_float() && !std::isfinite(v.get<double>()))) {
        pos_ = start;
        return Fail(Expected("a value (a JSON string, number, true, false or null)"));
      }
    }
    return CheckValueEnd(std::move(v));
  }

  Result<json> CheckValueEnd(json v) {
    char next = Peek();
    if (next != '\0' && next != ')' && next != ']' && !std::isspace(static_cast<unsigned char>(next))) {
      return Fail(Expected("a space, ')' or the end after the value"));
    }
    return v;
  }

  std::string_view text_;
  size_t pos_;
  int depth_ = 0;
  int comparisons_ = 0;
};

}  // namespace

std::string_view ToString(CompareOp op) {
  for (const auto& [name, o] : kOps) {
    if (o == op) return name;
  }
  return "eq";
}

Result<FilterPtr> ParseFilter(std::string_view text) {
  if (text.size() > kMaxFilterBytes) {
    return Fail(Error::InvalidFilter("the filter is " + std::to_string(text.size()) +
                                     " bytes long; the limit is " +
                                     std::to_string(kMaxFilterBytes) + " bytes"));
  }
  Parser p(text, 0);
  return p.ParseWhole();
}

Result<FilterPtr> ParseValueFilter(std::string_view text, size_t* pos) {
  Parser p(text, *pos);
  Result<FilterPtr> f = p.ParseBracketed();
  if (f) *pos = p.pos();
  return f;
}

std::string ToString(const FilterNode& filter) {
  struct Printer {
    std::string operator()(const Comparison& c) const {
      return c.path.ToString() + " " + std::string(ToString(c.op)) + " " + c.value.dump();
    }
    std::string operator()(const Presence& p) const { return p.path.ToString() + " pr"; }
    std::string operator()(const Logical& l) const {
      const char* glue = l.op == Logical::Op::kAnd ? " and " : " or ";
      std::string out;
      for (size_t i = 0; i < l.operands.size(); ++i) {
        if (i > 0) out += glue;
        const FilterNode& operand = *l.operands[i];
        // Only what precedence needs: `and` binds tighter than `or`.
        const auto* inner = std::get_if<Logical>(&operand.node);
        const bool parens =
            inner != nullptr && !(l.op == Logical::Op::kOr && inner->op == Logical::Op::kAnd);
        out += parens ? "(" + ToString(operand) + ")" : ToString(operand);
      }
      return out;
    }
    std::string operator()(const Negation& n) const { return "not (" + ToString(*n.operand) + ")"; }
    std::string operator()(const ValuePath& v) const {
      return v.attr.ToString() + "[" + ToString(*v.filter) + "]";
    }
  };
  return std::visit(Printer{}, filter.node);
}

}  // namespace scim
