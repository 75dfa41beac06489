// Issue 9, item 6: PATCH /Groups/{id} removing members by a filter other
// than `value eq` answered 500 (a loop over a vector inside a temporary map
// destroyed before the loop body ran: a use after free). Each form now
// removes exactly the members it names.
#include <algorithm>
#include <vector>

#include "hardening_util.h"

namespace allot::hardening {
namespace {

std::vector<std::string> Members(const std::string& group_id) {
  json g = Json(Client().Get("/scim/v2/Groups/" + group_id, Shared().scim_token()));
  std::vector<std::string> ids;
  for (const json& m : g.value("members", json::array())) ids.push_back(m.value("value", ""));
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(GroupMemberFilters, RemoveByAnyMemberFilterRemovesWhatItNames) {
  const std::string anna = CreateUser(Unique("anna"), {{"displayName", "Anna M"}});
  const std::string bob = CreateUser(Unique("bob"), {{"displayName", "Bob"}});
  struct Case {
    std::string path;
    std::vector<std::string> left;
  };
  const std::vector<Case> cases = {
      {R"(members[type eq "User"])", {}},
      {R"(members[display co "m"])", {bob}},
      {R"(members[value ne "x"])", {}},
      {R"(members[not (display co "m")])", {anna}},
      {R"(members[not (type eq "Group") and value ne "x"])", {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    HttpResponse g = Client().Post(
        "/scim/v2/Groups", Shared().scim_token(),
        json{{"displayName", Unique("members")}, {"members", {{{"value", anna}}, {{"value", bob}}}}}
            .dump(),
        kScimJson);
    ASSERT_EQ(g.status, 201) << g.body;
    const std::string gid = Json(g).value("id", "");
    HttpResponse r = Client().Patch(
        "/scim/v2/Groups/" + gid, Shared().scim_token(),
        json{{"schemas", {kPatchOp}}, {"Operations", {{{"op", "remove"}, {"path", c.path}}}}}.dump(),
        kScimJson);
    EXPECT_EQ(r.status, 204) << r.body;
    std::vector<std::string> left = c.left;
    std::sort(left.begin(), left.end());
    EXPECT_EQ(Members(gid), left);
  }
  ExpectAlive();
}

}  // namespace
}  // namespace allot::hardening
