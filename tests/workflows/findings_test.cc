// One test per numbered finding of issue 10 ("Licensing semantics that
// administrators can trust"), through the binary. Each failed on main at
// 1413ea3; the name says what the finding was.
#include <chrono>
#include <fstream>
#include <sstream>

#include "tests/workflows/workflow_fixture.h"

namespace allot::workflows {
namespace {

class Findings : public Workflow {
 protected:
  // A second administrator with `role` (and a scope), returning its token.
  std::string NewAdmin(const std::string& role, const std::vector<std::string>& subs = {}) {
    json body = {{"name", "second " + role}, {"role", role}};
    if (!subs.empty()) body["subscriptions"] = subs;
    HttpResponse r = Admin("POST", "/admins", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return Json(r)["token"];
  }
  // A learning family: standard (plenty of seats) and premium (one seat).
  void LearningFamily() {
    Product("learning-standard", "learning");
    Product("learning-premium", "learning");
    Subscription("std", "learning-standard", 10);
    Subscription("prem", "learning-premium", 1);
  }
};

// 1. Users lose the license they have while waiting for another.
TEST_F(Findings, F1_QueuedFamilySwapKeepsTheHeldLicenseUntilTheNewOneIsActive) {
  LearningFamily();
  const std::string ana = User("ana@corp.example"), bo = User("bo@corp.example");
  ASSERT_EQ(Admin("PUT", "/users/" + ana + "/licenses/std").status, 200);
  ASSERT_EQ(Admin("PUT", "/users/" + bo + "/licenses/prem").status, 200);
  HttpResponse r = Admin("PUT", "/users/" + ana + "/licenses/prem?queue=true");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["license"]["state"], "pending");
  EXPECT_EQ(State(ana, "std"), "active") << "Ana had no learning license while waiting";
  // The premium seat frees: Ana's premium and the end of her standard are one step.
  ASSERT_EQ(Admin("DELETE", "/users/" + bo + "/licenses/prem").status, 200);
  EXPECT_EQ(State(ana, "prem"), "active");
  EXPECT_EQ(State(ana, "std"), "");
  EXPECT_EQ(EndReason(ana, "std"), "replaced");
  ExpectInvariants("std");
  ExpectInvariants("prem");
}

// 2. Overrides are silent, permanent and cannot be listed.
TEST_F(Findings, F2_OverridesAreExplicitVisibleAndExpire) {
  Product("lit");
  Subscription("lit-2026", "lit", 5);
  const std::string never = User("never@school.example");
  const std::string t1 = User("t1@school.example"), t2 = User("t2@school.example");
  Group("Teachers", {t1, t2});
  WritePolicy("teachers", {{{"group", "Teachers"}, {"subscription", "lit-2026"}}});
  Reload();

  // Unassigning what the user never had: 404, and no deny behind it.
  HttpResponse r = Admin("DELETE", "/users/" + never + "/licenses/lit-2026");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_TRUE(Get("/overrides")["items"].empty());
  // Unless asked for: ?deny=true.
  r = Admin("DELETE", "/users/" + never + "/licenses/lit-2026?deny=true",
            json{{"reason", "not this one"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["released"], false);
  EXPECT_EQ(Json(r)["override"]["reason"], "not this one");

  // A bulk unassign of two policy teachers: exactly one deny each.
  r = Admin("POST", "/licenses/bulk",
            json{{"action", "unassign"}, {"user_ids", {t1, t2}}, {"subscription_id", "lit-2026"}}
                .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json all = Get("/overrides");
  ASSERT_EQ(all["items"].size(), 3u) << all.dump();
  const json denies = Get("/overrides?kind=deny&subscription_id=lit-2026&user_id=" + t1);
  ASSERT_EQ(denies["items"].size(), 1u);
  const json& o = denies["items"][0];
  EXPECT_EQ(o["reason"], "unassigned by an administrator");
  EXPECT_EQ(o["set_by"]["name"], "initial admin");
  EXPECT_TRUE(o["set_at"].is_string());
  EXPECT_TRUE(o["expires_at"].is_null());
  // Paged: one at a time, every one once.
  std::set<std::string> seen;
  std::string path = "/overrides?limit=1";
  for (int i = 0; i < 10; ++i) {
    const json page = Get(path);
    for (const json& x : page["items"]) seen.insert(x["user_id"].get<std::string>());
    if (!page["next_cursor"].is_string()) break;
    path = "/overrides?limit=1&cursor=" + page["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 3u);
  // An expiry in the past is refused.
  r = Admin("PUT", "/users/" + never + "/licenses/lit-2026",
            json{{"expires_at", "2020-01-01T00:00:00Z"}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;
}

class FindingsExpiry : public Findings {
 protected:
  void SetUp() override { Start({{"expiry_sweep_seconds", 1}}); }
};

TEST_F(FindingsExpiry, F2_AnOverrideWithAnExpiryLapsesAndTheUserIsEvaluatedAgain) {
  Product("lit");
  Subscription("lit-2026", "lit", 5);
  const std::string guest = User("guest@school.example");
  const auto soon = std::chrono::system_clock::now() + std::chrono::seconds(2);
  const std::time_t t = std::chrono::system_clock::to_time_t(soon);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  HttpResponse r = Admin("PUT", "/users/" + guest + "/licenses/lit-2026",
                         json{{"reason", "trial"}, {"expires_at", text}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["override"]["kind"], "grant");
  EXPECT_TRUE(Json(r)["override"]["expires_at"].is_string());
  ASSERT_EQ(State(guest, "lit-2026"), "active");
  // The sweep runs every second; wait (bounded) for it.
  for (int i = 0; i < 300 && !Get("/users/" + guest + "/overrides")["items"].empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(Get("/users/" + guest + "/overrides")["items"].empty()) << server_->Log();
  EXPECT_EQ(State(guest, "lit-2026"), "");
  EXPECT_EQ(EndReason(guest, "lit-2026"), "expired");
  const std::vector<json> expired = Events("override.expired");
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0]["actor"]["kind"], "system");
  ExpectInvariants("lit-2026");
}

// 3. Search is weak, and typos silently return everything.
TEST_F(Findings, F3_UnknownQueryParametersAreRefusedAndSearchHasTheScimGrammar) {
  Product("lit");
  Subscription("lit-2026", "lit", 5);
  const std::string rivera =
      User("m.rivera@school.example",
           {{"name", {{"familyName", "Rivera"}}}, {"userType", "Student"},
            {kEnterprise, {{"department", "Grade 3"}}}});
  User("other@school.example", {{"userType", "Teacher"}});
  for (const std::string& path :
       {std::string("/users?qeue=true"), std::string("/users?until=2026-01-01"),
        std::string("/audit?before=2026-01-01"), std::string("/subscriptions?q=lit"),
        std::string("/users/") + rivera + "/licenses?limit=5"}) {
    HttpResponse r = Admin("GET", path);
    EXPECT_EQ(r.status, 400) << path << " " << r.body;
    EXPECT_EQ(Json(r)["error"]["code"], "invalid_request");
  }
  HttpResponse r = Admin("PUT", "/users/" + rivera + "/licenses/lit-2026?qeue=true");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(Json(r)["error"]["message"].get<std::string>().find("qeue"), std::string::npos);
  EXPECT_EQ(State(rivera, "lit-2026"), "") << "a refused request changed something";

  EXPECT_EQ(UserIds("q=Rivera"), std::vector<std::string>{rivera});
  EXPECT_EQ(UserIds("filter=" + UrlEncode(R"(name.familyName co "riv")")),
            std::vector<std::string>{rivera});
  EXPECT_EQ(UserIds("filter=" + UrlEncode(R"(userType eq "Student" or userType eq "Nobody")")),
            std::vector<std::string>{rivera});
  EXPECT_EQ(UserIds("filter=" + UrlEncode(std::string(kEnterprise) + ":department eq \"grade 3\"")),
            std::vector<std::string>{rivera});
  EXPECT_EQ(UserIds("filter=" + UrlEncode(R"(not (userType eq "Student"))")).size(), 1u);
}

// 4. Policies cannot say "students of class X".
TEST_F(Findings, F4_WhenKeepsHomeroomTeachersOutOfStudentSeats) {
  Product("lit");
  Subscription("lit-core", "lit", 5);
  const std::string kid = User("kid@school.example", {{"userType", "Student"}});
  const std::string teacher = User("teacher@school.example", {{"userType", "Teacher"}});
  Group("Grade 3 - Room 12", {kid, teacher});
  WritePolicy("classes", {{{"group", "Grade 3 - Room 12"},
                           {"subscription", "lit-core"},
                           {"when", {{"userType", "Student"}}}}});
  Reload();
  EXPECT_EQ(State(kid, "lit-core"), "active");
  EXPECT_EQ(State(teacher, "lit-core"), "");
}

// 5. A Subscription admin can reach outside its scope.
TEST_F(Findings, F5_ASubscriptionAdminCannotDisplaceWhatItCannotSeeNorChangeSeats) {
  Product("lit-a", "literacy");
  Product("lit-b", "literacy");
  Subscription("a-only", "lit-a", 5);
  Subscription("lit-2026", "lit-b", 5);
  const std::string u = User("u@school.example");
  ASSERT_EQ(Admin("PUT", "/users/" + u + "/licenses/lit-2026").status, 200);
  const std::string scoped = NewAdmin("subscription_admin", {"a-only"});
  HttpResponse r = c().Put("/admin/v1/users/" + u + "/licenses/a-only", scoped, "{}");
  ASSERT_EQ(r.status, 403) << r.body;
  const std::string message = Json(r)["error"]["message"];
  EXPECT_NE(message.find("outside your scope"), std::string::npos) << message;
  EXPECT_EQ(message.find("lit-2026"), std::string::npos) << "the message names what it cannot see";
  EXPECT_EQ(State(u, "lit-2026"), "active");
  EXPECT_EQ(State(u, "a-only"), "");
  EXPECT_EQ(Get("/users/" + u + "/overrides")["items"].size(), 1u) << "the grant was removed";
  // Queued, it would displace it later: refused too.
  r = c().Put("/admin/v1/users/" + u + "/licenses/a-only?queue=true", scoped, "{}");
  EXPECT_EQ(r.status, 403) << r.body;
  // Seats are no longer the Subscription admin's.
  const std::string waiting = User("w@school.example");
  r = c().Patch("/admin/v1/subscriptions/a-only", scoped, json{{"seats", 50}}.dump());
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Get("/subscriptions/a-only")["seats"], 5);
  // Its fill mode is.
  r = c().Patch("/admin/v1/subscriptions/a-only", scoped, json{{"fill", "manual"}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["fill"], "manual");
}

// 6. Move is unconstrained; end reasons are inconsistent.
TEST_F(Findings, F6_MoveStaysInAProductOrFamilyAndSwapsEndAsReplaced) {
  LearningFamily();
  Product("office-e3", "office");
  Product("office-e5", "office");
  Subscription("e3", "office-e3", 5);
  Subscription("e5", "office-e5", 5);
  Subscription("prem-2", "learning-premium", 5);
  const std::string u = User("u@corp.example");
  Group("Everyone", {u});
  WritePolicy("office", {{{"group", "Everyone"}, {"subscription", "e3"}}});
  Reload();
  ASSERT_EQ(Admin("PUT", "/users/" + u + "/licenses/prem-2").status, 200);
  HttpResponse r = Admin("POST", "/users/" + u + "/licenses/prem-2/move",
                         json{{"to_subscription", "e5"}}.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(Json(r)["error"]["message"].get<std::string>().find("across_families"),
            std::string::npos);
  EXPECT_EQ(State(u, "e3"), "active") << "the policy's E3 seat went";
  EXPECT_EQ(State(u, "prem-2"), "active");
  // Within the family: fine, and the old one ends as replaced.
  r = Admin("POST", "/users/" + u + "/licenses/prem-2/move", json{{"to_subscription", "std"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(EndReason(u, "prem-2"), "replaced");
  // A family swap by PUT ends as replaced too (it said "unassigned").
  ASSERT_EQ(Admin("PUT", "/users/" + u + "/licenses/prem-2").status, 200);
  EXPECT_EQ(State(u, "std"), "");
  EXPECT_EQ(EndReason(u, "std"), "replaced");
  EXPECT_EQ(State(u, "e3"), "active");
}

// 7. The waitlist takes every freed seat automatically.
TEST_F(Findings, F7_ManualFillKeepsFreedSeatsForTheAdminWithPositionsAndRemoval) {
  Product("lit");
  Subscription("lit-2026", "lit", 1);
  const std::string holder = User("holder@school.example");
  const std::string first = User("first@school.example");
  const std::string second = User("second@school.example");
  const std::string third = User("third@school.example");
  ASSERT_EQ(Admin("PUT", "/users/" + holder + "/licenses/lit-2026").status, 200);
  for (const std::string& u : {first, second, third}) {
    ASSERT_EQ(Admin("PUT", "/users/" + u + "/licenses/lit-2026?queue=true").status, 200);
    // The queue is ordered by wanted_since (milliseconds), then user id: two
    // wants in one millisecond go by id, so each waits for the next one.
    // (This once failed: the second and third queued in one millisecond.)
    const auto answered = std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
    while (std::chrono::system_clock::now() < answered + std::chrono::milliseconds(1)) {
      std::this_thread::yield();
    }
  }
  json wl = Get("/subscriptions/lit-2026/waitlist");
  ASSERT_EQ(wl["items"].size(), 3u);
  EXPECT_EQ(wl["items"][0]["user_id"], first);
  EXPECT_EQ(wl["items"][0]["position"], 1);
  EXPECT_EQ(wl["items"][2]["position"], 3);
  ASSERT_EQ(Admin("PATCH", "/subscriptions/lit-2026", json{{"fill", "manual"}}.dump()).status, 200);
  ASSERT_EQ(Admin("DELETE", "/users/" + holder + "/licenses/lit-2026").status, 200);
  EXPECT_EQ(State(first, "lit-2026"), "pending") << "the queue took the freed seat";
  EXPECT_EQ(Get("/subscriptions/lit-2026")["available"], 1);
  // The administrator hands it to the second in line.
  HttpResponse r = Admin("PUT", "/users/" + second + "/licenses/lit-2026");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(State(second, "lit-2026"), "active");
  // And takes the third off the queue.
  r = Admin("DELETE", "/subscriptions/lit-2026/waitlist/" + third);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["override"]["kind"], "deny");
  EXPECT_EQ(Json(r)["override"]["reason"], "removed from waitlist");
  wl = Get("/subscriptions/lit-2026/waitlist");
  ASSERT_EQ(wl["items"].size(), 1u);
  EXPECT_EQ(wl["items"][0]["user_id"], first);
  EXPECT_EQ(Admin("DELETE", "/subscriptions/lit-2026/waitlist/" + holder).status, 404);
  // Back to auto: the queue is served as seats come.
  ASSERT_EQ(Admin("PATCH", "/subscriptions/lit-2026", json{{"fill", "auto"}, {"seats", 2}}.dump())
                .status,
            200);
  EXPECT_EQ(State(first, "lit-2026"), "active");
  ExpectInvariants("lit-2026");
}

// 8. The audit log has no identity events; actors are ids only.
TEST_F(Findings, F8_ScimChangesAreAuditedWithTheClientAsActorAndNames) {
  const std::string u = User("ann@corp.example", {{"displayName", "Ann"}});
  HttpResponse r = c().Patch(
      "/scim/v2/Users/" + u, scim(),
      json{{"schemas", {kPatchOp}},
           {"Operations", {{{"op", "replace"}, {"path", "displayName"}, {"value", "Ann B"}}}}}
          .dump(),
      kScimJson);
  ASSERT_TRUE(r.status == 200 || r.status == 204) << r.body;
  const std::string other = User("bob@corp.example");
  const std::string g = Group("Staff", {u});
  AddMembers(g, {other});
  RemoveMember(g, u);
  ASSERT_EQ(c().Delete("/scim/v2/Groups/" + g, scim()).status, 204);
  DeleteUser(u);
  const json client = Get("/scim-tokens")["items"][0];
  for (const char* action : {"user.created", "user.updated", "user.deleted", "group.created",
                             "group.updated", "group.deleted"}) {
    const std::vector<json> events = Events(action);
    ASSERT_FALSE(events.empty()) << action;
    EXPECT_EQ(events[0]["actor"]["kind"], "scim") << action;
    EXPECT_EQ(events[0]["actor"]["id"], client["client_id"]) << action;
    EXPECT_EQ(events[0]["actor"]["name"], "default SCIM client") << action;
  }
  const std::vector<json> updates = Events("group.updated");
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0]["after"]["members_removed"], 1);  // newest first
  EXPECT_EQ(updates[1]["after"]["members_added"], 1);
  EXPECT_EQ(Events("user.updated")[0]["after"]["displayName"], "Ann B");
  // Every item's actor has a name, also the admin's own.
  const json audit = Get("/audit?limit=1000");
  for (const json& e : audit["items"]) {
    EXPECT_TRUE(e["actor"]["name"].is_string()) << e.dump();
  }
}

// 9. The docs are wrong in places.
TEST_F(Findings, F9_DocumentationUriAnswersAndTheNoSeatsHintFitsTheOperation) {
  HttpResponse spc = c().Get("/scim/v2/ServiceProviderConfig", scim());
  ASSERT_EQ(spc.status, 200) << spc.body;
  const std::string uri = Json(spc)["documentationUri"];
  ASSERT_EQ(uri.rfind("http://", 0), 0u) << uri;
  const std::string path = uri.substr(uri.find('/', std::string("http://").size()));
  HttpResponse doc = c().Get(path, "");
  EXPECT_EQ(doc.status, 200) << uri;
  EXPECT_NE(doc.body.find("SCIM"), std::string::npos);

  LearningFamily();
  const std::string a = User("a@corp.example"), b = User("b@corp.example");
  ASSERT_EQ(Admin("PUT", "/users/" + a + "/licenses/prem").status, 200);
  ASSERT_EQ(Admin("PUT", "/users/" + b + "/licenses/std").status, 200);
  HttpResponse r = Admin("POST", "/users/" + b + "/licenses/std/move",
                         json{{"to_subscription", "prem"}}.dump());
  ASSERT_EQ(r.status, 409) << r.body;
  const std::string hint = Json(r)["error"]["message"];
  EXPECT_EQ(hint.find("?queue=true"), std::string::npos) << hint;
  EXPECT_NE(hint.find("\"queue\": true"), std::string::npos) << hint;
}

// 9. The docs point at files that are not in the repository, and promise
// gauges that do not exist.
TEST(FindingsDocs, F9_DocsAreSelfContained) {
  auto read = [](const std::string& name) {
    std::ifstream in(std::string(ALLOT_SOURCE_DIR) + "/docs/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  for (const char* page : {"admin-api.md", "scim-api.md", "licensing.md", "operations.md"}) {
    const std::string text = read(page);
    ASSERT_FALSE(text.empty()) << page;
    EXPECT_EQ(text.find("PRODUCT.md"), std::string::npos) << page;
    EXPECT_EQ(text.find("CONTRACT.md"), std::string::npos) << page;
  }
  const std::string admin = read("admin-api.md");
  for (const char* row : {"| change a subscription's seats", "| assign, unassign",
                          "| manage policies", "| revoke all"}) {
    EXPECT_NE(admin.find(row), std::string::npos) << "role table row " << row;
  }
  EXPECT_EQ(read("operations.md").find("the\n  licensing gauges"), std::string::npos);
  EXPECT_EQ(read("operations.md").find("licensing gauges"), std::string::npos);
}

}  // namespace
}  // namespace allot::workflows
