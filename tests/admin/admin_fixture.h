// tests/admin/admin_fixture.h — one real `allot serve` per test suite, seeded
// with a small directory and licensing state, and one token per role:
//   sub-a, sub-b          subscriptions of product "prod"
//   u-in (holds sub-a), u-pending (waits for sub-a), u-out (holds sub-b),
//   u-none (no license), u-gone (deleted by SCIM)
//   g-in {u-in}, g-out {u-out}
//   audit events of sub-a and of sub-b
// The Subscription admin administers sub-a only. Seeding writes the SQLite
// file directly (the server runs in WAL mode; nothing is mocked).
// Thread-safety: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace allot::testing {

struct Roles {
  std::string global;    // the initial admin's token
  std::string user;      // a user_admin
  std::string sub;       // a subscription_admin of sub-a
  std::string sub_id;    // its principal id
};

class AdminApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  // Runs SQL against the server's database (test setup only).
  static void ExecSql(const std::string& statement);

  static HttpResponse Call(const std::string& method, const std::string& path,
                           const std::string& token, const std::string& body = "");
  static nlohmann::json Json(const HttpResponse& r);

  // Creates an administrator through the API as the Global admin; returns the
  // 201 body ({"admin":…,"token":…}).
  static nlohmann::json CreateAdmin(const std::string& role, const std::string& subscriptions_json = "");

  static std::unique_ptr<TestServer> server_;
  static Roles roles_;
};

}  // namespace allot::testing
