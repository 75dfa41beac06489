// bench/postgres/load_bench.cc — a closed-loop HTTP load driver for several
// allot instances on one database: `--connections` client threads, each
// with one keep-alive connection to instance (thread % instances), send
// requests back to back for `--seconds`, and every latency is recorded, so
// the percentiles are exact over all instances together (wrk reports one
// process's percentiles, which cannot be merged). Prints one JSON line.
// A benchmark, not a test: nothing here passes or fails.
//
//   load_bench --targets 127.0.0.1:8001,127.0.0.1:8002 --admin TOKEN --scim TOKEN
//              --workload create|get|join|contend [--connections 40] [--seconds 10]
//
// Workloads (set-up requests are not measured):
//   create   POST /scim/v2/Users, a new userName each time
//   get      GET /scim/v2/Users/{id} over 1,000 users made in set-up
//   join     SCIM PATCH of one of 20 groups "Class 1".."Class 20", adding a
//            user and, next time, removing it; a group_map policy maps every
//            class to subscription "lit", so each request takes or gives back
//            a seat of that one subscription (the run script sets it up)
//   contend  PUT …/licenses/pool?queue=true then DELETE, alternately, on one
//            10-seat subscription "pool" (the run script makes it), 5 users
//            per connection: 40 connections fight over one seat counter and
//            its pending queue
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Target {
  std::string host;
  int port = 0;
};

struct Options {
  std::vector<Target> targets;
  std::string admin, scim, workload;
  int connections = 40;
  int seconds = 10;
};

std::vector<Target> ParseTargets(const std::string& list) {
  std::vector<Target> out;
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string item = list.substr(start, end - start);
    const size_t colon = item.rfind(':');
    out.push_back({item.substr(0, colon), std::stoi(item.substr(colon + 1))});
    start = end + 1;
  }
  return out;
}

class Client {
 public:
  explicit Client(const Target& t) : http_(t.host, t.port) {
    http_.set_keep_alive(true);
    http_.set_tcp_nodelay(true);
    http_.set_read_timeout(120, 0);
  }
  // Status (0: no answer) and body.
  std::pair<int, std::string> Send(const std::string& method, const std::string& path,
                                   const std::string& token, const std::string& body = "") {
    httplib::Headers headers = {{"Authorization", "Bearer " + token}};
    httplib::Result r =
        method == "GET"      ? http_.Get(path.c_str(), headers)
        : method == "DELETE" ? http_.Delete(path.c_str(), headers)
        : method == "POST"   ? http_.Post(path.c_str(), headers, body, "application/scim+json")
        : method == "PUT"    ? http_.Put(path.c_str(), headers, body, "application/json")
                             : http_.Patch(path.c_str(), headers, body, "application/scim+json");
    if (!r) return {0, ""};
    return {r->status, r->body};
  }

 private:
  httplib::Client http_;
};

std::string NewUser(Client& c, const Options& o, const std::string& name) {
  auto [status, body] = c.Send(
      "POST", "/scim/v2/Users", o.scim,
      json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}}, {"userName", name}}.dump());
  if (status != 201) {
    std::fprintf(stderr, "set-up: POST /Users -> %d %s\n", status, body.c_str());
    std::exit(1);
  }
  return json::parse(body)["id"];
}

// `n` users made over `connections` threads (set-up, not measured).
std::vector<std::string> MakeUsers(const Options& o, int n, const std::string& prefix) {
  std::vector<std::string> ids(n);
  std::vector<std::thread> threads;
  const int workers = std::min(o.connections, 16);
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      Client c(o.targets[w % o.targets.size()]);
      for (int i = w; i < n; i += workers) {
        ids[i] = NewUser(c, o, prefix + std::to_string(i) + "@bench.example");
      }
    });
  }
  for (auto& t : threads) t.join();
  return ids;
}

json PatchMember(bool add, const std::string& user) {
  json op = add ? json{{"op", "add"}, {"path", "members"}, {"value", {{{"value", user}}}}}
                : json{{"op", "remove"}, {"path", "members[value eq \"" + user + "\"]"}};
  return {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}}, {"Operations", {op}}};
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--targets")
      o.targets = ParseTargets(v);
    else if (k == "--admin")
      o.admin = v;
    else if (k == "--scim")
      o.scim = v;
    else if (k == "--workload")
      o.workload = v;
    else if (k == "--connections")
      o.connections = std::stoi(v);
    else if (k == "--seconds")
      o.seconds = std::stoi(v);
  }
  if (o.targets.empty() || o.workload.empty()) {
    std::fprintf(stderr,
                 "usage: load_bench --targets h:p[,h:p…] --admin T --scim T "
                 "--workload create|get|join|contend [--connections N] [--seconds S]\n");
    return 2;
  }
  const std::string run = std::to_string(std::random_device{}() % 1000000);

  // Set-up.
  std::vector<std::string> users;
  std::vector<std::string> groups;
  if (o.workload == "get") users = MakeUsers(o, 1000, "get-" + run + "-");
  if (o.workload == "join") {
    Client c(o.targets[0]);
    for (int g = 1; g <= 20; ++g) {
      auto [status, body] =
          c.Send("POST", "/scim/v2/Groups", o.scim,
                 json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                      {"displayName", "Class " + std::to_string(g)}}
                     .dump());
      if (status != 201) {
        std::fprintf(stderr, "set-up: POST /Groups -> %d %s\n", status, body.c_str());
        return 1;
      }
      groups.push_back(json::parse(body)["id"]);
    }
    users = MakeUsers(o, o.connections * 25, "join-" + run + "-");
  }
  if (o.workload == "contend") users = MakeUsers(o, o.connections * 5, "contend-" + run + "-");

  std::vector<std::vector<double>> latencies(o.connections);
  std::vector<std::map<int, long>> statuses(o.connections);
  const auto start = Clock::now();
  const auto stop_at = start + std::chrono::seconds(o.seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.connections; ++t) {
    threads.emplace_back([&, t] {
      Client c(o.targets[t % o.targets.size()]);
      std::mt19937 rng(1000 + t);
      long n = 0;
      std::map<std::string, bool> joined;  // join: user -> member now
      while (Clock::now() < stop_at) {
        std::pair<int, std::string> r;
        const auto sent = Clock::now();
        if (o.workload == "create") {
          r = c.Send("POST", "/scim/v2/Users", o.scim,
                     json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                          {"userName", "c-" + run + "-" + std::to_string(t) + "-" +
                                           std::to_string(n) + "@bench.example"}}
                         .dump());
        } else if (o.workload == "get") {
          r = c.Send("GET", "/scim/v2/Users/" + users[rng() % users.size()], o.scim);
        } else if (o.workload == "join") {
          // This connection's users, in turn; each goes to its own class.
          const size_t per = users.size() / o.connections;
          const size_t k = t * per + (n / 2) % per;
          const std::string& user = users[k];
          const std::string& group = groups[k % groups.size()];
          const bool add = !joined[user];
          r = c.Send("PATCH", "/scim/v2/Groups/" + group, o.scim, PatchMember(add, user).dump());
          joined[user] = add;
        } else {
          const std::string& user = users[t * 5 + (n / 2) % 5];
          const std::string path = "/admin/v1/users/" + user + "/licenses/pool";
          r = n % 2 == 0 ? c.Send("PUT", path + "?queue=true", o.admin, "{}")
                         : c.Send("DELETE", path, o.admin);
        }
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        ++statuses[t][r.first];
        ++n;
      }
    });
  }
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  std::map<int, long> by_status;
  for (int t = 0; t < o.connections; ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    for (auto [s, n] : statuses[t]) by_status[s] += n;
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    if (all.empty()) return 0.0;
    return all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  long non2xx = 0;
  json codes = json::object();
  for (auto [s, n] : by_status) {
    if (s < 200 || s >= 300) non2xx += n;
    codes[std::to_string(s)] = n;
  }
  json out = {{"workload", o.workload},
              {"instances", o.targets.size()},
              {"connections", o.connections},
              {"seconds", elapsed},
              {"requests", all.size()},
              {"rps", all.size() / elapsed},
              {"p50_ms", pct(0.50)},
              {"p90_ms", pct(0.90)},
              {"p99_ms", pct(0.99)},
              {"max_ms", all.empty() ? 0.0 : all.back()},
              {"non2xx_share", all.empty() ? 0.0 : static_cast<double>(non2xx) / all.size()},
              {"statuses", codes}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
