#include "server/scim_api/filter_sql.h"

#include <algorithm>

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
  EXPECT_EQ(params.size(), 0u);  // no value bound to a placeholder the text lacks
}

// Regression: the dropped side's value stayed bound, and the database
// refused the statement ("Cannot bind to (by name) :p1", a 500).
TEST(FilterSql, PartsThatBecomeTrueLeaveNoBoundValue) {
  for (const char* text : {R"(userName eq "x" or title eq "a")",
                           R"(not (userName eq "x" or title eq "a"))",
                           R"(not (title eq "a") or emails co "x" or userName eq "b")"}) {
    SqlParams params;
    SqlCondition c = Translate(text, params);
    EXPECT_EQ(c.sql, "1=1") << text;
    EXPECT_EQ(params.size(), 0u) << text;
  }
  SqlParams params;
  SqlCondition c = Translate(R"(userName eq "y" and (userName eq "x" or title eq "a"))", params);
  EXPECT_EQ(c.sql, "(u.user_name_lower = :p0)");
  EXPECT_EQ(params.size(), 1u);
}

// The deepest `(` nesting in `sql`.
int ParenDepth(const std::string& sql) {
  int depth = 0, deepest = 0;
  for (char ch : sql) {
    if (ch == '(') deepest = std::max(deepest, ++depth);
    if (ch == ')') --depth;
  }
  return deepest;
}

std::string Chain(const std::string& term, const char* glue, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? glue : "") + term;
  return out;
}

// Regression (issue 9, item 7): 88 and-ed terms nested 88 parentheses deep
// and overflowed SQLite's parser stack.
TEST(FilterSql, LongAndChainIsOneFlatGroup) {
  SqlParams params;
  SqlCondition c = Translate(Chain(R"(userName eq "a")", " and ", 200), params);
  EXPECT_TRUE(c.exact);
  EXPECT_EQ(ParenDepth(c.sql), 2) << c.sql.substr(0, 200);
  EXPECT_EQ(c.sql.rfind("((u.user_name_lower = :p0) AND (u.user_name_lower = :p1) AND ", 0), 0u);
  EXPECT_EQ(params.size(), 200u);
}

TEST(FilterSql, OrChainOfEqualitiesOnOneColumnIsOneInList) {
  SqlParams params;
  SqlCondition c = Translate(R"(userName eq "A" or externalId eq "e" or userName eq "b")", params);
  EXPECT_TRUE(c.exact);
  EXPECT_EQ(c.sql,
            "((u.user_name_lower IN (:p0,:p1)) OR "
            "(u.external_id IS NOT NULL AND u.external_id = :p2))");
  EXPECT_EQ(params.values()[0], "a");  // folded like the column
  SqlParams many;
  SqlCondition long_or = Translate(Chain(R"(userName eq "a")", " or ", 200), many);
  EXPECT_EQ(long_or.sql.rfind("(u.user_name_lower IN (:p0,:p1,", 0), 0u);
  EXPECT_EQ(ParenDepth(long_or.sql), 2);
}

TEST(FilterSql, InListsStayNullSafeUnderNot) {
  SqlParams params;
  SqlCondition c = Translate(R"(not (externalId eq "a" or externalId eq "b"))", params);
  EXPECT_TRUE(c.exact);
  EXPECT_EQ(c.sql, "(NOT (u.external_id IS NOT NULL AND u.external_id IN (:p0,:p1)))");
}

TEST(FilterSql, MembershipAndEmailOrChainsAreOneExists) {
  SqlParams params;
  SqlCondition c = Translate(R"(members eq "u1" or members.value eq "u2")", params, ResourceKind::kGroup);
  EXPECT_TRUE(c.exact);
  EXPECT_NE(c.sql.find("m.member_id IN (:p0,:p1)"), std::string::npos) << c.sql;
  SqlParams user_params;
  SqlCondition e = Translate(R"(emails eq "A@x" or emails.value eq "b@x")", user_params);
  EXPECT_TRUE(e.exact);
  EXPECT_NE(e.sql.find("e.value_lower IN (:p0,:p1)"), std::string::npos) << e.sql;
}

// Groups nested deeper than SQLite's parser can take are decided in memory.
TEST(FilterSql, DeepNestingIsBoundedInSql) {
  std::string text;
  const int levels = scim::kMaxFilterNesting - 1;
  for (int i = 0; i < levels; ++i) text += i % 2 ? R"(displayName eq "x" or not ()" : R"(userName eq "a" and ()";
  text += R"(emails eq "e")" + std::string(levels, ')');
  SqlParams params;
  SqlCondition c = Translate(text, params);
  EXPECT_FALSE(c.exact);
  EXPECT_LE(ParenDepth(c.sql), 20) << c.sql;
  std::string nots;
  for (int i = 0; i < levels; ++i) nots += "not (";
  nots += R"(userName eq "a")" + std::string(levels, ')');
  SqlParams not_params;
  SqlCondition n = Translate(nots, not_params);
  EXPECT_FALSE(n.exact);
  EXPECT_EQ(n.sql, "1=1");
  EXPECT_EQ(not_params.size(), 0u);
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
