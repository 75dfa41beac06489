#include "server/http/types.h"

#include <algorithm>

#include "server/base/ascii.h"

namespace allot::http {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return AsciiLower(x) < AsciiLower(y);
  });
}

std::string RequestHead::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

bool RequestHead::HasQuery(std::string_view name) const {
  return query.find(std::string(name)) != query.end();
}

std::string RequestHead::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string() : it->second;
}

}  // namespace allot::http
