// Issue 9, item 2: deeply nested JSON. Every body, SCIM and admin, is held to
// 64 levels while it is parsed; past that a 400 names the limit and nothing
// changes. (Before: nested 100,000 deep inside a PATCH value or a Bulk
// operation's data, it crashed the server in a recursive copy.)
#include "hardening_util.h"

namespace allot::hardening {
namespace {

std::string Nested(int depth, const std::string& inner = "1") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

std::string PatchBody(const std::string& value) {
  return std::string(R"({"schemas":[")") + kPatchOp +
         R"("],"Operations":[{"op":"replace","path":"nickName","value":)" + value + "}]}";
}

std::string Version(const std::string& user_id) {
  return Json(Client().Get("/scim/v2/Users/" + user_id, Shared().scim_token()))["meta"].value(
      "version", "");
}

TEST(JsonDepth, DeepPatchValueIsRefusedAndChangesNothing) {
  const std::string id = CreateUser(Unique("deep-patch"));
  const std::string before = Version(id);
  HttpResponse r = Client().Patch("/scim/v2/Users/" + id, Shared().scim_token(),
                                  PatchBody(Nested(100000)), kScimJson);
  ExpectScimError(r, 400, "invalidSyntax", "64 levels");
  EXPECT_EQ(Version(id), before);
  ExpectAlive();
}

TEST(JsonDepth, DeepBulkDataIsRefusedAndChangesNothing) {
  const std::string name = Unique("deep-bulk");
  const std::string body =
      R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[)"
      R"({"method":"POST","path":"/Users","bulkId":"a","data":{"userName":")" +
      name + R"(","x":)" + Nested(100000) + "}}]}";
  HttpResponse r = Client().Post("/scim/v2/Bulk", Shared().scim_token(), body, kScimJson);
  ExpectScimError(r, 400, "invalidSyntax", "64 levels");
  HttpResponse list = Client().Get("/scim/v2/Users?filter=userName%20eq%20%22" + name + "%22",
                                   Shared().scim_token());
  EXPECT_EQ(Json(list).value("totalResults", -1), 0);
  ExpectAlive();
}

TEST(JsonDepth, EveryScimBodyIsChecked) {
  const std::string deep_object = R"({"userName":"x","a":)" + Nested(70) + "}";
  for (const char* path : {"/scim/v2/Users", "/scim/v2/Groups", "/scim/v2/Users/.search"}) {
    SCOPED_TRACE(path);
    ExpectScimError(Client().Post(path, Shared().scim_token(), deep_object, kScimJson), 400,
                    "invalidSyntax", "64 levels");
  }
}

// The limit counts levels of arrays and objects: a body 64 deep is read (and
// then judged on its content), one 65 deep is not.
TEST(JsonDepth, SixtyFourLevelsAreReadSixtyFiveAreNot) {
  const std::string id = CreateUser(Unique("depth-edge"));
  // body object, Operations array, operation object: 3 levels before the value.
  HttpResponse ok = Client().Patch("/scim/v2/Users/" + id, Shared().scim_token(),
                                   PatchBody(Nested(61, "\"x\"")), kScimJson);
  EXPECT_EQ(Json(ok).value("detail", "").find("levels"), std::string::npos) << ok.body;
  EXPECT_LT(ok.status, 500);
  HttpResponse too_deep = Client().Patch("/scim/v2/Users/" + id, Shared().scim_token(),
                                         PatchBody(Nested(62, "\"x\"")), kScimJson);
  ExpectScimError(too_deep, 400, "invalidSyntax", "64 levels");
}

TEST(JsonDepth, AdminBodiesAreChecked) {
  const std::string id = Unique("deep-product");
  HttpResponse r = Client().Post("/admin/v1/products", Shared().admin_token(),
                                 R"({"id":")" + id + R"(","name":)" + Nested(100000) + "}");
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);
  json j = Json(r);
  EXPECT_EQ(j["error"].value("code", ""), "invalid_request") << r.body.substr(0, 300);
  EXPECT_NE(j["error"].value("message", "").find("64 levels"), std::string::npos) << r.body;
  EXPECT_EQ(Client().Get("/admin/v1/products/" + id, Shared().admin_token()).status, 404);
  ExpectAlive();
}

}  // namespace
}  // namespace allot::hardening
