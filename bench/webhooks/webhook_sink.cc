// webhook_sink — the receiver of the webhook delivery benchmark: a
// cpp-httplib server on 127.0.0.1 that answers every POST 204 and records,
// per event, when it arrived and when it occurred (the body's occurred_at,
// written in the transaction of the change). Once COUNT distinct events
// have arrived (or after TIMEOUT seconds) it writes one line per event to
// OUT_FILE — "<event id> <occurred_at ms> <received ms> <attempts seen>" —
// and exits.
//
//   webhook_sink PORT COUNT OUT_FILE [TIMEOUT_SECONDS=600]
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-11-30T05:59:30.808Z" → Unix milliseconds.
int64_t ParseMs(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

struct Seen {
  int64_t occurred = 0, received = 0;
  int attempts = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: webhook_sink PORT COUNT OUT_FILE [TIMEOUT_SECONDS]\n";
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const size_t count = std::strtoul(argv[2], nullptr, 10);
  const std::string out_file = argv[3];
  const int timeout = argc > 4 ? std::atoi(argv[4]) : 600;

  std::mutex mu;
  std::map<std::string, Seen> seen;
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  server.set_tcp_nodelay(true);
  server.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    const int64_t now = NowMs();
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    const std::string id = req.get_header_value("webhook-id");
    {
      std::lock_guard lock(mu);
      Seen& s = seen[id];
      if (s.attempts++ == 0) {
        s.received = now;
        s.occurred = body.is_object() ? ParseMs(body.value("occurred_at", "")) : 0;
      }
      if (seen.size() >= count) server.stop();
    }
    res.status = 204;
  });
  std::thread deadline([&] {
    std::this_thread::sleep_for(std::chrono::seconds(timeout));
    server.stop();
  });
  deadline.detach();
  std::cout << "listening on 127.0.0.1:" << port << std::endl;
  if (!server.listen("127.0.0.1", port)) return 1;
  std::ofstream out(out_file);
  std::lock_guard lock(mu);
  for (const auto& [id, s] : seen) {
    out << id << ' ' << s.occurred << ' ' << s.received << ' ' << s.attempts << '\n';
  }
  return seen.size() >= count ? 0 : 1;
}
