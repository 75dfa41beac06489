// tests/scim_api/store_fixture.h — a migrated SQLite database in a temp
// directory with one tenant, and a listener that records its calls: for
// store tests that open no socket.
// Thread-safety: test-only.
#pragma once

#include <soci/soci.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/auth/tenants.h"
#include "server/licensing/identity_listener.h"
#include "server/scim_api/records.h"
#include "server/store/database.h"
#include "server/store/migrations.h"

namespace allot::scim_api {

class RecordingListener : public licensing::IdentityListener {
 public:
  Status UsersChanged(soci::session& sql, const std::string& tenant_id,
                      const std::vector<std::string>& user_ids, const Actor& actor) override {
    calls.push_back({tenant_id, user_ids, actor});
    if (fail_next) {
      fail_next = false;
      if (serialization_failure) {
        // What the licensing engine returns when PostgreSQL fails one of
        // its statements (licensing/sql.h catches and converts).
        try {
          sql << "DO $$ BEGIN RAISE EXCEPTION 'busy' USING ERRCODE = '40001'; END $$";
        } catch (const std::exception& e) {
          return std::unexpected(store::ErrorFromException(e));
        }
      }
      return std::unexpected(Error{fail_code, "listener refused"});
    }
    return Ok();
  }
  struct Call {
    std::string tenant;
    std::vector<std::string> users;
    Actor actor;
  };
  std::vector<Call> calls;
  bool fail_next = false;
  ErrorCode fail_code = ErrorCode::kNoSeats;  // what the failing call returns
  // PostgreSQL only: the failing call meets a real serialization failure.
  bool serialization_failure = false;
};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("allot-scim-store-" + std::to_string(getpid()) + "-" + std::to_string(++counter_));
    std::filesystem::create_directories(dir_);
    auto db = store::Database::Open({.url = (dir_ / "t.db").string()});
    ASSERT_TRUE(db.has_value()) << db.error().message;
    db_ = std::move(*db);
    ASSERT_TRUE(store::Migrate(*db_).has_value());
    ASSERT_TRUE(auth::CreateTenant(*db_, "t1").has_value());
    caller_ = Caller{"t1", Actor{Actor::Kind::kScim, "client-1"}, &listener_};
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  RecordingListener listener_;
  Caller caller_;
  static inline int counter_ = 0;
};

}  // namespace allot::scim_api
