#include "scim/attr_path.h"

#include <cctype>

namespace scim {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool StartsWithUrn(std::string_view text) {
  return text.size() >= 4 && EqualsIgnoreCase(text.substr(0, 4), "urn:");
}

bool IsAttrPathChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
         c == '$' || c == ':' || c == '.';
}

std::string AttrPath::ToString() const {
  std::string out;
  if (!urn.empty()) out += urn + ":";
  out += attr;
  if (!sub.empty()) out += "." + sub;
  return out;
}

namespace {

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  // ATTRNAME = ALPHA *(nameChar); "$ref" is the one name starting with '$'.
  if (!std::isalpha(static_cast<unsigned char>(name[0])) && name[0] != '$') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '$') {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<AttrPath> ParseAttrPath(std::string_view text) {
  AttrPath path;
  std::string_view rest = text;
  for (char c : text) {
    if (!IsAttrPathChar(c)) {
      return Fail(Error::InvalidPath("attribute path '" + std::string(text) +
                                     "' contains the character '" + std::string(1, c) + "'"));
    }
  }
  if (StartsWithUrn(text)) {
    // The URN itself contains ':' and '.', so the attribute is what follows
    // the last ':'.
    size_t colon = text.rfind(':');
    path.urn = std::string(text.substr(0, colon));
    rest = text.substr(colon + 1);
  }
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) {
    path.attr = std::string(rest);
  } else {
    path.attr = std::string(rest.substr(0, dot));
    path.sub = std::string(rest.substr(dot + 1));
    if (!IsValidName(path.sub)) {
      return Fail(Error::InvalidPath("attribute path '" + std::string(text) +
                                     "' has an invalid sub-attribute name"));
    }
  }
  if (!IsValidName(path.attr)) {
    return Fail(Error::InvalidPath("attribute path '" + std::string(text) +
                                   "' has an invalid attribute name"));
  }
  return path;
}

}  // namespace scim
