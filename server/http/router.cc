#include "server/http/router.h"

#include <algorithm>

#include "server/base/ascii.h"

namespace allot::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  // "/a/b/" and "/a/b" are the same resource.
  if (out.size() > 1 && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string_view pattern, Handler handler,
                 Execution execution) {
  Route route{.method = std::move(method), .pattern = std::string(pattern)};
  for (std::string_view segment : Split(pattern)) {
    if (segment.size() >= 2 && segment.front() == '{' && segment.back() == '}') {
      route.segments.emplace_back("{}");
    } else {
      route.segments.emplace_back(segment);
      ++route.literal_count;
    }
  }
  route.handler = std::move(handler);
  route.execution = execution;
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  if (path.empty() || path.front() != '/') return match;
  const auto segments = Split(path);
  const Route* best = nullptr;
  int best_literals = -1;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < segments.size() && ok; ++i) {
      if (route.segments[i] == "{}") {
        ok = !segments[i].empty();
      } else {
        ok = EqualsIgnoreAsciiCase(route.segments[i], segments[i]);
      }
    }
    if (!ok) continue;
    if (route.method != method) {
      if (match.allowed_methods.find(route.method) == std::string::npos) {
        if (!match.allowed_methods.empty()) match.allowed_methods += ", ";
        match.allowed_methods += route.method;
      }
      match.kind = Match::Kind::kMethodNotAllowed;
      continue;
    }
    if (route.literal_count > best_literals) {
      best = &route;
      best_literals = route.literal_count;
    }
  }
  if (best == nullptr) return match;
  match.kind = Match::Kind::kFound;
  match.handler = &best->handler;
  match.pattern = best->pattern;
  match.execution = best->execution;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (best->segments[i] == "{}") match.params.emplace_back(segments[i]);
  }
  return match;
}

}  // namespace allot::http
