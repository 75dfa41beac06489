// server/http/types.h — the HTTP request and response as handlers see them.
//
// Handlers never see the transport (Boost.Beast): the server copies what
// they need into these plain values, so handlers can be called directly in
// tests. Thread-safety: plain values, one per request.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/auth/principal.h"
#include "server/http/surfaces.h"

namespace allot::http {

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// What arrives before the body: all the authenticator may look at.
struct RequestHead {
  std::string method;
  std::string path;  // decoded, without the query
  std::multimap<std::string, std::string, CaseInsensitiveLess> headers;
  std::multimap<std::string, std::string> query;  // decoded ('+' is a space)

  // The first value of a header or query parameter, or "" when absent.
  std::string Header(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
  std::string Query(std::string_view name) const;
};

struct Request : RequestHead {
  std::vector<std::string> path_params;  // the {…} segments of the route, in order
  std::string body;
  std::string request_id;
  std::string base_url;  // "https://host:port", as the client addressed us
  const auth::Principal* principal = nullptr;  // set on authenticated routes
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

using Handler = std::function<void(const Request&, Response&)>;

}  // namespace allot::http
