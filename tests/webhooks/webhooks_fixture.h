// tests/webhooks/webhooks_fixture.h — a real `allot serve` (harness.h; SQLite,
// or PostgreSQL with ALLOT_TEST_PG_URL) with webhooks allowed to reach
// loopback, short retry waits and a 1 s expiry sweep, and helpers for the
// catalog, SCIM users, webhooks and app tokens over the real APIs.
// Thread-safety: one test thread.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

namespace allot::webhooks_testing {

using allot::testing::HttpClient;
using allot::testing::HttpResponse;
using allot::testing::TestServer;
using nlohmann::json;
using allot::testing::helpers::Json;
using allot::testing::helpers::TimeFromNow;

// Polls `done` until it holds; false after `limit` (a deadline, not a
// timing check).
template <typename F>
bool Eventually(F done, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// Standard Webhooks verification written here on its own (OpenSSL), not
// with the server's code: "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>"
// with key = base64-decoded secret after "whsec_".
inline bool VerifySignature(const std::string& secret, const std::string& id,
                            const std::string& timestamp, const std::string& body,
                            const std::string& signature_header) {
  if (secret.rfind("whsec_", 0) != 0) return false;
  const std::string b64 = secret.substr(6);
  std::string key(b64.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()),
                          static_cast<int>(b64.size()));
  if (n < 0) return false;
  n -= b64.ends_with("==") ? 2 : b64.ends_with("=") ? 1 : 0;
  key.resize(n);
  const std::string message = id + "." + timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  std::string expected(4 * ((length + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(expected.data()), mac, static_cast<int>(length));
  // The header may carry several space-separated signatures.
  size_t start = 0;
  while (start < signature_header.size()) {
    size_t end = signature_header.find(' ', start);
    if (end == std::string::npos) end = signature_header.size();
    if (signature_header.substr(start, end - start) == "v1," + expected) return true;
    start = end + 1;
  }
  return false;
}

class ServeTest : public ::testing::Test {
 protected:
  // Webhooks may reach loopback (the receiver); retries after 200 ms,
  // doubling.
  static std::vector<std::string> DefaultArgs() {
    return {"--webhooks-allow-private-networks", "--webhook-retry-base-ms", "200"};
  }
  std::unique_ptr<TestServer> Start(std::vector<std::string> extra = {},
                                    std::optional<std::string> data_dir = std::nullopt) {
    allot::testing::ServerOptions options;
    options.extra_args = DefaultArgs();
    options.extra_args.insert(options.extra_args.end(), {"--expiry-sweep-seconds", SweepSeconds()});
    options.extra_args.insert(options.extra_args.end(), extra.begin(), extra.end());
    options.data_dir = std::move(data_dir);
    std::string error;
    auto server = TestServer::Start(options, &error);
    EXPECT_NE(server, nullptr) << error;
    return server;
  }
  void SetUp() override {
    server_ = Start(ExtraArgs());
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<HttpClient>(server_->Client());
    admin_ = server_->admin_token();
    scim_ = server_->scim_token();
  }
  virtual std::vector<std::string> ExtraArgs() { return {}; }
  // How often the term sweep runs (default: every second).
  virtual const char* SweepSeconds() { return "1"; }

  HttpClient& c() { return *client_; }
  HttpResponse Admin(const std::string& method, const std::string& path,
                     const std::string& body = "") {
    return c().Send(method, "/admin/v1" + path, body, {{"Authorization", "Bearer " + admin_}});
  }
  HttpResponse As(const std::string& token, const std::string& method, const std::string& path,
                  const std::string& body = "") {
    return c().Send(method, path, body, {{"Authorization", "Bearer " + token}});
  }

  // A product `product` and its subscription `sub` of `seats` seats
  // (`terms`: starts_at, ends_at).
  void Subscription(const std::string& product, const std::string& sub, int seats,
                    json terms = json::object()) {
    HttpResponse p = Admin("POST", "/products", json{{"id", product}, {"name", product}}.dump());
    ASSERT_TRUE(p.status == 201 || p.status == 409) << p.body;
    json body = {{"id", sub}, {"product_id", product}, {"seats", seats}};
    body.update(terms);
    HttpResponse s = Admin("POST", "/subscriptions", body.dump());
    ASSERT_EQ(s.status, 201) << s.body;
  }
  std::string User(const std::string& user_name, const std::string& external_id = "") {
    json body = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                 {"userName", user_name}};
    if (!external_id.empty()) body["externalId"] = external_id;
    HttpResponse r = c().Post("/scim/v2/Users", scim_, body.dump(), "application/scim+json");
    EXPECT_EQ(r.status, 201) << r.body;
    const json j = Json(r);
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : "";
  }
  void Deactivate(const std::string& user) {
    HttpResponse r = c().Patch(
        "/scim/v2/Users/" + user, scim_,
        json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
             {"Operations", {{{"op", "replace"}, {"path", "active"}, {"value", false}}}}}
            .dump(),
        "application/scim+json");
    ASSERT_TRUE(r.status == 200 || r.status == 204) << r.body;
  }
  void Assign(const std::string& user, const std::string& sub, bool queue = false) {
    HttpResponse r = Admin("PUT", "/users/" + user + "/licenses/" + sub + (queue ? "?queue=true" : ""),
                           "{}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // {id, secret}
  std::pair<std::string, std::string> Webhook(const std::string& url,
                                              json events = nullptr) {
    json body = {{"url", url}};
    if (!events.is_null()) body["events"] = events;
    HttpResponse r = Admin("POST", "/webhooks", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    const json j = Json(r);
    if (!j.is_object() || !j.contains("webhook")) return {};
    return {j["webhook"]["id"], j["secret"]};
  }
  json Deliveries(const std::string& webhook) {
    return Json(Admin("GET", "/webhooks/" + webhook + "/deliveries?limit=1000"))["items"];
  }
  std::string AppToken(json products = nullptr) {
    json body = {{"name", "product app"}};
    if (!products.is_null()) body["products"] = products;
    HttpResponse r = Admin("POST", "/app-tokens", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    const json j = Json(r);
    return j.is_object() && j.contains("token") ? j["token"].get<std::string>() : "";
  }
  json Check(const std::string& app, const std::string& user, const std::string& product) {
    HttpResponse r = c().Send(
        "GET", "/entitlements/v1/check?user=" + httplib_encode(user) + "&product=" + product, "",
        {{"Authorization", "Bearer " + app}});
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r);
  }
  static std::string httplib_encode(const std::string& s) {
    std::string out;
    for (unsigned char ch : s) {
      if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
        out += static_cast<char>(ch);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", ch);
        out += buf;
      }
    }
    return out;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
  std::string admin_, scim_;
};

}  // namespace allot::webhooks_testing
