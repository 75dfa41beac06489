#include "server/base/clock.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using namespace std::chrono;

sys_time<milliseconds> At(year_month_day date, hours h, minutes m, seconds s, milliseconds ms) {
  return sys_days(date) + h + m + s + ms;
}

TEST(TimeRfc3339, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(TimeRfc3339(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(TimeRfc3339(At(2026y / 11 / 22, 9h, 45min, 17s, 123ms)), "2026-11-22T09:45:17.123Z");
  EXPECT_EQ(TimeRfc3339(At(2024y / 2 / 29, 23h, 59min, 59s, 999ms)), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(TimeRfc3339(At(2199y / 12 / 31, 23h, 59min, 59s, 7ms)), "2199-12-31T23:59:59.007Z");
}

TEST(TimeRfc3339, DropsWhatIsBelowAMillisecond) {
  EXPECT_EQ(TimeRfc3339(At(2026y / 1 / 2, 3h, 4min, 5s, 6ms) + microseconds(999)),
            "2026-01-02T03:04:05.006Z");
}

TEST(TimeRfc3339, RoundTripsThroughParse) {
  const auto t = At(2031y / 7 / 1, 12h, 0min, 30s, 250ms);
  auto parsed = ParseRfc3339(TimeRfc3339(t));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, t);
}

TEST(NowRfc3339, HasTheFixedShape) {
  const std::string now = NowRfc3339();
  ASSERT_EQ(now.size(), 24u) << now;
  EXPECT_EQ(now[4], '-');
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now[19], '.');
  EXPECT_EQ(now.back(), 'Z');
  EXPECT_TRUE(ParseRfc3339(now));
}

}  // namespace
}  // namespace allot
