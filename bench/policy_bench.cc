// policy_bench — cost of evaluating policies with the real sample plugins:
// 100,000 synthetic users, 1,000 groups (5 per user), 3 policies (group_map
// with 10 rules, attribute_rules on the enterprise department, attribute_rules
// with a glob over multi-valued emails plus an `in` test on userType).
// Results and the command: bench/results/policy-eval.md.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "server/policy/policy.h"

namespace allot::policy {
namespace {

using nlohmann::json;

constexpr int kUsers = 100'000;
constexpr int kGroups = 1'000;
constexpr int kGroupsPerUser = 5;

struct Fixture {
  std::vector<GroupFacts> groups;
  std::deque<json> resources;
  std::vector<UserFacts> users;
  std::unordered_set<std::string> subs;
  std::shared_ptr<const PolicySet> all, group_map_only, attribute_rules_only;

  Fixture() {
    const char* departments[] = {"Sales", "Marketing", "Engineering", "Support", "Finance"};
    const char* types[] = {"Employee", "Contractor", "Intern", "Student"};
    for (int g = 0; g < kGroups; ++g) {
      groups.push_back({"gid-" + std::to_string(g), "Group " + std::to_string(g),
                        "ext-" + std::to_string(g)});
    }
    std::mt19937 rng(42);
    for (int u = 0; u < kUsers; ++u) {
      const std::string id = "user-" + std::to_string(u);
      resources.push_back(
          {{"id", id},
           {"userName", id + "@example.org"},
           {"active", u % 10 != 0},
           {"userType", types[rng() % 4]},
           {"title", "Title " + std::to_string(rng() % 50)},
           {"name", {{"givenName", "Given"}, {"familyName", "Family"}}},
           {"emails", {{{"value", id + "@example.org"}, {"type", "work"}},
                       {{"value", id + (u % 3 ? "@home.example" : "@staff.example.org")},
                        {"type", "other"}}}},
           {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            {{"department", departments[rng() % 5]}, {"employeeNumber", std::to_string(u)}}}});
      UserFacts facts{id, u % 10 != 0, &resources.back(), {}};
      for (int k = 0; k < kGroupsPerUser; ++k) facts.groups.push_back(&groups[rng() % kGroups]);
      users.push_back(std::move(facts));
    }
    for (int s = 0; s < 20; ++s) subs.insert("sub-" + std::to_string(s));

    json rules = json::array();
    for (int r = 0; r < 10; ++r) {
      // Half match by displayName (other case), half by externalId.
      rules.push_back({{"group", r % 2 ? "GROUP " + std::to_string(r * 97) : "ext-" + std::to_string(r * 89)},
                       {"subscription", "sub-" + std::to_string(r)}});
    }
    const json group_map = {{"name", "groups"}, {"plugin", "group_map"}, {"priority", 1},
                            {"config", {{"rules", rules}}}};
    const json department = {
        {"name", "sales"}, {"plugin", "attribute_rules"}, {"priority", 2},
        {"config", {{"rules", {{{"attribute", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
                                {"equals", "Sales"}, {"subscription", "sub-10"}}}}}}};
    const json staff = {
        {"name", "staff"}, {"plugin", "attribute_rules"}, {"priority", 3},
        {"config", {{"rules", {{{"attribute", "emails.value"}, {"matches", "*@staff.example.org"},
                                {"active", true}, {"subscription", "sub-11"}},
                               {{"attribute", "userType"}, {"in", {"Employee", "Contractor"}},
                                {"subscription", "sub-12"}}}}}}};
    all = LoadPolicies({group_map, department, staff});
    group_map_only = LoadPolicies({group_map});
    attribute_rules_only = LoadPolicies({department, staff});
  }

  static std::shared_ptr<const PolicySet> LoadPolicies(const std::vector<json>& policies) {
    std::string dir = (std::filesystem::temp_directory_path() / "allot-bench-XXXXXX").string();
    if (mkdtemp(dir.data()) == nullptr) std::abort();
    for (const json& p : policies) std::ofstream(dir + "/" + p["name"].get<std::string>() + ".json") << p.dump();
    auto set = PolicySet::Load(dir, ALLOT_PLUGIN_DIR);
    std::filesystem::remove_all(dir);
    for (const PolicyStatus& st : set->Statuses()) {
      if (!st.ok) {
        std::fprintf(stderr, "bench setup: %s\n", st.error.c_str());
        std::abort();
      }
    }
    return set;
  }
};

Fixture& Data() {
  static Fixture* f = new Fixture();  // built once, shared by all benchmarks
  return *f;
}

// Evaluates all 100,000 users in batches of state.range(0).
void Run(benchmark::State& state, const PolicySet& set) {
  Fixture& f = Data();
  const size_t batch = static_cast<size_t>(state.range(0));
  size_t grants = 0;
  for (auto _ : state) {
    grants = 0;
    for (size_t start = 0; start < f.users.size(); start += batch) {
      std::span<const UserFacts> users(f.users.data() + start, std::min(batch, f.users.size() - start));
      for (const auto& [status, result] : set.Evaluate("default", users, f.subs)) {
        if (!result.ok) state.SkipWithError(result.error.c_str());
        for (const auto& g : result.grants_by_user) grants += g.size();
      }
    }
    benchmark::DoNotOptimize(grants);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.users.size()));
  state.counters["grants"] = static_cast<double>(grants);
  state.counters["ns_per_user"] = benchmark::Counter(
      static_cast<double>(f.users.size()), benchmark::Counter::kIsIterationInvariantRate |
                                               benchmark::Counter::kInvert);
}

void BM_ThreePolicies(benchmark::State& state) { Run(state, *Data().all); }
void BM_GroupMapOnly(benchmark::State& state) { Run(state, *Data().group_map_only); }
void BM_AttributeRulesOnly(benchmark::State& state) { Run(state, *Data().attribute_rules_only); }

BENCHMARK(BM_ThreePolicies)->Arg(1'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GroupMapOnly)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AttributeRulesOnly)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace allot::policy

BENCHMARK_MAIN();
