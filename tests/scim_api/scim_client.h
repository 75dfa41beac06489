// tests/scim_api/scim_client.h — SCIM conveniences over the integration
// harness (tests/integration/harness.h): one REAL `allot serve` per test
// binary (plain HTTP on loopback, started on first use, stopped at exit),
// requests sent with its SCIM token, JSON bodies parsed. Tests use unique
// names so they do not collide.
// Thread-safety: tests run sequentially; not thread-safe.
#pragma once

#include <map>
#include <string>

#include <memory>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace allot::scim_test {

struct Reply {
  int status = 0;
  std::string body;
  nlohmann::json json;  // parsed body (null when not JSON)
  std::multimap<std::string, std::string> headers;
  std::string Header(const std::string& name) const;
};

class ScimServer {
 public:
  // The shared server; aborts the test binary when it cannot start.
  static ScimServer& Get();

  Reply Send(const std::string& method, const std::string& path, const std::string& body = "",
             const std::multimap<std::string, std::string>& headers = {},
             const std::string& content_type = "application/scim+json");
  Reply Get(const std::string& path, const std::multimap<std::string, std::string>& h = {}) {
    return Send("GET", path, "", h);
  }
  Reply Post(const std::string& path, const nlohmann::json& body) {
    return Send("POST", path, body.dump());
  }
  Reply Put(const std::string& path, const nlohmann::json& body,
            const std::multimap<std::string, std::string>& h = {}) {
    return Send("PUT", path, body.dump(), h);
  }
  Reply Patch(const std::string& path, const nlohmann::json& body,
              const std::multimap<std::string, std::string>& h = {}) {
    return Send("PATCH", path, body.dump(), h);
  }
  Reply Delete(const std::string& path, const std::multimap<std::string, std::string>& h = {}) {
    return Send("DELETE", path, "", h);
  }

  int port() const { return server_->port(); }

 private:
  ScimServer();
  std::unique_ptr<testing::TestServer> server_;
  std::unique_ptr<testing::HttpClient> client_;
};

// A unique suffix for names in one test run.
std::string Unique(const std::string& prefix);

// URL-encodes a query parameter value.
std::string UrlEncode(const std::string& s);

// A PatchOp body with `ops`.
nlohmann::json PatchOp(nlohmann::json ops);

}  // namespace allot::scim_test
