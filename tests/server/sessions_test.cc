// Console sessions (server/auth/sessions.h) against a real SQLite database:
// sign-in with an admin token, the cookie instead of the bearer token, CSRF
// on changes, idle expiry, sign-out, and a revoked token ending its sessions.
#include "server/auth/sessions.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <filesystem>

#include "server/auth/tenants.h"
#include "server/auth/tokens.h"
#include "server/store/database.h"
#include "server/store/migrations.h"

namespace allot::auth {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

class SessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("allot-sessions-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    db_ = std::move(*store::Database::Open({.url = (dir_ / "t.db").string(), .pool_size = 2}));
    ASSERT_TRUE(store::Migrate(*db_));
    auto created = CreateTenant(*db_, "acme");
    ASSERT_TRUE(created) << created.error().message;
    creds_ = *created;
    auto session = CreateSession(*db_, creds_.admin_token, now_);
    ASSERT_TRUE(session) << session.error().message;
    session_ = *session;
    cookie_ = "theme=dark; allot_session=" + session_.secret + "; other=1";
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  TenantCredentials creds_;
  NewSession session_;
  std::string cookie_;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
};

TEST(SessionCookies, FindsTheSessionCookieAmongOthers) {
  EXPECT_EQ(SessionSecretFromCookies("a=1; allot_session=xyz; b=2"), "xyz");
  EXPECT_EQ(SessionSecretFromCookies("allot_session=xyz"), "xyz");
  EXPECT_EQ(SessionSecretFromCookies("a=1;allot_session=xyz"), "xyz");
  EXPECT_EQ(SessionSecretFromCookies("not_allot_session=xyz"), "");
  EXPECT_EQ(SessionSecretFromCookies("allot_session="), "");
  EXPECT_EQ(SessionSecretFromCookies(""), "");
}

TEST(SessionCookies, AreHttpOnlyStrictAndSecureOverHttps) {
  const std::string https = SessionCookie("s3cret", true);
  EXPECT_NE(https.find("allot_session=s3cret"), std::string::npos);
  EXPECT_NE(https.find("HttpOnly"), std::string::npos);
  EXPECT_NE(https.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(https.find("Secure"), std::string::npos);
  EXPECT_EQ(SessionCookie("s3cret", false).find("Secure"), std::string::npos);
  EXPECT_NE(ClearedSessionCookie(true).find("Max-Age=0"), std::string::npos);
}

TEST(SessionCsrf, OnlyReadsGoWithoutIt) {
  EXPECT_FALSE(NeedsCsrf("GET"));
  EXPECT_FALSE(NeedsCsrf("HEAD"));
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE"}) EXPECT_TRUE(NeedsCsrf(m)) << m;
}

TEST_F(SessionsTest, SignInNeedsALiveAdminToken) {
  EXPECT_EQ(CreateSession(*db_, creds_.scim_token).error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(CreateSession(*db_, "allot_admin_nonsense").error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(CreateSession(*db_, "").error().code, ErrorCode::kUnauthorized);
}

TEST_F(SessionsTest, StoresOnlyTheHashOfTheSecret) {
  std::string stored;
  ASSERT_TRUE(db_->Read([&](soci::session& sql) -> Status {
    sql << "SELECT session_hash FROM console_sessions", soci::into(stored);
    return Ok();
  }));
  EXPECT_EQ(stored, HashToken(session_.secret));
  EXPECT_NE(stored.find_first_not_of("0123456789abcdef"), 0u);
  EXPECT_EQ(stored.find(session_.secret), std::string::npos);
  EXPECT_EQ(session_.csrf, CsrfFor(session_.secret));
  EXPECT_NE(session_.csrf, stored);
}

TEST_F(SessionsTest, TheCookieResolvesToTheTokensPrincipal) {
  auto p = AuthenticateSession(*db_, cookie_, "", "GET", now_ + minutes(1));
  ASSERT_TRUE(p) << p.error().message;
  auto bearer = Authenticate(*db_, "Bearer " + creds_.admin_token, TokenKind::kAdmin);
  ASSERT_TRUE(bearer);
  EXPECT_EQ(p->tenant_id, "acme");
  EXPECT_EQ(p->id, bearer->id);
  EXPECT_EQ(p->role, "global_admin");
  EXPECT_EQ(p->token_id, bearer->token_id);
  EXPECT_EQ(p->kind, TokenKind::kAdmin);
}

TEST_F(SessionsTest, ChangesNeedTheCsrfHeader) {
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    auto missing = AuthenticateSession(*db_, cookie_, "", method, now_);
    ASSERT_FALSE(missing) << method;
    EXPECT_EQ(missing.error().code, ErrorCode::kForbidden);
    auto wrong = AuthenticateSession(*db_, cookie_, session_.csrf + "0", method, now_);
    ASSERT_FALSE(wrong) << method;
    EXPECT_EQ(wrong.error().code, ErrorCode::kForbidden);
    EXPECT_TRUE(AuthenticateSession(*db_, cookie_, session_.csrf, method, now_)) << method;
  }
}

TEST_F(SessionsTest, ExpiresAfterEightIdleHoursButNotWhileUsed) {
  // Used every 7 hours, it lives on.
  EXPECT_TRUE(AuthenticateSession(*db_, cookie_, "", "GET", now_ + hours(7)));
  EXPECT_TRUE(AuthenticateSession(*db_, cookie_, "", "GET", now_ + hours(14)));
  auto idle = AuthenticateSession(*db_, cookie_, "", "GET", now_ + hours(22) + minutes(1));
  ASSERT_FALSE(idle);
  EXPECT_EQ(idle.error().code, ErrorCode::kUnauthorized);
  EXPECT_NE(idle.error().message.find("8 hours"), std::string::npos);
}

TEST_F(SessionsTest, SignOutEndsTheSession) {
  ASSERT_TRUE(EndSession(*db_, cookie_));
  auto after = AuthenticateSession(*db_, cookie_, "", "GET", now_);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kUnauthorized);
  EXPECT_FALSE(EndSession(*db_, cookie_));
}

TEST_F(SessionsTest, RevokingTheTokenEndsItsSessions) {
  ASSERT_TRUE(db_->Write([&](soci::session& sql) { return RevokeToken(sql, "acme", creds_.admin_token_id); }));
  auto p = AuthenticateSession(*db_, cookie_, "", "GET", now_);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthorized);
}

TEST_F(SessionsTest, AnUnknownCookieIsUnauthorizedWithoutEchoingIt) {
  auto p = AuthenticateSession(*db_, "allot_session=forged-value-123", "", "GET", now_);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(p.error().message.find("forged-value-123"), std::string::npos);
  EXPECT_EQ(AuthenticateSession(*db_, "", "", "GET", now_).error().code, ErrorCode::kUnauthorized);
}

TEST_F(SessionsTest, AdminRequestsTakeTheBearerFirstThenTheCookie) {
  auto bearer = AuthenticateAdminRequest(*db_, "Bearer " + creds_.admin_token, "", "", "POST");
  EXPECT_TRUE(bearer);
  // A bad bearer is not rescued by a good cookie.
  EXPECT_FALSE(AuthenticateAdminRequest(*db_, "Bearer nope", cookie_, session_.csrf, "GET"));
  EXPECT_TRUE(AuthenticateAdminRequest(*db_, "", cookie_, "", "GET"));
  EXPECT_EQ(AuthenticateAdminRequest(*db_, "", cookie_, "", "DELETE").error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(AuthenticateAdminRequest(*db_, "", "", "", "GET").error().code,
            ErrorCode::kUnauthorized);
}

}  // namespace
}  // namespace allot::auth
