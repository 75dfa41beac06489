// tests/licensing/serve_test_util.h — helpers for licensing tests through the
// real `allot serve` binary (tests/integration/harness.h): catalog set-up
// over the admin API, SCIM users, and the seat invariants as the admin API
// reports them.
// Thread-safety: each helper uses the client it is given; one client per thread.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/harness.h"

namespace allot::licensing::serve_testing {

using allot::testing::HttpClient;
using allot::testing::HttpResponse;
using nlohmann::json;
using allot::testing::helpers::Json;

// A product "p-<sub>" and its subscription `sub` with `seats` seats.
inline void CreateSubscription(HttpClient& c, const std::string& admin, const std::string& sub,
                               int seats) {
  HttpResponse p = c.Post("/admin/v1/products", admin,
                          json{{"id", "p-" + sub}, {"name", "Product " + sub}}.dump());
  ASSERT_TRUE(p.status == 200 || p.status == 201) << p.status << " " << p.body;
  HttpResponse s = c.Post("/admin/v1/subscriptions", admin,
                          json{{"id", sub}, {"product_id", "p-" + sub}, {"seats", seats}}.dump());
  ASSERT_TRUE(s.status == 200 || s.status == 201) << s.status << " " << s.body;
}

// Creates a SCIM user and returns its id ("" on failure, with a test failure).
inline std::string CreateScimUser(HttpClient& c, const std::string& scim,
                                  const std::string& user_name) {
  HttpResponse r = c.Post(
      "/scim/v2/Users", scim,
      json{{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:User"}}, {"userName", user_name}}
          .dump(),
      "application/scim+json");
  EXPECT_EQ(r.status, 201) << r.body;
  json j = Json(r);
  return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : "";
}

struct Usage {
  int64_t seats = -1, assigned = -1, available = -1, pending = -1;
  int64_t active_rows = 0, pending_rows = 0;  // from the assignments list
};

// Once the licensing outcome of every change so far is applied.
inline Usage ReadUsage(HttpClient& c, const std::string& admin, const std::string& sub) {
  Usage u;
  EXPECT_TRUE(allot::testing::WaitForLicensing(c, admin));
  HttpResponse s = c.Get("/admin/v1/subscriptions/" + sub, admin);
  EXPECT_EQ(s.status, 200) << s.body;
  json j = Json(s);
  if (!j.is_object()) return u;
  u.seats = j.value("seats", -1);
  u.assigned = j.value("assigned", -1);
  u.available = j.value("available", -1);
  u.pending = j.value("pending", -1);
  std::string path = "/admin/v1/subscriptions/" + sub + "/assignments?limit=1000";
  for (;;) {
    HttpResponse a = c.Get(path, admin);
    EXPECT_EQ(a.status, 200) << a.body;
    json page = Json(a);
    if (!page.is_object()) break;
    for (const json& item : page["items"]) {
      if (item["state"] == "active") ++u.active_rows;
      if (item["state"] == "pending") ++u.pending_rows;
    }
    if (!page["next_cursor"].is_string()) break;
    path = "/admin/v1/subscriptions/" + sub +
           "/assignments?limit=1000&cursor=" + page["next_cursor"].get<std::string>();
  }
  return u;
}

// assigned == active assignments <= seats, available = seats - assigned, and
// no one waits while a seat is free.
inline void ExpectInvariants(HttpClient& c, const std::string& admin, const std::string& sub) {
  Usage u = ReadUsage(c, admin, sub);
  EXPECT_EQ(u.assigned, u.active_rows) << "a seat was lost or double-counted in " << sub;
  EXPECT_LE(u.assigned, u.seats) << "overbooked " << sub;
  EXPECT_EQ(u.available, u.seats - u.assigned);
  EXPECT_EQ(u.pending, u.pending_rows);
  if (u.assigned < u.seats) {
    EXPECT_EQ(u.pending_rows, 0) << "pending while a seat is free";
  }
}

}  // namespace allot::licensing::serve_testing
