#include "scim_client.h"

#include <strings.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace allot::scim_test {

std::string Reply::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

ScimServer& ScimServer::Get() {
  // Leaked on purpose: the harness kills the server at exit via the
  // TestServer destructor run by the atexit hook below.
  static ScimServer* server = [] {
    auto* s = new ScimServer();
    std::atexit([] { ScimServer::Get().server_.reset(); });
    return s;
  }();
  return *server;
}

ScimServer::ScimServer() {
  std::string error;
  server_ = testing::TestServer::Start(testing::ServerOptions{}, &error);
  if (!server_) {
    std::fprintf(stderr, "scim tests: the server did not start: %s\n", error.c_str());
    std::abort();
  }
  client_ = std::make_unique<testing::HttpClient>(server_->Client());
}

Reply ScimServer::Send(const std::string& method, const std::string& path, const std::string& body,
                       const std::multimap<std::string, std::string>& headers,
                       const std::string& content_type) {
  std::map<std::string, std::string> h;
  if (headers.find("Authorization") == headers.end()) {
    h["Authorization"] = "Bearer " + server_->scim_token();
  }
  for (const auto& [k, v] : headers) h[k] = v;
  testing::HttpResponse r = client_->Send(method, path, body, h, content_type);
  Reply out;
  out.status = r.status;
  out.body = r.body;
  for (const auto& [k, v] : r.headers) out.headers.emplace(k, v);
  out.json = nlohmann::json::parse(out.body, nullptr, false);
  if (out.json.is_discarded()) out.json = nullptr;
  return out;
}

std::string Unique(const std::string& prefix) {
  static int n = 0;
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(++n);
}

std::string UrlEncode(const std::string& s) {
  std::ostringstream out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out << c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out << buf;
    }
  }
  return out.str();
}

nlohmann::json PatchOp(nlohmann::json ops) {
  return {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}}, {"Operations", ops}};
}

}  // namespace allot::scim_test
