#include "server/app/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace allot::app {
namespace {

TEST(ParseListen, AcceptsHostPortAndBracketedIpv6) {
  auto v4 = ParseListen("127.0.0.1:8443");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8443);
  auto v6 = ParseListen("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
}

TEST(ParseListen, RejectsMalformedAddresses) {
  for (const char* bad : {"", "8443", ":8443", "host:", "host:99999", "host:12a", "[::1]8443",
                          "[::1"}) {
    EXPECT_FALSE(ParseListen(bad)) << bad;
  }
}

TEST(IsLoopback, KnowsLoopbackFromTheRest) {
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  EXPECT_TRUE(IsLoopback("127.1.2.3"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_TRUE(IsLoopback("localhost"));
  EXPECT_FALSE(IsLoopback("0.0.0.0"));
  EXPECT_FALSE(IsLoopback("::"));
  EXPECT_FALSE(IsLoopback("10.0.0.1"));
  EXPECT_FALSE(IsLoopback("example.com"));
}

class ConfigFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    path_ = std::filesystem::temp_directory_path() /
            ("allot-config-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path_) << text;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
};

TEST_F(ConfigFileTest, AppliesKnownKeys) {
  ServeConfig c;
  ASSERT_TRUE(LoadConfigFile(Write(R"({"listen":"127.0.0.1:1","threads":4,"insecure_http":true})"), c));
  EXPECT_EQ(c.listen, "127.0.0.1:1");
  EXPECT_EQ(c.threads, 4);
  EXPECT_TRUE(c.insecure_http);
}

TEST_F(ConfigFileTest, NamesTheUnknownKey) {
  ServeConfig c;
  auto s = LoadConfigFile(Write(R"({"thread":4})"), c);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("\"thread\""), std::string::npos);
}

TEST_F(ConfigFileTest, NamesTheKeyOfTheWrongType) {
  ServeConfig c;
  auto s = LoadConfigFile(Write(R"({"threads":"many"})"), c);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("threads"), std::string::npos);
}

TEST_F(ConfigFileTest, PluginTimeoutDefaultsTo2000AndIsRangeChecked) {
  ServeConfig c;
  EXPECT_EQ(c.plugin_timeout_ms, 2000);
  ASSERT_TRUE(LoadConfigFile(Write(R"({"plugin_timeout_ms":500})"), c));
  EXPECT_EQ(c.plugin_timeout_ms, 500);
  for (const char* bad : {R"({"plugin_timeout_ms":0})", R"({"plugin_timeout_ms":600001})",
                          R"({"plugin_timeout_ms":"fast"})"}) {
    ServeConfig d;
    auto s = LoadConfigFile(Write(bad), d);
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().message.find("plugin_timeout_ms"), std::string::npos) << s.error().message;
  }
}

TEST_F(ConfigFileTest, RejectsMalformedJson) {
  ServeConfig c;
  EXPECT_FALSE(LoadConfigFile(Write("{"), c));
  EXPECT_FALSE(LoadConfigFile("/no/such/file.json", c));
}

}  // namespace
}  // namespace allot::app
