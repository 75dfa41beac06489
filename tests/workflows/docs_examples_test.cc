// The examples of docs/admin-api.md and docs/operator-api.md, run as
// written: every ```sh block of a page, top to bottom, as one bash script
// against a fresh server made as scripts/serve.sh makes it (HTTPS,
// data/credentials.json; for admin-api.md the sample policies and catalog).
// Only the address is replaced. Each top-level curl is checked against the
// answer the page shows: its status (none shown: a 2xx), every "key":value
// pair shown without "…", and every line of plain text shown. admin-api.md
// shows answers as comments under the command:
//   curl …            (no answer shown: a 2xx)
//   # 409 {"error":{"code":"no_seats",…}}
//   # {"state":"pending",…}            (a 2xx)
// operator-api.md is a transcript: the output follows the command, as
// printed (see ParseTranscript).
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

// The script made of a page's sh blocks. Each top-level curl (not one in a
// function or inside $(…)) is bracketed: @@BEGIN and @@END around its
// output, and __top=1 while it runs, so that the prelude's curl records the
// status of that curl alone (see kCurlRecordingStatuses).
struct Script {
  std::string text;
  bool in_curl = false;  // inside a top-level curl's continuation lines

  void Add(const std::string& line, bool opens_curl) {
    if (opens_curl) {
      text += "__top=1; echo @@BEGIN\n";
      in_curl = true;
    }
    text += line + "\n";
    const std::string t = Trim(line);
    if (in_curl && (t.empty() || t.back() != '\\')) {
      text += "printf '\\n@@END\\n'; __top=0\n";
      in_curl = false;
    }
  }
};

// admin-api.md: each top-level curl's answer is shown under it as a
// comment ("# 409 {…}" or "# {…}").
void Parse(const std::string& page, Script& script, std::vector<Expected>& expected) {
  std::istringstream lines(page);
  bool in_block = false, in_function = false;
  for (std::string line; std::getline(lines, line);) {
    if (!in_block) {
      in_block = line == "```sh";
      continue;
    }
    if (line == "```") {
      in_block = false;
      continue;
    }
    const std::string t = Trim(line);
    const bool continuation = script.in_curl;
    const bool opens_curl = !in_function && !continuation && t.rfind("curl ", 0) == 0;
    script.Add(line, opens_curl);
    if (in_function) {
      in_function = t != "}";
      continue;
    }
    if (std::regex_search(t, std::regex(R"(^[A-Za-z_]+\(\) \{)"))) {
      in_function = true;
      continue;
    }
    if (continuation) continue;
    if (opens_curl) {
      Expected e{t, 0, ""};
      std::smatch m;
      if (std::regex_search(t, m, std::regex(R"(\s#\s+(\d{3})\b)"))) e.status = std::stoi(m[1]);
      expected.push_back(e);
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

// The prelude's curl: a top-level curl appends its status to the file
// `statuses` (on stderr, so pipes such as | jq or | tee see the body only).
constexpr char kCurlRecordingStatuses[] =
    "__top=0\n"
    "curl() {\n"
    "  if (( __top )); then\n"
    "    command curl -sS -w '%{stderr}@@HTTP %{http_code}\\n' \"$@\" 2>>statuses\n"
    "  else\n"
    "    command curl -sS \"$@\"\n"
    "  fi\n"
    "}\n";

struct ExamplesRun {
  std::string output;                // all the script printed
  std::vector<int> statuses;         // one per top-level curl, in order
  std::vector<std::string> bodies;   // what each printed
};

// Runs `prelude`, the curl above and `script` with bash in `work`.
ExamplesRun RunExamples(const std::string& work, const std::string& prelude,
                        const Script& script) {
  ExamplesRun run;
  const std::string script_file = work + "/examples.sh";
  std::ofstream(script_file) << "set -u\ncd '" << work << "'\n"
                             << kCurlRecordingStatuses << prelude << script.text;
  FILE* pipe = ::popen(("bash '" + script_file + "' 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) run.output.append(buf, n);
  ::pclose(pipe);

  std::ifstream statuses(work + "/statuses");
  for (std::string line; std::getline(statuses, line);) {
    if (line.rfind("@@HTTP ", 0) == 0) run.statuses.push_back(std::stoi(line.substr(7)));
  }
  std::istringstream out(run.output);
  std::string body;
  bool inside = false;
  for (std::string line; std::getline(out, line);) {
    if (line == "@@BEGIN") {
      inside = true;
      body.clear();
    } else if (line == "@@END") {
      inside = false;
      run.bodies.push_back(body);
    } else if (inside) {
      body += line + "\n";
    }
  }
  return run;
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

// Every example of a page against its run.
void CheckAll(const std::vector<Expected>& expected, const ExamplesRun& run) {
  ASSERT_EQ(run.statuses.size(), expected.size()) << run.output;
  ASSERT_EQ(run.bodies.size(), expected.size()) << run.output;
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("example " + std::to_string(i + 1) + ": " + expected[i].command +
                 "\nanswered " + std::to_string(run.statuses[i]) + " " + run.bodies[i]);
    CheckAnswer(expected[i], run.statuses[i], run.bodies[i]);
  }
}

// A page written as a transcript (docs/operator-api.md): each command is
// followed by what it printed, unprefixed, with a status before the body
// when it is not a 2xx ("403 {…}"). The shown lines are left out of the
// script.
bool IsShownOutput(const std::string& t) {
  static const std::regex kOutput(R"(^(\{|\[|[0-9]{3} [\{\[]|allot_[a-z_]+[\{ ]))");
  return std::regex_search(t, kOutput);
}

void ParseTranscript(const std::string& page, Script& script, std::vector<Expected>& expected) {
  std::istringstream lines(page);
  bool in_block = false, in_answer = false;
  for (std::string line; std::getline(lines, line);) {
    if (!in_block) {
      in_block = line == "```sh";
      continue;
    }
    const std::string t = Trim(line);
    if (line == "```" || (!script.in_curl && !IsShownOutput(t))) in_answer = false;
    if (line == "```") {
      in_block = false;
      continue;
    }
    if (script.in_curl) {
      script.Add(line, false);
      continue;
    }
    if (t.rfind("curl ", 0) == 0) {
      expected.push_back(Expected{t, 0, ""});
      script.Add(line, true);
      in_answer = true;
      continue;
    }
    if (!IsShownOutput(t)) {
      script.Add(line, false);
      continue;
    }
    if (!in_answer || expected.empty()) continue;
    Expected& e = expected.back();
    std::smatch m;
    if (e.answer.empty() && std::regex_search(t, m, std::regex(R"(^([0-9]{3}) (.*)$)"))) {
      e.status = std::stoi(m[1]);
      e.answer = m[2];
    } else {
      e.answer += (e.answer.empty() ? "" : "\n") + t;
    }
  }
}

class DocsExamples : public Workflow {
 protected:
  void SetUp() override {}  // the server below, not the fixture's

  // A server as scripts/serve.sh runs it: HTTPS, its data directory beside
  // the commands as `data`, with the data/credentials.json that `allot init`
  // printed. Returns its address.
  std::string StartAsServeShDoes(std::vector<std::string> extra_args = {}) {
    allot::testing::ServerOptions options;
    options.tls = true;
    options.data_dir = work() + "/data";
    options.extra_args = std::move(extra_args);
    std::string error;
    server_ = TestServer::Start(options, &error);
    EXPECT_NE(server_, nullptr) << error;
    if (server_ == nullptr) return "";
    std::ofstream(work() + "/data/credentials.json")
        << json{{"tenant", "default"},
                {"admin_token", admin()},
                {"scim_token", scim()},
                {"operator_token", server_->operator_token()}}
               .dump();
    return "https://127.0.0.1:" + std::to_string(server_->port());
  }
  std::string work() const { return dir_.path(); }

  // The page's address replaced by the test server's.
  static void Readdress(Script& script, const std::string& address) {
    script.text = std::regex_replace(script.text, std::regex("https://127\\.0\\.0\\.1:8443"), address);
  }
};

TEST_F(DocsExamples, AdminApiExamplesRunAsWritten) {
  const std::string address =
      StartAsServeShDoes({"--policies", std::string(ALLOT_SOURCE_DIR) + "/policies", "--plugins",
                          ALLOT_PLUGIN_DIR});
  ASSERT_FALSE(address.empty());
  Script script;
  std::vector<Expected> expected;
  Parse(ReadSource("docs/admin-api.md"), script, expected);
  ASSERT_GT(expected.size(), 20u) << "the page lost its examples";
  Readdress(script, address);
  // The sample catalog, as scripts/serve.sh seeds it.
  const std::string seed = "ADMIN_TOKEN='" + admin() + "' BASE='" + address + "' '" +
                           ALLOT_SOURCE_DIR + "/scripts/seed-sample-catalog.sh' >/dev/null || exit 1\n";
  CheckAll(expected, RunExamples(work(), seed, script));
}

TEST_F(DocsExamples, OperatorApiExamplesRunAsWritten) {
  const std::string address = StartAsServeShDoes();
  ASSERT_FALSE(address.empty());
  ASSERT_FALSE(server_->operator_token().empty()) << "allot init printed no operator token";
  Script script;
  std::vector<Expected> expected;
  ParseTranscript(ReadSource("docs/operator-api.md"), script, expected);
  ASSERT_GT(expected.size(), 10u) << "the page lost its examples";
  Readdress(script, address);
  // `allot` is the binary under test, on the server's database.
  const std::string db_args =
      allot::testing::UsingPostgres() ? " --db '" + server_->db_url() + "'" : "";
  const std::string allot =
      "allot() { command '" + std::string(ALLOT_BINARY) + "' \"$@\"" + db_args + "; }\n";
  CheckAll(expected, RunExamples(work(), allot, script));
}

}  // namespace
}  // namespace allot::workflows
