// Seats under concurrency and crashes through the real binary: two `allot
// serve` processes sharing one SQLite file race admin assigns and unassigns;
// a server killed with SIGKILL mid-burst restarts with the invariants intact.
#include <signal.h>

#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "serve_test_util.h"

namespace allot::licensing::serve_testing {
namespace {

using allot::testing::ServerOptions;
using allot::testing::TestServer;

constexpr int kSeats = 3;
constexpr int kUsers = 10;

// Random assigns (half of them queued) and unassigns of `sub` over `users`
// until `ops` requests are sent or `stop` is set. Any answer other than the
// expected ones (2xx, 404 for a missing license, 409 no seats, 503 busy — two
// processes contend for one SQLite file — or no answer when the server is
// killed) is counted in `unexpected`.
void Burst(HttpClient c, const std::string& admin, const std::string& sub,
           const std::vector<std::string>& users, int ops, unsigned seed, std::atomic<bool>& stop,
           std::atomic<int>& unexpected, std::atomic<int>& done) {
  std::mt19937 rng(seed);
  for (int i = 0; i < ops && !stop; ++i) {
    const std::string& user = users[rng() % users.size()];
    const std::string path = "/admin/v1/users/" + user + "/licenses/" + sub;
    HttpResponse r;
    switch (rng() % 3) {
      case 0:
        r = c.Put(path, admin, "{}");
        break;
      case 1:
        r = c.Put(path + "?queue=true", admin, "{}");
        break;
      default:
        r = c.Delete(path, admin);
        break;
    }
    const bool expected = r.status == 0 || (r.status >= 200 && r.status < 300) || r.status == 404 ||
                          r.status == 409 || r.status == 503;
    if (!expected) ++unexpected;
    if (r.status >= 200 && r.status < 300) ++done;
  }
}

std::vector<std::string> MakeUsers(HttpClient& c, const std::string& scim) {
  std::vector<std::string> users;
  for (int i = 0; i < kUsers; ++i) {
    users.push_back(CreateScimUser(c, scim, "racer" + std::to_string(i) + "@example.org"));
  }
  return users;
}

TEST(ServeRace, TwoProcessesOnOneDatabaseNeverOverbookNorLoseSeats) {
  std::string error;
  auto first = TestServer::Start({}, &error);
  ASSERT_NE(first, nullptr) << error;
  auto second = TestServer::Start({.data_dir = first->data_dir()}, &error);
  ASSERT_NE(second, nullptr) << error;
  HttpClient setup = first->Client();
  const std::string& admin = first->admin_token();
  CreateSubscription(setup, admin, "few", kSeats);
  const std::vector<std::string> users = MakeUsers(setup, first->scim_token());

  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    const TestServer& server = t % 2 == 0 ? *first : *second;
    threads.emplace_back(Burst, server.Client(), admin, "few", users, 60, 1000u + t, std::ref(stop),
                         std::ref(unexpected), std::ref(done));
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected, 0) << first->Log() << second->Log();
  EXPECT_GT(done, 0) << "the race must have changed something";
  RecordProperty("successful_changes", done.load());
  HttpClient a = first->Client(), b = second->Client();
  ExpectInvariants(a, admin, "few");
  // Both processes see the same counts.
  Usage ua = ReadUsage(a, admin, "few"), ub = ReadUsage(b, admin, "few");
  EXPECT_EQ(ua.assigned, ub.assigned);
  EXPECT_EQ(ua.pending, ub.pending);
}

TEST(ServeCrash, KilledMidBurstRestartsWithInvariantsIntact) {
  std::string error;
  auto server = TestServer::Start({}, &error);
  ASSERT_NE(server, nullptr) << error;
  HttpClient setup = server->Client();
  const std::string admin = server->admin_token();
  CreateSubscription(setup, admin, "few", kSeats);
  const std::vector<std::string> users = MakeUsers(setup, server->scim_token());

  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back(Burst, server->Client(), admin, "few", users, 100000, 2000u + t,
                         std::ref(stop), std::ref(unexpected), std::ref(done));
  }
  // Kill once the burst is well under way (bounded wait, not a timing check).
  for (int i = 0; i < 200 && done < 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  RecordProperty("changes_before_kill", done.load());
  server->Stop(SIGKILL);
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected, 0);

  // `server` keeps owning the data directory; the restart reuses it.
  auto restarted = TestServer::Start({.data_dir = server->data_dir()}, &error);
  ASSERT_NE(restarted, nullptr) << error;
  HttpClient c = restarted->Client();
  ExpectInvariants(c, admin, "few");
  // And the engine still works after the crash: a free seat can be taken.
  Usage u = ReadUsage(c, admin, "few");
  if (u.assigned < u.seats) {
    for (const std::string& user : users) {
      HttpResponse r = c.Put("/admin/v1/users/" + user + "/licenses/few", admin, "{}");
      if (r.status == 200) break;
    }
  }
  ExpectInvariants(c, admin, "few");
}

}  // namespace
}  // namespace allot::licensing::serve_testing
