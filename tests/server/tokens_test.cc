#include "server/auth/tokens.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <filesystem>

#include "server/auth/tenants.h"
#include "server/store/database.h"
#include "server/store/migrations.h"

namespace allot::auth {
namespace {

class TokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("allot-tokens-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    db_ = std::move(*store::Database::Open({.url = (dir_ / "t.db").string(), .pool_size = 2}));
    ASSERT_TRUE(store::Migrate(*db_));
    auto created = CreateTenant(*db_, "acme");
    ASSERT_TRUE(created) << created.error().message;
    creds_ = *created;
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::Database> db_;
  TenantCredentials creds_;
};

TEST(HashToken, IsHexSha256) {
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(TokensTest, AuthenticatesAnAdminTokenAsItsPrincipal) {
  auto p = Authenticate(*db_, "Bearer " + creds_.admin_token, TokenKind::kAdmin);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->tenant_id, "acme");
  EXPECT_EQ(p->role, "global_admin");
  EXPECT_EQ(p->kind, TokenKind::kAdmin);
}

TEST_F(TokensTest, BearerSchemeIsCaseInsensitive) {
  EXPECT_TRUE(Authenticate(*db_, "bearer " + creds_.scim_token, TokenKind::kScim));
}

TEST_F(TokensTest, RefusesTheWrongKind) {
  auto p = Authenticate(*db_, "Bearer " + creds_.scim_token, TokenKind::kAdmin);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, ErrorCode::kUnauthorized);
}

TEST_F(TokensTest, RefusesMalformedHeadersWithoutEchoingThem) {
  for (const std::string& header : std::vector<std::string>{
           "", "Bearer", "Bearer ", "Basic abc", "Token " + creds_.admin_token,
           "Bearer " + std::string(600, 'x')}) {
    auto p = Authenticate(*db_, header, TokenKind::kAdmin);
    ASSERT_FALSE(p) << header;
    EXPECT_EQ(p.error().code, ErrorCode::kUnauthorized);
    EXPECT_EQ(p.error().message.find(creds_.admin_token), std::string::npos);
  }
}

TEST_F(TokensTest, RevokedTokenStopsWorkingAtOnce) {
  auto p = Authenticate(*db_, "Bearer " + creds_.admin_token, TokenKind::kAdmin);
  ASSERT_TRUE(p);
  ASSERT_TRUE(db_->Write([&](soci::session& sql) { return RevokeToken(sql, "acme", p->token_id); }));
  auto again = Authenticate(*db_, "Bearer " + creds_.admin_token, TokenKind::kAdmin);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("revoked"), std::string::npos);
}

TEST_F(TokensTest, RevokingAnotherTenantsTokenFindsNothing) {
  auto p = Authenticate(*db_, "Bearer " + creds_.admin_token, TokenKind::kAdmin);
  ASSERT_TRUE(p);
  auto s = db_->Write([&](soci::session& sql) { return RevokeToken(sql, "other", p->token_id); });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(Authenticate(*db_, "Bearer " + creds_.admin_token, TokenKind::kAdmin));
}

TEST_F(TokensTest, CreatingAnExistingTenantConflictsAndChangesNothing) {
  auto again = CreateTenant(*db_, "acme");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_TRUE(Authenticate(*db_, "Bearer " + creds_.admin_token, TokenKind::kAdmin));
}

}  // namespace
}  // namespace allot::auth
