// Webhooks (issue 13) through the real binary, with a receiver in the test
// on loopback: every event type signed as Standard Webhooks, retries after
// 500s, order per user, kill -9 between commit and delivery, two instances
// on one database, the SSRF refusals of the API, pruning, TLS with the
// receiver's certificate verified.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <set>

#include "server/http/tls.h"
#include "tests/webhooks/receiver.h"
#include "tests/webhooks/webhooks_fixture.h"

namespace allot::webhooks_testing {
namespace {

using allot::testing::TempDir;

class Webhooks : public ServeTest {
 protected:
  // The receiver's requests that carry event `type` (for `user` when given).
  static std::vector<Received> OfType(const std::vector<Received>& all, const std::string& type,
                                      const std::string& user = "") {
    std::vector<Received> out;
    for (const Received& r : all) {
      if (!r.json.is_object() || r.json.value("type", "") != type) continue;
      if (!user.empty() && r.json["data"].value("user_id", "") != user) continue;
      out.push_back(r);
    }
    return out;
  }
  // Distinct event ids answered 2xx, in the order first answered.
  static std::vector<Received> Delivered(const std::vector<Received>& all) {
    std::vector<Received> out;
    std::set<std::string> seen;
    for (const Received& r : all) {
      if (r.answered >= 200 && r.answered < 300 && seen.insert(r.id).second) out.push_back(r);
    }
    return out;
  }
  bool AllDelivered(const std::string& webhook, size_t at_least) {
    const json items = Deliveries(webhook);
    if (!items.is_array() || items.size() < at_least) return false;
    for (const json& d : items) {
      if (d["status"] != "delivered") return false;
    }
    return true;
  }
};

TEST_F(Webhooks, EveryEventTypeArrivesSignedWithTheContractsBody) {
  Receiver receiver;
  const auto [webhook, secret] = Webhook(receiver.Url());
  ASSERT_TRUE(secret.starts_with("whsec_")) << secret;
  Subscription("lit", "lit-2026", 1);
  Subscription("lab", "lab-2026", 5);
  const std::string ann = User("ann@example.com", "emp-1");
  const std::string bob = User("bob@example.com", "emp-2");
  const std::string cy = User("cy@example.com");
  Assign(ann, "lit-2026");                    // license.assigned
  Assign(bob, "lit-2026", /*queue=*/true);    // license.pending
  ASSERT_EQ(Admin("DELETE", "/users/" + ann + "/licenses/lit-2026").status, 200);
  // → license.released (ann, unassigned), license.assigned (bob, promoted)
  Deactivate(bob);  // → user.deprovisioned (deactivated), license.released (deprovisioned)
  Assign(cy, "lab-2026");
  ASSERT_EQ(Admin("PATCH", "/subscriptions/lab-2026", json{{"ends_at", TimeFromNow(-1)}}.dump())
                .status,
            200);  // the sweep: license.released (expired), subscription.expired
  ASSERT_TRUE(receiver.WaitFor([](const std::vector<Received>& all) {
    return !OfType(all, "subscription.expired").empty();
  })) << server_->Log();
  ASSERT_EQ(c().Delete("/scim/v2/Users/" + cy, scim_).status, 204);  // user.deprovisioned (deleted)

  ASSERT_TRUE(receiver.WaitFor([&](const std::vector<Received>& all) {
    return OfType(all, "user.deprovisioned").size() >= 2 &&
           OfType(all, "license.released").size() >= 3;
  })) << server_->Log();
  const std::vector<Received> all = receiver.requests();
  for (const Received& r : all) {
    SCOPED_TRACE(r.body);
    EXPECT_TRUE(VerifySignature(secret, r.id, r.timestamp, r.body, r.signature));
    EXPECT_FALSE(VerifySignature(secret, r.id, r.timestamp, r.body + " ", r.signature));
    ASSERT_TRUE(r.json.is_object());
    EXPECT_EQ(r.json["id"], r.id) << "webhook-id is the event id";
    EXPECT_EQ(r.json["tenant"], "default");
    EXPECT_TRUE(r.json["occurred_at"].is_string());
    const long age = std::time(nullptr) - std::stol(r.timestamp);
    EXPECT_LT(std::labs(age), 600) << "webhook-timestamp is Unix seconds, now";
    const json& d = r.json["data"];
    for (const char* key : {"user_id", "user_name", "external_id", "subscription_id",
                            "product_id", "state", "reason"}) {
      EXPECT_TRUE(d.contains(key)) << key;
    }
  }
  auto one = [&](const std::string& type, const std::string& user) {
    const auto found = OfType(all, type, user);
    EXPECT_EQ(found.size(), 1u) << type << " for " << user;
    return found.empty() ? json::object() : found[0].json["data"];
  };
  json d = one("license.assigned", ann);
  EXPECT_EQ(d["user_name"], "ann@example.com");
  EXPECT_EQ(d["external_id"], "emp-1");
  EXPECT_EQ(d["subscription_id"], "lit-2026");
  EXPECT_EQ(d["product_id"], "lit");
  EXPECT_EQ(d["state"], "active");
  d = one("license.pending", bob);
  EXPECT_EQ(d["state"], "pending");
  EXPECT_TRUE(d["reason"].is_string());
  d = one("license.released", ann);
  EXPECT_EQ(d["reason"], "unassigned");
  EXPECT_EQ(d["state"], "active") << "the state it had";
  d = one("license.assigned", bob);
  EXPECT_EQ(d["reason"], "a seat became free");
  d = one("user.deprovisioned", bob);
  EXPECT_EQ(d["reason"], "deactivated");
  EXPECT_EQ(d["user_name"], "bob@example.com");
  EXPECT_TRUE(d["subscription_id"].is_null());
  d = one("license.released", bob);
  EXPECT_EQ(d["reason"], "deprovisioned");
  d = one("license.released", cy);
  EXPECT_EQ(d["reason"], "expired");
  EXPECT_EQ(d["product_id"], "lab");
  const auto expired = OfType(all, "subscription.expired");
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].json["data"]["subscription_id"], "lab-2026");
  EXPECT_EQ(expired[0].json["data"]["product_id"], "lab");
  EXPECT_TRUE(expired[0].json["data"]["user_id"].is_null());
  d = one("user.deprovisioned", cy);
  EXPECT_EQ(d["reason"], "deleted");

  ASSERT_TRUE(Eventually([&] { return AllDelivered(webhook, all.size()); }));
  for (const json& item : Deliveries(webhook)) {
    EXPECT_EQ(item["attempts"], 1) << item.dump();
    EXPECT_EQ(item["last_status"], 200);
    EXPECT_TRUE(item["next_attempt_at"].is_null());
  }
}

TEST_F(Webhooks, OnlyTheEventsAWebhookAskedFor) {
  Receiver all_events, released_only;
  Webhook(all_events.Url());
  const auto [only, secret] = Webhook(released_only.Url(), json{"license.released"});
  EXPECT_EQ(Json(Admin("GET", "/webhooks/" + only))["events"], json({"license.released"}));
  Subscription("lit", "lit-2026", 1);
  const std::string u = User("u@example.com");
  Assign(u, "lit-2026");
  ASSERT_EQ(Admin("DELETE", "/users/" + u + "/licenses/lit-2026").status, 200);
  ASSERT_TRUE(released_only.WaitFor(
      [](const std::vector<Received>& r) { return !r.empty(); }));
  ASSERT_TRUE(all_events.WaitFor([](const std::vector<Received>& r) { return r.size() >= 2; }));
  for (const Received& r : released_only.requests()) {
    EXPECT_EQ(r.json["type"], "license.released");
  }
  EXPECT_EQ(Admin("POST", "/webhooks", R"({"url":")" + released_only.Url() +
                                           R"(","events":["license.nope"]})")
                .status,
            400);
}

TEST_F(Webhooks, NoWebhookNoOutbox) {
  Subscription("lit", "lit-2026", 1);
  Assign(User("u@example.com"), "lit-2026");
  Receiver receiver;
  const auto [webhook, secret] = Webhook(receiver.Url());
  // Events of changes made before the webhook existed are not sent to it.
  const std::string later = User("later@example.com");
  ASSERT_EQ(Admin("PATCH", "/subscriptions/lit-2026", R"({"seats":2})").status, 200);
  Assign(later, "lit-2026");
  ASSERT_TRUE(receiver.WaitFor([](const std::vector<Received>& r) { return !r.empty(); }));
  EXPECT_EQ(Deliveries(webhook).size(), 1u);
}

TEST_F(Webhooks, RetriedAfterServerErrorsUntilDelivered) {
  Receiver receiver;
  receiver.SetAnswer([](const Received&, int before) { return before < 2 ? 500 : 204; });
  const auto [webhook, secret] = Webhook(receiver.Url());
  Subscription("lit", "lit-2026", 1);
  Assign(User("u@example.com"), "lit-2026");
  ASSERT_TRUE(Eventually([&] { return AllDelivered(webhook, 1); })) << Deliveries(webhook).dump();
  const json d = Deliveries(webhook)[0];
  EXPECT_EQ(d["attempts"], 3);
  EXPECT_EQ(d["last_status"], 204);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const Received& r : requests) {
    EXPECT_EQ(r.id, requests[0].id) << "every attempt carries the same webhook-id";
    EXPECT_TRUE(VerifySignature(secret, r.id, r.timestamp, r.body, r.signature));
  }
}

class WebhooksTwoAttempts : public Webhooks {
  std::vector<std::string> ExtraArgs() override { return {"--webhook-max-attempts", "2"}; }
};

TEST_F(WebhooksTwoAttempts, FailedAfterMaxAttemptsThenRetriedByHand) {
  Receiver receiver;
  receiver.SetAnswer([](const Received&, int) { return 503; });
  const auto [webhook, secret] = Webhook(receiver.Url());
  Subscription("lit", "lit-2026", 1);
  Assign(User("u@example.com"), "lit-2026");
  ASSERT_TRUE(Eventually([&] {
    const json d = Deliveries(webhook);
    return d.size() == 1 && d[0]["status"] == "failed";
  })) << Deliveries(webhook).dump();
  json d = Deliveries(webhook)[0];
  EXPECT_EQ(d["attempts"], 2);
  EXPECT_EQ(d["last_status"], 503);
  EXPECT_TRUE(d["last_error"].is_string());
  EXPECT_EQ(receiver.requests().size(), 2u);

  receiver.SetAnswer([](const Received&, int) { return 200; });
  const std::string id = d["id"];
  HttpResponse r = Admin("POST", "/webhooks/" + webhook + "/deliveries/" + id + "/retry");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["status"], "pending");
  ASSERT_TRUE(Eventually([&] { return AllDelivered(webhook, 1); }));
  EXPECT_EQ(Admin("POST", "/webhooks/" + webhook + "/deliveries/999999/retry").status, 404);
}

TEST_F(Webhooks, OrderPerUserIsKeptAcrossRetries) {
  Receiver receiver;
  // The first attempt of the user's first event fails: the events after it
  // must wait for it.
  receiver.SetAnswer([](const Received&, int before) { return before == 0 ? 500 : 200; });
  const auto [webhook, secret] = Webhook(receiver.Url());
  Subscription("lit", "lit-2026", 1);
  Subscription("lab", "lab-2026", 1);
  const std::string u = User("u@example.com");
  Assign(u, "lit-2026");
  ASSERT_EQ(Admin("DELETE", "/users/" + u + "/licenses/lit-2026").status, 200);
  Assign(u, "lab-2026");
  ASSERT_EQ(Admin("DELETE", "/users/" + u + "/licenses/lab-2026").status, 200);
  Assign(u, "lit-2026");
  ASSERT_TRUE(Eventually([&] { return AllDelivered(webhook, 5); })) << Deliveries(webhook).dump();
  const auto requests = receiver.requests();
  const auto delivered = Delivered(requests);
  std::vector<std::string> seen;
  for (const Received& r : delivered) {
    seen.push_back(r.json["type"].get<std::string>() + " " +
                   r.json["data"]["subscription_id"].get<std::string>());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"license.assigned lit-2026", "license.released lit-2026",
                                            "license.assigned lab-2026", "license.released lab-2026",
                                            "license.assigned lit-2026"}));
  // Nothing after the first event was even sent before it was delivered.
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0].id, requests[1].id) << "the retry came before any later event";
  // Delivery ids grow in event order.
  const json items = Deliveries(webhook);
  for (size_t i = 1; i < items.size(); ++i) {
    EXPECT_GT(std::stoll(items[i - 1]["id"].get<std::string>()),
              std::stoll(items[i]["id"].get<std::string>()))
        << "newest first";
  }
}

// A short timeout: the leases of the killed process (a multiple of it) run
// out within seconds.
class WebhooksShortTimeout : public Webhooks {
  std::vector<std::string> ExtraArgs() override { return {"--webhook-timeout-ms", "300"}; }
};

TEST_F(WebhooksShortTimeout, AKillNineBetweenCommitAndDeliveryLosesNothing) {
  Receiver receiver;
  receiver.Hold(true);  // no attempt of the first process gets an answer
  const auto [webhook, secret] = Webhook(receiver.Url());
  Subscription("lit", "lit-2026", 10);
  std::vector<std::string> users;
  for (int i = 0; i < 6; ++i) users.push_back(User("u" + std::to_string(i) + "@example.com"));
  for (const std::string& u : users) Assign(u, "lit-2026");
  // Every change is committed (answered 200); deliveries are claimed and in
  // flight (leased), or waiting. SIGKILL.
  ASSERT_TRUE(Eventually([&] { return receiver.held() > 0; }));
  server_->Stop(SIGKILL);
  const std::string data_dir = server_->data_dir();
  receiver.DropHeld();  // what the first process sent is lost
  ASSERT_TRUE(receiver.requests().empty());

  // The same database, a new process.
  auto again = Start({"--webhook-timeout-ms", "300"}, data_dir);
  ASSERT_NE(again, nullptr);
  ASSERT_TRUE(receiver.WaitFor([&](const std::vector<Received>& all) {
    std::set<std::string> users_done;
    for (const Received& r : Delivered(all)) users_done.insert(r.json["data"]["user_id"]);
    return users_done.size() == users.size();
  }, std::chrono::seconds(90))) << again->Log();
  for (const Received& r : Delivered(receiver.requests())) {
    EXPECT_TRUE(VerifySignature(secret, r.id, r.timestamp, r.body, r.signature));
    EXPECT_EQ(r.json["type"], "license.assigned");
  }
  HttpClient c2 = again->Client();
  ASSERT_TRUE(Eventually([&] {
    const json d = Json(c2.Get("/admin/v1/webhooks/" + webhook + "/deliveries", admin_))["items"];
    if (d.size() != users.size()) return false;
    for (const json& item : d) {
      if (item["status"] != "delivered") return false;
    }
    return true;
  }));
}

// A minute per attempt: a shutdown that waited for the receiver, or leases
// left behind, would show within the harness's deadlines.
class WebhooksLongTimeout : public Webhooks {
  std::vector<std::string> ExtraArgs() override { return {"--webhook-timeout-ms", "60000"}; }
};

TEST_F(WebhooksLongTimeout, ShutdownNeitherWaitsForTheReceiverNorKeepsLeases) {
  Receiver receiver;
  receiver.Hold(true);
  const auto [webhook, secret] = Webhook(receiver.Url());
  Subscription("lit", "lit-2026", 10);
  Assign(User("u@example.com"), "lit-2026");
  ASSERT_TRUE(Eventually([&] { return receiver.held() > 0; }));
  // SIGTERM: the send in flight is cut short, the process exits 0 within
  // the harness's 30 s (the attempt alone could take minutes).
  EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
  receiver.DropHeld();
  // The lease was given back: a new process sends at once instead of
  // waiting for it to run out (12 minutes).
  auto again = Start({"--webhook-timeout-ms", "60000"}, server_->data_dir());
  ASSERT_NE(again, nullptr);
  ASSERT_TRUE(receiver.WaitFor([](const std::vector<Received>& r) { return !r.empty(); }))
      << again->Log();
  EXPECT_EQ(receiver.requests()[0].json["type"], "license.assigned");
}

TEST_F(Webhooks, TwoInstancesOnOneDatabaseDeliverEachEventOnce) {
  auto second = Start({}, server_->data_dir());
  ASSERT_NE(second, nullptr);
  HttpClient other = second->Client();
  Receiver receiver;
  const auto [webhook, secret] = Webhook(receiver.Url());
  Subscription("lit", "lit-2026", 100);
  constexpr int kUsers = 30;
  for (int i = 0; i < kUsers; ++i) {
    const std::string u = User("user" + std::to_string(i) + "@example.com");
    // Changes on both instances; either may deliver any event.
    HttpClient& via = i % 2 == 0 ? c() : other;
    HttpResponse r = via.Put("/admin/v1/users/" + u + "/licenses/lit-2026", admin_, "{}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  ASSERT_TRUE(Eventually([&] { return AllDelivered(webhook, kUsers); }))
      << Deliveries(webhook).dump();
  std::map<std::string, int> times;
  for (const Received& r : receiver.requests()) ++times[r.id];
  EXPECT_EQ(times.size(), static_cast<size_t>(kUsers));
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << id << " was delivered " << n << " times";
}

TEST_F(Webhooks, TheApiRefusesTargetsItMustNotReach) {
  // The unit test of target.h covers the address classes; here, that the
  // API applies them (numeric hosts only: nothing is resolved off-machine).
  for (const char* url : {"https://169.254.169.254/latest", "http://169.254.169.254/",
                          "https://[fe80::1]/", "https://0.0.0.0/", "https://224.0.0.1/",
                          "https://[::ffff:127.0.0.1]/", "ftp://127.0.0.1/",
                          "https://user@127.0.0.1/", "http://8.8.8.8/"}) {
    HttpResponse r = Admin("POST", "/webhooks", json{{"url", url}}.dump());
    EXPECT_EQ(r.status, 400) << url << " " << r.body;
  }
  EXPECT_EQ(Json(Admin("GET", "/webhooks"))["items"].size(), 0u);
}

// The test receiver itself: one stopped right after it was made must stop.
// (cpp-httplib's stop() is a no-op until the accept loop has started, so a
// receiver destroyed before its thread ran hung the test for ever: seen as a
// 300 s timeout of ListsAndDeletes under load.)
TEST(WebhookReceiver, StopsEvenWhenDestroyedAtOnce) {
  for (int i = 0; i < 200; ++i) {
    Receiver receiver;
    EXPECT_GT(receiver.port(), 0);
  }
}

TEST_F(Webhooks, ListsAndDeletes) {
  Receiver receiver;
  const auto [id, secret] = Webhook(receiver.Url());
  HttpResponse r = Admin("POST", "/webhooks",
                         json{{"url", receiver.Url("/b")}, {"description", "billing"}}.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const json list = Json(Admin("GET", "/webhooks"));
  ASSERT_EQ(list["items"].size(), 2u);
  for (const json& w : list["items"]) {
    EXPECT_FALSE(w.contains("secret")) << "the secret is shown once";
    EXPECT_EQ(w["events"].size(), 5u);
  }
  EXPECT_EQ(Admin("DELETE", "/webhooks/" + id).status, 204);
  EXPECT_EQ(Admin("GET", "/webhooks/" + id).status, 404);
  EXPECT_EQ(Admin("GET", "/webhooks/" + id + "/deliveries").status, 404);
  EXPECT_EQ(Admin("DELETE", "/webhooks/" + id).status, 404);
  EXPECT_EQ(Json(Admin("GET", "/webhooks"))["items"].size(), 1u);
  const json audit = Json(Admin("GET", "/audit?limit=100"));
  int created = 0;
  for (const json& e : audit["items"]) {
    if (e["action"] == "webhook.created") ++created;
    EXPECT_EQ(e.dump().find("whsec_"), std::string::npos) << "no secret in the audit log";
  }
  EXPECT_EQ(created, 2);
}

class WebhooksShortRetention : public Webhooks {
  std::vector<std::string> ExtraArgs() override {
    return {"--webhook-retention-seconds", "1"};
  }
};

TEST_F(WebhooksShortRetention, FinishedDeliveriesArePruned) {
  Receiver receiver;
  const auto [webhook, secret] = Webhook(receiver.Url());
  Subscription("lit", "lit-2026", 1);
  Assign(User("u@example.com"), "lit-2026");
  ASSERT_TRUE(receiver.WaitFor([](const std::vector<Received>& r) { return !r.empty(); }));
  ASSERT_TRUE(Eventually([&] { return Deliveries(webhook).empty(); }))
      << "the delivered delivery is pruned after the retention";
}

TEST_F(Webhooks, ASlowReceiverNeverHoldsUpRequests) {
  Receiver receiver;
  receiver.Hold(true);
  Webhook(receiver.Url());
  Subscription("lit", "lit-2026", 100);
  // Every sender is stuck on the receiver; licensing requests still answer.
  for (int i = 0; i < 20; ++i) {
    const std::string u = User("slow" + std::to_string(i) + "@example.com");
    Assign(u, "lit-2026");
  }
  EXPECT_EQ(Json(Admin("GET", "/subscriptions/lit-2026"))["assigned"], 20);
  receiver.Hold(false);
}

// HTTPS to the receiver, whose certificate the server trusts through
// webhook_ca_file; and, without it, refused (the certificate is verified).
TEST_F(Webhooks, TlsReceiverCertificateIsVerified) {
  TempDir certs;
  auto paths = http::EnsureSelfSignedCertificate(certs.path() + "/receiver");
  ASSERT_TRUE(paths) << paths.error().message;
  Receiver tls(paths->cert_file, paths->key_file);
  // This server does not trust the receiver's certificate.
  const auto [untrusted, s1] = Webhook(tls.Url());
  Subscription("lit", "lit-2026", 5);
  Assign(User("u@example.com"), "lit-2026");
  ASSERT_TRUE(Eventually([&] {
    const json d = Deliveries(untrusted);
    return d.size() == 1 && d[0]["attempts"].get<int>() >= 1;
  })) << Deliveries(untrusted).dump();
  const json refused = Deliveries(untrusted)[0];
  EXPECT_NE(refused["status"], "delivered");
  EXPECT_NE(refused["last_error"].get<std::string>().find("certificate"), std::string::npos)
      << refused.dump();
  EXPECT_TRUE(tls.requests().empty());

  // One that does.
  auto trusting = Start({"--webhook-ca-file", paths->cert_file});
  ASSERT_NE(trusting, nullptr);
  HttpClient t = trusting->Client();
  HttpResponse w = t.Post("/admin/v1/webhooks", trusting->admin_token(),
                          json{{"url", tls.Url()}}.dump());
  ASSERT_EQ(w.status, 201) << w.body;
  const std::string secret = Json(w)["secret"];
  ASSERT_EQ(t.Post("/admin/v1/products", trusting->admin_token(), R"({"id":"p","name":"p"})").status, 201);
  ASSERT_EQ(t.Post("/admin/v1/subscriptions", trusting->admin_token(),
                   R"({"id":"s","product_id":"p","seats":1})")
                .status,
            201);
  HttpResponse u = t.Post("/scim/v2/Users", trusting->scim_token(),
                          json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}},
                               {"userName", "v@example.com"}}
                              .dump(),
                          "application/scim+json");
  ASSERT_EQ(u.status, 201);
  ASSERT_EQ(t.Put("/admin/v1/users/" + Json(u)["id"].get<std::string>() + "/licenses/s",
                  trusting->admin_token(), "{}")
                .status,
            200);
  ASSERT_TRUE(tls.WaitFor([](const std::vector<Received>& r) { return !r.empty(); }))
      << trusting->Log();
  const Received r = tls.requests()[0];
  EXPECT_TRUE(VerifySignature(secret, r.id, r.timestamp, r.body, r.signature));
}

}  // namespace
}  // namespace allot::webhooks_testing
