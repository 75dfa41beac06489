// Config values are checked by the same code as the flags: a value out of
// range is refused at start with one line naming the key and the range,
// exit 2, exactly like the matching flag.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/hostile/hostile_util.h"

namespace allot::testing {
namespace {

struct Bad {
  std::string key;
  std::string json_value;  // as written in the config file
  std::string flag_value;  // as given on the command line ("" for none)
  std::string expected;    // the range the message names
};

std::string FlagOf(std::string key) {
  for (char& c : key) c = c == '_' ? '-' : c;
  return "--" + key;
}

// The sentence after "<where> ", identical for a flag and a config key.
std::string Verdict(const std::string& err) {
  const size_t at = err.find(" must be ");
  return at == std::string::npos ? err : err.substr(at);
}

TEST(ConfigRefusal, EveryBadValueIsRefusedLikeItsFlag) {
  const std::vector<Bad> bad = {
      {"threads", "2147483647", "2147483647", "an integer from 1 to 1024"},
      {"threads", "0", "0", "an integer from 1 to 1024"},
      {"threads", "\"many\"", "many", "an integer from 1 to 1024"},
      {"io_threads", "0", "0", "an integer from 1 to 64"},
      {"queue_timeout_ms", "0", "0", "an integer from 1 to 600000"},
      {"log_level", "\"bogus\"", "bogus", "one of debug, info, warn, error"},
      {"max_connections", "0", "0", "an integer from 1 to 1000000"},
      {"max_body_bytes", "-1", "-1", "an integer from 1024 to 1073741824"},
      {"max_request_line_bytes", "10", "10", "an integer from 1024 to 1048576"},
      {"max_header_bytes", "99999999999", "99999999999", "an integer from 1024 to 16777216"},
      {"max_header_fields", "0", "0", "an integer from 1 to 10000"},
      {"header_timeout_seconds", "0", "0", "an integer from 1 to 3600"},
      {"keep_alive_timeout_seconds", "1.5", "1.5", "an integer from 1 to 3600"},
      {"read_timeout_seconds", "0", "0", "an integer from 1 to 3600"},
      {"write_timeout_seconds", "100000", "100000", "an integer from 1 to 3600"},
      {"listen", "\"nowhere\"", "nowhere", "HOST:PORT"},
      {"insecure_http", "\"yes\"", "", "true or false"},
  };
  TempDir dir;
  for (const Bad& b : bad) {
    const std::string file = dir.path() + "/c.json";
    std::ofstream(file) << "{\"data_dir\":\"" << dir.path() << "\",\"" << b.key
                        << "\":" << b.json_value << "}";
    CommandResult from_file = RunAllot({"serve", "--config", file});
    EXPECT_EQ(from_file.exit_code, 2) << b.key << ": " << from_file.err;
    EXPECT_EQ(std::count(from_file.err.begin(), from_file.err.end(), '\n'), 1) << from_file.err;
    EXPECT_NE(from_file.err.find("\"" + b.key + "\""), std::string::npos) << from_file.err;
    EXPECT_NE(from_file.err.find(b.expected), std::string::npos) << from_file.err;
    if (b.flag_value.empty()) continue;
    CommandResult from_flag =
        RunAllot({"serve", "--data-dir", dir.path(), FlagOf(b.key), b.flag_value});
    EXPECT_EQ(from_flag.exit_code, 2) << b.key << ": " << from_flag.err;
    EXPECT_EQ(std::count(from_flag.err.begin(), from_flag.err.end(), '\n'), 1) << from_flag.err;
    EXPECT_NE(from_flag.err.find(FlagOf(b.key)), std::string::npos) << from_flag.err;
    EXPECT_EQ(Verdict(from_flag.err), Verdict(from_file.err)) << b.key;
  }
}

TEST(ConfigRefusal, ValuesInRangeAreAccepted) {
  TempDir dir;
  const std::string file = dir.path() + "/c.json";
  std::ofstream(file) << R"({"threads":8,"queue_timeout_ms":1,"log_level":"debug",
      "max_connections":1,"header_timeout_seconds":3600,"io_threads":1})";
  std::string error;
  auto server = TestServer::Start({.extra_args = {"--config", file}}, &error);
  ASSERT_TRUE(server) << error;
  EXPECT_EQ(HealthzOnNewConnection(server->port()).status, 200);
}

TEST(ConfigRefusal, ABadFileValueIsRefusedEvenWhenAFlagOverridesIt) {
  TempDir dir;
  const std::string file = dir.path() + "/c.json";
  std::ofstream(file) << R"({"threads":0})";
  // The bad file value is refused even when a flag would override it: the
  // file is checked whole.
  CommandResult r = RunAllot({"serve", "--data-dir", dir.path(), "--config", file, "--threads", "2"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace allot::testing
