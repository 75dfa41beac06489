#include "server/admin/directory_filter.h"

#include <cctype>

#include "server/base/ascii.h"

namespace allot::admin {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= text_.size();
  }
  size_t pos() const { return pos_; }
  // A run of letters, digits, '.', ':' or '_'.
  std::string_view Word() {
    SkipSpace();
    const size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != ':' && c != '_') break;
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }
  // A JSON-style quoted string with \" and \\ escapes. False if malformed.
  bool Quoted(std::string& out) {
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '"') return false;
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (pos_ >= text_.size()) return false;
        c = text_[pos_++];
        if (c != '"' && c != '\\' && c != '/') return false;
      }
      out += c;
    }
    return false;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

Error Bad(std::string message) {
  return Error{ErrorCode::kInvalidRequest, "filter: " + std::move(message)};
}

}  // namespace

const std::vector<FilterAttribute>& UserFilterAttributes() {
  static const std::vector<FilterAttribute> kAttrs = {
      {"userName", false, false},
      {"displayName", false, false},
      {"externalId", false, true},
      {"active", true, true},
  };
  return kAttrs;
}

const std::vector<FilterAttribute>& GroupFilterAttributes() {
  static const std::vector<FilterAttribute> kAttrs = {
      {"displayName", false, false},
      {"externalId", false, true},
  };
  return kAttrs;
}

Result<std::vector<FilterTerm>> ParseDirectoryFilter(std::string_view text,
                                                     const std::vector<FilterAttribute>& allowed) {
  std::vector<FilterTerm> terms;
  Scanner in(text);
  if (in.AtEnd()) return terms;
  for (;;) {
    FilterTerm term;
    const std::string_view attr = in.Word();
    const FilterAttribute* found = nullptr;
    for (const FilterAttribute& a : allowed) {
      if (EqualsIgnoreAsciiCase(a.name, attr)) found = &a;
    }
    if (attr.empty()) {
      return std::unexpected(Bad("expected an attribute at position " + std::to_string(in.pos())));
    }
    if (found == nullptr) {
      std::string names;
      for (const FilterAttribute& a : allowed) names += (names.empty() ? "" : ", ") + std::string(a.name);
      return std::unexpected(
          Bad("attribute '" + std::string(attr) + "' cannot be filtered on; use one of " + names));
    }
    term.attribute = std::string(found->name);
    const std::string op = AsciiLower(in.Word());
    if (op == "eq") term.op = FilterOp::kEq;
    else if (op == "ne") term.op = FilterOp::kNe;
    else if (op == "sw" && !found->boolean) term.op = FilterOp::kSw;
    else if (op == "ew" && !found->boolean) term.op = FilterOp::kEw;
    else if (op == "co" && !found->boolean) term.op = FilterOp::kCo;
    else {
      return std::unexpected(Bad("operator '" + op + "' is not supported for " + term.attribute +
                                 (found->boolean ? "; use eq or ne" : "; use eq, ne, sw, ew or co")));
    }
    if (found->boolean) {
      const std::string v = AsciiLower(in.Word());
      if (v != "true" && v != "false") {
        return std::unexpected(Bad(term.attribute + " compares with true or false"));
      }
      term.value = v;
    } else if (!in.Quoted(term.value)) {
      return std::unexpected(
          Bad("the value for " + term.attribute + " must be a \"double-quoted\" string"));
    }
    terms.push_back(std::move(term));
    if (in.AtEnd()) return terms;
    if (AsciiLower(in.Word()) != "and") {
      return std::unexpected(Bad("expected 'and' or the end at position " +
                                 std::to_string(in.pos()) + " (only 'and' joins comparisons)"));
    }
    if (terms.size() >= 8) return std::unexpected(Bad("at most 8 comparisons"));
  }
}

std::string LikePattern(FilterOp op, std::string_view value) {
  std::string escaped;
  for (char c : value) {
    if (c == '%' || c == '_' || c == '\\') escaped += '\\';
    escaped += c;
  }
  switch (op) {
    case FilterOp::kSw: return escaped + "%";
    case FilterOp::kEw: return "%" + escaped;
    case FilterOp::kCo: return "%" + escaped + "%";
    default: return escaped;
  }
}

}  // namespace allot::admin
