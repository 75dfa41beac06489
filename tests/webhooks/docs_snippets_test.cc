// The webhook receivers of docs/integration.md (the code blocks after
// "<!-- snippet: NAME -->"), run as written — Python with python3, Node.js
// with node — against a real allot: every event arrives verified, and a
// forged signature or a stale timestamp gets 400. Skipped when the
// interpreter is missing.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "tests/webhooks/webhooks_fixture.h"

extern char** environ;

namespace allot::webhooks_testing {
namespace {

using allot::testing::ReadFile;
using allot::testing::TempDir;

// The code block after "<!-- snippet: name -->" in docs/integration.md.
std::string Snippet(const std::string& name) {
  const std::string page = ReadFile(std::string(ALLOT_SOURCE_DIR) + "/docs/integration.md");
  const size_t marker = page.find("<!-- snippet: " + name + " -->");
  if (marker == std::string::npos) return "";
  const size_t open = page.find("```", marker);
  const size_t start = page.find('\n', open) + 1;
  const size_t close = page.find("\n```", start);
  return page.substr(start, close - start + 1);
}

bool OnPath(const std::string& program) {
  return std::system(("command -v " + program + " > /dev/null 2>&1").c_str()) == 0;
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool Listening(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A receiver process: `program file` with the secret and port in its
// environment, stdout to `out`.
class Child {
 public:
  Child(const std::string& program, const std::string& file, const std::string& secret, int port,
        const std::string& out) {
    std::vector<std::string> env = {"ALLOT_WEBHOOK_SECRET=" + secret,
                                    "PORT=" + std::to_string(port)};
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    std::vector<char*> envp;
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::string p = program, f = file;
    char* argv[] = {p.data(), f.data(), nullptr};
    spawned_ = posix_spawnp(&pid_, p.c_str(), &actions, nullptr, argv, envp.data()) == 0;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Child() {
    if (!spawned_) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  bool spawned() const { return spawned_; }

 private:
  pid_t pid_ = -1;
  bool spawned_ = false;
};

class DocsSnippets : public ServeTest {
 protected:
  void Run(const std::string& program, const std::string& name) {
    if (!OnPath(program)) GTEST_SKIP() << program << " is not installed";
    const std::string code = Snippet(name);
    ASSERT_FALSE(code.empty()) << "docs/integration.md has no snippet " << name;
    TempDir dir;
    const std::string file = dir.path() + "/" + name;
    std::ofstream(file) << code;
    const int port = FreePort();
    const auto [webhook, secret] = Webhook("http://127.0.0.1:" + std::to_string(port) + "/");
    const std::string out = dir.path() + "/out.txt";
    Child child(program, file, secret, port, out);
    ASSERT_TRUE(child.spawned());
    ASSERT_TRUE(Eventually([&] { return Listening(port); })) << ReadFile(out);

    Subscription("lit", "lit-2026", 1);
    const std::string u = User("ana@example.org");
    Assign(u, "lit-2026");
    ASSERT_EQ(Admin("DELETE", "/users/" + u + "/licenses/lit-2026").status, 200);
    ASSERT_TRUE(Eventually([&] {
      const std::string printed = ReadFile(out);
      return printed.find("license.assigned " + u) != std::string::npos &&
             printed.find("license.released " + u) != std::string::npos;
    })) << ReadFile(out) << server_->Log();
    ASSERT_TRUE(Eventually([&] {
      const json d = Deliveries(webhook);
      return d.size() == 2 && d[0]["status"] == "delivered" && d[1]["status"] == "delivered";
    })) << Deliveries(webhook).dump();
    const std::string printed = ReadFile(out);
    EXPECT_NE(printed.find("lit active unassigned"), std::string::npos) << printed;

    // What the snippet refuses, and what it accepts, signed here.
    httplib::Client direct("127.0.0.1", port);
    const std::string body =
        R"({"id":"evt_test","type":"license.assigned","tenant":"default","occurred_at":"x",)"
        R"("data":{"user_id":"u","user_name":"n","external_id":null,"subscription_id":"s",)"
        R"("product_id":"p","state":"active","reason":null}})";
    const std::string now = std::to_string(std::time(nullptr));
    auto post = [&](const std::string& id, const std::string& ts, const std::string& sig) {
      auto r = direct.Post("/", {{"webhook-id", id}, {"webhook-timestamp", ts},
                                 {"webhook-signature", sig}},
                           body, "application/json");
      return r ? r->status : 0;
    };
    EXPECT_EQ(post("evt_test", now, "v1,AAAA"), 400) << "forged signature";
    EXPECT_EQ(post("evt_test", std::to_string(std::time(nullptr) - 3600),
                   SignForTest(secret, "evt_test", std::to_string(std::time(nullptr) - 3600), body)),
              400)
        << "stale timestamp";
    EXPECT_EQ(post("evt_other", now, SignForTest(secret, "evt_test", now, body)), 400)
        << "signed for another id";
    EXPECT_EQ(post("evt_test", now, "v1,AAAA " + SignForTest(secret, "evt_test", now, body)), 204)
        << "one valid signature among several";
  }

  // "v1,<base64 HMAC>" computed here (webhooks_fixture.h's verification,
  // run the other way).
  static std::string SignForTest(const std::string& secret, const std::string& id,
                                 const std::string& ts, const std::string& body) {
    const std::string b64 = secret.substr(6);
    std::string key(b64.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                            reinterpret_cast<const unsigned char*>(b64.data()),
                            static_cast<int>(b64.size()));
    n -= b64.ends_with("==") ? 2 : b64.ends_with("=") ? 1 : 0;
    key.resize(n);
    const std::string message = id + "." + ts + "." + body;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
    std::string out(4 * ((length + 2) / 3), '\0');
    EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(length));
    return "v1," + out;
  }
};

TEST_F(DocsSnippets, PythonReceiverVerifiesEveryEvent) { Run("python3", "webhook_receiver.py"); }

TEST_F(DocsSnippets, NodeReceiverVerifiesEveryEvent) { Run("node", "webhook_receiver.js"); }

}  // namespace
}  // namespace allot::webhooks_testing
