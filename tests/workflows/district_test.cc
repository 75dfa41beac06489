// The district workflow of issue 10, end to end through the binary: classes
// are SCIM groups, a policy gives each class's students a literacy license
// (`when` keeps homeroom teachers out), a policy edit moves a class to a
// license type whose subscription is too small (make before break), seats
// are raised, an administrator searches, and a student deleted by the IdP
// comes back.
#include "tests/workflows/workflow_fixture.h"

namespace allot::workflows {
namespace {

constexpr char kRoom12[] = "Grade 3 - Room 12";
constexpr char kRoom14[] = "Grade 3 - Room 14";

json ClassRule(const std::string& group, const std::string& sub) {
  return {{"group", group}, {"subscription", sub}, {"when", {{"userType", "Student"}}}};
}

class District : public Workflow {
 protected:
  void SetUp() override {
    Workflow::SetUp();
    if (HasFatalFailure()) return;
    Product("lit-core", "literacy");
    Product("lit-plus", "literacy");
    Product("teacher-tools");
    Subscription("core-2026", "lit-core", 30);
    Subscription("plus-2026", "lit-plus", 4);
    Subscription("teach-2026", "teacher-tools", 5);
    const char* family_names[] = {"Rivera", "Okafor", "Lindqvist", "Nguyen", "Haddad", "Kowalski"};
    for (const char* room : {"12", "14"}) {
      std::vector<std::string>& students = room == std::string("12") ? room12_ : room14_;
      for (int i = 0; i < 6; ++i) {
        const std::string given = std::string("Kid") + room + "x" + std::to_string(i);
        students.push_back(User(
            given + "@district.example",
            {{"userType", "Student"},
             {"name", {{"givenName", given}, {"familyName", family_names[i] + std::string(room)}}},
             {"emails", {{{"value", given + "@students.district.example"}, {"type", "work"}}}}}));
      }
    }
    teacher12_ = User("homeroom12@district.example", {{"userType", "Teacher"}});
    teacher14_ = User("homeroom14@district.example", {{"userType", "Teacher"}});
    std::vector<std::string> m12 = room12_, m14 = room14_;
    m12.push_back(teacher12_);
    m14.push_back(teacher14_);
    room12_gid_ = Group(kRoom12, m12);
    room14_gid_ = Group(kRoom14, m14);
    Group("Teachers", {teacher12_, teacher14_});
    WritePolicy("classes", {ClassRule(kRoom12, "core-2026"), ClassRule(kRoom14, "core-2026")});
    WritePolicy("teachers", {{{"group", "Teachers"}, {"subscription", "teach-2026"}}});
    Reload();
  }

  std::vector<std::string> room12_, room14_;
  std::string teacher12_, teacher14_, room12_gid_, room14_gid_;
};

TEST_F(District, ClassesGiveStudentsTheirLicenseAndNotTheHomeroomTeacher) {
  for (const std::string& s : room12_) EXPECT_EQ(State(s, "core-2026"), "active");
  for (const std::string& s : room14_) EXPECT_EQ(State(s, "core-2026"), "active");
  EXPECT_EQ(State(teacher12_, "core-2026"), "") << "a teacher in a class group took a student seat";
  EXPECT_EQ(State(teacher12_, "teach-2026"), "active");
  EXPECT_EQ(Get("/subscriptions/core-2026")["assigned"], 12);
  ExpectInvariants("core-2026");
}

TEST_F(District, ClassMovedToAFullLicenseTypeKeepsItsLicensesUntilSeatsCome) {
  // The policy edit: Room 12 now gets Plus, which has 4 seats for 6 students.
  WritePolicy("classes", {ClassRule(kRoom12, "plus-2026"), ClassRule(kRoom14, "core-2026")});
  Reload();
  int on_plus = 0, waiting = 0;
  std::vector<std::string> waiters;
  for (const std::string& s : room12_) {
    const std::string plus = State(s, "plus-2026"), core = State(s, "core-2026");
    if (plus == "active") {
      ++on_plus;
      EXPECT_EQ(core, "") << "the replaced license must go with the new one";
      EXPECT_EQ(EndReason(s, "core-2026"), "replaced");
    } else {
      ++waiting;
      waiters.push_back(s);
      EXPECT_EQ(plus, "pending");
      EXPECT_EQ(core, "active") << "a student lost the license they had while waiting";
    }
  }
  EXPECT_EQ(on_plus, 4);
  EXPECT_EQ(waiting, 2);
  ExpectInvariants("core-2026");
  ExpectInvariants("plus-2026");

  // The waitlist, in order, and the same users through the search.
  const json wl = Get("/subscriptions/plus-2026/waitlist");
  ASSERT_EQ(wl["items"].size(), 2u) << wl.dump();
  EXPECT_EQ(wl["items"][0]["position"], 1);
  EXPECT_EQ(wl["items"][1]["position"], 2);
  std::vector<std::string> listed = {wl["items"][0]["user_id"], wl["items"][1]["user_id"]};
  std::sort(listed.begin(), listed.end());
  std::sort(waiters.begin(), waiters.end());
  EXPECT_EQ(listed, waiters);
  std::vector<std::string> pending = UserIds("subscription_id=plus-2026&state=pending");
  std::sort(pending.begin(), pending.end());
  EXPECT_EQ(pending, waiters);

  // More seats: the two waiting get Plus, and their Core goes in the same step.
  Seats("plus-2026", 6);
  for (const std::string& s : waiters) {
    EXPECT_EQ(State(s, "plus-2026"), "active");
    EXPECT_EQ(State(s, "core-2026"), "");
    EXPECT_EQ(EndReason(s, "core-2026"), "replaced");
  }
  EXPECT_EQ(Get("/subscriptions/core-2026")["assigned"], 6) << "Room 14 only";
  ExpectInvariants("core-2026");
  ExpectInvariants("plus-2026");
}

TEST_F(District, AdministratorFindsStudentsByNameClassAndLicense) {
  // q: a case-insensitive substring of the names and emails.
  EXPECT_EQ(UserIds("q=rivera12"), std::vector<std::string>{room12_[0]});
  EXPECT_EQ(UserIds("q=KID14X3%40STUDENTS"), std::vector<std::string>{room14_[3]});
  // The SCIM filter grammar: a family name, or-ed with an email.
  EXPECT_EQ(UserIds("filter=" + UrlEncode(R"(name.familyName co "okafor1")")).size(), 2u);
  std::vector<std::string> either = UserIds(
      "filter=" + UrlEncode(R"(name.familyName eq "Rivera12" or emails.value sw "kid14x5@")"));
  std::sort(either.begin(), either.end());
  std::vector<std::string> want = {room12_[0], room14_[5]};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(either, want);
  // A class's teachers, and its students who hold the license.
  EXPECT_EQ(UserIds("group_id=" + room12_gid_ + "&filter=" + UrlEncode(R"(userType eq "Teacher")")),
            std::vector<std::string>{teacher12_});
  EXPECT_EQ(UserIds("group_id=" + room14_gid_ + "&subscription_id=core-2026&state=active").size(),
            6u);
  // Items carry what the list needs.
  const json page = Get("/users?q=rivera12");
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["active"], true);
  EXPECT_EQ(page["items"][0]["licenses"][0]["subscription_id"], "core-2026");
  EXPECT_TRUE(page["items"][0].contains("display_name"));
  // The assignments table of the subscription, filtered by state.
  const json held = Get("/subscriptions/core-2026/assignments?state=active&limit=1000");
  EXPECT_EQ(held["items"].size(), 12u);
  EXPECT_TRUE(held["items"][0].contains("display_name"));
  EXPECT_TRUE(Get("/subscriptions/core-2026/assignments?state=pending")["items"].empty());
}

TEST_F(District, DeletedStudentComesBackWithTheirLicenseAndTheirHistoryStays) {
  const std::string old_id = room14_[0];
  DeleteUser(old_id);
  EXPECT_EQ(Admin("GET", "/users/" + old_id).status, 404);
  EXPECT_EQ(EndReason(old_id, "core-2026"), "deprovisioned");
  EXPECT_EQ(Get("/subscriptions/core-2026")["assigned"], 11);

  // The IdP adds the student back: a new SCIM resource, back in the class.
  const std::string new_id =
      User("Kid14x0@district.example", {{"userType", "Student"}, {"name", {{"familyName", "Rivera14"}}}});
  ASSERT_NE(new_id, old_id);
  AddMembers(room14_gid_, {new_id});
  EXPECT_EQ(State(new_id, "core-2026"), "active");
  EXPECT_EQ(Get("/subscriptions/core-2026")["assigned"], 12);
  // The history of the deleted resource is still there for reports.
  const json history = Get("/users/" + old_id + "/history");
  ASSERT_EQ(history["items"].size(), 1u);
  EXPECT_EQ(history["items"][0]["end_reason"], "deprovisioned");

  // Deactivated (Entra's shape) and active again: the seat goes and comes back.
  SetActive(room14_[1], false);
  EXPECT_EQ(State(room14_[1], "core-2026"), "");
  SetActive(room14_[1], true);
  EXPECT_EQ(State(room14_[1], "core-2026"), "active");
  ExpectInvariants("core-2026");

  // The IdP's changes are in the audit log, by the SCIM client, with its name.
  bool deleted = false;
  for (const json& e : Events("user.deleted")) {
    if (e["target"]["id"] != old_id) continue;
    deleted = true;
    EXPECT_EQ(e["actor"]["kind"], "scim");
    EXPECT_EQ(e["actor"]["name"], "default SCIM client");
    EXPECT_EQ(e["before"]["userName"], "Kid14x0@district.example");
  }
  EXPECT_TRUE(deleted);
  EXPECT_EQ(Events("user.deactivated").size(), 1u);
  EXPECT_EQ(Events("user.reactivated").size(), 1u);
}

}  // namespace
}  // namespace allot::workflows
