// Issue 9, item 10: seats are at most 1,000,000,000 on every path that sets
// them, and /reports/usage totals never overflow (two subscriptions of
// 2^63-1 seats made them negative).
#include <cstdint>
#include <limits>

#include <soci/soci.h>

#include "hardening_util.h"
#include "server/store/database.h"

namespace allot::hardening {
namespace {

HttpResponse AdminPost(const std::string& path, const json& body) {
  return Client().Post(path, Shared().admin_token(), body.dump());
}

void ExpectSeatsRefused(const HttpResponse& r) {
  EXPECT_EQ(r.status, 400) << r.body;
  json j = Json(r);
  EXPECT_EQ(j["error"].value("code", ""), "invalid_request") << r.body;
  EXPECT_NE(j["error"].value("message", "").find("1000000000"), std::string::npos) << r.body;
}

TEST(SeatsLimit, CreateAndChangeAreHeldToTheLimit) {
  const std::string product = Unique("seats-product");
  ASSERT_EQ(AdminPost("/admin/v1/products", {{"id", product}, {"name", "P"}}).status, 201);
  const std::string sub = Unique("seats-sub");
  for (const json& seats : {json(1000000001), json(std::numeric_limits<int64_t>::max()),
                            json(std::numeric_limits<uint64_t>::max()), json(-1)}) {
    SCOPED_TRACE(seats.dump());
    ExpectSeatsRefused(
        AdminPost("/admin/v1/subscriptions", {{"id", sub}, {"product_id", product}, {"seats", seats}}));
  }
  EXPECT_EQ(Client().Get("/admin/v1/subscriptions/" + sub, Shared().admin_token()).status, 404);
  HttpResponse created = AdminPost("/admin/v1/subscriptions",
                                   {{"id", sub}, {"product_id", product}, {"seats", 1000000000}});
  ASSERT_EQ(created.status, 201) << created.body;
  for (const json& seats : {json(1000000001), json(std::numeric_limits<uint64_t>::max())}) {
    SCOPED_TRACE(seats.dump());
    ExpectSeatsRefused(Client().Patch("/admin/v1/subscriptions/" + sub, Shared().admin_token(),
                                      json{{"seats", seats}}.dump()));
  }
  json now = Json(Client().Get("/admin/v1/subscriptions/" + sub, Shared().admin_token()));
  EXPECT_EQ(now.value("seats", int64_t{0}), 1000000000);
}

// Rows written before the limit existed may hold any int64; the totals
// saturate instead of wrapping.
TEST(SeatsLimit, UsageTotalsDoNotOverflow) {
  const std::string product = Unique("usage-product");
  ASSERT_EQ(AdminPost("/admin/v1/products", {{"id", product}, {"name", "P"}}).status, 201);
  std::vector<std::string> subs = {Unique("usage-a"), Unique("usage-b")};
  for (const std::string& sub : subs) {
    ASSERT_EQ(AdminPost("/admin/v1/subscriptions", {{"id", sub}, {"product_id", product}, {"seats", 1}})
                  .status,
              201);
  }
  auto db = store::Database::Open({.url = Shared().db_url(), .pool_size = 1});
  ASSERT_TRUE(db.has_value()) << db.error().message;
  ASSERT_TRUE((*db)->Write([&](soci::session& sql) -> Status {
                     const long long huge = std::numeric_limits<int64_t>::max();
                     for (const std::string& sub : subs) {
                       sql << "UPDATE subscriptions SET seats = :s WHERE tenant_id = 'default' AND id = :i", soci::use(huge),
                           soci::use(sub);
                     }
                     return Ok();
                   }).has_value());
  HttpResponse r = Client().Get("/admin/v1/reports/usage", Shared().admin_token());
  ASSERT_EQ(r.status, 200) << r.body;
  json totals = Json(r)["totals"];
  EXPECT_EQ(totals.value("seats", int64_t{0}), std::numeric_limits<int64_t>::max()) << r.body;
  EXPECT_GE(totals.value("available", int64_t{-1}), 0) << r.body;
}

}  // namespace
}  // namespace allot::hardening
