#include "server/http/types.h"

#include <algorithm>

#include "server/base/ascii.h"

namespace allot::http {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return AsciiLower(x) < AsciiLower(y);
  });
}

std::string Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

bool Request::HasQuery(std::string_view name) const {
  return query.find(std::string(name)) != query.end();
}

std::string Request::Query(std::string_view name) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string() : it->second;
}

Surface SurfaceOf(std::string_view path) {
  auto under = [&](std::string_view prefix) {
    return StartsWithIgnoreAsciiCase(path, prefix) &&
           (path.size() == prefix.size() || path[prefix.size()] == '/');
  };
  if (under("/scim/v2")) return Surface::kScim;
  if (under("/admin/v1")) return Surface::kAdmin;
  if (under("/metrics")) return Surface::kMetrics;
  return Surface::kOps;
}

}  // namespace allot::http
