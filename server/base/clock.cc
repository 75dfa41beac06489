#include "server/base/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace allot {

std::string NowRfc3339() { return Rfc3339(std::chrono::system_clock::now()); }

std::string Rfc3339(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const std::time_t secs = system_clock::to_time_t(now);
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];  // ample: the compiler cannot bound tm's fields
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

}  // namespace allot
