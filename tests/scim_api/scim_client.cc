#include "scim_client.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <httplib.h>

namespace allot::scim_test {
namespace {

std::string RunCapture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

[[noreturn]] void Die(const std::string& msg) {
  std::fprintf(stderr, "scim test harness: %s\n", msg.c_str());
  std::abort();
}

}  // namespace

std::string Reply::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

ScimServer& ScimServer::Get() {
  static ScimServer* server = new ScimServer();
  static bool registered = [] {
    std::atexit([] { delete server; });
    return true;
  }();
  (void)registered;
  return *server;
}

ScimServer::ScimServer() {
  char tmpl[] = "/tmp/allot-scim-test-XXXXXX";
  if (!mkdtemp(tmpl)) Die("mkdtemp failed");
  dir_ = tmpl;
  const std::string init = RunCapture(std::string(ALLOT_BINARY) + " init --data-dir " + dir_);
  auto j = nlohmann::json::parse(init, nullptr, false);
  if (!j.is_object() || !j.contains("scim_token")) Die("allot init printed: " + init);
  token_ = j["scim_token"];
  const std::string log = dir_ + "/serve.log";
  pid_ = fork();
  if (pid_ == 0) {
    FILE* f = std::freopen(log.c_str(), "w", stderr);
    (void)f;
    execl(ALLOT_BINARY, ALLOT_BINARY, "serve", "--data-dir", dir_.c_str(), "--listen",
          "127.0.0.1:0", "--insecure-http", static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 200 && port_ == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    std::ifstream in(log);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("\"msg\":\"listening\"") == std::string::npos) continue;
      auto l = nlohmann::json::parse(line, nullptr, false);
      if (l.is_object() && l.contains("port")) port_ = l["port"].get<int>();
    }
  }
  if (port_ == 0) Die("allot serve did not log 'listening'; see " + log);
}

ScimServer::~ScimServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (!dir_.empty() && std::getenv("ALLOT_KEEP_TEST_DATA") == nullptr) {
    std::string cmd = "rm -rf '" + dir_ + "'";
    int rc = std::system(cmd.c_str());
    (void)rc;
  }
}

Reply ScimServer::Send(const std::string& method, const std::string& path, const std::string& body,
                       const std::multimap<std::string, std::string>& headers,
                       const std::string& content_type) {
  httplib::Client client("127.0.0.1", port_);
  client.set_read_timeout(60, 0);
  httplib::Headers h;
  if (headers.find("Authorization") == headers.end()) h.emplace("Authorization", "Bearer " + token_);
  for (const auto& [k, v] : headers) h.emplace(k, v);
  auto call = [&]() -> httplib::Result {
    if (method == "GET") return client.Get(path, h);
    if (method == "DELETE") return client.Delete(path, h);
    if (method == "POST") return client.Post(path, h, body, content_type);
    if (method == "PUT") return client.Put(path, h, body, content_type);
    if (method == "PATCH") return client.Patch(path, h, body, content_type);
    Die("unsupported method " + method);
  };
  httplib::Result r = call();
  Reply out;
  if (!r) return out;  // status 0: no response
  out.status = r->status;
  out.body = r->body;
  for (const auto& [k, v] : r->headers) out.headers.emplace(k, v);
  out.json = nlohmann::json::parse(out.body, nullptr, false);
  if (out.json.is_discarded()) out.json = nullptr;
  return out;
}

std::string Unique(const std::string& prefix) {
  static int n = 0;
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(++n);
}

std::string UrlEncode(const std::string& s) {
  std::ostringstream out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out << c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out << buf;
    }
  }
  return out.str();
}

nlohmann::json PatchOp(nlohmann::json ops) {
  return {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}}, {"Operations", ops}};
}

}  // namespace allot::scim_test
