// tests/workflows/workflow_fixture.h — end-to-end workflows through the real
// `allot serve` binary (tests/integration/harness.h) with the real group_map
// plugin: a tenant's catalog set up over the admin API, identities pushed
// over SCIM as an IdP sends them, policies as files reloaded over the admin
// API, and the answers an administrator reads. Runs on SQLite, or on
// PostgreSQL with ALLOT_TEST_PG_URL.
// Thread-safety: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"
#include "tests/licensing/serve_test_util.h"

namespace allot::workflows {

using allot::testing::HttpClient;
using allot::testing::HttpResponse;
using allot::testing::TempDir;
using allot::testing::TestServer;
using nlohmann::json;
using allot::testing::helpers::Json;
using allot::testing::helpers::kScimJson;
using allot::testing::helpers::kUserSchema;
using allot::testing::helpers::kGroupSchema;
using allot::testing::helpers::kPatchOp;

inline constexpr char kEnterprise[] = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

class Workflow : public ::testing::Test {
 protected:
  // Starts the server with the policies folder (empty until WritePolicy)
  // and `config` as its --config file.
  void Start(json config = json::object()) {
    policies_ = dir_.path() + "/policies";
    std::filesystem::create_directories(policies_);
    const std::string config_file = dir_.path() + "/config.json";
    std::ofstream(config_file) << config.dump();
    allot::testing::ServerOptions options;
    options.extra_args = {"--policies", policies_, "--plugins", ALLOT_PLUGIN_DIR, "--config",
                          config_file};
    std::string error;
    server_ = TestServer::Start(options, &error);
    ASSERT_NE(server_, nullptr) << error;
    client_ = std::make_unique<HttpClient>(server_->Client());
  }
  void SetUp() override { Start(); }

  HttpClient& c() { return *client_; }
  const std::string& admin() const { return server_->admin_token(); }
  const std::string& scim() const { return server_->scim_token(); }

  // --- policies ---
  void WritePolicy(const std::string& name, json rules, int priority = 10,
                   const std::string& plugin = "group_map") {
    std::ofstream(policies_ + "/" + name + ".json")
        << json{{"name", name}, {"plugin", plugin}, {"priority", priority},
                {"config", {{"rules", std::move(rules)}}}}
               .dump();
  }
  void RemovePolicy(const std::string& name) {
    std::filesystem::remove(policies_ + "/" + name + ".json");
  }
  void Reload() {
    HttpResponse r = c().Post("/admin/v1/policies/reload", admin(), "{}");
    ASSERT_EQ(r.status, 200) << r.body;
    // Named: a range-for over a member of a temporary reads freed memory.
    const json body = Json(r);
    for (const json& p : body["policies"]) {
      ASSERT_EQ(p["status"], "ok") << p.dump();
    }
  }

  // --- catalog ---
  void Product(const std::string& id, const std::string& family = "") {
    json body = {{"id", id}, {"name", "Product " + id}};
    if (!family.empty()) body["family"] = family;
    HttpResponse r = c().Post("/admin/v1/products", admin(), body.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void Subscription(const std::string& id, const std::string& product, int seats) {
    HttpResponse r = c().Post(
        "/admin/v1/subscriptions", admin(),
        json{{"id", id}, {"product_id", product}, {"seats", seats}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void Seats(const std::string& sub, int seats) {
    HttpResponse r =
        c().Patch("/admin/v1/subscriptions/" + sub, admin(), json{{"seats", seats}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // --- SCIM, as an IdP sends it ---
  // Licensing follows a SCIM write after its commit (evaluation runs outside
  // the write transaction): each helper below waits until the tenant's
  // licensing has settled, so what a test reads next includes it.
  void Settle() { ASSERT_TRUE(allot::testing::WaitForLicensing(c(), admin())); }
  std::string User(const std::string& user_name, json extra = json::object()) {
    json body = {{"schemas", {kUserSchema}}, {"userName", user_name}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    if (body.contains(kEnterprise)) body["schemas"].push_back(kEnterprise);
    HttpResponse r = c().Post("/scim/v2/Users", scim(), body.dump(), kScimJson);
    EXPECT_EQ(r.status, 201) << r.body;
    Settle();
    const json j = Json(r);
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : "";
  }
  static json Members(const std::vector<std::string>& ids) {
    json m = json::array();
    for (const std::string& id : ids) m.push_back({{"value", id}});
    return m;
  }
  std::string Group(const std::string& name, const std::vector<std::string>& members) {
    HttpResponse r = c().Post(
        "/scim/v2/Groups", scim(),
        json{{"schemas", {kGroupSchema}}, {"displayName", name}, {"members", Members(members)}}
            .dump(),
        kScimJson);
    EXPECT_EQ(r.status, 201) << r.body;
    Settle();
    const json j = Json(r);
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : "";
  }
  void PatchGroup(const std::string& gid, json operations) {
    HttpResponse r = c().Patch("/scim/v2/Groups/" + gid, scim(),
                               json{{"schemas", {kPatchOp}}, {"Operations", operations}}.dump(),
                               kScimJson);
    ASSERT_TRUE(r.status == 200 || r.status == 204) << r.status << " " << r.body;
    Settle();
  }
  void AddMembers(const std::string& gid, const std::vector<std::string>& ids) {
    PatchGroup(gid, {{{"op", "add"}, {"path", "members"}, {"value", Members(ids)}}});
  }
  void RemoveMember(const std::string& gid, const std::string& id) {
    PatchGroup(gid, {{{"op", "remove"}, {"path", "members[value eq \"" + id + "\"]"}}});
  }
  void SetActive(const std::string& id, bool active) {
    // Entra's shape: op name capitalised, the boolean as a string.
    HttpResponse r = c().Patch(
        "/scim/v2/Users/" + id, scim(),
        json{{"schemas", {kPatchOp}},
             {"Operations",
              {{{"op", "Replace"}, {"path", "active"}, {"value", active ? "True" : "False"}}}}}
            .dump(),
        kScimJson);
    ASSERT_TRUE(r.status == 200 || r.status == 204) << r.status << " " << r.body;
    Settle();
  }
  void DeleteUser(const std::string& id) {
    HttpResponse r = c().Delete("/scim/v2/Users/" + id, scim());
    ASSERT_EQ(r.status, 204) << r.body;
    Settle();
  }

  // --- what an administrator reads ---
  HttpResponse Admin(const std::string& method, const std::string& path,
                     const std::string& body = "") {
    const std::string url = "/admin/v1" + path;
    if (method == "GET") return c().Get(url, admin());
    if (method == "DELETE") {
      return body.empty() ? c().Delete(url, admin())
                          : c().Send("DELETE", url, body,
                                     {{"Authorization", "Bearer " + admin()}});
    }
    if (method == "PUT") return c().Put(url, admin(), body.empty() ? "{}" : body);
    if (method == "PATCH") return c().Patch(url, admin(), body);
    return c().Post(url, admin(), body.empty() ? "{}" : body);
  }
  json Get(const std::string& path) {
    HttpResponse r = Admin("GET", path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return Json(r);
  }
  // "active", "pending" or "" (no license of `sub`).
  std::string State(const std::string& user, const std::string& sub) {
    const json licenses = Get("/users/" + user + "/licenses");
    for (const json& l : licenses["items"]) {
      if (l["subscription_id"] == sub) return l["state"];
    }
    return "";
  }
  // The end_reason of the user's last closed period on `sub` ("" if none).
  std::string EndReason(const std::string& user, const std::string& sub) {
    std::string reason;
    const json history = Get("/users/" + user + "/history?limit=1000");
    for (const json& h : history["items"]) {
      if (h["subscription_id"] == sub && h["end_reason"].is_string()) reason = h["end_reason"];
    }
    return reason;
  }
  // Ids of GET /users?<query>, every page.
  std::vector<std::string> UserIds(const std::string& query) {
    std::vector<std::string> ids;
    std::string path = "/users?limit=1000" + (query.empty() ? "" : "&" + query);
    for (int i = 0; i < 100; ++i) {
      const json page = Get(path);
      if (!page.is_object()) break;
      for (const json& u : page["items"]) ids.push_back(u["id"]);
      if (!page["next_cursor"].is_string()) break;
      path = "/users?limit=1000&cursor=" + page["next_cursor"].get<std::string>() +
             (query.empty() ? "" : "&" + query);
    }
    return ids;
  }
  // Audit events (newest first) of one action, every page.
  std::vector<json> Events(const std::string& action) {
    std::vector<json> out;
    std::string path = "/audit?limit=1000&action=" + action;
    for (int i = 0; i < 100; ++i) {
      const json page = Get(path);
      if (!page.is_object()) break;
      for (const json& e : page["items"]) out.push_back(e);
      if (!page["next_cursor"].is_string()) break;
      path = "/audit?limit=1000&action=" + action + "&cursor=" + page["next_cursor"].get<std::string>();
    }
    return out;
  }
  void ExpectInvariants(const std::string& sub) {
    licensing::serve_testing::ExpectInvariants(c(), admin(), sub);
  }

  TempDir dir_;
  std::string policies_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

// The query-string form of a value (RFC 3986 unreserved kept).
inline std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

}  // namespace allot::workflows
