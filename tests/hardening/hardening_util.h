// tests/hardening/hardening_util.h — helpers for the hostile-input
// regressions of issue 9 through the real `allot serve`
// (tests/integration/harness.h): one shared plain-HTTP server per test
// binary, and small conveniences for bodies and error checks.
// Thread-safety: test-only, sequential.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace allot::hardening {

using testing::HttpClient;
using testing::HttpResponse;
using testing::TestServer;
using nlohmann::json;

inline constexpr const char* kScimJson = "application/scim+json";
inline constexpr const char* kPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// The server shared by the tests of this binary; started on first use,
// killed at exit. Aborts the binary when it cannot start.
inline TestServer& Shared() {
  static TestServer* server = [] {
    std::string error;
    auto started = TestServer::Start(testing::ServerOptions{}, &error);
    if (!started) {
      std::fprintf(stderr, "hardening tests: the server did not start: %s\n", error.c_str());
      std::abort();
    }
    static std::unique_ptr<TestServer> owner = std::move(started);
    return owner.get();
  }();
  return *server;
}

inline HttpClient& Client() {
  static HttpClient client = Shared().Client();
  return client;
}

inline json Json(const HttpResponse& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_discarded() ? json() : j;
}

// `term glue term glue …`, n terms.
inline std::string Chain(const std::string& term, const std::string& glue, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? glue : "") + term;
  return out;
}

// A SCIM error of `status` with `scim_type` whose detail contains `detail`.
inline void ExpectScimError(const HttpResponse& r, int status, const std::string& scim_type,
                            const std::string& detail = "") {
  EXPECT_EQ(r.status, status) << r.body.substr(0, 500);
  json j = Json(r);
  ASSERT_TRUE(j.is_object()) << r.body.substr(0, 500);
  EXPECT_EQ(j.value("status", ""), std::to_string(status));
  EXPECT_EQ(j.value("scimType", ""), scim_type) << r.body.substr(0, 500);
  if (!detail.empty()) {
    EXPECT_NE(j.value("detail", "").find(detail), std::string::npos) << r.body.substr(0, 500);
  }
}

// The server still answers: it did not crash on what came before.
inline void ExpectAlive() {
  HttpResponse r = Client().Get("/healthz", "");
  EXPECT_EQ(r.status, 200) << "the server stopped answering";
}

// Creates a SCIM user; returns its id ("" with a test failure).
inline std::string CreateUser(const std::string& user_name, json extra = json::object()) {
  json body = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}}, {"userName", user_name}};
  body.update(extra);
  HttpResponse r = Client().Post("/scim/v2/Users", Shared().scim_token(), body.dump(), kScimJson);
  EXPECT_EQ(r.status, 201) << r.body;
  return Json(r).value("id", "");
}

inline std::string Unique(const std::string& prefix) {
  static int n = 0;
  return prefix + "-" + std::to_string(++n);
}

}  // namespace allot::hardening
