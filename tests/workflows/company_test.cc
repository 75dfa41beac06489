// The company workflow of issue 10, end to end through the binary: every
// employee gets office and learning licenses by policy; an administrator
// moves a filtered set of learners to the premium type (a queue forms,
// nobody loses what they have), revokes all of a leaver's licenses (and a
// new policy does not give them back), and undoes an unassign without
// leaving a permanent grant behind.
#include "tests/workflows/workflow_fixture.h"

namespace allot::workflows {
namespace {

class Company : public Workflow {
 protected:
  void SetUp() override {
    Workflow::SetUp();
    if (HasFatalFailure()) return;
    Product("learning-standard", "learning");
    Product("learning-premium", "learning");
    Product("office", "office");
    Product("wiki");
    Subscription("std-2026", "learning-standard", 20);
    Subscription("prem-2026", "learning-premium", 3);
    Subscription("e3-2026", "office", 20);
    Subscription("wiki-2026", "wiki", 20);
    for (int i = 0; i < 5; ++i) {
      sales_.push_back(User("sales" + std::to_string(i) + "@corp.example",
                            {{kEnterprise, {{"department", "Sales"}}}}));
      finance_.push_back(User("finance" + std::to_string(i) + "@corp.example",
                              {{kEnterprise, {{"department", "Finance"}}}}));
    }
    std::vector<std::string> everyone = sales_;
    everyone.insert(everyone.end(), finance_.begin(), finance_.end());
    employees_ = Group("Employees", everyone);
    WritePolicy("employees", {{{"group", "Employees"}, {"subscription", "e3-2026"}},
                              {{"group", "Employees"}, {"subscription", "std-2026"}}});
    Reload();
  }

  std::vector<std::string> sales_, finance_;
  std::string employees_;
};

TEST_F(Company, FilteredMoveToPremiumQueuesWithoutLosingStandard) {
  // Find the Sales learners, as the console would, then move them in bulk.
  const std::vector<std::string> found = UserIds(
      "subscription_id=std-2026&filter=" +
      UrlEncode(std::string(kEnterprise) + ":department eq \"sales\" and active eq true"));
  ASSERT_EQ(found.size(), 5u);
  HttpResponse r = Admin("POST", "/licenses/bulk",
                         json{{"action", "move"},
                              {"user_ids", found},
                              {"subscription_id", "std-2026"},
                              {"to_subscription_id", "prem-2026"},
                              {"queue", true}}
                             .dump());
  ASSERT_EQ(r.status, 200) << r.body;
  int active = 0, pending = 0;
  const json results = Json(r)["results"];
  for (const json& x : results) {
    ASSERT_EQ(x["ok"], true) << x.dump();
    (x["state"] == "active" ? active : pending) += 1;
  }
  EXPECT_EQ(active, 3);
  EXPECT_EQ(pending, 2);
  std::vector<std::string> waiting;
  for (const std::string& u : found) {
    if (State(u, "prem-2026") == "pending") {
      waiting.push_back(u);
      EXPECT_EQ(State(u, "std-2026"), "active") << "kept while waiting";
    } else {
      EXPECT_EQ(State(u, "std-2026"), "");
      EXPECT_EQ(EndReason(u, "std-2026"), "replaced");
    }
  }
  ASSERT_EQ(waiting.size(), 2u);
  // A premium learner leaves: the first waiting takes the seat, and only
  // then gives up standard.
  const json wl = Get("/subscriptions/prem-2026/waitlist");
  const std::string first = wl["items"][0]["user_id"];
  std::string leaver;
  for (const std::string& u : found) {
    if (State(u, "prem-2026") == "active") leaver = u;
  }
  DeleteUser(leaver);
  EXPECT_EQ(State(first, "prem-2026"), "active");
  EXPECT_EQ(State(first, "std-2026"), "");
  EXPECT_EQ(EndReason(first, "std-2026"), "replaced");
  for (const char* sub : {"std-2026", "prem-2026"}) ExpectInvariants(sub);
  // The policy's office license was never touched by the learning swap.
  for (const std::string& u : found) {
    if (u != leaver) {
      EXPECT_EQ(State(u, "e3-2026"), "active");
    }
  }
}

TEST_F(Company, RevokeAllHoldsAgainstANewPolicyUntilTheHoldIsCleared) {
  const std::string leaver = finance_[0];
  HttpResponse r = Admin("DELETE", "/users/" + leaver + "/licenses",
                         json{{"reason", "left the company"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["released"], 2);
  EXPECT_EQ(Json(r)["hold"]["reason"], "left the company");
  EXPECT_TRUE(Get("/users/" + leaver + "/licenses")["items"].empty());
  EXPECT_EQ(EndReason(leaver, "e3-2026"), "held");
  const json user = Get("/users/" + leaver);
  ASSERT_TRUE(user["hold"].is_object()) << user.dump();
  EXPECT_EQ(user["hold"]["set_by"]["name"], "initial admin");

  // A new policy for everyone: the held user still gets nothing.
  WritePolicy("wiki", {{{"group", "Employees"}, {"subscription", "wiki-2026"}}});
  Reload();
  EXPECT_EQ(State(finance_[1], "wiki-2026"), "active");
  EXPECT_TRUE(Get("/users/" + leaver + "/licenses")["items"].empty());
  // An assign names the hold.
  r = Admin("PUT", "/users/" + leaver + "/licenses/wiki-2026");
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Json(r)["error"]["code"], "conflict");
  EXPECT_NE(Json(r)["error"]["message"].get<std::string>().find("hold"), std::string::npos);
  // The IdP's changes of the user change nothing either.
  RemoveMember(employees_, leaver);
  AddMembers(employees_, {leaver});
  EXPECT_TRUE(Get("/users/" + leaver + "/licenses")["items"].empty());

  // Clearing the hold evaluates the user again at once.
  r = Admin("DELETE", "/users/" + leaver + "/hold");
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(State(leaver, "e3-2026"), "active");
  EXPECT_EQ(State(leaver, "std-2026"), "active");
  EXPECT_EQ(State(leaver, "wiki-2026"), "active");
  EXPECT_TRUE(Get("/users/" + leaver)["hold"].is_null());
  EXPECT_EQ(Admin("DELETE", "/users/" + leaver + "/hold").status, 404);
  for (const char* sub : {"e3-2026", "std-2026", "wiki-2026"}) ExpectInvariants(sub);
}

TEST_F(Company, UndoOfAnUnassignLeavesThePolicyInCharge) {
  const std::string u = finance_[1];
  HttpResponse r = Admin("DELETE", "/users/" + u + "/licenses/e3-2026");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["released"], true);
  EXPECT_EQ(Json(r)["override"]["kind"], "deny") << "the policy still wants it";
  EXPECT_EQ(State(u, "e3-2026"), "");

  // Undo: assign it again. The deny goes; no grant is needed, the policy gives it.
  r = Admin("PUT", "/users/" + u + "/licenses/e3-2026");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Json(r)["override"].is_null()) << r.body;
  EXPECT_EQ(Json(r)["license"]["state"], "active");
  EXPECT_EQ(Json(r)["license"]["source"], "policy:employees");
  EXPECT_TRUE(Get("/users/" + u + "/overrides")["items"].empty());

  // The IdP removes the employee: the license goes, as the policy says.
  RemoveMember(employees_, u);
  EXPECT_EQ(State(u, "e3-2026"), "") << "the undo left a permanent grant";
  EXPECT_EQ(EndReason(u, "e3-2026"), "policy");
  ExpectInvariants("e3-2026");
}

}  // namespace
}  // namespace allot::workflows
