// `allot serve` over HTTP and HTTPS: authentication, health, metrics, limits,
// migrations across restarts and graceful shutdown.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <fstream>
#include <memory>
#include <thread>

#include "tests/integration/harness.h"

namespace allot::testing {
namespace {

using nlohmann::json;

class ServeTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::string error;
    server_ = TestServer::Start({.tls = GetParam()}, &error);
    ASSERT_TRUE(server_) << error;
  }
  std::unique_ptr<TestServer> server_;
};

INSTANTIATE_TEST_SUITE_P(HttpAndHttps, ServeTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "https" : "http"; });

TEST_P(ServeTest, HealthAndReadinessNeedNoToken) {
  auto client = server_->Client();
  auto health = client.Get("/healthz", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(json::parse(health.body)["status"], "ok");
  auto ready = client.Get("/readyz", "");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(json::parse(ready.body)["status"], "ready");
}

TEST_P(ServeTest, ScimPathsRefuseAMissingTokenWithAScimError) {
  auto r = server_->Client().Get("/scim/v2/Users", "");
  EXPECT_EQ(r.status, 401);
  json body = json::parse(r.body);
  EXPECT_EQ(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
  EXPECT_EQ(body["status"], "401");
  EXPECT_FALSE(r.Header("www-authenticate").empty());
}

TEST_P(ServeTest, ScimPathsRefuseAWrongToken) {
  auto r = server_->Client().Get("/scim/v2/Users", "allot_scim_not-a-real-token");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["status"], "401");
}

TEST_P(ServeTest, ScimPathsRefuseAnAdminToken) {
  auto r = server_->Client().Get("/scim/v2/Users", server_->admin_token());
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(json::parse(r.body)["detail"].get<std::string>().find("admin token"),
            std::string::npos);
}

TEST_P(ServeTest, AdminPathsRefuseAScimToken) {
  auto r = server_->Client().Get("/admin/v1/whoami", server_->scim_token());
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "unauthorized");
}

TEST_P(ServeTest, AdminPathsRefuseAMissingOrWrongToken) {
  auto client = server_->Client();
  EXPECT_EQ(client.Get("/admin/v1/whoami", "").status, 401);
  EXPECT_EQ(client.Get("/admin/v1/whoami", server_->admin_token() + "x").status, 401);
  EXPECT_EQ(client.Send("GET", "/admin/v1/whoami", "", {{"Authorization", "Basic abc"}}).status,
            401);
}

TEST_P(ServeTest, MetricsNeedAnOperatorTokenAndCountRequests) {
  auto client = server_->Client();
  EXPECT_EQ(client.Get("/metrics", "").status, 401);
  EXPECT_EQ(client.Get("/metrics", server_->scim_token()).status, 401);
  // /metrics spans every tenant: a tenant's admin is refused (issue 12).
  EXPECT_EQ(client.Get("/metrics", server_->admin_token()).status, 403);
  ASSERT_EQ(client.Get("/healthz", "").status, 200);
  auto r = client.Get("/metrics", server_->operator_token());
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.Header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(r.body.find(R"(allot_http_requests_total{method="GET",route="/healthz",status="200"})"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("allot_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_P(ServeTest, UnknownPathsGetTheirApisErrorShape) {
  auto client = server_->Client();
  auto scim = client.Get("/scim/v2/NoSuchThing", server_->scim_token());
  EXPECT_EQ(scim.status, 404);
  EXPECT_EQ(json::parse(scim.body)["status"], "404");
  auto admin = client.Get("/admin/v1/no-such-thing", server_->admin_token());
  EXPECT_EQ(admin.status, 404);
  EXPECT_EQ(json::parse(admin.body)["error"]["code"], "not_found");
}

TEST_P(ServeTest, UnsupportedMethodGets405WithAllow) {
  auto r = server_->Client().Send("DELETE", "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "GET");
}

TEST_P(ServeTest, OversizedBodyGets413AndChangesNothing) {
  std::string big(5 * 1024 * 1024, 'x');
  auto r = server_->Client().Post("/scim/v2/Users", server_->scim_token(), big);
  EXPECT_EQ(r.status, 413);
  // The server is still serving.
  EXPECT_EQ(server_->Client().Get("/healthz", "").status, 200);
}

TEST_P(ServeTest, EveryResponseCarriesARequestIdAndLogsIt) {
  auto r = server_->Client().Send("GET", "/healthz", "", {{"X-Request-Id", "trace-42"}});
  EXPECT_EQ(r.Header("x-request-id"), "trace-42");
  auto generated = server_->Client().Get("/healthz", "");
  EXPECT_FALSE(generated.Header("x-request-id").empty());
  EXPECT_NE(server_->Log().find(R"("request_id":"trace-42")"), std::string::npos);
}

TEST_P(ServeTest, LogsNeverContainATokenEvenWhenSentWrongly) {
  auto client = server_->Client();
  client.Get("/metrics", server_->admin_token());
  client.Get("/scim/v2/Users", server_->admin_token());
  client.Get("/scim/v2/Users?token=" + server_->scim_token(), server_->scim_token());
  const std::string log = server_->Log();
  EXPECT_EQ(log.find(server_->admin_token()), std::string::npos);
  EXPECT_EQ(log.find(server_->scim_token()), std::string::npos);
}

TEST_P(ServeTest, SigtermExitsZero) {
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
}

TEST_P(ServeTest, SighupKeepsServing) {
  ASSERT_EQ(kill(server_->pid(), SIGHUP), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(server_->Client().Get("/healthz", "").status, 200);
}

// A request whose body is still arriving when SIGTERM comes is answered in
// full, and then the server exits 0.
// A plain TCP connection to the server on loopback (-1 on failure), for
// requests that arrive in pieces.
int ConnectRaw(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool WriteAll(int fd, const std::string& data) {
  return write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
}

// Everything the server sends until it closes the connection.
std::string ReadToClose(int fd) {
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) response.append(buf, static_cast<size_t>(n));
  return response;
}

TEST(Shutdown, FinishesARequestInFlight) {
  std::string error;
  auto server = TestServer::Start({}, &error);
  ASSERT_TRUE(server) << error;
  const int fd = ConnectRaw(server->port());
  ASSERT_GE(fd, 0);
  const std::string body =
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"in-flight"})";
  const std::string head = "POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                           "Authorization: Bearer " + server->scim_token() +
                           "\r\nContent-Type: application/scim+json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  const size_t half = body.size() / 2;
  ASSERT_TRUE(WriteAll(fd, head + body.substr(0, half)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the server is reading the body
  ASSERT_EQ(kill(server->pid(), SIGTERM), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(WriteAll(fd, body.substr(half)));
  const std::string response = ReadToClose(fd);
  close(fd);
  EXPECT_EQ(response.rfind("HTTP/1.1 201", 0), 0u) << response;
  EXPECT_EQ(server->Stop(SIGTERM), 0) << server->Log();
}

// A request that waited for a worker longer than queue_timeout_ms is
// answered 429 with Retry-After, and the server serves normally afterwards.
// The only worker is held by a write that waits for the SQLite write lock,
// which this test holds from another connection (a slow head no longer
// holds a worker: the transport reads heads on its I/O threads). The wait
// (400 ms) is eight times the limit (50 ms), so the outcome does not depend
// on the machine's speed.
TEST(Overload, ARequestThatQueuedTooLongGets429) {
  if (std::getenv("ALLOT_TEST_PG_URL") != nullptr) GTEST_SKIP() << "holds a SQLite lock";
  TempDir dir;
  const std::string config = dir.path() + "/allot.json";
  {
    std::ofstream out(config);
    out << R"({"queue_timeout_ms": 50})";
  }
  std::string error;
  auto server = TestServer::Start({.extra_args = {"--config", config, "--threads", "1"}}, &error);
  ASSERT_TRUE(server) << error;

  sqlite3* lock = nullptr;
  ASSERT_EQ(sqlite3_open(server->db_url().c_str(), &lock), SQLITE_OK);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> close_lock(lock, sqlite3_close);
  // The server writes in the background too (the webhook outbox's prune
  // runs at start): wait for such a write rather than fail on SQLITE_BUSY.
  sqlite3_busy_timeout(lock, 10000);
  ASSERT_EQ(sqlite3_exec(lock, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  const std::string user = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"held"})";
  const int holder = ConnectRaw(server->port());
  ASSERT_GE(holder, 0);
  ASSERT_TRUE(WriteAll(holder, "POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                               "Authorization: Bearer " + server->scim_token() +
                               "\r\nContent-Type: application/scim+json\r\nContent-Length: " +
                               std::to_string(user.size()) + "\r\n\r\n" + user));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the worker waits for the lock
  const int queued = ConnectRaw(server->port());
  ASSERT_GE(queued, 0);
  ASSERT_TRUE(WriteAll(queued, "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ASSERT_EQ(sqlite3_exec(lock, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  close_lock.reset();

  const std::string held = ReadToClose(holder);
  close(holder);
  EXPECT_EQ(held.rfind("HTTP/1.1 201", 0), 0u) << held;

  const std::string refused = ReadToClose(queued);
  close(queued);
  EXPECT_EQ(refused.rfind("HTTP/1.1 429", 0), 0u) << refused;
  EXPECT_NE(refused.find("Retry-After: "), std::string::npos) << refused;
  EXPECT_NE(refused.find("overloaded"), std::string::npos) << refused;

  HttpClient client = server->Client();
  EXPECT_EQ(client.Send("GET", "/healthz").status, 200) << "the server serves again";
  EXPECT_EQ(client.Send("GET", "/readyz").status, 200) << "the server serves again";
}

TEST(Migrations, AreAppliedOnceAcrossRestarts) {
  TempDir dir;
  std::string error;
  std::string admin;
  {
    auto first = TestServer::Start({.data_dir = dir.path()}, &error);
    ASSERT_TRUE(first) << error;
    admin = first->admin_token();
    EXPECT_NE(first->Log().find("\"schema_version\""), std::string::npos);
    ASSERT_EQ(first->Stop(), 0);
  }
  auto second = TestServer::Start({.data_dir = dir.path()}, &error);
  ASSERT_TRUE(second) << error;
  // No migration ran the second time, and the data is intact.
  EXPECT_EQ(second->Log().find("migration applied"), std::string::npos) << second->Log();
  EXPECT_EQ(second->Client().Get("/admin/v1/whoami", admin).status, 200);
  // A second init of another tenant on the migrated database works too.
  CommandResult r = RunAllot({"init", "--data-dir", dir.path(), "--tenant", "other"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("migration applied"), std::string::npos) << r.err;
}

TEST(Tls, RefusesProtocolsOlderThanTls12) {
  std::string error;
  auto server = TestServer::Start({.tls = true}, &error);
  ASSERT_TRUE(server) << error;
  std::string cmd = "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(server->port()) +
                    " -tls1_1 > /dev/null 2>&1";
  EXPECT_NE(std::system(cmd.c_str()), 0) << "a TLS 1.1 handshake succeeded";
  std::string ok = "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(server->port()) +
                   " -tls1_2 > /dev/null 2>&1";
  EXPECT_EQ(std::system(ok.c_str()), 0) << "a TLS 1.2 handshake failed";
}

TEST(Tls, TokensAreBoundToTheirTenant) {
  TempDir dir;
  std::string error;
  auto server = TestServer::Start({.data_dir = dir.path()}, &error);
  ASSERT_TRUE(server) << error;
  CommandResult other = RunAllot({"init", "--data-dir", dir.path(), "--tenant", "other"});
  ASSERT_EQ(other.exit_code, 0);
  auto j = json::parse(other.out);
  // The other tenant's admin token authenticates (as that tenant).
  auto who = server->Client().Get("/admin/v1/whoami", j["admin_token"]);
  ASSERT_EQ(who.status, 200);
  EXPECT_EQ(json::parse(who.body)["tenant"], "other");
}

}  // namespace
}  // namespace allot::testing
