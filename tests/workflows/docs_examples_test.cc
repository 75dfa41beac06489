// The examples of docs/admin-api.md and docs/operator-api.md, run as
// written. admin-api.md: every ```sh block of
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

#include "tests/support/test_database.h"
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

// Runs `script` with bash in `work`; stdout and stderr together.
std::string RunScript(const std::string& work, const std::string& script) {
  const std::string script_file = work + "/examples.sh";
  std::ofstream(script_file) << script;
  FILE* pipe = ::popen(("bash '" + script_file + "' 2>&1").c_str(), "r");
  if (pipe == nullptr) return "";
  std::string output;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  ::pclose(pipe);
  return output;
}

// One shown answer against the real one: the status (0: any 2xx), then
// every "key":value pair shown in full, and every line of plain text
// (e.g. /metrics) shown without "…".
void CheckAnswer(const Expected& e, int status, const std::string& text) {
  if (e.status == 0) {
    EXPECT_TRUE(status >= 200 && status < 300);
  } else {
    EXPECT_EQ(status, e.status);
  }
  for (const std::string& pair : Pairs(e.answer)) {
    EXPECT_NE(text.find(pair), std::string::npos) << "shown but not answered: " << pair;
  }
  std::istringstream lines(e.answer);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '{' || line[0] == '[') continue;
    if (line.find("\xE2\x80\xA6") != std::string::npos) continue;  // "…"
    EXPECT_NE(text.find(line), std::string::npos) << "shown but not answered: " << line;
  }
}

// A page written as a transcript (docs/operator-api.md): each command is
// followed by what it printed, unprefixed, with a status before the body
// when it is not a 2xx ("403 {…}"). The shown lines are left out of the
// script; each top-level curl is bracketed by @@BEGIN/@@END echoes so its
// output can be cut out of the script's.
bool IsShownOutput(const std::string& t) {
  static const std::regex kOutput(R"(^(\{|\[|[0-9]{3} [\{\[]|allot_[a-z_]+[\{ ]))");
  return std::regex_search(t, kOutput);
}

void ParseTranscript(const std::string& page, std::string& script,
                     std::vector<Expected>& expected) {
  std::istringstream lines(page);
  bool in_block = false, in_curl = false, in_answer = false;
  for (std::string line; std::getline(lines, line);) {
    if (!in_block) {
      in_block = line == "```sh";
      continue;
    }
    const std::string t = Trim(line);
    if (line == "```" || (!in_curl && !IsShownOutput(t))) in_answer = false;
    if (line == "```") {
      in_block = false;
      continue;
    }
    if (in_curl) {
      script += line + "\n";
      in_curl = !t.empty() && t.back() == '\\';
      if (!in_curl) script += "printf '\\n@@END\\n'\n";
      continue;
    }
    if (t.rfind("curl ", 0) == 0) {
      expected.push_back(Expected{t, 0, ""});
      script += "echo @@BEGIN\n" + line + "\n";
      in_curl = t.back() == '\\';
      if (!in_curl) script += "printf '\\n@@END\\n'\n";
      in_answer = true;
      continue;
    }
    if (IsShownOutput(t)) {
      if (in_answer && !expected.empty()) {
        Expected& e = expected.back();
        std::smatch m;
        if (e.answer.empty() && std::regex_search(t, m, std::regex(R"(^([0-9]{3}) (.*)$)"))) {
          e.status = std::stoi(m[1]);
          e.answer = m[2];
        } else {
          e.answer += (e.answer.empty() ? "" : "\n") + t;
        }
      }
      continue;
    }
    script += line + "\n";
  }
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
  const std::string output = RunScript(work, prelude + script);

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
    CheckAnswer(e, status, text);
  }
}

TEST_F(DocsExamples, OperatorApiExamplesRunAsWritten) {
  // A server as scripts/serve.sh runs it: HTTPS, its data directory beside
  // the commands as `data`, with data/credentials.json from `allot init`.
  const std::string work = dir_.path();
  allot::testing::ServerOptions options;
  options.tls = true;
  options.data_dir = work + "/data";
  std::string error;
  server_ = TestServer::Start(options, &error);
  ASSERT_NE(server_, nullptr) << error;
  ASSERT_FALSE(server_->operator_token().empty()) << "allot init printed no operator token";
  const std::string address = "https://127.0.0.1:" + std::to_string(server_->port());
  std::ofstream(work + "/data/credentials.json")
      << json{{"tenant", "default"},
              {"admin_token", admin()},
              {"scim_token", scim()},
              {"operator_token", server_->operator_token()}}
             .dump();

  std::string script;
  std::vector<Expected> expected;
  ParseTranscript(ReadSource("docs/operator-api.md"), script, expected);
  ASSERT_GT(expected.size(), 10u) << "the page lost its examples";
  script = std::regex_replace(script, std::regex("https://127\\.0\\.0\\.1:8443"), address);
  // `allot` is the binary under test, on the server's database; every curl
  // appends its status to a file of its own, so pipes (| jq, | tee) see the
  // body only.
  const std::string db_args =
      allot::testing::UsingPostgres() ? " --db '" + server_->db_url() + "'" : "";
  const std::string prelude =
      "set -u\n"
      "cd '" + work + "'\n"
      "allot() { command '" + std::string(ALLOT_BINARY) + "' \"$@\"" + db_args + "; }\n"
      "curl() { command curl -sS -w '%{stderr}@@HTTP %{http_code}\\n' \"$@\" 2>>statuses; }\n";
  const std::string output = RunScript(work, prelude + script);

  std::vector<int> statuses;
  {
    std::ifstream in(work + "/statuses");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("@@HTTP ", 0) == 0) statuses.push_back(std::stoi(line.substr(7)));
    }
  }
  std::vector<std::string> bodies;
  {
    std::istringstream out(output);
    std::string body;
    bool inside = false;
    for (std::string line; std::getline(out, line);) {
      if (line == "@@BEGIN") {
        inside = true;
        body.clear();
      } else if (line == "@@END") {
        inside = false;
        bodies.push_back(body);
      } else if (inside) {
        body += line + "\n";
      }
    }
  }
  ASSERT_EQ(statuses.size(), expected.size()) << output;
  ASSERT_EQ(bodies.size(), expected.size()) << output;
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("example " + std::to_string(i + 1) + ": " + expected[i].command +
                 "\nanswered " + std::to_string(statuses[i]) + " " + bodies[i]);
    CheckAnswer(expected[i], statuses[i], bodies[i]);
  }
}

}  // namespace
}  // namespace allot::workflows
