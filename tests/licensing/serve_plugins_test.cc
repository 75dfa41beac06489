// Plugins in their own processes and policies as tenant data, through the
// real binary: two tenants, where tenant "tb" runs deliberately broken
// plugins (tests/plugins/broken) and tenant "ta" must not notice; policy
// CRUD and its validation; status that tells the truth; tenant-scoped reload
// and reconcile; SIGTERM while a plugin loops. On SQLite and PostgreSQL.
#include <gmock/gmock.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "serve_test_util.h"
#include "tests/support/test_database.h"

namespace allot::licensing::serve_testing {
namespace {

using allot::testing::RunAllot;
using allot::testing::ServerOptions;
using allot::testing::TempDir;
using allot::testing::TestServer;
using allot::testing::WaitForLicensing;
using ::testing::HasSubstr;

constexpr char kScimJson[] = "application/scim+json";

struct Tokens {
  std::string admin, scim;
};

// The real plugins and the broken one side by side, as an operator would
// install them.
class PluginsDir {
 public:
  PluginsDir() {
    std::filesystem::create_directories(path());
    for (const std::string& f : {std::string(ALLOT_PLUGIN_DIR) + "/group_map.so",
                                 std::string(ALLOT_PLUGIN_DIR) + "/attribute_rules.so",
                                 std::string(ALLOT_BROKEN_PLUGIN_DIR) + "/broken_misbehaves.so"}) {
      std::filesystem::create_symlink(f, path() + "/" + std::filesystem::path(f).filename().string());
    }
    // The same broken plugin under a second name: a plugin host of its own.
    std::filesystem::create_symlink(std::string(ALLOT_BROKEN_PLUGIN_DIR) + "/broken_misbehaves.so",
                                    path() + "/broken_twin.so");
  }
  std::string path() const { return dir_.path() + "/plugins"; }
  std::string root() const { return dir_.path(); }

 private:
  TempDir dir_;
};

json GroupMap(const std::string& group, const std::string& sub) {
  return {{"rules", {{{"group", group}, {"subscription", sub}}}}};
}

json PolicyBody(const std::string& plugin, const json& config, int priority = 10) {
  return {{"plugin", plugin}, {"priority", priority}, {"config", config}};
}

json Broken(const std::string& emit, const std::string& sub) {
  return {{"emit", emit}, {"subscription", sub}, {"sleep_ms", 60000}};
}

class ServePlugins : public ::testing::Test {
 protected:
  // Starts allot with tenant "ta" (made by the harness) and adds "tb".
  void Start(int plugin_timeout_ms, const std::string& policies_dir = "") {
    const std::string config = plugins_.root() + "/config.json";
    std::ofstream(config) << json{{"plugin_timeout_ms", plugin_timeout_ms}}.dump();
    std::vector<std::string> args = {"--plugins", plugins_.path(), "--config", config};
    if (!policies_dir.empty()) args.insert(args.end(), {"--policies", policies_dir});
    std::string error;
    server_ = TestServer::Start({.tenant = "ta", .extra_args = args}, &error);
    ASSERT_NE(server_, nullptr) << error;
    a_ = {server_->admin_token(), server_->scim_token()};
    std::vector<std::string> init = {"init", "--data-dir", server_->data_dir(), "--tenant", "tb"};
    if (allot::testing::UsingPostgres()) init.insert(init.end(), {"--db", server_->db_url()});
    auto r = RunAllot(init);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.out;
    b_ = {j["admin_token"], j["scim_token"]};
  }

  std::string PutPolicy(HttpClient& c, const Tokens& t, const std::string& name, const json& body,
                        int expect = 201) {
    HttpResponse r = c.Put("/admin/v1/policies/" + name, t.admin, body.dump());
    EXPECT_EQ(r.status, expect) << r.body;
    return r.body;
  }
  std::string Group(HttpClient& c, const Tokens& t, const std::string& name,
                    const std::vector<std::string>& members) {
    json m = json::array();
    for (const std::string& id : members) m.push_back({{"value", id}});
    HttpResponse r = c.Post("/scim/v2/Groups", t.scim,
                            json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                                 {"displayName", name},
                                 {"members", m}}
                                .dump(),
                            kScimJson);
    EXPECT_EQ(r.status, 201) << r.body << server_->Log();
    const json j = Json(r);
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : "";
  }
  void AddMember(HttpClient& c, const Tokens& t, const std::string& gid, const std::string& user) {
    HttpResponse r = c.Patch(
        "/scim/v2/Groups/" + gid, t.scim,
        json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
             {"Operations", {{{"op", "add"}, {"path", "members"}, {"value", {{{"value", user}}}}}}}}
            .dump(),
        kScimJson);
    EXPECT_TRUE(r.status == 200 || r.status == 204) << r.status << " " << r.body;
  }
  // The user's state on `sub` once settled ("" for none).
  std::string State(HttpClient& c, const Tokens& t, const std::string& user, const std::string& sub) {
    EXPECT_TRUE(WaitForLicensing(c, t.admin)) << server_->Log();
    const json body = Json(c.Get("/admin/v1/users/" + user + "/licenses", t.admin));
    for (const json& l : body["items"]) {
      if (l["subscription_id"] == sub) return l["state"];
    }
    return "";
  }
  json PolicyStatus(HttpClient& c, const Tokens& t, const std::string& name) {
    const json list = Json(c.Get("/admin/v1/policies", t.admin));
    for (const json& p : list["items"]) {
      if (p["name"] == name) return p;
    }
    return json();
  }
  // Tenant "ta" works as if "tb" did not exist: users, a group, seats.
  void TenantAWorks(HttpClient& c, const std::string& tag) {
    const std::string u = CreateScimUser(c, a_.scim, "a-" + tag + "@example.org");
    const std::string g = Group(c, a_, "Readers " + tag, {u});
    ASSERT_FALSE(g.empty());
    EXPECT_EQ(State(c, a_, u, "a-lit"), "active") << server_->Log();
    ExpectInvariants(c, a_.admin, "a-lit");
  }

  PluginsDir plugins_;
  std::unique_ptr<TestServer> server_;
  Tokens a_, b_;
};

// Every way a plugin can break, in tenant tb's policy: tb's SCIM request
// still succeeds, the policy shows failed with what happened, tb keeps the
// seat the policy gave before, and tenant ta's requests and seats are fine.
class BrokenPlugin : public ServePlugins, public ::testing::WithParamInterface<const char*> {};

TEST_P(BrokenPlugin, FailsOnlyItsPolicyAndNeverTouchesTheOtherTenant) {
  Start(/*plugin_timeout_ms=*/1000);
  HttpClient c = server_->Client();
  CreateSubscription(c, a_.admin, "a-lit", 100);
  PutPolicy(c, a_, "readers", PolicyBody("group_map", {{"rules", json::array({
      {{"group", "Readers 1"}, {"subscription", "a-lit"}},
      {{"group", "Readers 2"}, {"subscription", "a-lit"}},
      {{"group", "Readers 3"}, {"subscription", "a-lit"}}})}}));
  TenantAWorks(c, "1");

  CreateSubscription(c, b_.admin, "b-lit", 10);
  PutPolicy(c, b_, "everyone", PolicyBody("broken_misbehaves", Broken("valid", "b-lit")));
  const std::string held = CreateScimUser(c, b_.scim, "held@example.org");
  ASSERT_EQ(State(c, b_, held, "b-lit"), "active");

  // The same policy now breaks on every evaluation.
  PutPolicy(c, b_, "everyone", PolicyBody("broken_misbehaves", Broken(GetParam(), "b-lit")), 200);
  HttpResponse r = c.Post("/scim/v2/Users", b_.scim,
                          json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                               {"userName", "new@example.org"}}
                              .dump(),
                          kScimJson);
  EXPECT_EQ(r.status, 201) << "the request that triggered the plugin succeeds: " << r.body;
  TenantAWorks(c, "2");

  ASSERT_TRUE(WaitForLicensing(c, b_.admin)) << server_->Log();
  const json st = PolicyStatus(c, b_, "everyone");
  EXPECT_EQ(st["status"], "failed") << st.dump();
  EXPECT_TRUE(st.contains("failed_at")) << st.dump();
  EXPECT_THAT(st.value("error", ""), HasSubstr("policy \"everyone\"")) << st.dump();
  EXPECT_EQ(State(c, b_, held, "b-lit"), "active") << "a failed policy keeps its grants";
  ExpectInvariants(c, b_.admin, "b-lit");
  TenantAWorks(c, "3");
  EXPECT_EQ(PolicyStatus(c, a_, "readers")["status"], "ok");
  EXPECT_EQ(c.Get("/healthz", "").status, 200);
}

INSTANTIATE_TEST_SUITE_P(Modes, BrokenPlugin,
                         ::testing::Values("segfault", "abort", "loop", "sleep", "garbage_frame",
                                           "unknown_subscription", "bad_utf8_reason", "error"),
                         [](const auto& test_info) { return std::string(test_info.param); });

// Tenant tb's plugin loops with a long deadline; tenant ta's requests and
// licensing complete meanwhile (a wide margin: a minute-long deadline, a few
// requests), and SIGTERM stops the server while the loop still runs.
TEST_F(ServePlugins, LoopingPluginOfOneTenantStallsNoOtherAndSigtermStillStops) {
  Start(/*plugin_timeout_ms=*/120000);
  HttpClient c = server_->Client();
  CreateSubscription(c, a_.admin, "a-lit", 100);
  PutPolicy(c, a_, "readers", PolicyBody("group_map", {{"rules", json::array({
      {{"group", "Readers 1"}, {"subscription", "a-lit"}},
      {{"group", "Readers 2"}, {"subscription", "a-lit"}}})}}));
  CreateSubscription(c, b_.admin, "b-lit", 10);
  PutPolicy(c, b_, "spin", PolicyBody("broken_misbehaves", Broken("loop", "b-lit")));
  // tb's SCIM request answers at once; its evaluation is stuck in the loop.
  CreateScimUser(c, b_.scim, "spun@example.org");
  HttpResponse pending = c.Get("/admin/v1/reconcile", b_.admin);
  ASSERT_EQ(pending.status, 200);
  EXPECT_FALSE(Json(pending)["settled"].get<bool>()) << pending.body;

  TenantAWorks(c, "1");
  TenantAWorks(c, "2");
  EXPECT_FALSE(Json(c.Get("/admin/v1/reconcile", b_.admin))["settled"].get<bool>())
      << "tb's plugin should still be looping";

  EXPECT_EQ(server_->Stop(SIGTERM, std::chrono::seconds(20)), 0)
      << "SIGTERM stops the server while a plugin loops\n" << server_->Log();
}

TEST_F(ServePlugins, PolicyCrudValidatesAuditsAndReevaluates) {
  Start(2000);
  HttpClient c = server_->Client();
  CreateSubscription(c, a_.admin, "lit", 10);
  const std::string u = CreateScimUser(c, a_.scim, "t@example.org");
  Group(c, a_, "Teachers", {u});
  EXPECT_EQ(State(c, a_, u, "lit"), "");

  // Refused by the plugin: 400 in its own words, nothing stored.
  HttpResponse bad = c.Put("/admin/v1/policies/teachers", a_.admin,
                           PolicyBody("group_map", {{"rules", json::array()}}).dump());
  ASSERT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(Json(bad)["error"]["message"].get<std::string>(),
              HasSubstr("\"rules\" must be a non-empty array"));
  EXPECT_EQ(c.Get("/admin/v1/policies/teachers", a_.admin).status, 404);
  // Refused by the host before the plugin.
  EXPECT_EQ(c.Put("/admin/v1/policies/x", a_.admin, PolicyBody("nope", json::object()).dump()).status,
            400);
  EXPECT_EQ(c.Put("/admin/v1/policies/bad%20name", a_.admin,
                  PolicyBody("group_map", GroupMap("T", "lit")).dump())
                .status,
            400);
  EXPECT_EQ(c.Put("/admin/v1/policies/x", a_.admin, R"({"plugin":"group_map","priority":1})").status,
            400);
  EXPECT_EQ(c.Put("/admin/v1/policies/x", a_.admin,
                  R"({"plugin":"group_map","priority":1,"config":{},"colour":1})")
                .status,
            400);

  // Created, then replaced: the users are re-evaluated in the background.
  const json created = json::parse(PutPolicy(c, a_, "teachers", PolicyBody("group_map", GroupMap("Teachers", "lit"))));
  EXPECT_EQ(created["source"], "api");
  EXPECT_EQ(created["version"], 1);
  EXPECT_EQ(created["config"], GroupMap("Teachers", "lit"));
  EXPECT_EQ(State(c, a_, u, "lit"), "active");
  const json replaced = json::parse(
      PutPolicy(c, a_, "teachers", PolicyBody("group_map", GroupMap("Nobody", "lit"), 5), 200));
  EXPECT_EQ(replaced["version"], 2);
  EXPECT_EQ(replaced["priority"], 5);
  EXPECT_EQ(State(c, a_, u, "lit"), "");
  PutPolicy(c, a_, "teachers", PolicyBody("group_map", GroupMap("Teachers", "lit")), 200);
  EXPECT_EQ(State(c, a_, u, "lit"), "active");
  // Disabled: kept, not applied.
  json off = PolicyBody("group_map", GroupMap("Teachers", "lit"));
  off["enabled"] = false;
  PutPolicy(c, a_, "teachers", off, 200);
  EXPECT_EQ(State(c, a_, u, "lit"), "");
  EXPECT_EQ(PolicyStatus(c, a_, "teachers")["enabled"], false);
  PutPolicy(c, a_, "teachers", PolicyBody("group_map", GroupMap("Teachers", "lit")), 200);
  EXPECT_EQ(State(c, a_, u, "lit"), "active");

  const json one = Json(c.Get("/admin/v1/policies/teachers", a_.admin));
  EXPECT_EQ(one["status"], "ok") << one.dump();
  EXPECT_EQ(one["plugin"], "group_map");
  EXPECT_TRUE(one.contains("loaded_at"));

  // Another tenant sees none of it.
  EXPECT_EQ(Json(c.Get("/admin/v1/policies", b_.admin))["items"].size(), 0u);
  EXPECT_EQ(c.Get("/admin/v1/policies/teachers", b_.admin).status, 404);

  ASSERT_EQ(c.Delete("/admin/v1/policies/teachers", a_.admin).status, 204);
  EXPECT_EQ(c.Get("/admin/v1/policies/teachers", a_.admin).status, 404);
  EXPECT_EQ(c.Delete("/admin/v1/policies/teachers", a_.admin).status, 404);
  EXPECT_EQ(State(c, a_, u, "lit"), "") << "a deleted policy's grants go";

  // Audited, with the administrator as actor.
  const json me = Json(c.Get("/admin/v1/whoami", a_.admin))["principal"]["id"];
  int created_n = 0, updated_n = 0, deleted_n = 0;
  const json audit = Json(c.Get("/admin/v1/audit?limit=1000", a_.admin));
  for (const json& e : audit["items"]) {
    if (e["target"]["kind"] != "policy") continue;
    EXPECT_EQ(e["actor"]["id"], me) << e.dump();
    created_n += e["action"] == "policy.created";
    updated_n += e["action"] == "policy.updated";
    deleted_n += e["action"] == "policy.deleted";
  }
  EXPECT_EQ(created_n, 1);
  EXPECT_EQ(updated_n, 4);
  EXPECT_EQ(deleted_n, 1);
}

TEST_F(ServePlugins, OnlyTheGlobalAdminManagesPoliciesAndEveryRoleSeesPlugins) {
  Start(2000);
  HttpClient c = server_->Client();
  HttpResponse made = c.Post("/admin/v1/admins", a_.admin, R"({"name":"help","role":"user_admin"})");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string user_admin = Json(made)["token"];
  EXPECT_EQ(c.Get("/admin/v1/policies", user_admin).status, 403);
  EXPECT_EQ(c.Put("/admin/v1/policies/p", user_admin,
                  PolicyBody("group_map", GroupMap("T", "lit")).dump())
                .status,
            403);
  HttpResponse plugins = c.Get("/admin/v1/plugins", user_admin);
  ASSERT_EQ(plugins.status, 200) << plugins.body;
  std::map<std::string, json> by_name;
  const json listed = Json(plugins);  // named: a temporary would die before the loop
  for (const json& p : listed["items"]) by_name[p["name"].get<std::string>()] = p;
  ASSERT_TRUE(by_name.contains("group_map")) << plugins.body;
  EXPECT_EQ(by_name["group_map"]["abi_version"], 1);
  EXPECT_EQ(by_name["broken_misbehaves"]["abi_version"], 1);
}

// A tenant whose plugins are slow cannot take the HTTP workers: at most two
// of its requests wait for its plugins at once (here both inside on_create,
// in two plugin hosts), the next one gets 429, and the other tenant is
// served meanwhile.
TEST_F(ServePlugins, RequestsWaitingForOneTenantsPluginsAreLimited) {
  Start(/*plugin_timeout_ms=*/60000);
  TempDir marks;
  const std::string entered = marks.path() + "/entered", release = marks.path() + "/release";
  const json slow = {{"create", "wait"}, {"entered", entered}, {"release", release}};
  std::atomic<int> created{0};
  std::vector<std::thread> waiting;
  for (const std::string plugin : {"broken_misbehaves", "broken_twin"}) {
    waiting.emplace_back([&, plugin] {
      HttpClient tc = server_->Client();
      HttpResponse r = tc.Put("/admin/v1/policies/" + plugin, b_.admin, PolicyBody(plugin, slow).dump());
      if (r.status == 201) ++created;
    });
  }
  auto inside = [&] {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(marks.path())) {
      n += e.path().filename().string().rfind("entered", 0) == 0 ? 1 : 0;
    }
    return n;
  };
  for (int i = 0; i < 3000 && inside() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(inside(), 2) << server_->Log();
  HttpClient c = server_->Client();
  HttpResponse third = c.Put("/admin/v1/policies/third", b_.admin,
                             PolicyBody("group_map", GroupMap("T", "b-lit")).dump());
  EXPECT_EQ(third.status, 429) << third.body;
  // Tenant ta meanwhile.
  CreateSubscription(c, a_.admin, "a-lit", 10);
  PutPolicy(c, a_, "readers", PolicyBody("group_map", GroupMap("Readers 1", "a-lit")));
  TenantAWorks(c, "1");
  std::ofstream(release) << "go";
  for (auto& t : waiting) t.join();
  EXPECT_EQ(created, 2);
}

// A file policy whose on_create crashes: the server starts, the policy is
// failed, the others work; file policies are read-only through the API.
TEST_F(ServePlugins, CrashInOnCreateFailsThePolicyAndTheServerStillStarts) {
  TempDir policies;
  std::ofstream(policies.path() + "/dies.json")
      << json{{"name", "dies"}, {"plugin", "broken_misbehaves"}, {"priority", 1},
              {"config", {{"create", "segfault"}}}}
             .dump();
  std::ofstream(policies.path() + "/teachers.json")
      << json{{"name", "teachers"}, {"plugin", "group_map"}, {"priority", 1},
              {"config", GroupMap("Teachers", "lit")}}
             .dump();
  Start(2000, policies.path());
  HttpClient c = server_->Client();
  CreateSubscription(c, a_.admin, "lit", 10);
  const std::string u = CreateScimUser(c, a_.scim, "t@example.org");
  Group(c, a_, "Teachers", {u});
  EXPECT_EQ(State(c, a_, u, "lit"), "active");
  const json dies = PolicyStatus(c, a_, "dies");
  EXPECT_EQ(dies["status"], "failed") << dies.dump();
  EXPECT_EQ(dies["source"], "file");
  EXPECT_THAT(dies.value("error", ""), HasSubstr("on_create")) << dies.dump();
  EXPECT_EQ(PolicyStatus(c, a_, "teachers")["status"], "ok");
  // Read-only in the API.
  EXPECT_EQ(c.Put("/admin/v1/policies/teachers", a_.admin,
                  PolicyBody("group_map", GroupMap("X", "lit")).dump())
                .status,
            409);
  EXPECT_EQ(c.Delete("/admin/v1/policies/dies", a_.admin).status, 409);
  // And through the API, on_create crashing is a 400, nothing stored.
  HttpResponse r = c.Put("/admin/v1/policies/crash", a_.admin,
                         PolicyBody("broken_misbehaves", {{"create", "segfault"}}).dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(c.Get("/admin/v1/policies/crash", a_.admin).status, 404);
}

// GET /policies says failed after a failed evaluation until one succeeds; a
// reload does not clear it.
TEST_F(ServePlugins, StatusStaysFailedUntilAnEvaluationSucceeds) {
  TempDir policies;
  Start(2000, policies.path());
  HttpClient c = server_->Client();
  CreateSubscription(c, a_.admin, "lit", 10);
  const std::string u = CreateScimUser(c, a_.scim, "t@example.org");
  Group(c, a_, "Teachers", {u});
  PutPolicy(c, a_, "teachers", PolicyBody("group_map", GroupMap("Teachers", "gone-2025")));
  ASSERT_TRUE(WaitForLicensing(c, a_.admin));
  json st = PolicyStatus(c, a_, "teachers");
  EXPECT_EQ(st["status"], "failed") << st.dump();
  EXPECT_THAT(st.value("error", ""), HasSubstr("unknown subscription \"gone-2025\""));
  HttpResponse reload = c.Post("/admin/v1/policies/reload", a_.admin, "{}");
  ASSERT_EQ(reload.status, 200) << reload.body;
  EXPECT_EQ(Json(reload)["reconcile"]["policy_failures"], 1) << reload.body;
  EXPECT_EQ(PolicyStatus(c, a_, "teachers")["status"], "failed") << "a reload does not clear it";
  HttpResponse reconcile = c.Post("/admin/v1/reconcile", a_.admin, "{}");
  ASSERT_EQ(reconcile.status, 200);
  EXPECT_EQ(PolicyStatus(c, a_, "teachers")["status"], "failed");
  PutPolicy(c, a_, "teachers", PolicyBody("group_map", GroupMap("Teachers", "lit")), 200);
  EXPECT_EQ(State(c, a_, u, "lit"), "active");
  st = PolicyStatus(c, a_, "teachers");
  EXPECT_EQ(st["status"], "ok") << st.dump();
  EXPECT_FALSE(st.contains("error"));
}

// POST /policies/reload and /reconcile act on the caller's tenant only: the
// new file reaches ta, not tb (until SIGHUP), counts are ta's, and tb's
// audit log has nothing of ta's administrator.
TEST_F(ServePlugins, ReloadAndReconcileActOnTheCallersTenantOnly) {
  TempDir policies;
  Start(2000, policies.path());
  HttpClient c = server_->Client();
  CreateSubscription(c, a_.admin, "lit", 10);
  CreateSubscription(c, b_.admin, "lit", 10);
  const std::string ua = CreateScimUser(c, a_.scim, "a@example.org");
  const std::string ub = CreateScimUser(c, b_.scim, "b@example.org");
  CreateScimUser(c, b_.scim, "b2@example.org");
  Group(c, a_, "Teachers", {ua});
  Group(c, b_, "Teachers", {ub});
  // Those changes are evaluated (with no policy) before the file appears.
  ASSERT_TRUE(WaitForLicensing(c, a_.admin));
  ASSERT_TRUE(WaitForLicensing(c, b_.admin));
  std::ofstream(policies.path() + "/teachers.json")
      << json{{"name", "teachers"}, {"plugin", "group_map"}, {"priority", 1},
              {"config", GroupMap("Teachers", "lit")}}
             .dump();
  HttpResponse reload = c.Post("/admin/v1/policies/reload", a_.admin, "{}");
  ASSERT_EQ(reload.status, 200) << reload.body;
  EXPECT_EQ(Json(reload)["reconcile"]["users"], 1) << reload.body;
  EXPECT_EQ(Json(reload)["reconcile"]["activated"], 1) << reload.body;
  EXPECT_EQ(State(c, a_, ua, "lit"), "active");
  EXPECT_EQ(State(c, b_, ub, "lit"), "") << "tb's policies were not reloaded";
  EXPECT_EQ(Json(c.Get("/admin/v1/policies", b_.admin))["items"].size(), 0u);
  HttpResponse counts = c.Post("/admin/v1/reconcile", b_.admin, "{}");
  ASSERT_EQ(counts.status, 200);
  EXPECT_EQ(Json(counts)["users"], 2) << counts.body;
  const std::string a_admin = Json(c.Get("/admin/v1/whoami", a_.admin))["principal"]["id"];
  const json b_audit = Json(c.Get("/admin/v1/audit?limit=1000", b_.admin));
  for (const json& e : b_audit["items"]) EXPECT_NE(e["actor"]["id"], a_admin) << e.dump();

  // SIGHUP reloads the files for every tenant.
  ASSERT_EQ(::kill(server_->pid(), SIGHUP), 0);
  std::string state;
  for (int i = 0; i < 600 && state != "active"; ++i) {
    state = State(c, b_, ub, "lit");
    if (state != "active") std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(state, "active") << server_->Log();
}

// Two instances on one database: a policy changed through one is applied by
// the other, for changes made through it.
TEST_F(ServePlugins, TwoInstancesApplyEachOthersPolicyChanges) {
  Start(2000);
  std::string error;
  auto second = TestServer::Start(
      {.tenant = "ta",
       .extra_args = {"--plugins", plugins_.path()},
       .data_dir = server_->data_dir()},
      &error);
  ASSERT_NE(second, nullptr) << error;
  HttpClient one = server_->Client(), two = second->Client();
  CreateSubscription(one, a_.admin, "lit", 10);
  // Warm the second instance's view of the tenant's policies first.
  ASSERT_EQ(two.Get("/admin/v1/policies", a_.admin).status, 200);
  PutPolicy(one, a_, "teachers", PolicyBody("group_map", GroupMap("Teachers", "lit")));
  EXPECT_EQ(Json(two.Get("/admin/v1/policies/teachers", a_.admin))["version"], 1);
  const std::string u = CreateScimUser(two, a_.scim, "t@example.org");
  Group(two, a_, "Teachers", {u});
  EXPECT_EQ(State(two, a_, u, "lit"), "active");
  // And back: deleted through the second, the first stops granting.
  ASSERT_EQ(two.Delete("/admin/v1/policies/teachers", a_.admin).status, 204);
  const std::string v = CreateScimUser(one, a_.scim, "v@example.org");
  Group(one, a_, "Teachers", {v});
  EXPECT_EQ(State(one, a_, v, "lit"), "");
  EXPECT_EQ(State(one, a_, u, "lit"), "") << "the deletion's re-evaluation ran on one instance";
}

// A burst of SCIM and admin changes in tenant tb, whose policies include one
// that crashes and one that loops past its deadline: every request gets an
// expected answer and the seat invariants hold once it settles; the same
// after a SIGKILL mid-burst and a restart (the marked users are evaluated
// by the restarted server).
class Burst : public ServePlugins {
 protected:
  void SetUpTenant() {
    Start(/*plugin_timeout_ms=*/1000);
    HttpClient c = server_->Client();
    CreateSubscription(c, b_.admin, "few", 3);
    PutPolicy(c, b_, "members", PolicyBody("group_map", GroupMap("Members", "few")));
    PutPolicy(c, b_, "crashy", PolicyBody("broken_misbehaves", Broken("segfault", "few")));
    PutPolicy(c, b_, "loopy", PolicyBody("broken_misbehaves", Broken("loop", "few")));
    for (int i = 0; i < 8; ++i) users_.push_back(CreateScimUser(c, b_.scim, "u" + std::to_string(i) + "@example.org"));
    gid_ = Group(c, b_, "Members", {users_[0]});
  }
  // Runs until `stop` or `ops` operations; counts answers outside 2xx, 404,
  // 409, 503 (or none, when the server was killed).
  void Run(unsigned seed, int ops, std::atomic<bool>& stop, std::atomic<int>& unexpected,
           std::atomic<int>& done) {
    HttpClient c = server_->Client();
    std::mt19937 rng(seed);
    for (int i = 0; i < ops && !stop; ++i) {
      const std::string& u = users_[rng() % users_.size()];
      HttpResponse r;
      switch (rng() % 5) {
        case 0:
          r = c.Patch("/scim/v2/Groups/" + gid_, b_.scim,
                      json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                           {"Operations", {{{"op", "add"}, {"path", "members"}, {"value", {{{"value", u}}}}}}}}
                          .dump(),
                      kScimJson);
          break;
        case 1:
          r = c.Patch("/scim/v2/Groups/" + gid_, b_.scim,
                      json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                           {"Operations", {{{"op", "remove"}, {"path", "members[value eq \"" + u + "\"]"}}}}}
                          .dump(),
                      kScimJson);
          break;
        case 2:
          r = c.Patch("/scim/v2/Users/" + u, b_.scim,
                      json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
                           {"Operations", {{{"op", "replace"}, {"path", "active"}, {"value", rng() % 2 == 0}}}}}
                          .dump(),
                      kScimJson);
          break;
        case 3:
          r = c.Put("/admin/v1/users/" + u + "/licenses/few?queue=true", b_.admin, "{}");
          break;
        default:
          r = c.Delete("/admin/v1/users/" + u + "/licenses/few", b_.admin);
          break;
      }
      const bool ok = r.status == 0 || (r.status >= 200 && r.status < 300) || r.status == 404 ||
                      r.status == 409 || r.status == 503;
      if (!ok) ++unexpected;
      if (r.status >= 200 && r.status < 300) ++done;
    }
  }
  std::vector<std::string> users_;
  std::string gid_;
};

TEST_F(Burst, InvariantsHoldWithBrokenPlugins) {
  SetUpTenant();
  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] { Run(100u + t, 40, stop, unexpected, done); });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(unexpected, 0) << server_->Log();
  EXPECT_GT(done, 0);
  HttpClient c = server_->Client();
  ASSERT_TRUE(WaitForLicensing(c, b_.admin)) << server_->Log();
  ExpectInvariants(c, b_.admin, "few");
  EXPECT_EQ(PolicyStatus(c, b_, "crashy")["status"], "failed");
  EXPECT_EQ(PolicyStatus(c, b_, "members")["status"], "ok");
}

TEST_F(Burst, KilledMidBurstRestartsAndSettlesWithInvariantsIntact) {
  SetUpTenant();
  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] { Run(200u + t, 100000, stop, unexpected, done); });
  }
  for (int i = 0; i < 400 && done < 30; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  server_->Stop(SIGKILL);
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(unexpected, 0);
  std::string error;
  auto restarted = TestServer::Start(
      {.tenant = "ta", .extra_args = {"--plugins", plugins_.path()}, .data_dir = server_->data_dir()},
      &error);
  ASSERT_NE(restarted, nullptr) << error;
  HttpClient c = restarted->Client();
  ASSERT_TRUE(WaitForLicensing(c, b_.admin)) << restarted->Log();
  ExpectInvariants(c, b_.admin, "few");
  EXPECT_EQ(Json(c.Get("/admin/v1/reconcile", b_.admin))["pending_users"], 0);
}

}  // namespace
}  // namespace allot::licensing::serve_testing
