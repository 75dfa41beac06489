// The command line: init's output and refusals, usage errors, exit statuses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace allot::testing {
namespace {

using nlohmann::json;

int Lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(Init, PrintsOneJsonObjectWithTenantAndTokens) {
  TempDir dir;
  CommandResult r = RunAllot({"init", "--data-dir", dir.path() + "/d"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out), 1);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["tenant"], "default");
  const std::string admin = j["admin_token"], scim = j["scim_token"];
  // ≥ 128 bits of randomness: base64url of 32 bytes after the prefix.
  EXPECT_GE(admin.size(), std::string("allot_admin_").size() + 43);
  EXPECT_GE(scim.size(), std::string("allot_scim_").size() + 43);
  EXPECT_NE(admin, scim);
}

TEST(Init, StoresOnlyHashesOfTokens) {
  TempDir dir;
  CommandResult r = RunAllot({"init", "--data-dir", dir.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  std::ifstream db(dir.path() + "/allot.db", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
  // WAL mode: committed pages may sit in the -wal file.
  bytes += ReadFile(dir.path() + "/allot.db-wal");
  EXPECT_EQ(bytes.find(j["admin_token"].get<std::string>()), std::string::npos);
  EXPECT_EQ(bytes.find(j["scim_token"].get<std::string>()), std::string::npos);
}

// The first administrator and tokens are in the audit log, made by the
// system, like any made later through the admin API; no token value is.
TEST(Init, AuditsTheFirstAdministratorAndTokens) {
  std::string error;
  auto server = TestServer::Start({}, &error);
  ASSERT_TRUE(server) << error;
  auto r = server->Client().Get("/admin/v1/audit", server->admin_token());
  ASSERT_EQ(r.status, 200) << r.body;
  json body = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.contains("items")) << r.body;
  std::multiset<std::string> actions;
  std::set<std::string> token_kinds;
  for (const json& e : body["items"]) {
    actions.insert(e["action"].get<std::string>());
    EXPECT_EQ(e["actor"], json({{"kind", "system"}, {"id", "allot init"}, {"name", "allot init"}}))
        << e.dump();
    if (e["action"] == "token.issued") token_kinds.insert(e["after"]["kind"].get<std::string>());
  }
  EXPECT_EQ(actions, (std::multiset<std::string>{"admin.created", "token.issued", "token.issued"}));
  EXPECT_EQ(token_kinds, (std::set<std::string>{"admin", "scim"}));
  EXPECT_EQ(r.body.find(server->admin_token()), std::string::npos);
  EXPECT_EQ(r.body.find(server->scim_token()), std::string::npos);
}

TEST(Init, RefusesAnExistingTenantAndChangesNothing) {
  TempDir dir;
  CommandResult first = RunAllot({"init", "--data-dir", dir.path()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  CommandResult second = RunAllot({"init", "--data-dir", dir.path()});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_TRUE(second.out.empty()) << second.out;
  EXPECT_NE(second.err.find("already exists"), std::string::npos) << second.err;

  // The first tokens still work: nothing was replaced.
  std::string error;
  auto server = TestServer::Start({.data_dir = dir.path()}, &error);
  ASSERT_TRUE(server) << error;
  json j = json::parse(first.out);
  EXPECT_EQ(server->Client().Get("/admin/v1/whoami", j["admin_token"]).status, 200);
  EXPECT_EQ(server->Client().Get("/metrics", j["operator_token"]).status, 200);
}

TEST(Init, AddsASecondTenant) {
  TempDir dir;
  ASSERT_EQ(RunAllot({"init", "--data-dir", dir.path()}).exit_code, 0);
  CommandResult r = RunAllot({"init", "--data-dir", dir.path(), "--tenant", "school-2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["tenant"], "school-2");
}

TEST(Init, RejectsAMalformedTenantIdAsUsage) {
  TempDir dir;
  CommandResult r = RunAllot({"init", "--data-dir", dir.path(), "--tenant", "Bad Tenant!"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Lines(r.err), 1) << r.err;
}

TEST(Init, FailsClearlyOnAnUnwritableDataDirectory) {
  TempDir dir;
  std::ofstream(dir.path() + "/file") << "x";  // a file where a directory must go
  CommandResult r = RunAllot({"init", "--data-dir", dir.path() + "/file/sub"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("data directory"), std::string::npos) << r.err;
}

TEST(Cli, UnknownFlagIsAUsageErrorOnOneLine) {
  CommandResult r = RunAllot({"serve", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Lines(r.err), 1) << r.err;
  EXPECT_EQ(r.err.rfind("allot: ", 0), 0u) << r.err;
}

TEST(Cli, MissingCommandIsAUsageError) {
  EXPECT_EQ(RunAllot({}).exit_code, 2);
}

TEST(Cli, HelpAndVersionExitZero) {
  CommandResult help = RunAllot({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("serve"), std::string::npos);
  CommandResult serve_help = RunAllot({"serve", "--help"});
  EXPECT_EQ(serve_help.exit_code, 0);
  EXPECT_NE(serve_help.out.find("--insecure-http"), std::string::npos);
  CommandResult version = RunAllot({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("allot "), std::string::npos);
}

TEST(Serve, RefusesInsecureHttpOnANonLoopbackAddress) {
  TempDir dir;
  ASSERT_EQ(RunAllot({"init", "--data-dir", dir.path()}).exit_code, 0);
  CommandResult r = RunAllot(
      {"serve", "--data-dir", dir.path(), "--listen", "0.0.0.0:0", "--insecure-http"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("loopback"), std::string::npos) << r.err;
}

TEST(Serve, FailsClearlyOnAnUnreadableCertificate) {
  TempDir dir;
  ASSERT_EQ(RunAllot({"init", "--data-dir", dir.path()}).exit_code, 0);
  CommandResult r = RunAllot({"serve", "--data-dir", dir.path(), "--listen", "127.0.0.1:0",
                              "--tls-cert", dir.path() + "/nope.pem", "--tls-key",
                              dir.path() + "/nope.key"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.pem"), std::string::npos) << r.err;
}

TEST(Serve, CertificateWithoutKeyIsAUsageError) {
  TempDir dir;
  CommandResult r =
      RunAllot({"serve", "--data-dir", dir.path(), "--tls-cert", dir.path() + "/c.pem"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Serve, FailsClearlyOnABusyPort) {
  std::string error;
  auto first = TestServer::Start({}, &error);
  ASSERT_TRUE(first) << error;
  CommandResult r = RunAllot({"serve", "--data-dir", first->data_dir(), "--insecure-http",
                              "--listen", "127.0.0.1:" + std::to_string(first->port())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--listen"), std::string::npos) << r.err;
}

TEST(Serve, RefusesADataDirectoryWithoutDatabase) {
  TempDir dir;
  CommandResult r = RunAllot({"serve", "--data-dir", dir.path(), "--insecure-http"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("allot init"), std::string::npos) << r.err;
}

TEST(Serve, RejectsAnUnknownConfigFileKey) {
  TempDir dir;
  std::ofstream(dir.path() + "/c.json") << R"({"listen":"127.0.0.1:0","colour":"blue"})";
  CommandResult r = RunAllot({"serve", "--config", dir.path() + "/c.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("colour"), std::string::npos) << r.err;
}

TEST(Serve, ReadsItsSettingsFromAConfigFile) {
  TempDir dir;
  ASSERT_EQ(RunAllot({"init", "--data-dir", dir.path() + "/d"}).exit_code, 0);
  std::ofstream(dir.path() + "/c.json")
      << R"({"data_dir":")" << dir.path() + "/d" << R"(","listen":"0.0.0.0:0","insecure_http":true})";
  // The file's non-loopback plain-HTTP listen is refused: proof that it was read.
  CommandResult r = RunAllot({"serve", "--config", dir.path() + "/c.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("0.0.0.0"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace allot::testing
