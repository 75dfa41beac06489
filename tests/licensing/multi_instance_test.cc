// Several `allot serve` processes on one database, through the real binary:
// 40-way races (queued assigns to one pool, SCIM joins of a licensed group,
// SCIM creates under a licensing policy) on one, two and three instances,
// and SIGKILL of one instance mid-burst. Every request must be answered
// without a 5xx, the counts must come out exact, the seat invariants are
// checked in the database itself, and every line the servers write on
// stderr must be JSON.
//
// CI runs this suite on a throwaway PostgreSQL server (scripts/test.sh),
// which is what it is for: several instances on one PostgreSQL database.
// Without ALLOT_TEST_PG_URL the instances share one SQLite file.
#include <signal.h>
#include <soci/soci.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <latch>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "serve_test_util.h"
#include "server/store/database.h"

namespace allot::licensing::serve_testing {
namespace {

using allot::testing::TempDir;
using allot::testing::TestServer;

constexpr int kRacers = 40;
constexpr int kSeats = 10;

// `instances` servers on the database of the first, with the policies of
// `policies_dir` (none when empty). Requests may wait for a worker up to a
// minute before the server answers 429: the races queue on one seat pool by
// design, and on a loaded 2-core CI machine 40 of them in a row can take
// longer than the default 5 s; pass or fail must not depend on that. 48
// workers: the HTTP server keeps a worker per keep-alive connection, and
// 40 racers on one instance would otherwise wait out a keep-alive timeout.
class Cluster {
 public:
  Cluster(int instances, const std::string& policies_dir) {
    std::ofstream(config_dir_.path() + "/serve.json")
        << R"({"queue_timeout_ms": 60000, "threads": 48})";
    std::vector<std::string> args = {"--config", config_dir_.path() + "/serve.json"};
    if (!policies_dir.empty()) {
      args.insert(args.end(), {"--policies", policies_dir, "--plugins", ALLOT_PLUGIN_DIR});
    }
    for (int i = 0; i < instances; ++i) {
      std::string error;
      allot::testing::ServerOptions options{.extra_args = args};
      if (i > 0) options.data_dir = servers_[0]->data_dir();
      auto server = TestServer::Start(options, &error);
      if (server == nullptr) {
        ADD_FAILURE() << "instance " << i << " did not start: " << error;
        return;
      }
      servers_.push_back(std::move(server));
    }
  }
  bool ok(int instances) const { return static_cast<int>(servers_.size()) == instances; }
  TestServer& at(size_t i) { return *servers_[i % servers_.size()]; }
  size_t size() const { return servers_.size(); }
  const std::string& admin() const { return servers_[0]->admin_token(); }
  const std::string& scim() const { return servers_[0]->scim_token(); }
  const std::string& db_url() const { return servers_[0]->db_url(); }

 private:
  TempDir config_dir_;
  std::vector<std::unique_ptr<TestServer>> servers_;
};

// Runs request(i, client) for i in [0, n) on n threads that start together,
// thread i talking to instance i % instances; returns the statuses by i.
std::vector<int> Race(Cluster& cluster, int n,
                      const std::function<HttpResponse(int, HttpClient&)>& request,
                      std::vector<std::string>* bodies = nullptr) {
  std::vector<int> statuses(n, -1);
  if (bodies) bodies->assign(n, "");
  std::vector<HttpClient> clients;
  for (int i = 0; i < n; ++i) clients.push_back(cluster.at(i).Client());
  std::latch start(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      HttpResponse r = request(i, clients[i]);
      statuses[i] = r.status;
      if (bodies) (*bodies)[i] = r.body;
    });
  }
  for (auto& t : threads) t.join();
  return statuses;
}

void ExpectAll2xx(const std::vector<int>& statuses, const std::vector<std::string>& bodies) {
  int server_errors = 0, other = 0;
  std::string sample;
  for (size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i] >= 500) ++server_errors;
    if (statuses[i] < 200 || statuses[i] >= 300) {
      ++other;
      if (sample.empty()) sample = std::to_string(statuses[i]) + " " + bodies[i];
    }
  }
  EXPECT_EQ(server_errors, 0) << "5xx answers under contention; first: " << sample;
  EXPECT_EQ(other, 0) << "non-2xx answers; first: " << sample;
}

// The subscription as the database holds it.
struct SeatRows {
  long long seats = -1, assigned = -1, active = -1, pending = -1, open_history = -1;
};

SeatRows ReadSeatRows(const std::string& db_url, const std::string& sub) {
  SeatRows out;
  auto db = store::Database::Open({.url = db_url, .pool_size = 1});
  EXPECT_TRUE(db.has_value()) << (db ? "" : db.error().message);
  if (!db) return out;
  Status s = (*db)->Read([&](soci::session& sql) -> Status {
    sql << "SELECT s.seats, s.assigned, "
           "(SELECT COUNT(*) FROM assignments a WHERE a.tenant_id = s.tenant_id AND "
           "a.subscription_id = s.id AND a.state = 'active'), "
           "(SELECT COUNT(*) FROM assignments a WHERE a.tenant_id = s.tenant_id AND "
           "a.subscription_id = s.id AND a.state = 'pending'), "
           "(SELECT COUNT(*) FROM assignment_history h WHERE h.tenant_id = s.tenant_id AND "
           "h.subscription_id = s.id AND h.ended_at IS NULL) "
           "FROM subscriptions s WHERE s.tenant_id = 'default' AND s.id = :s",
        soci::use(sub), soci::into(out.seats), soci::into(out.assigned), soci::into(out.active),
        soci::into(out.pending), soci::into(out.open_history);
    return Ok();
  });
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
  return out;
}

// The invariants of PRODUCT.md, in the database: assigned = active rows ≤
// seats, one open history row per active seat, nobody waits while a seat is
// free. (available = seats − assigned is what the API derives; checked there.)
SeatRows ExpectSeatInvariants(Cluster& cluster, const std::string& sub) {
  // Licensing follows a SCIM change's commit (the tenant's evaluation
  // thread): read the rows once every marked user is evaluated. The backlog
  // is the database's, so one instance's answer covers all of them.
  {
    HttpClient c = cluster.at(0).Client();
    EXPECT_TRUE(allot::testing::WaitForLicensing(c, cluster.admin()));
  }
  SeatRows r = ReadSeatRows(cluster.db_url(), sub);
  EXPECT_EQ(r.assigned, r.active) << "a seat was lost or double-counted in " << sub;
  EXPECT_LE(r.active, r.seats) << "overbooked " << sub;
  EXPECT_EQ(r.open_history, r.active) << "history out of step with the seats of " << sub;
  if (r.active < r.seats) {
    EXPECT_EQ(r.pending, 0) << "pending while a seat of " << sub << " is free";
  }
  for (size_t i = 0; i < cluster.size(); ++i) {
    HttpClient c = cluster.at(i).Client();
    ExpectInvariants(c, cluster.admin(), sub);
  }
  return r;
}

// Every line each server wrote on stderr is one JSON object.
void ExpectJsonLogs(Cluster& cluster) {
  for (size_t i = 0; i < cluster.size(); ++i) {
    std::istringstream lines(cluster.at(i).Log());
    int bad = 0;
    std::string first;
    for (std::string line; std::getline(lines, line);) {
      auto j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        if (++bad == 1) first = line;
      }
    }
    EXPECT_EQ(bad, 0) << "instance " << i << " wrote lines that are not JSON; first: " << first;
  }
}

std::vector<std::string> MakeUsers(Cluster& cluster, int n, const std::string& prefix) {
  HttpClient c = cluster.at(0).Client();
  std::vector<std::string> users;
  for (int i = 0; i < n; ++i) {
    users.push_back(CreateScimUser(c, cluster.scim(), prefix + std::to_string(i) + "@example.org"));
  }
  return users;
}

// A policy directory with one file.
std::string WritePolicy(const TempDir& dir, const json& policy) {
  const std::string policies = dir.path() + "/policies";
  std::filesystem::create_directories(policies);
  std::ofstream(policies + "/" + policy["name"].get<std::string>() + ".json") << policy.dump();
  return policies;
}

json GroupMapPolicy(const std::string& group, const std::string& sub) {
  return {{"name", "teachers"},
          {"plugin", "group_map"},
          {"priority", 10},
          {"config", {{"rules", {{{"group", group}, {"subscription", sub}}}}}}};
}

json PatchAddMember(const std::string& user) {
  return {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
          {"Operations", {{{"op", "add"}, {"path", "members"}, {"value", {{{"value", user}}}}}}}};
}

json PatchRemoveMember(const std::string& user) {
  return {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
          {"Operations", {{{"op", "remove"}, {"path", "members[value eq \"" + user + "\"]"}}}}};
}

class MultiInstance : public ::testing::TestWithParam<int> {};

TEST_P(MultiInstance, QueuedAssignsToOnePoolFillItAndQueueTheRest) {
  Cluster cluster(GetParam(), "");
  ASSERT_TRUE(cluster.ok(GetParam()));
  HttpClient setup = cluster.at(0).Client();
  CreateSubscription(setup, cluster.admin(), "pool", kSeats);
  const std::vector<std::string> users = MakeUsers(cluster, kRacers, "queued");

  std::vector<std::string> bodies;
  std::vector<int> statuses = Race(
      cluster, kRacers,
      [&](int i, HttpClient& c) {
        return c.Put("/admin/v1/users/" + users[i] + "/licenses/pool?queue=true", cluster.admin(),
                     "{}");
      },
      &bodies);
  ExpectAll2xx(statuses, bodies);
  SeatRows r = ExpectSeatInvariants(cluster, "pool");
  EXPECT_EQ(r.active, kSeats);
  EXPECT_EQ(r.pending, kRacers - kSeats);
  ExpectJsonLogs(cluster);
}

TEST_P(MultiInstance, ScimJoinsOfALicensedGroupFillThePoolAndQueueTheRest) {
  TempDir dir;
  Cluster cluster(GetParam(), WritePolicy(dir, GroupMapPolicy("Teachers", "lit")));
  ASSERT_TRUE(cluster.ok(GetParam()));
  HttpClient setup = cluster.at(0).Client();
  CreateSubscription(setup, cluster.admin(), "lit", kSeats);
  HttpResponse g = setup.Post("/scim/v2/Groups", cluster.scim(),
                              json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                                   {"displayName", "Teachers"}}
                                  .dump(),
                              "application/scim+json");
  ASSERT_EQ(g.status, 201) << g.body;
  const std::string group = Json(g)["id"];
  const std::vector<std::string> users = MakeUsers(cluster, kRacers, "joiner");

  std::vector<std::string> bodies;
  std::vector<int> statuses = Race(
      cluster, kRacers,
      [&](int i, HttpClient& c) {
        return c.Patch("/scim/v2/Groups/" + group, cluster.scim(), PatchAddMember(users[i]).dump(),
                       "application/scim+json");
      },
      &bodies);
  ExpectAll2xx(statuses, bodies);
  SeatRows r = ExpectSeatInvariants(cluster, "lit");
  EXPECT_EQ(r.active, kSeats);
  EXPECT_EQ(r.pending, kRacers - kSeats);
  // No join was lost: every racer is a member.
  HttpResponse got = setup.Get("/scim/v2/Groups/" + group, cluster.scim());
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Json(got)["members"].size(), static_cast<size_t>(kRacers));
  ExpectJsonLogs(cluster);
}

TEST_P(MultiInstance, ScimCreatesUnderALicensingPolicyAreAllAnsweredAndCounted) {
  TempDir dir;
  const json policy = {
      {"name", "students"},
      {"plugin", "attribute_rules"},
      {"priority", 10},
      {"config",
       {{"rules", {{{"attribute", "userType"}, {"equals", "Student"}, {"subscription", "crm"}}}}}}};
  Cluster cluster(GetParam(), WritePolicy(dir, policy));
  ASSERT_TRUE(cluster.ok(GetParam()));
  HttpClient setup = cluster.at(0).Client();
  CreateSubscription(setup, cluster.admin(), "crm", kSeats);

  // Twice the racers: half are students (licensed), half are not.
  std::vector<std::string> bodies;
  std::vector<int> statuses = Race(
      cluster, 2 * kRacers,
      [&](int i, HttpClient& c) {
        return c.Post("/scim/v2/Users", cluster.scim(),
                      json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                           {"userName", "created" + std::to_string(i) + "@example.org"},
                           {"userType", i % 2 == 0 ? "Student" : "Staff"}}
                          .dump(),
                      "application/scim+json");
      },
      &bodies);
  ExpectAll2xx(statuses, bodies);
  SeatRows r = ExpectSeatInvariants(cluster, "crm");
  EXPECT_EQ(r.active, kSeats);
  EXPECT_EQ(r.pending, kRacers - kSeats);
  // The list total (kept without a table scan) counts every create, on every
  // instance.
  for (size_t i = 0; i < cluster.size(); ++i) {
    HttpClient c = cluster.at(i).Client();
    HttpResponse list = c.Get("/scim/v2/Users?count=0", cluster.scim());
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(Json(list)["totalResults"], 2 * kRacers) << "instance " << i;
  }
  ExpectJsonLogs(cluster);
}

INSTANTIATE_TEST_SUITE_P(Instances, MultiInstance, ::testing::Values(1, 2, 3),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                           return std::to_string(param_info.param) + "Instances";
                         });

// Queued assigns, unassigns, group joins and leaves from many threads over
// two instances; one instance is SIGKILLed while the burst runs. PostgreSQL
// rolls back what the dead instance had in flight; the survivor goes on
// answering without a 5xx; afterwards the database holds the invariants.
TEST(MultiInstanceCrash, KillNineOfOneInstanceMidBurstKeepsTheInvariants) {
  TempDir dir;
  Cluster cluster(2, WritePolicy(dir, GroupMapPolicy("Teachers", "lit")));
  ASSERT_TRUE(cluster.ok(2));
  HttpClient setup = cluster.at(0).Client();
  const std::string admin = cluster.admin(), scim = cluster.scim();
  CreateSubscription(setup, admin, "lit", 5);
  CreateSubscription(setup, admin, "few", 5);
  HttpResponse g = setup.Post("/scim/v2/Groups", scim,
                              json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                                   {"displayName", "Teachers"}}
                                  .dump(),
                              "application/scim+json");
  ASSERT_EQ(g.status, 201) << g.body;
  const std::string group = Json(g)["id"];
  const std::vector<std::string> users = MakeUsers(cluster, 20, "burst");

  std::atomic<bool> killed{false};
  std::atomic<int> done{0}, server_errors{0}, unexpected{0};
  std::mutex sample_mu;
  std::string sample;
  auto burst = [&](int thread, HttpClient c, bool on_victim) {
    std::mt19937 rng(4000u + thread);
    for (int i = 0; i < 150; ++i) {
      if (on_victim && killed) return;
      const std::string& user = users[rng() % users.size()];
      HttpResponse r;
      switch (rng() % 4) {
        case 0:
          r = c.Put("/admin/v1/users/" + user + "/licenses/few?queue=true", admin, "{}");
          break;
        case 1:
          r = c.Delete("/admin/v1/users/" + user + "/licenses/few", admin);
          break;
        case 2:
          r = c.Patch("/scim/v2/Groups/" + group, scim, PatchAddMember(user).dump(),
                      "application/scim+json");
          break;
        default:
          r = c.Patch("/scim/v2/Groups/" + group, scim, PatchRemoveMember(user).dump(),
                      "application/scim+json");
          break;
      }
      if (r.status == 0 && on_victim) return;  // the victim is gone
      if (r.status >= 500) ++server_errors;
      const bool fine = (r.status >= 200 && r.status < 300) || r.status == 404 || r.status == 409;
      if (!fine) {
        ++unexpected;
        std::lock_guard lock(sample_mu);
        if (sample.empty()) sample = std::to_string(r.status) + " " + r.body;
      }
      if (r.status >= 200 && r.status < 300) ++done;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    const bool on_victim = t % 2 == 1;
    threads.emplace_back(burst, t, cluster.at(t % 2).Client(), on_victim);
  }
  // Kill once the burst is well under way (a bounded wait, not a timing check).
  for (int i = 0; i < 400 && done < 60; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  RecordProperty("changes_before_kill", done.load());
  cluster.at(1).Stop(SIGKILL);
  killed = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(server_errors, 0) << sample << "\n" << cluster.at(0).Log();
  EXPECT_EQ(unexpected, 0) << sample;
  EXPECT_GT(done, 60);

  // The dead instance's connections are gone (PostgreSQL rolled back what it
  // had open); the invariants hold in the database and through the survivor.
  SeatRows lit = ReadSeatRows(cluster.db_url(), "lit");
  SeatRows few = ReadSeatRows(cluster.db_url(), "few");
  for (const SeatRows* r : {&lit, &few}) {
    EXPECT_EQ(r->assigned, r->active) << "a seat was lost or double-counted";
    EXPECT_LE(r->active, r->seats) << "overbooked";
    EXPECT_EQ(r->open_history, r->active);
    if (r->active < r->seats) {
      EXPECT_EQ(r->pending, 0) << "pending while a seat is free";
    }
  }
  HttpClient survivor = cluster.at(0).Client();
  ExpectInvariants(survivor, admin, "lit");
  ExpectInvariants(survivor, admin, "few");
  // The survivor still takes and gives seats.
  EXPECT_EQ(
      survivor.Put("/admin/v1/users/" + users[0] + "/licenses/few?queue=true", admin, "{}").status,
      200);
  ExpectInvariants(survivor, admin, "few");
  std::istringstream lines(cluster.at(0).Log());
  for (std::string line; std::getline(lines, line);) {
    EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << "not JSON: " << line;
  }
}

}  // namespace
}  // namespace allot::licensing::serve_testing
