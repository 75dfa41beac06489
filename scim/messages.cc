#include "scim/messages.h"

#include <cstdint>
#include <string>

namespace scim {

using nlohmann::json;

namespace {

// Details may quote client input, which may not be UTF-8; json::dump would
// throw on it. Invalid bytes become '?'.
std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (ok && len > 1) {
      // Reject overlong forms, surrogates and code points above U+10FFFF.
      uint32_t cp = c & (0xFF >> (len + 1));
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

}  // namespace

json ErrorBody(const Error& error) {
  json body = {{"schemas", json::array({kErrorSchema})}, {"status", std::to_string(error.status)}};
  if (!error.scim_type.empty()) body["scimType"] = ValidUtf8(error.scim_type);
  body["detail"] = ValidUtf8(error.detail);
  return body;
}

json ListResponse(std::vector<json> resources, int64_t total_results, int64_t start_index) {
  json body = {{"schemas", json::array({kListResponseSchema})},
               {"totalResults", total_results},
               {"itemsPerPage", static_cast<int64_t>(resources.size())},
               {"startIndex", start_index}};
  json list = json::array();
  for (json& r : resources) list.push_back(std::move(r));
  body["Resources"] = std::move(list);
  return body;
}

}  // namespace scim
