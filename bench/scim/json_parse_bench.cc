// The cost of the JSON depth limit: scim::ParseJsonBounded (nlohmann's DOM
// builder behind a depth counter, what every request body goes through)
// against plain nlohmann::json::parse, on a SCIM User, a Group PATCH of 100
// members and a Bulk request of 1,000 users. Results: bench/results/json-depth.md.
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "scim/json_parse.h"

namespace {

using nlohmann::json;

std::string UserBody(int i) {
  return json{{"schemas",
               {"urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}},
              {"userName", "user" + std::to_string(i) + "@example.com"},
              {"externalId", "ext-" + std::to_string(i)},
              {"name", {{"givenName", "Given"}, {"familyName", "Family"}, {"formatted", "Given Family"}}},
              {"displayName", "Given Family"},
              {"active", true},
              {"emails", {{{"value", "user" + std::to_string(i) + "@example.com"}, {"type", "work"}, {"primary", true}}}},
              {"phoneNumbers", {{{"value", "+1 555 0100"}, {"type", "work"}}}},
              {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
               {{"employeeNumber", std::to_string(i)}, {"department", "Sales"}, {"manager", {{"value", "m1"}}}}}}
      .dump();
}

std::string PatchBody() {
  json members = json::array();
  for (int i = 0; i < 100; ++i) members.push_back({{"value", "01a229c1-e285-7b97-bc96-" + std::to_string(i)}});
  return json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
              {"Operations", {{{"op", "add"}, {"path", "members"}, {"value", members}}}}}
      .dump();
}

std::string BulkBody() {
  json ops = json::array();
  for (int i = 0; i < 1000; ++i) {
    ops.push_back({{"method", "POST"}, {"path", "/Users"}, {"bulkId", std::to_string(i)},
                   {"data", json::parse(UserBody(i))}});
  }
  return json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}}, {"Operations", ops}}.dump();
}

const std::string& Body(int which) {
  static const std::string user = UserBody(1), patch = PatchBody(), bulk = BulkBody();
  return which == 0 ? user : which == 1 ? patch : bulk;
}

void Label(benchmark::State& state) {
  static const char* names[] = {"user", "group-patch-100", "bulk-1000"};
  state.SetLabel(names[state.range(0)]);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(Body(static_cast<int>(state.range(0))).size()));
}

void BM_PlainParse(benchmark::State& state) {
  const std::string& body = Body(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    json j = json::parse(body, nullptr, false);
    benchmark::DoNotOptimize(j);
  }
  Label(state);
}

void BM_BoundedParse(benchmark::State& state) {
  const std::string& body = Body(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    json j;
    benchmark::DoNotOptimize(scim::ParseJsonBounded(body, &j));
    benchmark::DoNotOptimize(j);
  }
  Label(state);
}

// A hostile body: 4 MiB of '[' (the body limit) is refused at the 65th.
void BM_BoundedRefusesDeep(benchmark::State& state) {
  const std::string body(4 << 20, '[');
  for (auto _ : state) {
    json j;
    benchmark::DoNotOptimize(scim::ParseJsonBounded(body, &j));
  }
}

}  // namespace

BENCHMARK(BM_PlainParse)->DenseRange(0, 2);
BENCHMARK(BM_BoundedParse)->DenseRange(0, 2);
BENCHMARK(BM_BoundedRefusesDeep);
BENCHMARK_MAIN();
