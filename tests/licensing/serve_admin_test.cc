// The licensing admin endpoints and the SCIM → policy → seat path through the
// real `allot serve` binary (real SQLite file, real group_map plugin).
#include <filesystem>
#include <fstream>

#include "serve_test_util.h"

namespace allot::licensing::serve_testing {
namespace {

using allot::testing::ServerOptions;
using allot::testing::TempDir;
using allot::testing::TestServer;

class ServeLicenses : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = TestServer::Start({}, &error);
    ASSERT_NE(server_, nullptr) << error;
  }
  std::unique_ptr<TestServer> server_;
};

TEST_F(ServeLicenses, AssignWithoutFreeSeatIs409NoSeatsWithNumbers) {
  HttpClient c = server_->Client();
  const std::string& admin = server_->admin_token();
  CreateSubscription(c, admin, "lit", 1);
  const std::string u1 = CreateScimUser(c, server_->scim_token(), "a@example.org");
  const std::string u2 = CreateScimUser(c, server_->scim_token(), "b@example.org");
  ASSERT_EQ(c.Put("/admin/v1/users/" + u1 + "/licenses/lit", admin, "{}").status, 200);
  HttpResponse r = c.Put("/admin/v1/users/" + u2 + "/licenses/lit", admin, "{}");
  ASSERT_EQ(r.status, 409) << r.body;
  json j = Json(r);
  EXPECT_EQ(j["error"]["code"], "no_seats");
  const std::string message = j["error"]["message"];
  EXPECT_NE(message.find("seats 1"), std::string::npos) << message;
  EXPECT_NE(message.find("taken 1"), std::string::npos) << message;
  EXPECT_EQ(ReadUsage(c, admin, "lit").assigned, 1) << "a refused assign must change nothing";
}

TEST_F(ServeLicenses, AssignWithQueueWaitsPending) {
  HttpClient c = server_->Client();
  const std::string& admin = server_->admin_token();
  CreateSubscription(c, admin, "lit", 1);
  const std::string u1 = CreateScimUser(c, server_->scim_token(), "a@example.org");
  const std::string u2 = CreateScimUser(c, server_->scim_token(), "b@example.org");
  ASSERT_EQ(c.Put("/admin/v1/users/" + u1 + "/licenses/lit", admin, "{}").status, 200);
  HttpResponse r = c.Put("/admin/v1/users/" + u2 + "/licenses/lit?queue=true", admin, "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["license"]["state"], "pending");
  EXPECT_EQ(Json(r)["override"]["kind"], "grant") << "no policy gives it: an admin grant";
  ExpectInvariants(c, admin, "lit");
}

TEST_F(ServeLicenses, UnknownFieldIs400NamingIt) {
  HttpClient c = server_->Client();
  const std::string& admin = server_->admin_token();
  CreateSubscription(c, admin, "lit", 1);
  HttpResponse r = c.Post("/admin/v1/subscriptions", admin,
                          R"({"id": "x", "product_id": "p-lit", "seats": 1, "colour": "red"})");
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_NE(Json(r)["error"]["message"].get<std::string>().find("colour"), std::string::npos)
      << r.body;
  EXPECT_EQ(c.Get("/admin/v1/subscriptions/x", admin).status, 404) << "a 400 must create nothing";
}

TEST_F(ServeLicenses, AssignToUnknownSubscriptionIs404) {
  HttpClient c = server_->Client();
  const std::string u1 = CreateScimUser(c, server_->scim_token(), "a@example.org");
  HttpResponse r = c.Put("/admin/v1/users/" + u1 + "/licenses/nope", server_->admin_token(), "{}");
  EXPECT_EQ(r.status, 404) << r.body;
}

TEST_F(ServeLicenses, UnknownSubscriptionIs404) {
  HttpClient c = server_->Client();
  EXPECT_EQ(c.Get("/admin/v1/subscriptions/nope", server_->admin_token()).status, 404);
}

// SCIM user + group with members → the group_map policy gives seats; a member
// removed releases the seat to the one waiting; a deleted user returns it.
class ServeScimToSeats : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string policies = dir_.path() + "/policies";
    std::filesystem::create_directories(policies);
    std::ofstream(policies + "/teachers.json")
        << json{{"name", "teachers"},
                {"plugin", "group_map"},
                {"priority", 10},
                {"config", {{"rules", {{{"group", "Teachers"}, {"subscription", "lit"}}}}}}}
               .dump();
    std::string error;
    server_ = TestServer::Start(
        {.extra_args = {"--policies", policies, "--plugins", ALLOT_PLUGIN_DIR}}, &error);
    ASSERT_NE(server_, nullptr) << error;
  }
  std::string State(HttpClient& c, const std::string& user) {
    EXPECT_TRUE(allot::testing::WaitForLicensing(c, server_->admin_token()));
    HttpResponse r = c.Get("/admin/v1/users/" + user + "/licenses", server_->admin_token());
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = Json(r);  // named: a temporary would die before the loop body
    for (const json& l : body["items"]) {
      if (l["subscription_id"] == "lit") return l["state"];
    }
    return "";
  }
  TempDir dir_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(ServeScimToSeats, GroupMembershipGivesSeatsAndLeavingOrDeletionReturnsThem) {
  HttpClient c = server_->Client();
  const std::string& admin = server_->admin_token();
  const std::string& scim = server_->scim_token();
  CreateSubscription(c, admin, "lit", 1);
  const std::string u1 = CreateScimUser(c, scim, "t1@example.org");
  const std::string u2 = CreateScimUser(c, scim, "t2@example.org");
  HttpResponse g = c.Post("/scim/v2/Groups", scim,
                          json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                               {"displayName", "Teachers"},
                               {"members", {{{"value", u1}}, {{"value", u2}}}}}
                              .dump(),
                          "application/scim+json");
  ASSERT_EQ(g.status, 201) << g.body;
  const std::string gid = Json(g)["id"];
  // One seat, two members: one holds it, the other waits.
  const std::string s1 = State(c, u1), s2 = State(c, u2);
  ASSERT_TRUE((s1 == "active" && s2 == "pending") || (s1 == "pending" && s2 == "active"))
      << s1 << " " << s2;
  const std::string holder = s1 == "active" ? u1 : u2;
  const std::string waiter = s1 == "active" ? u2 : u1;
  ExpectInvariants(c, admin, "lit");

  HttpResponse p = c.Patch(
      "/scim/v2/Groups/" + gid, scim,
      json{{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
           {"Operations", {{{"op", "remove"}, {"path", "members[value eq \"" + holder + "\"]"}}}}}
          .dump(),
      "application/scim+json");
  ASSERT_TRUE(p.status == 200 || p.status == 204) << p.status << " " << p.body;
  EXPECT_EQ(State(c, holder), "");
  EXPECT_EQ(State(c, waiter), "active") << "the freed seat goes to the one waiting";
  ExpectInvariants(c, admin, "lit");

  ASSERT_EQ(c.Delete("/scim/v2/Users/" + waiter, scim).status, 204);
  Usage u = ReadUsage(c, admin, "lit");
  EXPECT_EQ(u.assigned, 0) << "a deleted user returns the seat";
  EXPECT_EQ(u.active_rows, 0);
  ExpectInvariants(c, admin, "lit");
}

// The licensing extension is readable on the SCIM User when asked for, and
// advertised in /Schemas; plain GETs (what IdPs send) do not carry it.
TEST_F(ServeScimToSeats, LicensesAreReadableOnTheScimUserWhenRequested) {
  HttpClient c = server_->Client();
  const std::string& admin = server_->admin_token();
  const std::string& scim = server_->scim_token();
  const std::string urn = "urn:allot:params:scim:schemas:extension:licensing:2.0:User";
  CreateSubscription(c, admin, "lit", 5);
  const std::string u = CreateScimUser(c, scim, "reader@example.org");
  ASSERT_EQ(c.Post("/scim/v2/Groups", scim,
                   json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
                        {"displayName", "Teachers"},
                        {"members", {{{"value", u}}}}}
                       .dump(),
                   "application/scim+json")
                .status,
            201);

  ASSERT_TRUE(allot::testing::WaitForLicensing(c, admin));
  HttpResponse plain = c.Get("/scim/v2/Users/" + u, scim);
  ASSERT_EQ(plain.status, 200);
  EXPECT_FALSE(Json(plain).contains(urn)) << plain.body;

  HttpResponse asked = c.Get("/scim/v2/Users/" + u + "?attributes=" + urn, scim);
  ASSERT_EQ(asked.status, 200) << asked.body;
  const json body = Json(asked);
  ASSERT_TRUE(body.contains(urn)) << asked.body;
  ASSERT_EQ(body[urn]["licenses"].size(), 1u) << asked.body;
  EXPECT_EQ(body[urn]["licenses"][0]["subscriptionId"], "lit");
  EXPECT_EQ(body[urn]["licenses"][0]["state"], "active");
  EXPECT_EQ(body[urn]["licenses"][0]["source"], "policy:teachers");
  EXPECT_NE(std::find(body["schemas"].begin(), body["schemas"].end(), urn), body["schemas"].end());

  HttpResponse listed = c.Get("/scim/v2/Users?attributes=" + urn + ":licenses", scim);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const json list = Json(listed);
  ASSERT_EQ(list["Resources"].size(), 1u);
  EXPECT_EQ(list["Resources"][0][urn]["licenses"][0]["subscriptionId"], "lit") << listed.body;

  HttpResponse schema = c.Get("/scim/v2/Schemas/" + urn, scim);
  ASSERT_EQ(schema.status, 200) << schema.body;
  EXPECT_EQ(Json(schema)["attributes"][0]["mutability"], "readOnly");
}

}  // namespace
}  // namespace allot::licensing::serve_testing
