#include "server/auth/principal_cache.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "server/auth/app_tokens.h"
#include "server/auth/tenants.h"
#include "server/auth/tokens.h"
#include "server/store/database.h"
#include "server/store/migrations.h"
#include "tests/support/test_database.h"

namespace allot::auth {
namespace {

using namespace std::chrono_literals;

// A tenant "acme" with its first tokens, and a cache in front of its
// database (SQLite, or PostgreSQL under ALLOT_TEST_PG_URL). `other_` is a
// second Database on the same database: what another allot instance (or
// process) sharing it would write through.
class PrincipalCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("allot-principal-cache-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::string error;
    const std::string url = testing::NewTestDatabase((dir_ / "t.db").string(), &error);
    ASSERT_FALSE(url.empty()) << error;
    db_ = std::move(*store::Database::Open({.url = url, .pool_size = 4}));
    ASSERT_TRUE(store::Migrate(*db_));
    other_ = std::move(*store::Database::Open({.url = url, .pool_size = 1}));
    auto created = CreateTenant(*db_, "acme");
    ASSERT_TRUE(created) << created.error().message;
    creds_ = *created;
    admin_ = "Bearer " + creds_.admin_token;
    scim_ = "Bearer " + creds_.scim_token;
  }
  void TearDown() override {
    db_.reset();
    other_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Runs `statement` as a write of this instance (`db_`) or of another.
  void Exec(store::Database& db, const std::string& statement) {
    ASSERT_TRUE(db.Write([&](soci::session& sql) -> Status {
      sql << statement;
      return Ok();
    })) << statement;
  }

  // Asks twice, so that the second answer is the cache's when it keeps one.
  Result<Principal> Warm(PrincipalCache& cache, const std::string& header, TokenKind kind) {
    EXPECT_TRUE(cache.Authenticate(header, kind));
    return cache.Authenticate(header, kind);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_, other_;
  TenantCredentials creds_;
  std::string admin_, scim_;
};

TEST_F(PrincipalCacheTest, AnswersAsAuthenticateDoes) {
  PrincipalCache cache(*db_);
  auto cached = Warm(cache, admin_, TokenKind::kAdmin);
  auto direct = Authenticate(*db_, admin_, TokenKind::kAdmin);
  ASSERT_TRUE(cached) << cached.error().message;
  ASSERT_TRUE(direct);
  EXPECT_EQ(cached->tenant_id, direct->tenant_id);
  EXPECT_EQ(cached->id, direct->id);
  EXPECT_EQ(cached->name, direct->name);
  EXPECT_EQ(cached->kind, direct->kind);
  EXPECT_EQ(cached->role, direct->role);
  EXPECT_EQ(cached->token_id, direct->token_id);
  EXPECT_EQ(cached->self_managed_catalog, direct->self_managed_catalog);
  for (const std::string& header : {std::string(), std::string("Bearer "),
                                    std::string("Bearer nonsense"), "Bearer " + std::string(700, 'x')}) {
    auto p = cache.Authenticate(header, TokenKind::kAdmin);
    ASSERT_FALSE(p) << header;
    EXPECT_EQ(p.error().message, Authenticate(*db_, header, TokenKind::kAdmin).error().message);
  }
}

// A kept admin token asked for as a SCIM token gets Authenticate's refusal.
TEST_F(PrincipalCacheTest, ATokenOfAnotherKindIsRefusedEvenWhenKept) {
  PrincipalCache cache(*db_);
  ASSERT_TRUE(Warm(cache, admin_, TokenKind::kAdmin));
  auto p = cache.Authenticate(admin_, TokenKind::kScim);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(p.error().message, Authenticate(*db_, admin_, TokenKind::kScim).error().message);
}

TEST_F(PrincipalCacheTest, ARevokedTokenIsRefusedOnTheNextRequest) {
  PrincipalCache cache(*db_);
  auto p = Warm(cache, scim_, TokenKind::kScim);
  ASSERT_TRUE(p);
  ASSERT_TRUE(db_->Write([&](soci::session& sql) { return RevokeToken(sql, "acme", p->token_id); }));
  auto again = cache.Authenticate(scim_, TokenKind::kScim);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("revoked"), std::string::npos);
}

// App tokens (the entitlement checks) go through the cache too: kept, and
// refused on the next request once revoked here.
TEST_F(PrincipalCacheTest, AnAppTokenIsKeptAndARevocationAppliesOnTheNextRequest) {
  auto issued = db_->WriteValue<IssuedToken>([&](soci::session& sql) {
    return IssueAppToken(sql, "acme", "lms", {"lit"});
  });
  ASSERT_TRUE(issued) << issued.error().message;
  const std::string app = "Bearer " + issued->token;
  PrincipalCache cache(*db_);
  auto p = Warm(cache, app, TokenKind::kApp);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->kind, TokenKind::kApp);
  EXPECT_EQ(p->products, std::vector<std::string>{"lit"});
  ASSERT_TRUE(db_->Write([&](soci::session& sql) { return RevokeAppToken(sql, "acme", p->token_id); }));
  auto again = cache.Authenticate(app, TokenKind::kApp);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("revoked"), std::string::npos);
  // An admin token is not an app token, kept or not.
  Warm(cache, admin_, TokenKind::kAdmin);
  EXPECT_FALSE(cache.Authenticate(admin_, TokenKind::kApp));
}

TEST_F(PrincipalCacheTest, ADeletedAdminIsRefusedOnTheNextRequest) {
  PrincipalCache cache(*db_);
  auto p = Warm(cache, admin_, TokenKind::kAdmin);
  ASSERT_TRUE(p);
  Exec(*db_, "UPDATE principals SET deleted_at = 'now' WHERE tenant_id = 'acme' AND id = '" +
                 p->id + "'");
  EXPECT_FALSE(cache.Authenticate(admin_, TokenKind::kAdmin));
}

TEST_F(PrincipalCacheTest, ARoleAndScopeChangeApplyOnTheNextRequest) {
  PrincipalCache cache(*db_);
  auto p = Warm(cache, admin_, TokenKind::kAdmin);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->role, "global_admin");
  Exec(*db_, "UPDATE principals SET role = 'subscription_admin' WHERE id = '" + p->id + "'");
  Exec(*db_, "INSERT INTO principal_subscriptions (tenant_id, principal_id, subscription_id) "
             "VALUES ('acme', '" + p->id + "', 'sub-a')");
  auto changed = cache.Authenticate(admin_, TokenKind::kAdmin);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->role, "subscription_admin");
  EXPECT_EQ(changed->subscriptions, std::vector<std::string>{"sub-a"});
  Exec(*db_, "INSERT INTO principal_subscriptions (tenant_id, principal_id, subscription_id) "
             "VALUES ('acme', '" + p->id + "', 'sub-b')");
  changed = cache.Authenticate(admin_, TokenKind::kAdmin);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->subscriptions, (std::vector<std::string>{"sub-a", "sub-b"}));
}

TEST_F(PrincipalCacheTest, ASuspendedTenantIsRefusedOnTheNextRequestAndBackWhenActive) {
  PrincipalCache cache(*db_);
  ASSERT_TRUE(Warm(cache, scim_, TokenKind::kScim));
  Exec(*db_, "UPDATE tenants SET status = 'suspended' WHERE id = 'acme'");
  auto p = cache.Authenticate(scim_, TokenKind::kScim);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kTenantSuspended);
  Exec(*db_, "UPDATE tenants SET status = 'active' WHERE id = 'acme'");
  EXPECT_TRUE(cache.Authenticate(scim_, TokenKind::kScim));
}

TEST_F(PrincipalCacheTest, ACatalogLockAppliesOnTheNextRequest) {
  PrincipalCache cache(*db_);
  auto p = Warm(cache, admin_, TokenKind::kAdmin);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->self_managed_catalog);
  Exec(*db_, "UPDATE tenants SET self_managed_catalog = 0 WHERE id = 'acme'");
  p = cache.Authenticate(admin_, TokenKind::kAdmin);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->self_managed_catalog);
}

// What another instance changes is not seen through an entry younger than
// the ttl (with an hour, certainly not here)…
TEST_F(PrincipalCacheTest, AnotherInstancesRevocationIsUnseenWithinTheTtl) {
  PrincipalCache cache(*db_, {.ttl = std::chrono::hours(1)});
  auto p = Warm(cache, scim_, TokenKind::kScim);
  ASSERT_TRUE(p);
  ASSERT_TRUE(other_->Write([&](soci::session& sql) { return RevokeToken(sql, "acme", p->token_id); }));
  EXPECT_TRUE(cache.Authenticate(scim_, TokenKind::kScim)) << "the entry was not used";
  EXPECT_FALSE(Authenticate(*db_, scim_, TokenKind::kScim));
}

// …and is once the ttl has passed…
TEST_F(PrincipalCacheTest, AnotherInstancesRevocationIsSeenOnceTheTtlHasPassed) {
  PrincipalCache cache(*db_, {.ttl = 20ms});
  auto p = Warm(cache, scim_, TokenKind::kScim);
  ASSERT_TRUE(p);
  ASSERT_TRUE(other_->Write([&](soci::session& sql) { return RevokeToken(sql, "acme", p->token_id); }));
  std::this_thread::sleep_for(40ms);
  EXPECT_FALSE(cache.Authenticate(scim_, TokenKind::kScim));
}

// …and at once with a ttl of 0, which keeps nothing.
TEST_F(PrincipalCacheTest, AZeroTtlKeepsNothing) {
  PrincipalCache cache(*db_, {.ttl = 0ms});
  auto p = Warm(cache, scim_, TokenKind::kScim);
  ASSERT_TRUE(p);
  Exec(*other_, "UPDATE tenants SET status = 'suspended' WHERE id = 'acme'");
  EXPECT_FALSE(cache.Authenticate(scim_, TokenKind::kScim));
}

// Past max_entries the cache drops entries; every token keeps its answer.
TEST_F(PrincipalCacheTest, ManyTokensKeepTheirAnswersPastTheCacheSize) {
  PrincipalCache cache(*db_, {.max_entries = 16});
  std::vector<std::string> headers;
  for (int i = 0; i < 64; ++i) {
    auto issued = db_->WriteValue<IssuedToken>([&](soci::session& sql) {
      return IssueToken(sql, "acme", creds_.scim_client_id, TokenKind::kScim);
    });
    ASSERT_TRUE(issued);
    headers.push_back("Bearer " + issued->token);
  }
  for (int round = 0; round < 2; ++round) {
    for (const std::string& h : headers) ASSERT_TRUE(cache.Authenticate(h, TokenKind::kScim));
  }
  Exec(*db_, "UPDATE tokens SET revoked_at = 'now' WHERE tenant_id = 'acme'");
  for (const std::string& h : headers) EXPECT_FALSE(cache.Authenticate(h, TokenKind::kScim));
}

// Threads authenticate while another revokes the token: no request that
// began after the revocation returned is let in.
TEST_F(PrincipalCacheTest, NoRequestAfterARevocationReturnsGetsIn) {
  PrincipalCache cache(*db_, {.ttl = std::chrono::hours(1)});
  auto p = Warm(cache, scim_, TokenKind::kScim);
  ASSERT_TRUE(p);
  std::atomic<bool> revoked{false};
  std::atomic<int> let_in_after{0}, requests{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 300; ++i) {
        const bool after = revoked.load();
        auto r = cache.Authenticate(scim_, TokenKind::kScim);
        requests.fetch_add(1);
        if (after && r) let_in_after.fetch_add(1);
      }
    });
  }
  while (requests.load() < 100) std::this_thread::yield();
  ASSERT_TRUE(db_->Write([&](soci::session& sql) { return RevokeToken(sql, "acme", p->token_id); }));
  revoked.store(true);
  for (auto& c : clients) c.join();
  EXPECT_EQ(let_in_after.load(), 0);
  EXPECT_FALSE(cache.Authenticate(scim_, TokenKind::kScim));
}

}  // namespace
}  // namespace allot::auth
