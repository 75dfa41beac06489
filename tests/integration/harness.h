// tests/integration/harness.h — runs the real `allot` binary for integration
// tests: `allot init` in a fresh temporary data directory, `allot serve` on a
// free loopback port (plain HTTP or HTTPS with the self-signed certificate),
// and a small HTTP client. No mocks: the real SQLite file, TLS and plugins.
//
// The binary's path comes from the ALLOT_BINARY compile definition. With
// ALLOT_TEST_PG_URL set, every server gets a PostgreSQL database of its own
// on that server instead of a SQLite file.
// Thread-safety: a TestServer is driven from one test thread; HttpClient
// instances may be used from several threads, one per thread.
#pragma once

#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace allot::testing {

// A temporary directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;
  std::string err;
};

// Runs `allot ARGS…` to completion, capturing stdout and stderr.
CommandResult RunAllot(const std::vector<std::string>& args);

struct HttpResponse {
  int status = 0;  // 0: no response (connection failed)
  std::string body;
  std::multimap<std::string, std::string> headers;  // keys lower-cased
  std::string Header(const std::string& lower_name) const;
};

// Shared helpers of the integration fixtures. In a namespace of their own
// so that argument-dependent lookup (HttpResponse is in allot::testing)
// never pits them against a test's own Json: a fixture takes them with
// using-declarations.
namespace helpers {

inline constexpr char kScimJson[] = "application/scim+json";
inline constexpr char kUserSchema[] = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr char kGroupSchema[] = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr char kPatchOp[] = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// The body as JSON (discarded when it is not JSON).
inline nlohmann::json Json(const HttpResponse& r) {
  return nlohmann::json::parse(r.body, nullptr, false);
}

// RFC 3339 UTC `seconds` from now (negative: in the past).
inline std::string TimeFromNow(long seconds) {
  const std::time_t t = std::time(nullptr) + seconds;
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

}  // namespace helpers

// A keep-alive HTTP(S) client for one server. For HTTPS it trusts exactly
// the server's certificate file (so the certificate is really verified).
class HttpClient {
 public:
  HttpClient(std::string host, int port, bool tls, std::string ca_file);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;

  HttpResponse Send(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {},
                    const std::string& content_type = "application/json");
  // Send with "Authorization: Bearer <token>" (no header when token is empty).
  HttpResponse Get(const std::string& path, const std::string& token);
  HttpResponse Delete(const std::string& path, const std::string& token);
  HttpResponse Post(const std::string& path, const std::string& token, const std::string& body,
                    const std::string& content_type = "application/json");
  HttpResponse Put(const std::string& path, const std::string& token, const std::string& body,
                   const std::string& content_type = "application/json");
  HttpResponse Patch(const std::string& path, const std::string& token, const std::string& body,
                     const std::string& content_type = "application/json");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ServerOptions {
  bool tls = false;
  std::string tenant = "default";
  std::vector<std::string> extra_args;       // appended to `allot serve`
  std::optional<std::string> data_dir;       // reuse a directory (no init when it has a db)
  std::chrono::seconds start_timeout{30};
};

class TestServer {
 public:
  // Runs init (unless the data dir already has a database) and serve; waits
  // for the "listening" log line. Returns nullptr and fills `error` when the
  // server does not come up (the error carries its stderr).
  static std::unique_ptr<TestServer> Start(const ServerOptions& options, std::string* error);
  ~TestServer();  // SIGKILLs the server if it still runs

  int port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  // The server's database, for Database::Open: DATA_DIR/allot.db, or the
  // PostgreSQL URL when the tests run with ALLOT_TEST_PG_URL.
  const std::string& db_url() const { return db_url_; }
  const std::string& admin_token() const { return admin_token_; }
  const std::string& scim_token() const { return scim_token_; }
  // The operator token `allot init` printed on a new database ("" when it
  // printed none, e.g. on a reused directory).
  const std::string& operator_token() const { return operator_token_; }
  pid_t pid() const { return pid_; }
  bool tls() const { return tls_; }

  HttpClient Client() const;

  // Sends `signal` and waits up to `timeout` for the exit. Returns the exit
  // status, or -1 if it did not exit (or died by a signal).
  int Stop(int signal = 15, std::chrono::seconds timeout = std::chrono::seconds(30));

  // Everything the server wrote on stderr so far.
  std::string Log() const;

 private:
  TestServer() = default;
  std::unique_ptr<TempDir> owned_dir_;
  std::string data_dir_;
  std::string db_url_;
  std::string log_file_;
  std::string admin_token_;
  std::string scim_token_;
  std::string operator_token_;
  int port_ = 0;
  pid_t pid_ = -1;
  bool tls_ = false;
};

// Waits until the licensing outcome of every change so far is applied for
// the tenant of `admin_token` (GET /admin/v1/reconcile says "settled"):
// policies evaluate after the SCIM change commits. Polls every few
// milliseconds; false when it has not settled within `limit` (generous: a
// deadline, not a timing check).
bool WaitForLicensing(HttpClient& client, const std::string& admin_token,
                      std::chrono::seconds limit = std::chrono::seconds(60));

// Reads the whole file, or "" when it cannot.
std::string ReadFile(const std::string& path);

}  // namespace allot::testing
