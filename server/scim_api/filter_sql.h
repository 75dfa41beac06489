// server/scim_api/filter_sql.h — translates a SCIM filter AST into a
// parameterised SQL condition over scim_users (alias `u`) or scim_groups
// (alias `g`).
//
// Attributes with a column (or a row table) become SQL: id, externalId,
// userName / Group displayName (case-insensitive through their *_lower
// column), User displayName, active, meta.created, meta.lastModified,
// emails.value (EXISTS on scim_user_emails), groups.value (User) and
// members.value (Group), also as groups[value eq …] / members[value eq …]
// (EXISTS on scim_group_members). Anything else — and
// comparisons SQL cannot answer exactly on both backends (ordering of
// strings, LIKE on case-exact columns under SQLite, `not` over an inexact
// part) — becomes a condition that only narrows (possibly `1=1`), and
// `exact` is false: the caller then evaluates the whole filter in memory with
// scim::Matches on each candidate row. Every leaf is NULL-safe (never
// evaluates to SQL NULL), so `NOT` keeps SCIM's meaning.
// An and/or chain is one flat group however long (`(a AND b AND c)`), and
// `eq` comparisons of one column in an or-chain become one `IN (…)` list;
// groups nested deeper than SQLite's parser allows become `1=1` (inexact), so
// no filter the parser accepts makes SQL the database refuses.
// Values are always bound, never written into the SQL text, and a part that
// becomes `1=1` leaves no value in `params`.
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "scim/filter.h"
#include "scim/schema.h"
#include "server/scim_api/sql_util.h"

namespace allot::scim_api {

enum class ResourceKind { kUser, kGroup };

struct SqlCondition {
  std::string sql = "1=1";  // a boolean SQL expression
  bool exact = true;         // false: rows must still pass scim::Matches
};

// Validates the filter's attribute paths against `type` (invalidFilter naming
// an unknown attribute) and translates it, adding bound values to `params`.
scim::Result<SqlCondition> TranslateFilter(const scim::FilterNode& filter,
                                           const scim::ResourceType& type, ResourceKind kind,
                                           SqlParams& params);

// True when the filter refers to a User's `groups` or a Group's `members`,
// which are rows, not part of the stored resource: the in-memory evaluation
// must then add them to the resource it checks.
bool MentionsMembership(const scim::FilterNode& filter, const scim::ResourceType& type,
                        ResourceKind kind);

// The column a list can be ordered by for `sortBy` (e.g. "u.user_name_lower"),
// or "" when the attribute has no column (the caller sorts in memory).
std::string SortColumn(const scim::ResolvedAttribute& attr, ResourceKind kind);

// A dateTime value as stored ("YYYY-MM-DDThh:mm:ss.mmmZ"), from microseconds
// since the epoch, rounded down (up when `round_up`) to the millisecond.
std::string FormatStoredTime(int64_t micros, bool round_up);

}  // namespace allot::scim_api
