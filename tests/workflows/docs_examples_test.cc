// The examples of docs/admin-api.md, run as written: every ```sh block of
// the page, top to bottom, as one bash script against a fresh server made
// as scripts/serve.sh makes it (HTTPS, the sample policies and catalog,
// data/credentials.json). Only the address is replaced. Each top-level curl
// is checked against the answer the page shows under it:
//   curl …            (no answer shown: a 2xx)
//   # 409 {"error":{"code":"no_seats",…}}
//   # {"state":"pending",…}            (a 2xx)
// and every "key":value pair of a shown answer without "…" must be in the
// real one.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/workflows/workflow_fixture.h"

namespace allot::workflows {
namespace {

struct Expected {
  std::string command;  // as written (first line)
  int status = 0;       // 0: any 2xx
  std::string answer;   // the shown answer, "" when none
};

std::string ReadSource(const std::string& path) {
  std::ifstream in(std::string(ALLOT_SOURCE_DIR) + "/" + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// The script (every sh block) and the answer expected of each top-level curl.
void Parse(const std::string& page, std::string& script, std::vector<Expected>& expected) {
  std::istringstream lines(page);
  bool in_block = false, in_function = false, continued = false;
  for (std::string line; std::getline(lines, line);) {
    if (!in_block) {
      in_block = line == "```sh";
      continue;
    }
    if (line == "```") {
      in_block = false;
      continue;
    }
    script += line + "\n";
    const std::string t = Trim(line);
    if (in_function) {
      in_function = t != "}";
      continue;
    }
    if (std::regex_search(t, std::regex(R"(^[A-Za-z_]+\(\) \{)"))) {
      in_function = true;
      continue;
    }
    if (continued) {
      continued = !t.empty() && t.back() == '\\';
      continue;
    }
    if (t.rfind("curl ", 0) == 0) {
      Expected e{t, 0, ""};
      std::smatch m;
      if (std::regex_search(t, m, std::regex(R"(\s#\s+(\d{3})\b)"))) e.status = std::stoi(m[1]);
      expected.push_back(e);
      continued = t.back() == '\\';
      continue;
    }
    if (t.rfind("# ", 0) == 0 && !expected.empty() && expected.back().answer.empty() &&
        expected.back().status == 0) {
      std::smatch m;
      const std::string rest = t.substr(2);
      if (std::regex_search(rest, m, std::regex(R"(^(\d{3})\b\s*(.*)$)"))) {
        expected.back().status = std::stoi(m[1]);
        expected.back().answer = m[2];
      } else if (!rest.empty() && (rest[0] == '{' || rest[0] == '[')) {
        expected.back().answer = rest;
      }
    }
  }
}

// The "key":value pairs of a shown answer that it shows in full.
std::vector<std::string> Pairs(const std::string& answer) {
  std::vector<std::string> out;
  static const std::regex kPair(R"("[a-z_]+":("[^"]*"|-?[0-9]+|true|false|null))");
  for (auto it = std::sregex_iterator(answer.begin(), answer.end(), kPair);
       it != std::sregex_iterator(); ++it) {
    const std::string pair = it->str();
    if (pair.find("\xE2\x80\xA6") == std::string::npos) out.push_back(pair);  // "…"
  }
  return out;
}

class DocsExamples : public Workflow {
 protected:
  void SetUp() override {}  // the server below, not the fixture's
};

TEST_F(DocsExamples, AdminApiExamplesRunAsWritten) {
  // A server as scripts/serve.sh runs it: HTTPS, sample policies.
  allot::testing::ServerOptions options;
  options.tls = true;
  options.extra_args = {"--policies", std::string(ALLOT_SOURCE_DIR) + "/policies", "--plugins",
                        ALLOT_PLUGIN_DIR};
  std::string error;
  server_ = TestServer::Start(options, &error);
  ASSERT_NE(server_, nullptr) << error;
  const std::string address = "https://127.0.0.1:" + std::to_string(server_->port());
  const std::string work = dir_.path();
  std::filesystem::create_directories(work + "/data");
  std::ofstream(work + "/data/credentials.json")
      << json{{"tenant", "default"}, {"admin_token", admin()}, {"scim_token", scim()}}.dump();

  std::string script;
  std::vector<Expected> expected;
  Parse(ReadSource("docs/admin-api.md"), script, expected);
  ASSERT_GT(expected.size(), 20u) << "the page lost its examples";
  script = std::regex_replace(script, std::regex("https://127\\.0\\.0\\.1:8443"), address);
  // Each top-level curl prints its status after its body; curls inside $(…)
  // (a subshell) print the body only, as written.
  const std::string prelude =
      "set -u\n"
      "cd '" + work + "'\n"
      "curl() {\n"
      "  if (( BASH_SUBSHELL > 0 )); then command curl -sS \"$@\"; return; fi\n"
      "  command curl -sS -w '\\n@@HTTP %{http_code}\\n' \"$@\"\n"
      "}\n"
      "ADMIN_TOKEN='" + admin() + "' BASE='" + address + "' '" + ALLOT_SOURCE_DIR +
      "/scripts/seed-sample-catalog.sh' >/dev/null || exit 1\n";
  const std::string script_file = work + "/examples.sh";
  std::ofstream(script_file) << prelude << script;
  FILE* pipe = ::popen(("bash '" + script_file + "' 2>&1").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  ::pclose(pipe);

  // Answers in order, one per top-level curl.
  std::vector<std::pair<int, std::string>> answers;
  std::string body;
  std::istringstream out(output);
  for (std::string line; std::getline(out, line);) {
    if (line.rfind("@@HTTP ", 0) == 0) {
      answers.emplace_back(std::stoi(line.substr(7)), body);
      body.clear();
    } else {
      body += line + "\n";
    }
  }
  ASSERT_EQ(answers.size(), expected.size()) << output;
  for (size_t i = 0; i < expected.size(); ++i) {
    const Expected& e = expected[i];
    const auto& [status, text] = answers[i];
    SCOPED_TRACE("example " + std::to_string(i + 1) + ": " + e.command + "\nanswered " +
                 std::to_string(status) + " " + text);
    if (e.status == 0) {
      EXPECT_TRUE(status >= 200 && status < 300);
    } else {
      EXPECT_EQ(status, e.status);
    }
    for (const std::string& pair : Pairs(e.answer)) {
      EXPECT_NE(text.find(pair), std::string::npos) << "shown but not answered: " << pair;
    }
  }
}

}  // namespace
}  // namespace allot::workflows
