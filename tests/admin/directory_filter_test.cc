// The filter language of GET /users and GET /groups.
#include "server/admin/directory_filter.h"

#include <gtest/gtest.h>

namespace allot::admin {
namespace {

Result<std::vector<FilterTerm>> Users(std::string_view text) {
  return ParseDirectoryFilter(text, UserFilterAttributes());
}

TEST(DirectoryFilter, EmptyIsNoFilter) {
  auto r = Users("  ");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->empty());
}

TEST(DirectoryFilter, ParsesUserNameEq) {
  auto r = Users(R"(userName eq "ann@example.com")");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].attribute, "userName");
  EXPECT_EQ((*r)[0].op, FilterOp::kEq);
  EXPECT_EQ((*r)[0].value, "ann@example.com");
}

TEST(DirectoryFilter, AttributeAndOperatorNamesIgnoreCase) {
  auto r = Users(R"(USERNAME SW "a" AND Active Eq True)");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].attribute, "userName");
  EXPECT_EQ((*r)[0].op, FilterOp::kSw);
  EXPECT_EQ((*r)[1].attribute, "active");
  EXPECT_EQ((*r)[1].value, "true");
}

TEST(DirectoryFilter, UnescapesQuotedValues) {
  auto r = Users(R"(displayName co "a \"b\" \\ c")");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0].value, R"(a "b" \ c)");
}

TEST(DirectoryFilter, RejectsWhatItDoesNotSupport) {
  for (const char* text : {R"(emails eq "x")", R"(userName gt "x")", R"(userName eq x)",
                           R"(userName eq "x" or userName eq "y")", R"(userName eq "x)",
                           R"(active sw "t")", R"(active eq maybe)", R"(userName)",
                           R"((userName eq "x"))", R"(userName eq "x" and)"}) {
    auto r = Users(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
    EXPECT_EQ(r.error().message.rfind("filter:", 0), 0u) << r.error().message;
  }
}

TEST(DirectoryFilter, GroupsOfferDisplayNameAndExternalIdOnly) {
  EXPECT_TRUE(ParseDirectoryFilter(R"(displayName eq "Sales")", GroupFilterAttributes()));
  EXPECT_FALSE(ParseDirectoryFilter(R"(userName eq "x")", GroupFilterAttributes()));
}

TEST(LikePattern, EscapesWildcards) {
  EXPECT_EQ(LikePattern(FilterOp::kSw, "a%b_c\\"), "a\\%b\\_c\\\\%");
  EXPECT_EQ(LikePattern(FilterOp::kEw, "x"), "%x");
  EXPECT_EQ(LikePattern(FilterOp::kCo, "x"), "%x%");
}

}  // namespace
}  // namespace allot::admin
