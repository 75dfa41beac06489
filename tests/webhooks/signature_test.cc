// Standard Webhooks signatures (server/webhooks/signature.h).
#include "server/webhooks/signature.h"

#include <gtest/gtest.h>

namespace allot::webhooks {
namespace {

// The example of the Standard Webhooks specification.
TEST(Sign, MatchesTheStandardWebhooksExample) {
  auto key = SecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key);
  EXPECT_EQ(Sign(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(Sign, DependsOnIdTimestampAndBody) {
  const std::string key = "0123456789abcdef0123456789abcdef";
  const std::string s = Sign(key, "evt_1", "100", "{}");
  EXPECT_NE(s, Sign(key, "evt_2", "100", "{}"));
  EXPECT_NE(s, Sign(key, "evt_1", "101", "{}"));
  EXPECT_NE(s, Sign(key, "evt_1", "100", "{ }"));
  EXPECT_NE(s, Sign("another key......................", "evt_1", "100", "{}"));
}

TEST(NewSecret, IsWhsecAndThirtyTwoRandomBytes) {
  const std::string a = NewSecret(), b = NewSecret();
  EXPECT_TRUE(a.starts_with("whsec_"));
  EXPECT_NE(a, b);
  auto key = SecretKey(a);
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 32u);
}

TEST(SecretKey, RefusesWhatIsNotAWhsecSecret) {
  EXPECT_FALSE(SecretKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_FALSE(SecretKey("whsec_"));
  EXPECT_FALSE(SecretKey("whsec_not base64!"));
}

TEST(Base64, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    if (n > 0) {
      auto decoded = Base64Decode(Base64Encode(bytes));
      ASSERT_TRUE(decoded) << n;
      EXPECT_EQ(*decoded, bytes) << n;
    }
    bytes += static_cast<char>(n * 37 + 1);
  }
  EXPECT_EQ(Base64Encode("hi"), "aGk=");
}

}  // namespace
}  // namespace allot::webhooks
