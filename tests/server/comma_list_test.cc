#include "server/base/comma_list.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

TEST(CommaList, JoinAndSplitRoundTrip) {
  const std::vector<std::string> names = {"admin", "policy:a"};
  EXPECT_EQ(JoinCommaList(names), "admin,policy:a");
  EXPECT_EQ(SplitCommaList("admin,policy:a"), names);
  EXPECT_EQ(JoinCommaList({}), "");
  EXPECT_TRUE(SplitCommaList("").empty());
}

TEST(CommaList, SplitSkipsEmptyPieces) {
  EXPECT_EQ(SplitCommaList(",a,,b,"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(SplitCommaList("single"), std::vector<std::string>{"single"});
}

}  // namespace
}  // namespace allot
