#include "server/base/random.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <thread>

namespace allot {
namespace {

const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{12}");

// The version nibble and whether the variant is RFC 9562's (10xx).
std::pair<char, bool> VersionAndVariant(const std::string& uuid) {
  std::smatch m;
  if (!std::regex_match(uuid, m, kUuid)) return {'?', false};
  const char variant = m[2].str()[0];
  return {m[1].str()[0], variant == '8' || variant == '9' || variant == 'a' || variant == 'b'};
}

TEST(RandomUuid, IsVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = RandomUuid();
    EXPECT_EQ(VersionAndVariant(id), std::make_pair('4', true)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(TimeOrderedUuid, IsVersion7AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = TimeOrderedUuid();
    EXPECT_EQ(VersionAndVariant(id), std::make_pair('7', true)) << id;
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(TimeOrderedUuid, StartsWithTheCurrentUnixMilliseconds) {
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string id = TimeOrderedUuid();
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  const long long ms = std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
  EXPECT_GE(ms, before);
  EXPECT_LE(ms, after);
}

TEST(TimeOrderedUuid, IdsMadeLaterSortAfter) {
  const std::string first = TimeOrderedUuid();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::string second = TimeOrderedUuid();
  EXPECT_LT(first, second);
}

TEST(RandomToken, Has256BitsAfterThePrefix) {
  const std::string token = RandomToken("allot_scim_");
  ASSERT_EQ(token.rfind("allot_scim_", 0), 0u);
  EXPECT_EQ(token.size(), std::string("allot_scim_").size() + 43);
  EXPECT_NE(RandomToken("x"), RandomToken("x"));
}

}  // namespace
}  // namespace allot
