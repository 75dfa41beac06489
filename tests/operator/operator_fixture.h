// tests/operator/operator_fixture.h — a real `allot serve` (harness.h) with
// the operator token of its `allot init`, and helpers to onboard tenants and
// run their catalog over /operator/v1. SQLite, or PostgreSQL with
// ALLOT_TEST_PG_URL.
// Thread-safety: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/harness.h"

namespace allot::operator_testing {

using allot::testing::HttpClient;
using allot::testing::HttpResponse;
using allot::testing::TestServer;
using nlohmann::json;
using allot::testing::helpers::Json;
using allot::testing::helpers::TimeFromNow;
using allot::testing::helpers::kScimJson;
using allot::testing::helpers::kUserSchema;
using allot::testing::helpers::kGroupSchema;

struct TenantTokens {
  std::string admin, scim;
};

class OperatorTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra_args = {}) {
    allot::testing::ServerOptions options;
    options.extra_args = std::move(extra_args);
    options.extra_args.insert(options.extra_args.end(), {"--plugins", ALLOT_PLUGIN_DIR});
    std::string error;
    server_ = TestServer::Start(options, &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_FALSE(server_->operator_token().empty()) << "allot init printed no operator_token";
    client_ = std::make_unique<HttpClient>(server_->Client());
  }
  void SetUp() override { Start(); }

  HttpClient& c() { return *client_; }
  const std::string& op() const { return server_->operator_token(); }

  HttpResponse Op(const std::string& method, const std::string& path, const std::string& body = "") {
    return c().Send(method, "/operator/v1" + path, body,
                    {{"Authorization", "Bearer " + op()}});
  }
  HttpResponse As(const std::string& token, const std::string& method, const std::string& path,
                  const std::string& body = "") {
    return c().Send(method, path, body, {{"Authorization", "Bearer " + token}});
  }

  TenantTokens Onboard(const std::string& id, const std::string& name) {
    HttpResponse r = Op("POST", "/tenants", json{{"id", id}, {"name", name}}.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    const json j = Json(r);
    if (!j.is_object() || !j.contains("admin_token")) return {};
    return {j["admin_token"], j["scim_token"]};
  }
  void OpProduct(const std::string& tenant, const std::string& id) {
    HttpResponse r = Op("POST", "/tenants/" + tenant + "/products",
                        json{{"id", id}, {"name", "Product " + id}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  json OpSubscription(const std::string& tenant, json body) {
    HttpResponse r = Op("POST", "/tenants/" + tenant + "/subscriptions", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r);
  }
  std::string ScimUser(const std::string& scim, const std::string& user_name) {
    HttpResponse r = c().Post("/scim/v2/Users", scim,
                              json{{"schemas", {kUserSchema}}, {"userName", user_name}}.dump(),
                              kScimJson);
    EXPECT_EQ(r.status, 201) << r.body;
    const json j = Json(r);
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : "";
  }
  void ScimGroup(const std::string& scim, const std::string& name,
                 const std::vector<std::string>& members) {
    json m = json::array();
    for (const std::string& id : members) m.push_back({{"value", id}});
    HttpResponse r = c().Post(
        "/scim/v2/Groups", scim,
        json{{"schemas", {kGroupSchema}}, {"displayName", name}, {"members", m}}.dump(),
        kScimJson);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // The state of the user's license of `sub` ("" when none) as its admin sees it.
  std::string State(const std::string& admin, const std::string& user, const std::string& sub) {
    const json j = Json(As(admin, "GET", "/admin/v1/users/" + user + "/licenses"));
    const json& items = j.is_array() ? j : j.value("items", json::array());
    for (const json& l : items) {
      if (l.value("subscription_id", "") == sub) return l.value("state", "");
    }
    return "";
  }
  std::vector<json> Events(const std::string& admin, const std::string& action) {
    std::vector<json> out;
    const json j = Json(As(admin, "GET", "/admin/v1/audit?limit=1000"));
    for (const json& e : j.value("items", json::array())) {
      if (e.value("action", "") == action) out.push_back(e);
    }
    return out;
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace allot::operator_testing
