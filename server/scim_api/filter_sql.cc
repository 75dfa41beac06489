#include "server/scim_api/filter_sql.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <utility>
#include <vector>

#include "scim/filter_eval.h"
#include "scim/value.h"

namespace allot::scim_api {
namespace {

using scim::CompareOp;

constexpr const char* kTrue = "1=1";

SqlCondition Inexact() { return {kTrue, false}; }

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Which stored column (or row table) an attribute path maps to.
enum class Column {
  kNone,
  kId,
  kExternalId,
  kUserNameLower,
  kDisplayName,       // User: display_name, compared through LOWER()
  kGroupDisplayLower, // Group: display_name_lower
  kActive,
  kCreated,
  kLastModified,
  kEmailValue,
  kUserGroupValue,
  kGroupMemberValue,
};

Column ColumnFor(const scim::ResolvedAttribute& r, ResourceKind kind) {
  const std::string& name = r.attribute->name;
  const std::string sub = r.sub_attribute ? r.sub_attribute->name : "";
  if (r.schema == nullptr) {  // common attributes
    if (name == "id") return Column::kId;
    if (name == "externalId") return Column::kExternalId;
    if (name == "meta" && sub == "created") return Column::kCreated;
    if (name == "meta" && sub == "lastModified") return Column::kLastModified;
    return Column::kNone;
  }
  if (r.in_extension) return Column::kNone;
  if (kind == ResourceKind::kUser) {
    if (name == "userName") return Column::kUserNameLower;
    if (name == "displayName") return Column::kDisplayName;
    if (name == "active") return Column::kActive;
    if (name == "emails" && (sub.empty() || sub == "value")) return Column::kEmailValue;
    if (name == "groups" && (sub.empty() || sub == "value")) return Column::kUserGroupValue;
  } else {
    if (name == "displayName") return Column::kGroupDisplayLower;
    if (name == "members" && (sub.empty() || sub == "value")) return Column::kGroupMemberValue;
  }
  return Column::kNone;
}

const char* Alias(ResourceKind kind) { return kind == ResourceKind::kUser ? "u" : "g"; }

// eq / ne / co / sw / ew on a non-null text expression `col` with `v`
// already folded as the column is. `like_exact`: LIKE matches exactly on both
// backends for this column (it does on lower-cased columns with lower-cased
// patterns; SQLite's LIKE ignores ASCII case, so not on case-exact ones).
std::optional<SqlCondition> StringOp(const std::string& col, bool nullable, CompareOp op,
                                     const std::string& v, bool like_exact, SqlParams& params) {
  const std::string guard = nullable ? col + " IS NOT NULL AND " : "";
  switch (op) {
    case CompareOp::kEq:
      return SqlCondition{"(" + guard + col + " = " + params.Add(v) + ")", true};
    case CompareOp::kNe:
      return SqlCondition{nullable ? "(" + col + " IS NULL OR " + col + " <> " + params.Add(v) + ")"
                                   : "(" + col + " <> " + params.Add(v) + ")",
                          true};
    case CompareOp::kCo:
    case CompareOp::kSw:
    case CompareOp::kEw: {
      std::string pattern = LikeEscape(v);
      if (op != CompareOp::kSw) pattern = "%" + pattern;
      if (op != CompareOp::kEw) pattern += "%";
      return SqlCondition{"(" + guard + col + " LIKE " + params.Add(pattern) + " ESCAPE '\\')",
                          like_exact};
    }
    default:
      return std::nullopt;  // ordering of strings: collations differ; in memory
  }
}

SqlCondition TimeOp(const std::string& col, CompareOp op, const nlohmann::json& value,
                    SqlParams& params) {
  if (!value.is_string()) return Inexact();
  auto micros = scim::ParseDateTime(value.get<std::string>());
  if (!micros) return Inexact();
  // Stored times have millisecond precision; narrow with inclusive bounds and
  // let the evaluator decide exactly.
  const std::string lo = FormatStoredTime(*micros, false);
  const std::string hi = FormatStoredTime(*micros, true);
  switch (op) {
    case CompareOp::kEq:
      return {"(" + col + " >= " + params.Add(lo) + " AND " + col + " <= " + params.Add(hi) + ")",
              false};
    case CompareOp::kGt:
    case CompareOp::kGe:
      return {"(" + col + " >= " + params.Add(lo) + ")", false};
    case CompareOp::kLt:
    case CompareOp::kLe:
      return {"(" + col + " <= " + params.Add(hi) + ")", false};
    default:
      return Inexact();
  }
}

std::string MemberExists(ResourceKind kind, const std::string& cond) {
  if (kind == ResourceKind::kUser) {
    return "EXISTS (SELECT 1 FROM scim_group_members m JOIN scim_groups mg ON mg.tenant_id = "
           "m.tenant_id AND mg.id = m.group_id AND mg.deleted_at IS NULL WHERE m.tenant_id = "
           "u.tenant_id AND m.member_id = u.id" +
           cond + ")";
  }
  return "EXISTS (SELECT 1 FROM scim_group_members m WHERE m.tenant_id = g.tenant_id AND "
         "m.group_id = g.id" +
         cond + ")";
}

// How many and/or/not groups may nest in the SQL text; deeper groups become
// `1=1` (inexact) and are decided in memory. SQLite's parser stack
// (YYSTACKDEPTH 100) overflows at about 30 right-nested groups, 27 with an
// EXISTS at the bottom, and fails the whole query; PostgreSQL has room to
// spare. Long chains are flat (one group), so only nesting counts.
constexpr int kMaxSqlNesting = 16;

class Translator {
 public:
  Translator(const scim::ResourceType& type, ResourceKind kind, SqlParams& params)
      : type_(type), kind_(kind), params_(params) {}

  // A part that comes out as `1=1` leaves no bound value behind: a value
  // whose placeholder is not in the text fails the whole statement.
  SqlCondition Visit(const scim::FilterNode& node) {
    const size_t mark = params_.size();
    SqlCondition c = std::visit([this](const auto& n) { return On(n); }, node.node);
    if (c.sql == kTrue) params_.Truncate(mark);
    return c;
  }

 private:
  std::string Col(const char* name) const { return std::string(Alias(kind_)) + "." + name; }

  static std::string Join(const std::vector<std::string>& parts, const char* glue) {
    if (parts.empty()) return kTrue;
    if (parts.size() == 1) return parts.front();
    std::string out = "(";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += glue;
      out += parts[i];
    }
    return out + ")";
  }

  // A chain is one flat group, `(a AND b AND c)`, however long: SQLite
  // parses a flat chain in constant parser stack.
  SqlCondition On(const scim::Logical& l) {
    if (depth_ >= kMaxSqlNesting) return Inexact();
    ++depth_;
    SqlCondition out = l.op == scim::Logical::Op::kAnd ? Conjunction(l.operands)
                                                      : Disjunction(l.operands);
    --depth_;
    return out;
  }

  SqlCondition Conjunction(const std::vector<scim::FilterPtr>& operands) {
    std::vector<std::string> parts;
    bool exact = true;
    for (const scim::FilterPtr& operand : operands) {
      SqlCondition c = Visit(*operand);
      exact = exact && c.exact;
      if (c.sql != kTrue) parts.push_back(std::move(c.sql));
    }
    return {Join(parts, " AND "), exact};
  }

  // `eq` comparisons of one column in an or-chain become one IN list
  // (`userName eq "a" or userName eq "b"` → `u.user_name_lower IN (…)`).
  SqlCondition Disjunction(const std::vector<scim::FilterPtr>& operands) {
    struct InGroup {
      Column column;
      const scim::FilterNode* first;
      std::vector<std::string> values;
      size_t slot;  // its place in `parts`
    };
    std::vector<InGroup> groups;
    std::vector<std::string> parts;
    bool exact = true;
    bool always = false;  // some operand is `1=1`
    for (const scim::FilterPtr& operand : operands) {
      if (auto key = InListKey(*operand)) {
        auto g = std::find_if(groups.begin(), groups.end(),
                              [&](const InGroup& x) { return x.column == key->first; });
        if (g == groups.end()) {
          groups.push_back({key->first, operand.get(), {}, parts.size()});
          parts.emplace_back();
          g = groups.end() - 1;
        }
        g->values.push_back(std::move(key->second));
        continue;
      }
      SqlCondition c = Visit(*operand);
      exact = exact && c.exact;
      if (c.sql == kTrue) always = true;
      parts.push_back(std::move(c.sql));
    }
    if (always) return {kTrue, exact};
    for (InGroup& g : groups) {
      parts[g.slot] = g.values.size() == 1 ? Visit(*g.first).sql : InList(g.column, g.values);
    }
    return {Join(parts, " OR "), exact};
  }

  // The column and the folded value of an exact `attr eq "text"` that an IN
  // list can answer; nullopt for anything else.
  std::optional<std::pair<Column, std::string>> InListKey(const scim::FilterNode& node) const {
    const auto* c = std::get_if<scim::Comparison>(&node.node);
    if (c == nullptr || c->op != CompareOp::kEq || !c->value.is_string()) return std::nullopt;
    auto r = type_.Resolve(c->path);
    if (!r) return std::nullopt;
    const Column column = ColumnFor(*r, kind_);
    const std::string& v = c->value.get_ref<const std::string&>();
    switch (column) {
      case Column::kId:
      case Column::kExternalId:
      case Column::kUserGroupValue:
      case Column::kGroupMemberValue:
        return std::make_pair(column, v);
      case Column::kDisplayName:
        if (!IsAscii(v)) return std::nullopt;  // as in On(Comparison)
        return std::make_pair(column, AsciiLower(v));
      case Column::kUserNameLower:
      case Column::kGroupDisplayLower:
      case Column::kEmailValue:
        return std::make_pair(column, AsciiLower(v));
      default:
        return std::nullopt;
    }
  }

  // `column IN (…)`, NULL-safe like every leaf, for two or more values.
  std::string InList(Column column, const std::vector<std::string>& values) {
    const std::string list = params_.AddList(values);
    auto guarded = [&](const std::string& col) {
      return "(" + col + " IS NOT NULL AND " + col + " IN " + list + ")";
    };
    switch (column) {
      case Column::kId: return "(" + Col("id") + " IN " + list + ")";
      case Column::kExternalId: return guarded(Col("external_id"));
      case Column::kUserNameLower: return "(" + Col("user_name_lower") + " IN " + list + ")";
      case Column::kGroupDisplayLower: return "(" + Col("display_name_lower") + " IN " + list + ")";
      case Column::kDisplayName: return guarded("LOWER(" + Col("display_name") + ")");
      case Column::kEmailValue:
        return "EXISTS (SELECT 1 FROM scim_user_emails e WHERE e.tenant_id = u.tenant_id AND "
               "e.user_id = u.id AND (e.value_lower IN " + list + "))";
      case Column::kUserGroupValue: return MemberExists(kind_, " AND m.group_id IN " + list);
      case Column::kGroupMemberValue: return MemberExists(kind_, " AND m.member_id IN " + list);
      default: return kTrue;  // not reached: InListKey names only the columns above
    }
  }

  SqlCondition On(const scim::Negation& n) {
    if (depth_ >= kMaxSqlNesting) return Inexact();
    ++depth_;
    SqlCondition a = Visit(*n.operand);
    --depth_;
    if (!a.exact) return Inexact();
    return {"(NOT " + a.sql + ")", true};
  }

  // members[value eq "…"] (Group) and groups[value eq "…"] (User) are
  // membership rows, like members.value eq; any other value filter is
  // evaluated in memory.
  SqlCondition On(const scim::ValuePath& vp) {
    auto r = type_.Resolve(vp.attr);
    if (!r || r->sub_attribute != nullptr) return Inexact();
    const Column column = ColumnFor(*r, kind_);
    if (column != Column::kUserGroupValue && column != Column::kGroupMemberValue) {
      return Inexact();
    }
    const auto* c = std::get_if<scim::Comparison>(&vp.filter->node);
    if (c == nullptr || !c->path.urn.empty() || !c->path.sub.empty() ||
        AsciiLower(c->path.attr) != "value" || c->op != CompareOp::kEq ||
        !c->value.is_string()) {
      return Inexact();
    }
    const char* key = column == Column::kUserGroupValue ? " AND m.group_id = " : " AND m.member_id = ";
    return {MemberExists(kind_, key + params_.Add(c->value.get<std::string>())), true};
  }

  SqlCondition On(const scim::Presence& p) {
    auto r = type_.Resolve(p.path);
    if (!r) return Inexact();
    switch (ColumnFor(*r, kind_)) {
      case Column::kId:
      case Column::kUserNameLower:
      case Column::kGroupDisplayLower:
      case Column::kActive:
      case Column::kCreated:
      case Column::kLastModified:
        return {kTrue, true};
      case Column::kExternalId:
        return {"(" + Col("external_id") + " IS NOT NULL AND " + Col("external_id") + " <> '')",
                true};
      case Column::kDisplayName:
        return {"(" + Col("display_name") + " IS NOT NULL AND " + Col("display_name") + " <> '')",
                true};
      case Column::kEmailValue:
        return {"EXISTS (SELECT 1 FROM scim_user_emails e WHERE e.tenant_id = u.tenant_id AND "
                "e.user_id = u.id AND e.value_lower <> '')",
                true};
      case Column::kUserGroupValue:
      case Column::kGroupMemberValue:
        return {MemberExists(kind_, ""), true};
      case Column::kNone:
        return Inexact();
    }
    return Inexact();
  }

  SqlCondition On(const scim::Comparison& c) {
    auto r = type_.Resolve(c.path);
    if (!r) return Inexact();
    const Column column = ColumnFor(*r, kind_);
    if (column == Column::kCreated) return TimeOp(Col("created_at"), c.op, c.value, params_);
    if (column == Column::kLastModified) return TimeOp(Col("updated_at"), c.op, c.value, params_);
    if (column == Column::kActive) {
      if (!c.value.is_boolean() || (c.op != CompareOp::kEq && c.op != CompareOp::kNe)) {
        return Inexact();
      }
      const bool want = c.value.get<bool>() == (c.op == CompareOp::kEq);
      return {want ? "(" + Col("active") + " = 1)" : "(" + Col("active") + " = 0)", true};
    }
    if (column == Column::kNone || !c.value.is_string()) return Inexact();
    const std::string v = c.value.get<std::string>();
    std::optional<SqlCondition> out;
    switch (column) {
      case Column::kId:
        out = StringOp(Col("id"), false, c.op, v, false, params_);
        break;
      case Column::kExternalId:
        out = StringOp(Col("external_id"), true, c.op, v, false, params_);
        break;
      case Column::kUserNameLower:
        out = StringOp(Col("user_name_lower"), false, c.op, AsciiLower(v), true, params_);
        break;
      case Column::kGroupDisplayLower:
        out = StringOp(Col("display_name_lower"), false, c.op, AsciiLower(v), true, params_);
        break;
      case Column::kDisplayName:
        if (!IsAscii(v)) return Inexact();  // LOWER() differs between backends beyond ASCII
        out = StringOp("LOWER(" + Col("display_name") + ")", true, c.op, AsciiLower(v), true,
                       params_);
        break;
      case Column::kEmailValue: {
        if (c.op == CompareOp::kNe) return Inexact();  // "any email ne" is not NOT EXISTS
        auto inner = StringOp("e.value_lower", false, c.op, AsciiLower(v), true, params_);
        if (!inner) return Inexact();
        out = SqlCondition{"EXISTS (SELECT 1 FROM scim_user_emails e WHERE e.tenant_id = "
                           "u.tenant_id AND e.user_id = u.id AND " +
                               inner->sql + ")",
                           inner->exact};
        break;
      }
      case Column::kUserGroupValue:
        if (c.op != CompareOp::kEq) return Inexact();
        out = SqlCondition{MemberExists(kind_, " AND m.group_id = " + params_.Add(v)), true};
        break;
      case Column::kGroupMemberValue:
        if (c.op != CompareOp::kEq) return Inexact();
        out = SqlCondition{MemberExists(kind_, " AND m.member_id = " + params_.Add(v)), true};
        break;
      default:
        return Inexact();
    }
    return out ? *out : Inexact();
  }

  const scim::ResourceType& type_;
  ResourceKind kind_;
  SqlParams& params_;
  int depth_ = 0;  // and/or/not groups open around the node being translated
};

}  // namespace

bool MentionsMembership(const scim::FilterNode& filter, const scim::ResourceType& type,
                        ResourceKind kind) {
  auto membership = [&](const scim::AttrPath& path) {
    auto r = type.Resolve(scim::AttrPath{path.urn, path.attr, ""});
    if (!r) return false;
    const Column column = ColumnFor(*r, kind);
    return column == Column::kUserGroupValue || column == Column::kGroupMemberValue;
  };
  return std::visit(
      [&](const auto& n) -> bool {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, scim::Comparison> || std::is_same_v<T, scim::Presence>) {
          return membership(n.path);
        } else if constexpr (std::is_same_v<T, scim::Logical>) {
          return std::any_of(n.operands.begin(), n.operands.end(), [&](const scim::FilterPtr& o) {
            return MentionsMembership(*o, type, kind);
          });
        } else if constexpr (std::is_same_v<T, scim::Negation>) {
          return MentionsMembership(*n.operand, type, kind);
        } else {
          return membership(n.attr);
        }
      },
      filter.node);
}

scim::Result<SqlCondition> TranslateFilter(const scim::FilterNode& filter,
                                           const scim::ResourceType& type, ResourceKind kind,
                                           SqlParams& params) {
  if (auto resolved = scim::ResolveFilter(filter, type); !resolved) {
    return scim::Fail(resolved.error());
  }
  return Translator(type, kind, params).Visit(filter);
}

std::string SortColumn(const scim::ResolvedAttribute& r, ResourceKind kind) {
  switch (ColumnFor(r, kind)) {
    case Column::kId: return kind == ResourceKind::kUser ? "u.id" : "g.id";
    case Column::kExternalId: return kind == ResourceKind::kUser ? "u.external_id" : "g.external_id";
    case Column::kUserNameLower: return "u.user_name_lower";
    case Column::kGroupDisplayLower: return "g.display_name_lower";
    case Column::kCreated: return kind == ResourceKind::kUser ? "u.created_at" : "g.created_at";
    case Column::kLastModified: return kind == ResourceKind::kUser ? "u.updated_at" : "g.updated_at";
    default: return "";
  }
}

std::string FormatStoredTime(int64_t micros, bool round_up) {
  int64_t ms = micros / 1000;
  if (micros % 1000 != 0) {
    if (micros < 0) --ms;
    if (round_up) ++ms;
  }
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

}  // namespace allot::scim_api
