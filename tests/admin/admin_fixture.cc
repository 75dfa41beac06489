#include "tests/admin/admin_fixture.h"

#include <soci/soci.h>

#include "server/store/database.h"

namespace allot::testing {

std::unique_ptr<TestServer> AdminApiTest::server_;
Roles AdminApiTest::roles_;

namespace {

constexpr const char* kSeed[] = {
    "INSERT INTO products (tenant_id, id, name, family, created_at) VALUES "
    "('default', 'prod', 'Product', NULL, '2026-01-01T00:00:00.000Z')",
    "INSERT INTO subscriptions (tenant_id, id, product_id, seats, assigned, created_at) VALUES "
    "('default', 'sub-a', 'prod', 1, 1, '2026-01-01T00:00:00.000Z')",
    "INSERT INTO subscriptions (tenant_id, id, product_id, seats, assigned, created_at) VALUES "
    "('default', 'sub-b', 'prod', 5, 1, '2026-01-01T00:00:00.000Z')",
    "INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, "
    "active, resource, version, created_at, updated_at, deleted_at) VALUES "
    "('default', 'u-in', 'Ann.In@example.com', 'ann.in@example.com', 'ext-in', 'Ann In', 1, '{}', 1, "
    "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL)",
    "INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, "
    "active, resource, version, created_at, updated_at, deleted_at) VALUES "
    "('default', 'u-pending', 'pat.pending@example.com', 'pat.pending@example.com', NULL, NULL, 1, "
    "'{}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL)",
    "INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, "
    "active, resource, version, created_at, updated_at, deleted_at) VALUES "
    "('default', 'u-out', 'bob.out@example.com', 'bob.out@example.com', 'ext-out', 'Bob Out', 0, "
    "'{}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL)",
    "INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, "
    "active, resource, version, created_at, updated_at, deleted_at) VALUES "
    "('default', 'u-none', 'nina.none@example.com', 'nina.none@example.com', NULL, 'Nina', 1, "
    "'{}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL)",
    "INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, "
    "active, resource, version, created_at, updated_at, deleted_at) VALUES "
    "('default', 'u-gone', 'gina.gone@example.com', 'gina.gone@example.com', NULL, NULL, 1, "
    "'{}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z')",
    "INSERT INTO assignments (tenant_id, user_id, subscription_id, state, sources, wanted_since, "
    "pending_reason, activated_at) VALUES ('default', 'u-in', 'sub-a', 'active', 'admin', "
    "'2026-01-02T00:00:00.000Z', NULL, '2026-01-02T00:00:00.000Z')",
    "INSERT INTO assignments (tenant_id, user_id, subscription_id, state, sources, wanted_since, "
    "pending_reason, activated_at) VALUES ('default', 'u-pending', 'sub-a', 'pending', 'admin', "
    "'2026-01-03T00:00:00.000Z', 'no free seat', NULL)",
    "INSERT INTO assignments (tenant_id, user_id, subscription_id, state, sources, wanted_since, "
    "pending_reason, activated_at) VALUES ('default', 'u-out', 'sub-b', 'active', 'admin', "
    "'2026-01-02T00:00:00.000Z', NULL, '2026-01-02T00:00:00.000Z')",
    "INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, external_id, resource, "
    "version, created_at, updated_at, deleted_at) VALUES ('default', 'g-in', 'Teachers', "
    "'teachers', NULL, '{}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL)",
    "INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, external_id, resource, "
    "version, created_at, updated_at, deleted_at) VALUES ('default', 'g-out', 'Sales', "
    "'sales', 'ext-sales', '{}', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL)",
    "INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type) VALUES "
    "('default', 'g-in', 'u-in', 'User')",
    "INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type) VALUES "
    "('default', 'g-out', 'u-out', 'User')",
    "INSERT INTO audit_events (tenant_id, at, actor_kind, actor_id, action, target_kind, target_id, "
    "user_id, subscription_id, before_json, after_json) VALUES ('default', "
    "'2026-01-02T00:00:00.000Z', 'policy', 'teachers', 'assignment.activated', 'assignment', "
    "'u-in/sub-a', 'u-in', 'sub-a', NULL, '{\"state\":\"active\"}')",
    "INSERT INTO audit_events (tenant_id, at, actor_kind, actor_id, action, target_kind, target_id, "
    "user_id, subscription_id, before_json, after_json) VALUES ('default', "
    "'2026-01-02T00:00:00.000Z', 'scim', 'idp', 'assignment.activated', 'assignment', "
    "'u-out/sub-b', 'u-out', 'sub-b', NULL, '{\"state\":\"active\"}')",
};

}  // namespace

void AdminApiTest::ExecSql(const std::string& statement) {
  auto db = store::Database::Open({.url = server_->db_url(), .pool_size = 1});
  ASSERT_TRUE(db) << db.error().message;
  auto s = (*db)->Write([&](soci::session& sql) -> Status {
    sql << statement;
    return Ok();
  });
  ASSERT_TRUE(s) << s.error().message << "\n" << statement;
}

void AdminApiTest::SetUpTestSuite() {
  std::string error;
  server_ = TestServer::Start({}, &error);
  ASSERT_TRUE(server_) << error;
  for (const char* statement : kSeed) ExecSql(statement);
  roles_.global = server_->admin_token();
  roles_.user = CreateAdmin("user_admin")["token"];
  nlohmann::json sub = CreateAdmin("subscription_admin", R"(["sub-a"])");
  roles_.sub = sub["token"];
  roles_.sub_id = sub["admin"]["id"];
}

void AdminApiTest::TearDownTestSuite() { server_.reset(); }

HttpResponse AdminApiTest::Call(const std::string& method, const std::string& path,
                                const std::string& token, const std::string& body) {
  std::map<std::string, std::string> headers;
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  return server_->Client().Send(method, path, body, headers);
}

nlohmann::json AdminApiTest::Json(const HttpResponse& r) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r.body;
  return j;
}

nlohmann::json AdminApiTest::CreateAdmin(const std::string& role,
                                         const std::string& subscriptions_json) {
  std::string body = R"({"name":"test )" + role + R"(","role":")" + role + "\"";
  if (!subscriptions_json.empty()) body += ",\"subscriptions\":" + subscriptions_json;
  body += "}";
  HttpResponse r = Call("POST", "/admin/v1/admins", server_->admin_token(), body);
  EXPECT_EQ(r.status, 201) << r.body;
  return Json(r);
}

}  // namespace allot::testing
