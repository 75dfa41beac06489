// Admin flows through the real `allot serve` binary (real SQLite file, real
// group_map plugin): overrides that must survive an IdP re-sync and a policy
// reload, reassign racing SCIM removals, and an audit event for every kind of
// change with its actor and target and without any token value.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

namespace allot::admin {
namespace {

using allot::testing::HttpClient;
using allot::testing::HttpResponse;
using allot::testing::TempDir;
using allot::testing::TestServer;
using nlohmann::json;
using allot::testing::helpers::Json;
using allot::testing::helpers::kScimJson;
using allot::testing::helpers::kUserSchema;
using allot::testing::helpers::kGroupSchema;
using allot::testing::helpers::kPatchOp;

json Members(const std::vector<std::string>& ids) {
  json m = json::array();
  for (const std::string& id : ids) m.push_back({{"value", id}});
  return m;
}

void WriteTeachersPolicy(const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/teachers.json")
      << json{{"name", "teachers"},
              {"plugin", "group_map"},
              {"priority", 10},
              {"config", {{"rules", {{{"group", "Teachers"}, {"subscription", "lit"}}}}}}}
             .dump();
}

// Runs `allot serve` with the policy "teachers" (group Teachers → sub "lit")
// unless `with_policy` is false (the policies folder then stays empty).
class AdminFlows : public ::testing::Test {
 protected:
  void StartServer(bool with_policy) {
    policies_ = dir_.path() + "/policies";
    std::filesystem::create_directories(policies_);
    if (with_policy) WriteTeachersPolicy(policies_);
    std::string error;
    allot::testing::ServerOptions options;
    options.extra_args = {"--policies", policies_, "--plugins", ALLOT_PLUGIN_DIR};
    server_ = TestServer::Start(options, &error);
    ASSERT_NE(server_, nullptr) << error;
  }
  void SetUp() override { StartServer(true); }

  const std::string& admin() const { return server_->admin_token(); }
  const std::string& scim() const { return server_->scim_token(); }

  void CreateSubscription(HttpClient& c, const std::string& sub, int seats) {
    HttpResponse p = c.Post("/admin/v1/products", admin(),
                            json{{"id", "p-" + sub}, {"name", "Product " + sub}}.dump());
    ASSERT_EQ(p.status, 201) << p.body;
    HttpResponse s = c.Post("/admin/v1/subscriptions", admin(),
                            json{{"id", sub}, {"product_id", "p-" + sub}, {"seats", seats}}.dump());
    ASSERT_EQ(s.status, 201) << s.body;
  }
  std::string CreateUser(HttpClient& c, const std::string& user_name) {
    HttpResponse r = c.Post("/scim/v2/Users", scim(),
                            json{{"schemas", {kUserSchema}}, {"userName", user_name}}.dump(),
                            kScimJson);
    EXPECT_EQ(r.status, 201) << r.body;
    const json j = Json(r);
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : "";
  }
  std::string CreateGroup(HttpClient& c, const std::string& name,
                          const std::vector<std::string>& members) {
    HttpResponse r = c.Post(
        "/scim/v2/Groups", scim(),
        json{{"schemas", {kGroupSchema}}, {"displayName", name}, {"members", Members(members)}}
            .dump(),
        kScimJson);
    EXPECT_EQ(r.status, 201) << r.body;
    const json j = Json(r);
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : "";
  }
  // The IdP's re-sync of a group: PATCH replacing all members, then a PUT.
  void ResyncGroup(HttpClient& c, const std::string& gid, const std::string& name,
                   const std::vector<std::string>& members) {
    HttpResponse p = c.Patch(
        "/scim/v2/Groups/" + gid, scim(),
        json{{"schemas", {kPatchOp}},
             {"Operations", {{{"op", "replace"}, {"path", "members"}, {"value", Members(members)}}}}}
            .dump(),
        kScimJson);
    ASSERT_TRUE(p.status == 200 || p.status == 204) << p.status << " " << p.body;
    HttpResponse u = c.Put(
        "/scim/v2/Groups/" + gid, scim(),
        json{{"schemas", {kGroupSchema}}, {"displayName", name}, {"members", Members(members)}}
            .dump(),
        kScimJson);
    ASSERT_EQ(u.status, 200) << u.body;
  }
  void PatchDisplayName(HttpClient& c, const std::string& user, const std::string& name) {
    HttpResponse p = c.Patch(
        "/scim/v2/Users/" + user, scim(),
        json{{"schemas", {kPatchOp}},
             {"Operations", {{{"op", "replace"}, {"path", "displayName"}, {"value", name}}}}}
            .dump(),
        kScimJson);
    ASSERT_TRUE(p.status == 200 || p.status == 204) << p.status << " " << p.body;
  }
  // The user's state on `sub` ("active", "pending"), or "" when it has none,
  // once the licensing outcome of every change so far is applied.
  std::string State(HttpClient& c, const std::string& user, const std::string& sub = "lit") {
    EXPECT_TRUE(allot::testing::WaitForLicensing(c, admin())) << server_->Log();
    HttpResponse r = c.Get("/admin/v1/users/" + user + "/licenses", admin());
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = Json(r);
    if (!body.is_object()) return "<bad body>";
    for (const json& l : body["items"]) {
      if (l["subscription_id"] == sub) return l["state"].get<std::string>();
    }
    return "";
  }
  void Reload(HttpClient& c) {
    HttpResponse r = c.Post("/admin/v1/policies/reload", admin(), "{}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Every audit event, newest first, read page by page (small pages so the
  // cursor is really followed). `raw` collects the page bodies as sent.
  json AllAudit(HttpClient& c, std::string* raw = nullptr) {
    json all = json::array();
    std::string path = "/admin/v1/audit?limit=7";
    for (int pages = 0; pages < 1000; ++pages) {
      HttpResponse r = c.Get(path, admin());
      EXPECT_EQ(r.status, 200) << r.body;
      if (raw) *raw += r.body;
      const json page = Json(r);
      if (!page.is_object()) break;
      for (const json& e : page["items"]) all.push_back(e);
      if (!page["next_cursor"].is_string()) break;
      path = "/admin/v1/audit?limit=7&cursor=" + page["next_cursor"].get<std::string>();
    }
    return all;
  }

  TempDir dir_;
  std::string policies_;
  std::unique_ptr<TestServer> server_;
};

// --- 1. Overrides survive the IdP re-syncing the group and the user. ---

class DenyOverride : public AdminFlows {
 protected:
  // Teacher t in group Teachers → active; then an admin unassigns (deny).
  void SetUp() override {
    AdminFlows::SetUp();
    if (HasFatalFailure()) return;
    HttpClient c = server_->Client();
    CreateSubscription(c, "lit", 3);
    user_ = CreateUser(c, "t@example.org");
    gid_ = CreateGroup(c, "Teachers", {user_});
    ASSERT_EQ(State(c, user_), "active");
    HttpResponse d = c.Delete("/admin/v1/users/" + user_ + "/licenses/lit", admin());
    ASSERT_EQ(d.status, 200) << d.body;
    ASSERT_EQ(Json(d)["released"], true) << d.body;
    ASSERT_EQ(Json(d)["override"]["kind"], "deny") << "the policy still wants it: " << d.body;
    ASSERT_EQ(State(c, user_), "");
  }
  std::string user_, gid_;
};

TEST_F(DenyOverride, SurvivesGroupResyncWithTheSameMember) {
  HttpClient c = server_->Client();
  ResyncGroup(c, gid_, "Teachers", {user_});
  EXPECT_EQ(State(c, user_), "");
}

TEST_F(DenyOverride, SurvivesUserPatch) {
  HttpClient c = server_->Client();
  PatchDisplayName(c, user_, "Tea Cher");
  EXPECT_EQ(State(c, user_), "");
}

TEST_F(DenyOverride, SurvivesPolicyReload) {
  HttpClient c = server_->Client();
  ResyncGroup(c, gid_, "Teachers", {user_});
  Reload(c);
  EXPECT_EQ(State(c, user_), "");  // (settled)
  EXPECT_EQ(Json(c.Get("/admin/v1/subscriptions/lit", admin()))["assigned"], 0);
}

TEST_F(DenyOverride, ClearingItAfterResyncGivesThePolicySeatBack) {
  HttpClient c = server_->Client();
  ResyncGroup(c, gid_, "Teachers", {user_});
  PatchDisplayName(c, user_, "Tea Cher");
  Reload(c);
  HttpResponse r = c.Delete("/admin/v1/users/" + user_ + "/overrides/lit", admin());
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(State(c, user_), "active");
  const json lic = Json(c.Get("/admin/v1/users/" + user_ + "/licenses", admin()))["items"][0];
  EXPECT_EQ(lic["source"], "policy:teachers") << lic.dump();
}

TEST_F(AdminFlows, GrantOverrideSurvivesUserPatchAndGroupResyncWithoutTheUser) {
  HttpClient c = server_->Client();
  CreateSubscription(c, "lit", 3);
  const std::string teacher = CreateUser(c, "t@example.org");
  const std::string outsider = CreateUser(c, "o@example.org");
  const std::string gid = CreateGroup(c, "Teachers", {teacher});
  HttpResponse a = c.Put("/admin/v1/users/" + outsider + "/licenses/lit", admin(), "{}");
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(State(c, outsider), "active");

  PatchDisplayName(c, outsider, "Out Sider");
  ResyncGroup(c, gid, "Teachers", {teacher});
  Reload(c);

  EXPECT_EQ(State(c, outsider), "active");
  EXPECT_EQ(State(c, teacher), "active");
  EXPECT_EQ(Json(c.Get("/admin/v1/subscriptions/lit", admin()))["assigned"], 2);
}

// --- 2. Reassign racing SCIM removals. ---

TEST_F(AdminFlows, ReassignRacingScimDeletesAndGroupPatchesKeepsSeatsExact) {
  HttpClient c = server_->Client();
  constexpr int kSeats = 3, kUsers = 9;
  CreateSubscription(c, "lit", kSeats);
  std::vector<std::string> users;
  for (int i = 0; i < kUsers; ++i) {
    users.push_back(CreateUser(c, "racer" + std::to_string(i) + "@example.org"));
  }
  // A group the policy ignores: patching it still runs the licensing listener.
  const std::string gid = CreateGroup(c, "Staff", users);
  for (int i = 0; i < kSeats; ++i) {
    HttpResponse r = c.Put("/admin/v1/users/" + users[i] + "/licenses/lit", admin(), "{}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Deleted: two holders and two others.
  const std::vector<std::string> doomed = {users[0], users[1], users[4], users[5]};

  std::mutex mu;
  std::map<int, int> reassign_statuses;
  std::vector<std::string> bad_answers;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      HttpClient tc = server_->Client();
      for (int k = 0; k < 25; ++k) {
        const std::string& from = users[(t + k) % kUsers];
        const std::string& to = users[(t * 3 + k * 2 + 1) % kUsers];
        if (from == to) continue;
        HttpResponse r = tc.Post("/admin/v1/subscriptions/lit/reassign", admin(),
                                 json{{"from_user", from}, {"to_user", to}}.dump());
        std::lock_guard lock(mu);
        ++reassign_statuses[r.status];
        if (r.status != 200 && r.status != 404 && r.status != 409 && r.status != 503) {
          bad_answers.push_back(std::to_string(r.status) + " " + r.body);
        }
      }
    });
  }
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      HttpClient tc = server_->Client();
      for (size_t i = static_cast<size_t>(t); i < doomed.size(); i += 2) {
        for (int attempt = 0; attempt < 50; ++attempt) {
          HttpResponse r = tc.Delete("/scim/v2/Users/" + doomed[i], scim());
          if (r.status == 503) continue;
          std::lock_guard lock(mu);
          if (r.status != 204) bad_answers.push_back("DELETE " + std::to_string(r.status) + " " + r.body);
          break;
        }
      }
    });
  }
  threads.emplace_back([&] {
    HttpClient tc = server_->Client();
    for (int k = 0; k < 6; ++k) {
      // Only users that are never deleted: a member id of a deleted user is
      // rightly a 400 invalidValue, which is not the race under test.
      std::vector<std::string> members = {users[2], users[3]};
      for (int i = 6 + k % 3; i < kUsers; ++i) members.push_back(users[i]);
      HttpResponse r = tc.Patch(
          "/scim/v2/Groups/" + gid, scim(),
          json{{"schemas", {kPatchOp}},
               {"Operations", {{{"op", "replace"}, {"path", "members"}, {"value", Members(members)}}}}}
              .dump(),
          kScimJson);
      std::lock_guard lock(mu);
      if (r.status != 200 && r.status != 204 && r.status != 503) {
        bad_answers.push_back("PATCH group " + std::to_string(r.status) + " " + r.body);
      }
    }
  });
  for (std::thread& th : threads) th.join();

  std::string bad;
  for (const std::string& b : bad_answers) bad += b + "\n";
  EXPECT_EQ(bad, "") << "answers other than 200, 404, 409 or 503";
  EXPECT_GT(reassign_statuses[200], 0) << "no reassign succeeded: the race did not happen";

  ASSERT_TRUE(allot::testing::WaitForLicensing(c, admin()));
  const json sub = Json(c.Get("/admin/v1/subscriptions/lit", admin()));
  ASSERT_TRUE(sub.is_object());
  HttpResponse list = c.Get("/admin/v1/subscriptions/lit/assignments?limit=1000", admin());
  ASSERT_EQ(list.status, 200) << list.body;
  const json items = Json(list)["items"];
  int active = 0;
  std::set<std::string> holders;
  for (const json& a : items) {
    if (a["state"] == "active") {
      ++active;
      holders.insert(a["user_id"].get<std::string>());
    }
  }
  EXPECT_EQ(sub["seats"], kSeats);
  EXPECT_EQ(sub["assigned"], active);
  EXPECT_LE(active, kSeats);
  EXPECT_EQ(sub["available"], kSeats - active);
  for (const std::string& d : doomed) {
    EXPECT_EQ(holders.count(d), 0u) << "deleted user " << d << " still holds a seat";
    EXPECT_EQ(c.Get("/scim/v2/Users/" + d, scim()).status, 404);
  }
}

// --- 3. The audit log. ---

// Finds the first event (newest first) with `action` and target id.
const json* FindEvent(const json& events, const std::string& action, const std::string& target_id) {
  for (const json& e : events) {
    if (e["action"] == action && e["target"]["id"] == target_id) return &e;
  }
  return nullptr;
}

class AuditFlows : public AdminFlows {
 protected:
  // Runs one change of every kind and remembers the ids and tokens involved.
  void RunEveryKindOfChange() {
    HttpClient c = server_->Client();
    const json who = Json(c.Get("/admin/v1/whoami", admin()));
    admin_id_ = who["principal"]["id"].get<std::string>();
    const json scim_tokens = Json(c.Get("/admin/v1/scim-tokens", admin()));
    ASSERT_EQ(scim_tokens["items"].size(), 1u) << scim_tokens.dump();
    scim_client_id_ = scim_tokens["items"][0]["client_id"].get<std::string>();

    CreateSubscription(c, "lit", 2);
    CreateSubscription(c, "lit2", 2);
    ASSERT_EQ(c.Patch("/admin/v1/subscriptions/lit", admin(), R"({"seats":5})").status, 200);
    a_ = CreateUser(c, "a@example.org");
    b_ = CreateUser(c, "b@example.org");
    c_ = CreateUser(c, "c@example.org");
    d_ = CreateUser(c, "d@example.org");
    e_ = CreateUser(c, "e@example.org");
    // grant, deny (asked for: no policy wants it), clear on a.
    ASSERT_EQ(c.Put("/admin/v1/users/" + a_ + "/licenses/lit", admin(), "{}").status, 200);
    ASSERT_EQ(c.Delete("/admin/v1/users/" + a_ + "/licenses/lit?deny=true", admin()).status, 200);
    ASSERT_EQ(c.Delete("/admin/v1/users/" + a_ + "/overrides/lit", admin()).status, 204);
    // b's seat reassigned to c, then c's license moved to lit2.
    ASSERT_EQ(c.Put("/admin/v1/users/" + b_ + "/licenses/lit", admin(), "{}").status, 200);
    HttpResponse r = c.Post("/admin/v1/subscriptions/lit/reassign", admin(),
                            json{{"from_user", b_}, {"to_user", c_}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    r = c.Post("/admin/v1/users/" + c_ + "/licenses/lit/move", admin(),
               json{{"to_subscription", "lit2"}, {"across_families", true}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    r = c.Post("/admin/v1/licenses/bulk", admin(),
               json{{"action", "assign"}, {"user_ids", {d_}}, {"subscription_id", "lit2"}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    // Principals and tokens.
    r = c.Post("/admin/v1/admins", admin(), R"({"name":"Helpdesk","role":"user_admin"})");
    ASSERT_EQ(r.status, 201) << r.body;
    new_admin_id_ = Json(r)["admin"]["id"].get<std::string>();
    new_admin_token_id_ = Json(r)["token_id"].get<std::string>();
    tokens_.push_back(Json(r)["token"].get<std::string>());
    r = c.Post("/admin/v1/scim-tokens", admin(), R"({"name":"Okta"})");
    ASSERT_EQ(r.status, 201) << r.body;
    scim_token_id_ = Json(r)["id"].get<std::string>();
    tokens_.push_back(Json(r)["token"].get<std::string>());
    ASSERT_EQ(c.Delete("/admin/v1/scim-tokens/" + scim_token_id_, admin()).status, 204);
    // SCIM-driven policy grant: e joins Teachers.
    CreateGroup(c, "Teachers", {e_});
    ASSERT_EQ(State(c, e_), "active");  // (settled: its audit events are written)
    tokens_.push_back(admin());
    tokens_.push_back(scim());
  }

  void ExpectEvent(const json& events, const std::string& action, const std::string& target_kind,
                   const std::string& target_id, const std::string& actor_kind,
                   const std::string& actor_id) {
    const json* e = FindEvent(events, action, target_id);
    ASSERT_NE(e, nullptr) << "no " << action << " event for " << target_id;
    EXPECT_EQ((*e)["target"]["kind"], target_kind) << e->dump();
    EXPECT_EQ((*e)["actor"]["kind"], actor_kind) << e->dump();
    EXPECT_EQ((*e)["actor"]["id"], actor_id) << e->dump();
  }

  std::string admin_id_, scim_client_id_, a_, b_, c_, d_, e_;
  std::string new_admin_id_, new_admin_token_id_, scim_token_id_;
  std::vector<std::string> tokens_;
};

TEST_F(AuditFlows, EveryKindOfChangeIsAuditedWithItsActorAndTarget) {
  RunEveryKindOfChange();
  if (HasFatalFailure()) return;
  HttpClient c = server_->Client();
  const json ev = AllAudit(c);
  const std::string& me = admin_id_;
  ExpectEvent(ev, "product.created", "product", "p-lit", "admin", me);
  ExpectEvent(ev, "subscription.created", "subscription", "lit", "admin", me);
  ExpectEvent(ev, "subscription.updated", "subscription", "lit", "admin", me);
  EXPECT_EQ((*FindEvent(ev, "subscription.updated", "lit"))["after"], json({{"seats", 5}}));

  // Assign = grant override; unassign = deny; then cleared.
  ExpectEvent(ev, "override.cleared", "override", a_ + "/lit", "admin", me);
  int grants = 0, denies = 0;
  for (const json& e : ev) {
    if (e["action"] != "override.set" || e["target"]["id"] != a_ + "/lit") continue;
    EXPECT_EQ(e["actor"], json({{"kind", "admin"}, {"id", me}, {"name", "initial admin"}}));
    EXPECT_EQ(e["user_id"], a_);
    EXPECT_EQ(e["subscription_id"], "lit");
    if (e["after"]["kind"] == "grant") ++grants;
    if (e["after"]["kind"] == "deny") ++denies;
  }
  EXPECT_EQ(grants, 1);
  EXPECT_EQ(denies, 1);
  ExpectEvent(ev, "assignment.activated", "assignment", a_ + "/lit", "admin", me);
  ExpectEvent(ev, "assignment.released", "assignment", a_ + "/lit", "admin", me);

  ExpectEvent(ev, "assignment.reassigned", "assignment", c_ + "/lit", "admin", me);
  EXPECT_EQ((*FindEvent(ev, "assignment.reassigned", c_ + "/lit"))["before"],
            json({{"user_id", b_}}));

  // Move: c's lit seat released when the lit2 one is active ("replaced").
  ExpectEvent(ev, "assignment.released", "assignment", c_ + "/lit", "admin", me);
  EXPECT_EQ((*FindEvent(ev, "assignment.released", c_ + "/lit"))["after"],
            json({{"reason", "replaced"}}));
  ExpectEvent(ev, "assignment.activated", "assignment", c_ + "/lit2", "admin", me);

  // Bulk assign of d.
  ExpectEvent(ev, "override.set", "override", d_ + "/lit2", "admin", me);
  ExpectEvent(ev, "assignment.activated", "assignment", d_ + "/lit2", "admin", me);

  ExpectEvent(ev, "admin.created", "principal", new_admin_id_, "admin", me);
  ExpectEvent(ev, "token.issued", "token", new_admin_token_id_, "admin", me);
  ExpectEvent(ev, "token.issued", "token", scim_token_id_, "admin", me);
  EXPECT_EQ((*FindEvent(ev, "token.issued", scim_token_id_))["after"]["kind"], "scim");
  ExpectEvent(ev, "token.revoked", "token", scim_token_id_, "admin", me);

  // The policy's grant, made by the SCIM client whose change caused it.
  ExpectEvent(ev, "assignment.activated", "assignment", e_ + "/lit", "scim", scim_client_id_);
  EXPECT_EQ((*FindEvent(ev, "assignment.activated", e_ + "/lit"))["after"]["sources"],
            "policy:teachers");
}

TEST_F(AuditFlows, NoTokenValueAppearsInTheAuditLog) {
  RunEveryKindOfChange();
  if (HasFatalFailure()) return;
  HttpClient c = server_->Client();
  std::string raw;
  const json ev = AllAudit(c, &raw);
  ASSERT_GE(ev.size(), 20u) << "the sequence wrote too few events to mean anything";
  ASSERT_EQ(tokens_.size(), 4u);
  for (const std::string& token : tokens_) {
    ASSERT_GE(token.size(), 20u);
    EXPECT_EQ(raw.find(token), std::string::npos) << "a token value is in the audit log";
  }
}

// SIGHUP reloads the policies and reconciles as the system actor.
class SighupAudit : public AdminFlows {
 protected:
  void SetUp() override { StartServer(false); }
};

TEST_F(SighupAudit, PolicyGrantAfterSighupIsAuditedAsSystem) {
  HttpClient c = server_->Client();
  CreateSubscription(c, "lit", 2);
  const std::string t = CreateUser(c, "t@example.org");
  CreateGroup(c, "Teachers", {t});
  ASSERT_EQ(State(c, t), "") << "no policy is loaded yet";
  WriteTeachersPolicy(policies_);
  ASSERT_EQ(::kill(server_->pid(), SIGHUP), 0);
  // The reload runs on the server's signal thread: wait for its outcome.
  const json* found = nullptr;
  json ev;
  for (int i = 0; i < 300 && !found; ++i) {
    ev = AllAudit(c);
    found = FindEvent(ev, "assignment.activated", t + "/lit");
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_NE(found, nullptr) << server_->Log();
  EXPECT_EQ((*found)["actor"], json({{"kind", "system"}, {"id", "allot"}, {"name", "allot"}}));
  EXPECT_EQ((*found)["target"]["kind"], "assignment");
  EXPECT_EQ((*found)["user_id"], t);
}

}  // namespace
}  // namespace allot::admin
