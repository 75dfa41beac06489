// bench/licensing/reconcile_bench.cc — the licensing engine at scale, on a
// real SQLite file (or the PostgreSQL database given as an argument, which
// must be empty) with the REAL plugins, run in plugin host processes as the
// server runs them (`allot plugin-host`), or in this process:
//   1. full reconcile of N users (default 100,000), G groups (1,000) and 3
//      policies (two group_map, one attribute_rules), first run (every seat
//      is new) and a second, steady-state run (nothing changes);
//   2. the policies alone over every user (facts read beforehand), in the
//      plugin hosts and in this process: the difference is the cost of
//      crossing the process boundary;
//   3. 10,000 users added to a licensed group in one transaction, with
//      UsersChanged for all of them (what a SCIM PATCH of the group does),
//      then their evaluation until settled (what the tenant's evaluation
//      thread does after the commit).
// Prints one JSON line per phase with the time, the per-user cost and the
// peak RSS. A benchmark, not a test: nothing here passes or fails.
//   usage: reconcile_bench [users] [groups] [postgresql://…] [hosted|in-process]
#include <soci/soci.h>
#include <sys/resource.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iterator>
#include <sstream>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "server/auth/tenants.h"
#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/licensing/catalog.h"
#include "server/licensing/engine.h"
#include "server/licensing/evaluate.h"
#include "server/licensing/sql.h"
#include "server/policy/plugin_host.h"
#include "server/policy/policy.h"
#include "server/store/bulk.h"
#include "server/store/database.h"
#include "server/store/migrations.h"

namespace {

using namespace allot;
using Clock = std::chrono::steady_clock;

long PeakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// User + system CPU seconds of this process so far: on a shared machine wall
// time includes waiting for a core, CPU time is the cost of the work.
double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double cpu_at_start = 0;  // CpuSeconds() when the phase began

// CPU seconds of the plugin host processes so far (they are not our
// children in getrusage's sense until they end).
double HostCpuSeconds(const licensing::Engine& engine) {
  if (engine.hosted_runtime() == nullptr) return 0;
  double total = 0;
  for (const policy::HostInfo& h : engine.hosted_runtime()->Hosts()) {
    if (h.pid <= 0) continue;
    std::ifstream in("/proc/" + std::to_string(h.pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    long ticks = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
      if (i == 14 || i == 15) ticks += std::stol(f);
    }
    total += static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return total;
}

void Report(const char* phase, Clock::time_point start, int64_t users,
            const nlohmann::json& extra) {
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu_at_start;
  nlohmann::json j = {{"phase", phase},
                      {"seconds", s},
                      {"cpu_seconds", cpu},
                      {"cpu_us_per_user", users ? cpu * 1e6 / users : 0},
                      {"users", users},
                      {"us_per_user", users ? s * 1e6 / users : 0},
                      {"peak_rss_mb", PeakRssKb() / 1024.0}};
  if (extra.is_object()) j.update(extra);
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

void Check(const Status& s, const char* what) {
  if (!s) {
    std::fprintf(stderr, "%s: %s\n", what, s.error().message.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int users = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int groups = argc > 2 ? std::atoi(argv[2]) : 1000;
  // After users and groups, in any order: a PostgreSQL URL, a mode.
  std::string url;
  bool hosted = true;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "in-process" || arg == "hosted") {
      hosted = arg == "hosted";
    } else {
      url = arg;
    }
  }
  log::SetLevel(log::Level::kWarn);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("allot-bench-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir / "policies");
  if (url.empty()) url = (dir / "allot.db").string();
  auto db = store::Database::Open({.url = url, .pool_size = 4});
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 1;
  }
  std::printf(
      "%s\n",
      nlohmann::json(
          {{"backend", (*db)->backend() == store::Backend::kSqlite ? "sqlite" : "postgresql"}})
          .dump()
          .c_str());
  Check(store::Migrate(**db), "migrate");
  const std::string tenant = "bench";
  if (!auth::CreateTenant(**db, tenant)) return 1;
  const Actor admin{Actor::Kind::kAdmin, "bench"};
  for (auto [sub, seats, family] :
       {std::tuple{"lit-2026", users, "lit"}, std::tuple{"lit-premium", users / 4, "lit"},
        std::tuple{"crm-2026", users / 20, ""}}) {
    licensing::Product p{.id = std::string("p-") + sub, .name = sub};
    if (*family) p.family = family;
    if (!licensing::CreateProduct(**db, tenant, p, admin)) return 1;
    if (!licensing::CreateSubscription(**db, tenant,
                                       {.id = sub, .product_id = p.id, .seats = seats}, admin)) {
      return 1;
    }
  }
  auto write_policy = [&](const std::string& name, const nlohmann::json& j) {
    std::ofstream(dir / "policies" / (name + ".json")) << j.dump();
  };
  write_policy("students", {{"name", "students"},
                            {"plugin", "group_map"},
                            {"priority", 10},
                            {"config",
                             {{"rules",
                               {{{"group", "Class 1"}, {"subscription", "lit-2026"}},
                                {{"group", "Class 2"}, {"subscription", "lit-2026"}},
                                {{"group", "Class 3"}, {"subscription", "lit-2026"}}}}}}});
  write_policy(
      "teachers",
      {{"name", "teachers"},
       {"plugin", "group_map"},
       {"priority", 20},
       {"config", {{"rules", {{{"group", "Teachers"}, {"subscription", "lit-premium"}}}}}}});
  write_policy(
      "sales",
      {{"name", "sales"},
       {"plugin", "attribute_rules"},
       {"priority", 5},
       {"config",
        {{"rules",
          {{{"attribute", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
            {"equals", "Sales"},
            {"subscription", "crm-2026"}}}}}}});

  // Seed users, groups and memberships in bulk.
  auto seed_start = Clock::now();
  cpu_at_start = CpuSeconds();
  const std::string now = NowRfc3339();
  // In chunks, one transaction each: on PostgreSQL a chunk is one statement
  // per table (store/bulk.h), and no statement carries a million rows.
  constexpr int kSeedChunk = 20000;
  auto insert = [&](const std::string& table, std::vector<store::BulkColumn> columns) {
    Check((*db)->Write([&](soci::session& sql) { return store::InsertRows(sql, table, columns); }),
          "seed");
  };
  std::vector<std::string> gids, gnames;
  for (int g = 0; g < groups; ++g) {
    gids.push_back("group-" + std::to_string(g));
    gnames.push_back(g < 3    ? "Class " + std::to_string(g + 1)
                     : g == 3 ? "Teachers"
                              : "Group " + std::to_string(g));
  }
  gids.push_back("big-group");
  gnames.push_back("Big");
  {
    std::vector<std::string> gt(gids.size(), tenant), gn(gids.size(), now),
        empty(gids.size(), "{}"), one(gids.size(), "1");
    insert("scim_groups", {{"tenant_id", &gt},
                           {"id", &gids},
                           {"display_name", &gnames},
                           {"display_name_lower", &gnames},
                           {"resource", &empty},
                           {"version", &one, nullptr, "bigint"},
                           {"created_at", &gn},
                           {"updated_at", &gn}});
  }
  for (int first = 0; first < users; first += kSeedChunk) {
    const int last = std::min(users, first + kSeedChunk);
    std::vector<std::string> ids, names, resources;
    for (int i = first; i < last; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "user-%07d", i);
      ids.push_back(id);
      names.push_back(std::string(id) + "@example.org");
      nlohmann::json r = {{"userName", names.back()},
                          {"active", true},
                          {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                           {{"department", i % 10 == 0 ? "Sales" : "Teaching"}}}};
      resources.push_back(r.dump());
    }
    std::vector<std::string> t(ids.size(), tenant), n(ids.size(), now), one(ids.size(), "1");
    insert("scim_users", {{"tenant_id", &t},
                          {"id", &ids},
                          {"user_name", &names},
                          {"user_name_lower", &names},
                          {"active", &one, nullptr, "integer"},
                          {"resource", &resources},
                          {"version", &one, nullptr, "bigint"},
                          {"created_at", &n},
                          {"updated_at", &n}});
    // Every user in two groups: i % groups and (i * 7 + 1) % groups.
    std::vector<std::string> mg, mu;
    for (int i = first; i < last; ++i) {
      int a = i % groups, b = (i * 7 + 1) % groups;
      mg.push_back(gids[a]);
      mu.push_back(ids[i - first]);
      if (b != a) {
        mg.push_back(gids[b]);
        mu.push_back(ids[i - first]);
      }
    }
    std::vector<std::string> mt(mg.size(), tenant), types(mg.size(), "User");
    insert("scim_group_members",
           {{"tenant_id", &mt}, {"group_id", &mg}, {"member_id", &mu}, {"member_type", &types}});
  }
  // What creating the users over SCIM leaves (their licensing state rows).
  Check((*db)->Write([&](soci::session& sql) {
    return licensing::sql::Run(sql,
                               "INSERT INTO licensing_user_state (tenant_id, user_id, facts_seq) "
                               "SELECT tenant_id, id, 1 FROM scim_users WHERE tenant_id = :p0",
                               {tenant});
  }),
        "seed");
  Report("seed", seed_start, users, {});

  licensing::Engine engine(**db, {.policies_dir = (dir / "policies").string(),
                                  .plugins_dir = ALLOT_PLUGIN_DIR,
                                  .host_executable = hosted ? ALLOT_BINARY : ""});
  const nlohmann::json mode = {{"plugins", hosted ? "hosted" : "in-process"}};
  auto start = Clock::now();
  cpu_at_start = CpuSeconds();
  double host_cpu = HostCpuSeconds(engine);
  auto with_hosts = [&](nlohmann::json extra) {
    extra.update(mode);
    if (hosted) extra["host_cpu_seconds"] = HostCpuSeconds(engine) - host_cpu;
    return extra;
  };
  auto first = engine.ReconcileTenant(tenant, admin);
  if (!first) return 1;
  Report("full_reconcile_first", start, users,
         with_hosts({{"activated", first->changes.activated}, {"queued", first->changes.queued}}));
  start = Clock::now();
  cpu_at_start = CpuSeconds();
  host_cpu = HostCpuSeconds(engine);
  auto second = engine.ReconcileTenant(tenant, admin);
  if (!second) return 1;
  Report("full_reconcile_steady", start, users,
         with_hosts({{"activated", second->changes.activated}, {"released", second->changes.released}}));

  // The policies alone, over facts read beforehand: in the plugin hosts or
  // in this process (run the bench both ways to compare).
  {
    auto set = policy::PolicySet::Build(policy::ReadPolicyFiles((dir / "policies").string()),
                                        hosted ? std::shared_ptr<policy::PluginRuntime>(
                                                     std::make_shared<policy::HostedRuntime>(
                                                         policy::HostedRuntimeOptions{
                                                             .plugins_dir = ALLOT_PLUGIN_DIR,
                                                             .executable = ALLOT_BINARY}))
                                               : policy::MakeLocalRuntime(ALLOT_PLUGIN_DIR),
                                        tenant);
    std::vector<licensing::EvaluationInput> inputs;
    std::string after;
    for (;;) {
      auto page = (*db)->ReadValue<licensing::EvaluationInput>(
          [&](soci::session& sql) -> Result<licensing::EvaluationInput> {
            auto ids = licensing::ReadUserPage(sql, tenant, after, licensing::kEvalBatch);
            if (!ids) return std::unexpected(ids.error());
            return licensing::ReadEvaluation(sql, tenant, *ids, set->AttributePaths());
          });
      if (!page || page->users.empty()) break;
      after = page->users.back().id;
      inputs.push_back(std::move(*page));
    }
    start = Clock::now();
    cpu_at_start = CpuSeconds();
    int64_t failed = 0;
    for (const auto& in : inputs) {
      for (const auto& [status, result] : set->Evaluate(*in.facts)) failed += result.ok ? 0 : 1;
    }
    Report("policies_only", start, users, {{"plugins", hosted ? "hosted" : "in-process"},
                                           {"batches", inputs.size()},
                                           {"failed_results", failed}});
  }

  // 10,000 users join a licensed group ("Teachers" → lit-premium) in one
  // transaction, as one SCIM PATCH of the group would do it; then they are
  // evaluated until settled.
  const int joiners = std::min(10000, users);
  std::vector<std::string> ids, joining;  // joining: not yet in group-3 (seeded members)
  for (int i = 0; i < joiners; ++i) {
    const int u = (i * 9 + 5) % users;
    char id[32];
    std::snprintf(id, sizeof id, "user-%07d", u);
    ids.push_back(id);
    if (u % groups != 3 && (u * 7 + 1) % groups != 3) joining.push_back(id);
  }
  const auto join_start = Clock::now();
  start = join_start;
  cpu_at_start = CpuSeconds();
  const double join_cpu = cpu_at_start;
  Check((*db)->Write([&](soci::session& sql) -> Status {
    std::vector<std::string> t(joining.size(), tenant), g(joining.size(), "group-3"),
        types(joining.size(), "User");
    if (auto s = store::InsertRows(sql, "scim_group_members",
                                   {{"tenant_id", &t},
                                    {"group_id", &g},
                                    {"member_id", &joining},
                                    {"member_type", &types}});
        !s) {
      return s;
    }
    return engine.UsersChanged(sql, tenant, ids, {Actor::Kind::kScim, "bench"});
  }),
        "group patch");
  Report("group_patch_10k_commit", start, joiners, mode);
  start = Clock::now();
  cpu_at_start = CpuSeconds();
  host_cpu = HostCpuSeconds(engine);
  auto settled = engine.EvaluateMarked(tenant);
  if (!settled) return 1;
  Report("group_patch_10k_settle", start, joiners,
         with_hosts({{"activated", settled->changes.activated}, {"queued", settled->changes.queued}}));
  cpu_at_start = join_cpu;  // the total's CPU is the commit's and the settle's
  Report("group_patch_10k_total", join_start, joiners, mode);

  std::filesystem::remove_all(dir);
  return 0;
}
