// server/policy/attribute_path.cc — see attribute_path.h.
#include "server/policy/attribute_path.h"

#include <algorithm>
#include <cctype>

#include "server/base/ascii.h"

namespace allot::policy {
namespace {

constexpr std::string_view kCoreUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";

// RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar); `$ref` is the one exception.
bool IsAttrName(std::string_view s) {
  if (s == "$ref") return true;
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

}  // namespace

std::expected<AttributePath, std::string> AttributePath::Parse(std::string_view path) {
  AttributePath out;
  std::string_view rest = path;
  if (path.size() > 4 && EqualsIgnoreAsciiCase(path.substr(0, 4), "urn:")) {
    size_t colon = path.rfind(':');
    out.schema_ = std::string(path.substr(0, colon));
    rest = path.substr(colon + 1);
    if (EqualsIgnoreAsciiCase(out.schema_, kCoreUserSchema)) out.schema_.clear();
  }
  size_t dot = rest.find('.');
  out.names_.emplace_back(rest.substr(0, dot));
  if (dot != std::string_view::npos) out.names_.emplace_back(rest.substr(dot + 1));
  for (const std::string& name : out.names_) {
    if (!IsAttrName(name)) {
      return std::unexpected("attribute path \"" + std::string(path) +
                             "\" is malformed: expected attr, attr.subAttr or "
                             "urn:...:attr[.subAttr]");
    }
  }
  return out;
}

const nlohmann::json* AttributePath::Member(const nlohmann::json& obj,
                                            std::string_view key) {
  if (!obj.is_object()) return nullptr;
  const auto& members = obj.get_ref<const nlohmann::json::object_t&>();
  if (auto it = members.find(key); it != members.end()) return &it->second;
  for (const auto& [k, v] : members) {
    if (EqualsIgnoreAsciiCase(k, key)) return &v;
  }
  return nullptr;
}

}  // namespace allot::policy
