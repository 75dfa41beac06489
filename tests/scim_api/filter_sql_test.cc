#include "server/scim_api/filter_sql.h"

#include <gtest/gtest.h>

namespace allot::scim_api {
namespace {

const scim::ResourceType& Users() { return *scim::DefaultRegistry().FindResourceType("User"); }
const scim::ResourceType& Groups() { return *scim::DefaultRegistry().FindResourceType("Group"); }

SqlCondition Translate(std::string_view text, SqlParams& params,
                       ResourceKind kind = ResourceKind::kUser) {
  auto f = scim::ParseFilter(text);
  EXPECT_TRUE(f.has_value()) << text;
  auto c = TranslateFilter(**f, kind == ResourceKind::kUser ? Users() : Groups(), kind, params);
  EXPECT_TRUE(c.has_value()) << text;
  return c.value_or(SqlCondition{});
}

TEST(FilterSql, UserNameEqUsesLowerColumnAndBindsFoldedValue) {
  SqlParams params;
  SqlCondition c = Translate(R"(userName eq "Alice@Example.COM")", params);
  EXPECT_TRUE(c.exact);
  EXPECT_EQ(c.sql, "(u.user_name_lower = :p0)");
  EXPECT_EQ(params.size(), 1u);
}

TEST(FilterSql, ValueNeverAppearsInSqlText) {
  SqlParams params;
  SqlCondition c = Translate(R"(userName eq "x' OR 1=1 --" or externalId co "%_\\")", params);
  EXPECT_EQ(c.sql.find("OR 1=1 --"), std::string::npos);
  EXPECT_EQ(c.sql.find('%'), std::string::npos);
}

TEST(FilterSql, ExternalIdIsCaseExactAndNullSafe) {
  SqlParams params;
  SqlCondition c = Translate(R"(externalId eq "E1")", params);
  EXPECT_TRUE(c.exact);
  EXPECT_EQ(c.sql, "(u.external_id IS NOT NULL AND u.external_id = :p0)");
}

TEST(FilterSql, NotOverExactOperandStaysExact) {
  SqlParams params;
  SqlCondition c = Translate(R"(not (externalId eq "E1"))", params);
  EXPECT_TRUE(c.exact);
  EXPECT_EQ(c.sql.rfind("(NOT ", 0), 0u);
}

TEST(FilterSql, UnknownColumnAttributeIsInexact) {
  SqlParams params;
  SqlCondition c = Translate(R"(name.familyName eq "Smith" and userName sw "a")", params);
  EXPECT_FALSE(c.exact);
  EXPECT_NE(c.sql.find("user_name_lower LIKE"), std::string::npos);
}

TEST(FilterSql, OrWithInexactSideNarrowsNothing) {
  SqlParams params;
  SqlCondition c = Translate(R"(title eq "x" or userName eq "a")", params);
  EXPECT_FALSE(c.exact);
  EXPECT_EQ(c.sql, "1=1");
}

// Every bound value's name is in the text: a value of a dropped part made
// the statement fail ("Cannot bind to (by name) :p0", a 500 on
// `userName co "r" or name.familyName co "riv"`).
TEST(FilterSql, DroppedPartsBindNoValue) {
  for (const char* text :
       {R"(userName co "r" or name.familyName co "riv")",
        R"(name.familyName co "riv" or userName co "r")",
        R"(not (userName co "r" or name.familyName co "riv"))",
        R"(externalId eq "e" and not (userName co "r" or title eq "x"))"}) {
    SqlParams params;
    SqlCondition c = Translate(text, params);
    for (size_t i = 0; i < params.size(); ++i) {
      EXPECT_NE(c.sql.find(":p" + std::to_string(i)), std::string::npos)
          << text << " binds :p" << i << " absent from " << c.sql;
    }
  }
}

TEST(FilterSql, EmailValueUsesExistsOnEmailRows) {
  SqlParams params;
  SqlCondition c = Translate(R"(emails.value eq "A@x.org")", params);
  EXPECT_TRUE(c.exact);
  EXPECT_NE(c.sql.find("EXISTS (SELECT 1 FROM scim_user_emails"), std::string::npos);
}

TEST(FilterSql, GroupMembersValueUsesMembershipRows) {
  SqlParams params;
  SqlCondition c = Translate(R"(members.value eq "u1")", params, ResourceKind::kGroup);
  EXPECT_TRUE(c.exact);
  EXPECT_NE(c.sql.find("scim_group_members"), std::string::npos);
}

TEST(FilterSql, MemberValueFilterUsesMembershipRows) {
  SqlParams params;
  SqlCondition c = Translate(R"(members[value eq "u1"])", params, ResourceKind::kGroup);
  EXPECT_TRUE(c.exact);
  EXPECT_NE(c.sql.find("m.member_id = "), std::string::npos) << c.sql;
  SqlParams user_params;
  SqlCondition g = Translate(R"(groups[value eq "g1"])", user_params);
  EXPECT_TRUE(g.exact);
  EXPECT_NE(g.sql.find("m.group_id = "), std::string::npos) << g.sql;
}

TEST(FilterSql, OtherMemberValueFiltersAreEvaluatedInMemory) {
  SqlParams params;
  EXPECT_FALSE(Translate(R"(members[type eq "Group"])", params, ResourceKind::kGroup).exact);
  EXPECT_FALSE(Translate(R"(members[value ne "u1"])", params, ResourceKind::kGroup).exact);
}

TEST(FilterSql, MentionsMembershipFindsGroupsAndMembersAnywhere) {
  auto mentions = [](const char* text, ResourceKind kind) {
    auto f = scim::ParseFilter(text);
    EXPECT_TRUE(f.has_value()) << text;
    const auto& type = *scim::DefaultRegistry().FindResourceType(
        kind == ResourceKind::kUser ? "User" : "Group");
    return MentionsMembership(**f, type, kind);
  };
  EXPECT_TRUE(mentions(R"(userName eq "a" or not (groups.display co "x"))", ResourceKind::kUser));
  EXPECT_TRUE(mentions(R"(groups[display sw "x"])", ResourceKind::kUser));
  EXPECT_TRUE(mentions("members pr", ResourceKind::kGroup));
  EXPECT_FALSE(mentions(R"(userName eq "a" and emails[type eq "work"])", ResourceKind::kUser));
  EXPECT_FALSE(mentions(R"(displayName co "x")", ResourceKind::kGroup));
}

TEST(FilterSql, ActiveBooleanIsExact) {
  SqlParams params;
  SqlCondition c = Translate("active eq false", params);
  EXPECT_TRUE(c.exact);
  EXPECT_EQ(c.sql, "(u.active = 0)");
}

TEST(FilterSql, LikeOnCaseExactColumnIsOnlyNarrowing) {
  SqlParams params;
  SqlCondition c = Translate(R"(externalId sw "AB")", params);
  EXPECT_FALSE(c.exact);
}

TEST(FilterSql, UnknownAttributeFailsWithInvalidFilter) {
  SqlParams params;
  auto f = scim::ParseFilter(R"(shoeSize eq "9")");
  ASSERT_TRUE(f.has_value());
  auto c = TranslateFilter(**f, Users(), ResourceKind::kUser, params);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().scim_type, "invalidFilter");
}

TEST(FilterSql, FormatStoredTimeRoundsToMilliseconds) {
  EXPECT_EQ(FormatStoredTime(1'700'000'000'123'456LL, false), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatStoredTime(1'700'000'000'123'456LL, true), "2023-11-14T22:13:20.124Z");
}

}  // namespace
}  // namespace allot::scim_api
