#include "tests/integration/harness.h"

#include "tests/support/test_database.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

extern char** environ;

namespace allot::testing {
namespace {

pid_t Spawn(const std::vector<std::string>& args, const std::string& out_file,
            const std::string& err_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> argv_storage;
  argv_storage.push_back(ALLOT_BINARY);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, ALLOT_BINARY, &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Waits for `pid` up to `timeout`; returns its exit status, -1 otherwise.
int WaitFor(pid_t pid, std::chrono::milliseconds timeout, bool* exited) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      *exited = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (r < 0 || std::chrono::steady_clock::now() > deadline) {
      *exited = r < 0;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "allot-test-XXXXXX").string();
  char* made = mkdtemp(templ.data());
  path_ = made ? made : "";
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

CommandResult RunAllot(const std::vector<std::string>& args) {
  TempDir dir;
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  CommandResult result;
  pid_t pid = Spawn(args, out, err);
  if (pid < 0) return result;
  bool exited = false;
  result.exit_code = WaitFor(pid, std::chrono::seconds(120), &exited);
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Impl {
  std::unique_ptr<httplib::ClientImpl> client;
};

HttpClient::HttpClient(std::string host, int port, bool tls, std::string ca_file)
    : impl_(std::make_unique<Impl>()) {
  // A server that refuses a request and closes while the client still
  // writes must fail that request, not kill the test with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  if (tls) {
    auto ssl = std::make_unique<httplib::SSLClient>(host, port);
    ssl->set_ca_cert_path(ca_file.c_str());
    ssl->enable_server_certificate_verification(true);
    impl_->client = std::move(ssl);
  } else {
    impl_->client = std::make_unique<httplib::ClientImpl>(host, port);
  }
  impl_->client->set_keep_alive(true);
  impl_->client->set_tcp_nodelay(true);
  impl_->client->set_read_timeout(60, 0);
  impl_->client->set_connection_timeout(10, 0);
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;

HttpResponse HttpClient::Send(const std::string& method, const std::string& path,
                              const std::string& body,
                              const std::map<std::string, std::string>& headers,
                              const std::string& content_type) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  for (const auto& [k, v] : headers) req.headers.emplace(k, v);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.body = body;
    req.headers.emplace("Content-Type", content_type);
  }
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  HttpResponse out;
  if (!impl_->client->send(req, res, error)) return out;
  out.status = res.status;
  out.body = res.body;
  for (const auto& [k, v] : res.headers) out.headers.emplace(Lower(k), v);
  return out;
}

namespace {
std::map<std::string, std::string> Auth(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}
}  // namespace

HttpResponse HttpClient::Get(const std::string& path, const std::string& token) {
  return Send("GET", path, "", Auth(token));
}
HttpResponse HttpClient::Delete(const std::string& path, const std::string& token) {
  return Send("DELETE", path, "", Auth(token));
}
HttpResponse HttpClient::Post(const std::string& path, const std::string& token,
                              const std::string& body, const std::string& content_type) {
  return Send("POST", path, body, Auth(token), content_type);
}
HttpResponse HttpClient::Put(const std::string& path, const std::string& token,
                             const std::string& body, const std::string& content_type) {
  return Send("PUT", path, body, Auth(token), content_type);
}
HttpResponse HttpClient::Patch(const std::string& path, const std::string& token,
                               const std::string& body, const std::string& content_type) {
  return Send("PATCH", path, body, Auth(token), content_type);
}

std::unique_ptr<TestServer> TestServer::Start(const ServerOptions& options, std::string* error) {
  std::unique_ptr<TestServer> server(new TestServer());
  if (options.data_dir) {
    server->data_dir_ = *options.data_dir;
  } else {
    server->owned_dir_ = std::make_unique<TempDir>();
    server->data_dir_ = server->owned_dir_->path() + "/data";
  }
  server->tls_ = options.tls;
  std::error_code ec;
  // The database: DATA_DIR/allot.db, or under ALLOT_TEST_PG_URL a PostgreSQL
  // database of this data directory (its URL kept in the directory, so a
  // restart on the same directory finds it).
  const std::string url_file = server->data_dir_ + "/test-db-url";
  std::vector<std::string> db_args;
  bool fresh = !std::filesystem::exists(server->data_dir_ + "/allot.db", ec);
  if (UsingPostgres()) {
    server->db_url_ = ReadFile(url_file);
    fresh = server->db_url_.empty();
    if (fresh) {
      server->db_url_ = NewTestDatabase("", error);
      if (server->db_url_.empty()) return nullptr;
      std::filesystem::create_directories(server->data_dir_, ec);
      std::ofstream(url_file) << server->db_url_;
    }
    db_args = {"--db", server->db_url_};
  } else {
    server->db_url_ = server->data_dir_ + "/allot.db";
  }
  if (fresh) {
    std::vector<std::string> init_args = {"init", "--data-dir", server->data_dir_, "--tenant",
                                          options.tenant};
    init_args.insert(init_args.end(), db_args.begin(), db_args.end());
    CommandResult init = RunAllot(init_args);
    if (init.exit_code != 0) {
      *error = "allot init failed (" + std::to_string(init.exit_code) + "): " + init.err;
      return nullptr;
    }
    auto j = nlohmann::json::parse(init.out, nullptr, false);
    if (j.is_discarded() || !j.contains("admin_token") || !j.contains("scim_token")) {
      *error = "allot init printed no tokens: " + init.out;
      return nullptr;
    }
    server->admin_token_ = j["admin_token"];
    server->scim_token_ = j["scim_token"];
    server->operator_token_ = j.value("operator_token", "");
  }
  std::vector<std::string> args = {"serve", "--data-dir", server->data_dir_, "--listen",
                                   "127.0.0.1:0"};
  if (!options.tls) args.push_back("--insecure-http");
  args.insert(args.end(), db_args.begin(), db_args.end());
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  static int counter = 0;
  server->log_file_ = server->data_dir_ + "/serve-" + std::to_string(getpid()) + "-" +
                      std::to_string(++counter) + ".log";
  server->pid_ = Spawn(args, "/dev/null", server->log_file_);
  if (server->pid_ < 0) {
    *error = "cannot start " + std::string(ALLOT_BINARY);
    return nullptr;
  }
  const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream lines(ReadFile(server->log_file_));
    for (std::string line; std::getline(lines, line);) {
      if (line.find("\"msg\":\"listening\"") == std::string::npos) continue;
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.contains("port")) {
        server->port_ = j["port"].get<int>();
        return server;
      }
    }
    bool exited = false;
    int code = WaitFor(server->pid_, std::chrono::milliseconds(20), &exited);
    if (exited) {
      server->pid_ = -1;
      *error = "allot serve exited with " + std::to_string(code) + ": " + ReadFile(server->log_file_);
      return nullptr;
    }
  }
  *error = "allot serve did not start in time: " + ReadFile(server->log_file_);
  return nullptr;
}

TestServer::~TestServer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

HttpClient TestServer::Client() const {
  return HttpClient("127.0.0.1", port_, tls_, data_dir_ + "/certs/cert.pem");
}

int TestServer::Stop(int signal, std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  bool exited = false;
  int code = WaitFor(pid_, timeout, &exited);
  if (exited) pid_ = -1;
  return code;
}

std::string TestServer::Log() const { return ReadFile(log_file_); }

bool WaitForLicensing(HttpClient& client, const std::string& admin_token,
                      std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    HttpResponse r = client.Get("/admin/v1/reconcile", admin_token);
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status == 200 && j.is_object() && j.value("settled", false)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace allot::testing
