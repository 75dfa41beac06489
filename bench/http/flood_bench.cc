// flood_bench — the server's peak resident memory under one flood of
// hostile clients, from /proc/PID/status (the peak reset before the flood
// through /proc/PID/clear_refs). Prints one JSON line.
//
//   flood_bench PORT PID FLOOD CONNECTIONS [TOKEN] [SECONDS=5]
//
// FLOOD: header         each connection streams header lines until answered (431)
//        chunked        authenticated chunked POSTs of 1 MiB chunks, up to 512 MiB each (413)
//        chunked-noauth the same without a valid token (401)
//        slowloris      each connection sends one header line every second
//        idle-tls       half the connections stop before the TLS handshake,
//                       half after it; all stay open (the server must be HTTPS)
//        keepalive      every connection sends authenticated GET /scim/v2/Users?count=1
//                       on keep-alive, one after another, for SECONDS ("answered":
//                       connections that got at least one 200; "responses": all 200s)
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/hostile/raw_client.h"

using allot::testing::RawConnection;
using allot::testing::RawResponse;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kMiB = 1024 * 1024;

// Floods in parallel, one thread per connection; returns the statuses seen.
std::vector<int> Flood(int port, int connections, const std::string& head,
                       const std::string& chunk, uint64_t max_bytes) {
  std::vector<int> statuses(static_cast<size_t>(connections));
  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&, i] {
      auto c = RawConnection::Open(port);
      if (!c) return;
      bool first = true;
      uint64_t sent = 0;
      RawResponse r = c->FloodUntilAnswered(
          [&] {
            if (!first) return chunk;
            first = false;
            return head;
          },
          max_bytes, std::chrono::seconds(60), &sent);
      statuses[static_cast<size_t>(i)] = r.status;
    });
  }
  for (auto& t : threads) t.join();
  return statuses;
}

// Keep-alive clients: `connections` connections shared by a few threads,
// each thread sending one request on each of its connections, then reading
// every answer, round after round, until `seconds` have passed. Returns, per
// connection, the number of 200s it got.
std::vector<int> KeepAlive(int port, int connections, const std::string& token, int seconds) {
  const int thread_count = std::min(connections, 32);
  std::vector<int> ok(static_cast<size_t>(connections));
  const auto until = Clock::now() + std::chrono::seconds(seconds);
  const std::string request = "GET /scim/v2/Users?count=1 HTTP/1.1\r\nHost: b\r\n"
                              "Authorization: Bearer " + token + "\r\n\r\n";
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::pair<int, std::unique_ptr<RawConnection>>> mine;
      for (int i = t; i < connections; i += thread_count) {
        auto c = RawConnection::Open(port);
        if (c) mine.emplace_back(i, std::move(c));
      }
      while (Clock::now() < until) {
        for (auto& [i, c] : mine) {
          if (c && !c->Send(request)) c.reset();
        }
        for (auto& [i, c] : mine) {
          if (!c) continue;
          RawResponse r = c->ReadResponse(std::chrono::seconds(10));
          if (r.status == 200) {
            ++ok[static_cast<size_t>(i)];
          } else {
            c.reset();  // closed, timed out or refused: this client is done
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return ok;
}

void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: flood_bench PORT PID FLOOD CONNECTIONS [TOKEN] [SECONDS]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const pid_t pid = std::atoi(argv[2]);
  const std::string flood = argv[3];
  const int connections = std::atoi(argv[4]);
  const std::string token = argc > 5 ? argv[5] : "";
  const int seconds = argc > 6 ? std::atoi(argv[6]) : 5;

  RaiseOpenFileLimit();
  const bool reset = allot::testing::ResetPeakResident(pid);
  const int64_t before = allot::testing::ResidentBytes(pid);
  const auto start = Clock::now();
  std::vector<int> statuses;
  std::vector<std::unique_ptr<RawConnection>> held;
  int64_t responses = -1;  // keepalive only

  if (flood == "header") {
    statuses = Flood(port, connections, "GET /scim/v2/Users HTTP/1.1\r\nHost: b\r\n",
                     "X-Flood: " + std::string(4000, 'a') + "\r\n", 100 * kMiB);
  } else if (flood == "chunked" || flood == "chunked-noauth") {
    const std::string auth = flood == "chunked" ? "Authorization: Bearer " + token + "\r\n" : "";
    statuses = Flood(port, connections,
                     "POST /scim/v2/Users HTTP/1.1\r\nHost: b\r\n" + auth +
                         "Content-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n\r\n",
                     "100000\r\n" + std::string(kMiB, 'x') + "\r\n", 512 * kMiB);
  } else if (flood == "slowloris") {
    for (int i = 0; i < connections; ++i) {
      auto c = RawConnection::Open(port);
      if (c && c->Send("GET /healthz HTTP/1.1\r\nHost: b\r\n")) held.push_back(std::move(c));
    }
    for (int s = 0; s < seconds; ++s) {
      for (auto& c : held) c->Send("X-Slow: " + std::to_string(s) + "\r\n");
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  } else if (flood == "idle-tls") {
    for (int i = 0; i < connections; ++i) {
      auto c = RawConnection::Open(port, true, /*handshake=*/i % 2 == 1);
      if (c) held.push_back(std::move(c));
    }
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
  } else if (flood == "keepalive") {
    const std::vector<int> ok = KeepAlive(port, connections, token, seconds);
    responses = 0;
    for (int n : ok) {
      statuses.push_back(n > 0 ? 200 : 0);
      responses += n;
    }
  } else {
    std::fprintf(stderr, "unknown flood %s\n", flood.c_str());
    return 2;
  }

  const int64_t peak = allot::testing::PeakResidentBytes(pid);
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  int answered = 0;
  std::string status_list;
  for (int s : statuses) {
    if (s != 0) ++answered;
  }
  if (!statuses.empty()) status_list = std::to_string(statuses.front());
  std::printf(
      "{\"flood\":\"%s\",\"connections\":%d,\"held_open\":%zu,\"answered\":%d,\"first_status\":%s,"
      "\"rss_before_mb\":%.1f,\"peak_mb\":%.1f,\"peak_growth_mb\":%.1f,\"peak_reset\":%s,"
      "\"responses\":%lld,\"seconds\":%.1f}\n",
      flood.c_str(), connections, held.size(), answered,
      status_list.empty() ? "null" : status_list.c_str(), before / 1048576.0, peak / 1048576.0,
      (peak - before) / 1048576.0, reset ? "true" : "false", static_cast<long long>(responses), took);
  return 0;
}
