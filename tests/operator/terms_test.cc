// Terms of subscriptions through the real binary: scheduled subscriptions
// queue wants as "not started", expiry ends every assignment (history and
// audit) through the sweep, a renewal brings policy seats back, and two
// instances on one database end each assignment exactly once.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "tests/operator/operator_fixture.h"

namespace allot::operator_testing {
namespace {

class Terms : public OperatorTest {
 protected:
  void SetUp() override { Start(SweepArgs()); }
  static std::vector<std::string> SweepArgs() {
    config_ = std::make_unique<allot::testing::TempDir>();
    const std::string file = config_->path() + "/config.json";
    FILE* f = std::fopen(file.c_str(), "w");
    std::fputs(R"({"expiry_sweep_seconds": 1})", f);
    std::fclose(f);
    // The operator's policy file for acme: group Staff gets office-2026.
    const std::string policies = config_->path() + "/policies";
    std::filesystem::create_directories(policies);
    f = std::fopen((policies + "/staff.json").c_str(), "w");
    std::fputs(json{{"name", "staff"},
                    {"plugin", "group_map"},
                    {"priority", 10},
                    {"tenants", {"acme"}},
                    {"config", {{"rules", {{{"group", "Staff"}, {"subscription", "office-2026"}}}}}}}
                   .dump()
                   .c_str(),
               f);
    std::fclose(f);
    return {"--config", file, "--policies", policies};
  }

  // acme with product office and subscription office-2026 (`seats`, `extra`
  // fields), a group_map policy giving it to group Staff, and `n` users in
  // Staff. Returns the users' ids.
  std::vector<std::string> Setup(int n, int seats, json extra = json::object()) {
    acme_ = Onboard("acme", "Acme");
    OpProduct("acme", "office");
    json body = {{"id", "office-2026"}, {"product_id", "office"}, {"seats", seats}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    OpSubscription("acme", body);
    std::vector<std::string> users;
    for (int i = 0; i < n; ++i) users.push_back(ScimUser(acme_.scim, "u" + std::to_string(i) + "@acme.example"));
    ScimGroup(acme_.scim, "Staff", users);
    return users;
  }
  json Sub() { return Json(Op("GET", "/tenants/acme/subscriptions/office-2026")); }
  // Polls `done` every 100 ms, for at most 15 s (the sweep runs every second).
  static bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 150; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return done();
  }
  std::vector<std::string> EndReasons(const std::string& user) {
    std::vector<std::string> out;
    const json j = Json(As(acme_.admin, "GET", "/admin/v1/users/" + user + "/history"));
    for (const json& h : j.value("items", json::array())) {
      if (h.value("subscription_id", "") != "office-2026") continue;
      out.push_back(h["end_reason"].is_string() ? h["end_reason"].get<std::string>() : "");
    }
    return out;
  }

  TenantTokens acme_;
  static std::unique_ptr<allot::testing::TempDir> config_;
};
std::unique_ptr<allot::testing::TempDir> Terms::config_;

TEST_F(Terms, BeforeItsStartWantsWaitAsNotStartedAndAreServedWhenItStarts) {
  const std::vector<std::string> users = Setup(2, 5, {{"starts_at", TimeFromNow(3600)}});
  json sub = Sub();
  EXPECT_EQ(sub["status"], "scheduled");
  ASSERT_TRUE(WaitFor([&] { return Sub()["pending"] == 2; })) << Sub().dump();
  EXPECT_EQ(Sub()["assigned"], 0);
  HttpResponse r = As(acme_.admin, "GET", "/admin/v1/subscriptions/office-2026/waitlist");
  ASSERT_EQ(r.status, 200) << r.body;
  const json waitlist = Json(r);
  ASSERT_EQ(waitlist["items"].size(), 2u) << r.body;
  for (const json& w : waitlist["items"]) EXPECT_EQ(w["reason"], "not started") << w.dump();
  // An administrator cannot hand out a seat before the start either.
  const std::string late = ScimUser(acme_.scim, "late@acme.example");
  r = As(acme_.admin, "PUT", "/admin/v1/users/" + late + "/licenses/office-2026");
  EXPECT_EQ(r.status, 409) << r.body;

  // The operator moves the start to now: the queue is served at once.
  r = Op("PATCH", "/tenants/acme/subscriptions/office-2026",
         json{{"starts_at", TimeFromNow(-1)}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["status"], "active");
  for (const std::string& u : users) EXPECT_EQ(State(acme_.admin, u, "office-2026"), "active");
  EXPECT_EQ(Sub()["assigned"], 2);
}

TEST_F(Terms, AStartPassingServesTheQueueThroughTheSweep) {
  const std::vector<std::string> users = Setup(2, 5, {{"starts_at", TimeFromNow(2)}});
  EXPECT_EQ(Sub()["status"], "scheduled");
  ASSERT_TRUE(WaitFor([&] { return Sub()["assigned"] == 2; })) << Sub().dump();
  EXPECT_EQ(Sub()["status"], "active");
  EXPECT_EQ(Sub()["pending"], 0);
}

TEST_F(Terms, ExpiryEndsEveryAssignmentOnceAndARenewalBringsPolicySeatsBack) {
  const std::vector<std::string> users = Setup(3, 2, {{"ends_at", TimeFromNow(3600)}});
  ASSERT_TRUE(WaitFor([&] { return Sub()["assigned"] == 2 && Sub()["pending"] == 1; }))
      << Sub().dump();
  HttpResponse r = Op("PATCH", "/tenants/acme/subscriptions/office-2026",
                      json{{"ends_at", TimeFromNow(-1)}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["status"], "expired");
  ASSERT_TRUE(WaitFor([&] { return Events(acme_.admin, "subscription.expired").size() == 1; }))
      << server_->Log();
  json sub = Sub();
  EXPECT_EQ(sub["assigned"], 0);
  EXPECT_EQ(sub["pending"], 0);
  EXPECT_EQ(sub["available"], 2);
  int ended = 0;
  for (const std::string& u : users) {
    EXPECT_EQ(State(acme_.admin, u, "office-2026"), "");
    const std::vector<std::string> reasons = EndReasons(u);
    ended += static_cast<int>(reasons.size());
    for (const std::string& why : reasons) EXPECT_EQ(why, "expired");
  }
  EXPECT_EQ(ended, 2) << "the two seat holders each have one history row, ended as expired";
  const json event = Events(acme_.admin, "subscription.expired")[0];
  EXPECT_EQ(event["actor"]["kind"], "system");
  // A user joining the group while expired gets nothing.
  const std::string newcomer = ScimUser(acme_.scim, "new@acme.example");
  EXPECT_EQ(State(acme_.admin, newcomer, "office-2026"), "");

  // Renewal: the end moves later and the policy's seats come back at once.
  r = Op("PATCH", "/tenants/acme/subscriptions/office-2026",
         json{{"ends_at", TimeFromNow(86400)}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["status"], "active");
  EXPECT_EQ(Json(r)["assigned"], 2) << r.body;
  EXPECT_EQ(Json(r)["pending"], 1) << r.body;
  // Still exactly one expiry event: the renewed subscription is not swept.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Events(acme_.admin, "subscription.expired").size(), 1u);
  EXPECT_EQ(Sub()["assigned"], 2);
}

TEST_F(Terms, TwoInstancesOnOneDatabaseEndEachAssignmentExactlyOnce) {
  allot::testing::ServerOptions options;
  options.data_dir = server_->data_dir();
  options.extra_args = SweepArgs();
  options.extra_args.insert(options.extra_args.end(), {"--plugins", ALLOT_PLUGIN_DIR});
  std::string error;
  auto second = TestServer::Start(options, &error);
  ASSERT_NE(second, nullptr) << error;

  const std::vector<std::string> users = Setup(6, 6, {{"ends_at", TimeFromNow(3600)}});
  ASSERT_TRUE(WaitFor([&] { return Sub()["assigned"] == 6; })) << Sub().dump();
  HttpResponse r = Op("PATCH", "/tenants/acme/subscriptions/office-2026",
                      json{{"ends_at", TimeFromNow(-1)}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(WaitFor([&] { return Sub()["assigned"] == 0; })) << server_->Log() << second->Log();
  // Both instances have swept at least once more by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(Events(acme_.admin, "subscription.expired").size(), 1u);
  for (const std::string& u : users) {
    EXPECT_EQ(EndReasons(u), std::vector<std::string>{"expired"}) << u;
  }
  size_t released = 0;
  const json j = Json(As(acme_.admin, "GET", "/admin/v1/audit?limit=1000"));
  for (const json& e : j.value("items", json::array())) {
    if (e.value("action", "") == "assignment.released") ++released;
  }
  EXPECT_EQ(released, users.size()) << "one release event per assignment";
}

}  // namespace
}  // namespace allot::operator_testing
