#include "server/base/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace allot {

std::string NowRfc3339() { return TimeRfc3339(std::chrono::system_clock::now()); }

std::string TimeRfc3339(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  // Calendar arithmetic rather than gmtime_r and snprintf: every log line
  // and most writes take a timestamp, and gmtime_r serialises all threads
  // on glibc's time-zone lock.
  const auto ms = floor<milliseconds>(now);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss time{ms - day};
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) {
    const std::time_t secs = system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];  // ample: the compiler cannot bound tm's fields
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(time.subseconds().count()));
    return buf;
  }
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](size_t at, unsigned value, size_t digits) {
    for (size_t i = digits; i-- > 0; value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, static_cast<unsigned>(year), 4);
  put(5, static_cast<unsigned>(date.month()), 2);
  put(8, static_cast<unsigned>(date.day()), 2);
  put(11, static_cast<unsigned>(time.hours().count()), 2);
  put(14, static_cast<unsigned>(time.minutes().count()), 2);
  put(17, static_cast<unsigned>(time.seconds().count()), 2);
  put(20, static_cast<unsigned>(time.subseconds().count()), 3);
  return out;
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > text.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(5, 2, mo) ||
      text[7] != '-' || !digits(8, 2, d)) {
    return std::nullopt;
  }
  long long millis = 0;
  if (text.size() > 10) {
    if ((text[10] != 'T' && text[10] != 't') || !digits(11, 2, h) || text.size() < 19 ||
        text[13] != ':' || !digits(14, 2, mi) || text[16] != ':' || !digits(17, 2, s)) {
      return std::nullopt;
    }
    size_t pos = 19;
    if (pos < text.size() && text[pos] == '.') {
      long long scale = 100;
      ++pos;
      if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') return std::nullopt;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        millis += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
    }
    if (pos + 1 != text.size() || (text[pos] != 'Z' && text[pos] != 'z')) return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + milliseconds{millis};
}

}  // namespace allot
