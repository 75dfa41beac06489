// tests/licensing/licensing_test_util.h — a real SQLite database in a temp
// directory with the schema migrated and one tenant, plus helpers that write
// SCIM users and groups straight into the scim_* tables (as the SCIM store
// would) and check the seat invariants.
#pragma once

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "server/auth/tenants.h"
#include "server/base/clock.h"
#include "server/licensing/catalog.h"
#include "server/licensing/engine.h"
#include "server/licensing/licenses.h"
#include "server/licensing/sql.h"
#include "server/store/database.h"
#include "tests/support/test_database.h"
#include "server/store/migrations.h"

namespace allot::licensing::testing {

inline std::string MakeTempDir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             ("allot-lic-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

class LicensingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    std::string error;
    url_ = allot::testing::NewTestDatabase(dir_ + "/allot.db", &error);
    ASSERT_FALSE(url_.empty()) << error;
    auto db = store::Database::Open({.url = url_, .pool_size = 16});
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(store::Migrate(*db_));
    ASSERT_TRUE(auth::CreateTenant(*db_, tenant_));
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A product (optionally in a family) and a subscription of it.
  void AddSubscription(const std::string& id, int64_t seats, const std::string& family = "") {
    Product p{.id = "p-" + id, .name = "Product " + id};
    if (!family.empty()) p.family = family;
    ASSERT_TRUE(CreateProduct(*db_, tenant_, p, admin_));
    ASSERT_TRUE(CreateSubscription(*db_, tenant_, {.id = id, .product_id = "p-" + id, .seats = seats},
                                   admin_));
  }

  void AddUser(const std::string& id, bool active = true,
               nlohmann::json resource = nlohmann::json::object()) {
    if (!resource.contains("userName")) resource["userName"] = id;
    const std::string now = NowRfc3339(), res = resource.dump(), name = resource["userName"];
    int act = active ? 1 : 0;
    ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
      sql << "INSERT INTO scim_users (tenant_id, id, user_name, user_name_lower, active, resource, "
             "version, created_at, updated_at) VALUES (:t, :i, :n, :l, :a, :r, 1, :c, :u)",
          soci::use(tenant_), soci::use(id), soci::use(name), soci::use(name), soci::use(act),
          soci::use(res), soci::use(now), soci::use(now);
      return Ok();
    }));
  }

  void SetUserState(const std::string& id, bool active, bool deleted) {
    int act = active ? 1 : 0;
    std::string now = NowRfc3339();
    soci::indicator del = deleted ? soci::i_ok : soci::i_null;
    ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
      sql << "UPDATE scim_users SET active = :a, deleted_at = :d WHERE tenant_id = :t AND id = :i",
          soci::use(act), soci::use(now, del), soci::use(tenant_), soci::use(id);
      return Ok();
    }));
  }

  void AddGroup(const std::string& id, const std::string& name) {
    const std::string now = NowRfc3339(), lower = name;
    ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
      sql << "INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, resource, "
             "version, created_at, updated_at) VALUES (:t, :i, :n, :l, '{}', 1, :c, :u)",
          soci::use(tenant_), soci::use(id), soci::use(name), soci::use(lower), soci::use(now),
          soci::use(now);
      return Ok();
    }));
  }

  void AddMember(const std::string& group, const std::string& user) {
    ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
      sql << "INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type) VALUES "
             "(:t, :g, :m, 'User')",
          soci::use(tenant_), soci::use(group), soci::use(user);
      return Ok();
    }));
  }

  void RemoveMember(const std::string& group, const std::string& user) {
    ASSERT_TRUE(db_->Write([&](soci::session& sql) -> Status {
      sql << "DELETE FROM scim_group_members WHERE tenant_id = :t AND group_id = :g AND "
             "member_id = :m",
          soci::use(tenant_), soci::use(group), soci::use(user);
      return Ok();
    }));
  }

  int64_t Count(const std::string& query, std::vector<std::string> params) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](soci::session& sql) {
      return sql::Run(sql, query, params, [&](const soci::row& r) { n = sql::Int(r, 0); });
    }));
    return n;
  }
  int64_t Active(const std::string& sub) {
    return Count("SELECT COUNT(*) FROM assignments WHERE tenant_id = :p0 AND subscription_id = "
                 ":p1 AND state = 'active'",
                 {tenant_, sub});
  }
  int64_t Pending(const std::string& sub) {
    return Count("SELECT COUNT(*) FROM assignments WHERE tenant_id = :p0 AND subscription_id = "
                 ":p1 AND state = 'pending'",
                 {tenant_, sub});
  }
  int64_t Assigned(const std::string& sub) {
    return Count("SELECT assigned FROM subscriptions WHERE tenant_id = :p0 AND id = :p1",
                 {tenant_, sub});
  }
  int64_t AuditCount(const std::string& action) {
    return Count("SELECT COUNT(*) FROM audit_events WHERE tenant_id = :p0 AND action = :p1",
                 {tenant_, action});
  }
  // "active", "pending" or "" (none).
  std::string StateOf(const std::string& user, const std::string& sub) {
    std::string state;
    EXPECT_TRUE(db_->Read([&](soci::session& sql) {
      return sql::Run(sql,
                      "SELECT state FROM assignments WHERE tenant_id = :p0 AND user_id = :p1 AND "
                      "subscription_id = :p2",
                      {tenant_, user, sub}, [&](const soci::row& r) { state = sql::Str(r, 0); });
    }));
    return state;
  }
  // An unscoped administrator's assign / unassign (licenses.h).
  Result<License> Assign(const std::string& user, const std::string& sub, bool queue = false) {
    auto r = AssignLicense(*db_, tenant_, user, sub, {.queue = queue}, admin_, {});
    if (!r) return std::unexpected(r.error());
    return r->license;
  }
  Result<UnassignOutcome> Unassign(const std::string& user, const std::string& sub,
                                   bool deny = false) {
    return UnassignLicense(*db_, tenant_, user, sub, {.deny = deny}, admin_, {});
  }

  void ExpectInvariants(const std::string& sub) {
    auto c = GetSubscription(*db_, tenant_, sub);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->assigned, Active(sub)) << "assigned must equal the active count of " << sub;
    EXPECT_LE(c->assigned, c->seats) << "active must never exceed seats of " << sub;
    if (c->assigned < c->seats) {
      EXPECT_EQ(Pending(sub), 0) << "pending while a seat is free";
    }
  }

  std::string dir_;
  std::string url_;  // the database's, to open a second instance on it
  std::string tenant_ = "t1";
  std::unique_ptr<store::Database> db_;
  Actor admin_{Actor::Kind::kAdmin, "root"};
};

}  // namespace allot::licensing::testing
