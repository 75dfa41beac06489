#include "server/base/ascii.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(Ascii, LowersAsciiLettersOnly) {
  EXPECT_EQ(AsciiLower("UserName-42@Example.ORG"), "username-42@example.org");
  // Not ASCII: left as it is, as SQLite's LOWER() leaves it.
  EXPECT_EQ(AsciiLower("ÄRGER"), "Ärger");
}

TEST(Ascii, ComparesIgnoringAsciiCase) {
  EXPECT_TRUE(EqualsIgnoreAsciiCase("Bearer", "bEARER"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("Bearer", "Bearer "));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("Ä", "ä"));
  EXPECT_TRUE(StartsWithIgnoreAsciiCase("/SCIM/v2/Users", "/scim/v2"));
  EXPECT_FALSE(StartsWithIgnoreAsciiCase("/sc", "/scim"));
}

}  // namespace
}  // namespace allot
