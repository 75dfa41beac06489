// The roles table through the real binary: every admin endpoint × every role
// × in and out of a Subscription admin's scope. One row per endpoint; add a
// row when an endpoint is added (licensing rows go at the end of kMatrix).
#include <functional>
#include <regex>

#include "tests/admin/admin_fixture.h"

namespace allot::testing {
namespace {

using nlohmann::json;

// Expected status for each caller. Global and User admins are not scoped,
// so they get the same answer for the in-scope and the out-of-scope path.
struct Expect {
  int global;
  int user_admin;
  int sub_in;   // Subscription admin of sub-a, on path_in
  int sub_out;  // the same, on path_out
};

struct Row {
  std::string method;
  std::string path_in;   // about sub-a (the Subscription admin's)
  std::string path_out;  // about sub-b ("" = same as path_in)
  std::string body;
  Expect expect;
};

// Placeholders: {sub_in} {sub_out} {user_in} {user_out} {group_in}
// {group_out}; fresh per use: {new_admin} (an admin id), {new_admin_token}
// ("<admin id>/tokens/<token id>"), {new_scim_token} (a SCIM token id).
const Row kMatrix[] = {
    {"GET", "/whoami", "", "", {200, 200, 200, 200}},
    // Administrators, roles and tokens: Global admins only.
    {"GET", "/admins", "", "", {200, 403, 403, 403}},
    {"POST", "/admins", "", R"({"name":"m","role":"user_admin"})", {201, 403, 403, 403}},
    {"GET", "/admins/{new_admin}", "", "", {200, 403, 403, 403}},
    {"DELETE", "/admins/{new_admin}", "", "", {204, 403, 403, 403}},
    {"GET", "/admins/{new_admin}/tokens", "", "", {200, 403, 403, 403}},
    {"POST", "/admins/{new_admin}/tokens", "", "{}", {201, 403, 403, 403}},
    {"DELETE", "/admins/{new_admin_token}", "", "", {204, 403, 403, 403}},
    {"GET", "/scim-tokens", "", "", {200, 403, 403, 403}},
    {"POST", "/scim-tokens", "", R"({"name":"idp"})", {201, 403, 403, 403}},
    {"DELETE", "/scim-tokens/{new_scim_token}", "", "", {204, 403, 403, 403}},
    // Directory: everyone, a Subscription admin within its users.
    {"GET", "/users", "", "", {200, 200, 200, 200}},
    {"GET", "/users?filter=userName%20eq%20%22ann.in%40example.com%22", "", "", {200, 200, 200, 200}},
    {"GET", "/users/{user_in}", "/users/{user_out}", "", {200, 200, 200, 404}},
    {"GET", "/groups", "", "", {200, 200, 200, 200}},
    {"GET", "/groups/{group_in}", "/groups/{group_out}", "", {200, 200, 200, 404}},
    // Audit: everyone, a Subscription admin within its subscriptions.
    {"GET", "/audit", "", "", {200, 200, 200, 200}},
    {"GET", "/audit?subscription_id={sub_in}", "/audit?subscription_id={sub_out}", "",
     {200, 200, 200, 404}},
};

class RoleMatrixTest : public AdminApiTest {
 protected:
  // Replaces every {placeholder} of `path`, creating fresh objects where the
  // row needs one to consume (DELETE).
  std::string Expand(std::string path) {
    static const std::map<std::string, std::string> kFixed = {
        {"sub_in", "sub-a"},   {"sub_out", "sub-b"},     {"user_in", "u-in"},
        {"user_out", "u-out"}, {"group_in", "g-in"},     {"group_out", "g-out"}};
    const std::map<std::string, std::function<std::string()>> fresh = {
        {"new_admin", [] { return CreateAdmin("user_admin")["admin"]["id"].get<std::string>(); }},
        {"new_admin_token",
         [] {
           json created = CreateAdmin("user_admin");
           return created["admin"]["id"].get<std::string>() + "/tokens/" +
                  created["token_id"].get<std::string>();
         }},
        {"new_scim_token",
         [] {
           return Json(Call("POST", "/admin/v1/scim-tokens", roles_.global, "{}"))["id"]
               .get<std::string>();
         }},
    };
    static const std::regex kPlaceholder(R"(\{([a-z_]+)\})");
    std::smatch m;
    while (std::regex_search(path, m, kPlaceholder)) {
      const std::string name = m[1];
      std::string value;
      if (auto it = kFixed.find(name); it != kFixed.end()) value = it->second;
      else if (auto f = fresh.find(name); f != fresh.end()) value = f->second();
      else ADD_FAILURE() << "unknown placeholder " << name;
      path = m.prefix().str() + value + m.suffix().str();
    }
    return "/admin/v1" + path;
  }

  void Check(const Row& row, const std::string& who, const std::string& token,
             const std::string& raw_path, int expected) {
    const std::string path = Expand(raw_path);
    HttpResponse r = Call(row.method, path, token, row.body);
    EXPECT_EQ(r.status, expected) << who << " " << row.method << " " << path << "\n" << r.body;
    if (r.status == 403) {
      EXPECT_EQ(Json(r)["error"]["code"], "forbidden") << who << " " << path;
    }
    if (r.status == 404) {
      EXPECT_EQ(Json(r)["error"]["code"], "not_found") << who << " " << path;
    }
  }
};

TEST_F(RoleMatrixTest, EveryEndpointAnswersEveryRoleInAndOutOfScope) {
  for (const Row& row : kMatrix) {
    const std::string out = row.path_out.empty() ? row.path_in : row.path_out;
    Check(row, "global_admin", roles_.global, row.path_in, row.expect.global);
    Check(row, "global_admin", roles_.global, out, row.expect.global);
    Check(row, "user_admin", roles_.user, row.path_in, row.expect.user_admin);
    Check(row, "user_admin", roles_.user, out, row.expect.user_admin);
    Check(row, "subscription_admin(in)", roles_.sub, row.path_in, row.expect.sub_in);
    Check(row, "subscription_admin(out)", roles_.sub, out, row.expect.sub_out);
  }
}

TEST_F(RoleMatrixTest, ForbiddenNamesTheRoleAndTheAction) {
  HttpResponse r = Call("GET", "/admin/v1/admins", roles_.user);
  ASSERT_EQ(r.status, 403);
  const std::string message = Json(r)["error"]["message"];
  EXPECT_NE(message.find("user_admin"), std::string::npos) << message;
  EXPECT_NE(message.find("administrators"), std::string::npos) << message;
}

TEST_F(RoleMatrixTest, RefusedRequestsChangeNothing) {
  const size_t admins = Json(Call("GET", "/admin/v1/admins?limit=1000", roles_.global))["items"].size();
  EXPECT_EQ(Call("POST", "/admin/v1/admins", roles_.sub, R"({"name":"x","role":"global_admin"})").status,
            403);
  EXPECT_EQ(Call("POST", "/admin/v1/admins", roles_.user, R"({"name":"x","role":"global_admin"})").status,
            403);
  EXPECT_EQ(Json(Call("GET", "/admin/v1/admins?limit=1000", roles_.global))["items"].size(), admins);
}

}  // namespace
}  // namespace allot::testing
