#include "server/scim_api/list_store.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include "scim/filter_eval.h"
#include "scim/sort.h"
#include "server/scim_api/group_store.h"
#include "server/scim_api/page_hints.h"
#include "server/scim_api/user_store.h"
#include "server/store/row_locks.h"
#include "server/store/statement_cache.h"

namespace allot::scim_api {
namespace {

using nlohmann::json;

const char* Table(ResourceKind kind) {
  return kind == ResourceKind::kUser ? "scim_users u" : "scim_groups g";
}
const char* Alias(ResourceKind kind) { return kind == ResourceKind::kUser ? "u" : "g"; }
const char* TypeName(ResourceKind kind) { return kind == ResourceKind::kUser ? "User" : "Group"; }

const scim::ResourceType& TypeOf(ResourceKind kind) {
  return *scim::DefaultRegistry().FindResourceType(TypeName(kind));
}

// A prepared query with its buffers: rows of ResourceRow, or one count.
struct PreparedQuery : store::CachedStatement {
  PreparedQuery(soci::session& sql, const std::string& text, size_t n_params, bool count)
      : params(n_params), st(Prepare(sql, text, count)) {}

  soci::details::prepare_temp_type Prepare(soci::session& sql, const std::string& text,
                                           bool count) {
    // On the pooled connection (sql.prepare), so the statement can be kept.
    soci::details::prepare_temp_type p = (sql.prepare << text);
    if (count) {
      p, soci::into(n);
    } else {
      p, soci::into(row.id), soci::into(row.resource), soci::into(row.version),
          soci::into(row.created), soci::into(row.updated);
    }
    for (size_t i = 0; i < params.size(); ++i) p, soci::use(params[i], "p" + std::to_string(i));
    return p;
  }

  ResourceRow row;
  long long n = 0;
  std::vector<std::string> params;  // sized once: soci::use holds addresses
  soci::statement st;
};

// Runs `text` with `params`. Statements whose text does not change from
// request to request (no OFFSET) are kept in the connection's cache.
PreparedQuery* Run(soci::session& sql, const std::string& text,
                   SqlParams& params, bool count, std::unique_ptr<store::CachedStatement>* scratch) {
  const bool cacheable = text.find(" OFFSET ") == std::string::npos;
  const std::string key = (count ? "count:" : "rows:") + text;
  auto make = [&](soci::session& s) {
    return std::make_unique<PreparedQuery>(s, text, params.size(), count);
  };
  PreparedQuery* q = nullptr;
  if (cacheable) {
    q = store::Prepared<PreparedQuery>(sql, key, make, scratch);
  } else {
    *scratch = make(sql);
    q = static_cast<PreparedQuery*>(scratch->get());
  }
  for (size_t i = 0; i < params.size(); ++i) q->params[i] = params.values()[i];
  q->st.execute(false);
  return q;
}

// Runs `text` with `params`, calling `on_row` for each row until it returns
// false.
template <typename F>
void ForEachRow(soci::session& sql, const std::string& text,
                SqlParams& params, F&& on_row) {
  std::unique_ptr<store::CachedStatement> scratch;
  PreparedQuery* q = Run(sql, text, params, false, &scratch);
  bool more = true;
  while (q->st.fetch()) {
    if (more && !on_row(q->row)) more = false;  // drain: a kept statement must end reset
  }
}

long long Count(soci::session& sql, const std::string& text,
                SqlParams& params) {
  std::unique_ptr<store::CachedStatement> scratch;
  PreparedQuery* q = Run(sql, text, params, true, &scratch);
  while (q->st.fetch()) {
  }
  return q->n;
}

struct ListState {
  long long live = 0;
  long long generation = 0;
  bool found = false;
};

// The counter is the sum of its shards (migration 020).
struct ListStateQuery : store::CachedStatement {
  explicit ListStateQuery(soci::session& sql)
      : st((sql.prepare << "SELECT COUNT(*), CAST(SUM(live_count) AS BIGINT), "
                           "CAST(SUM(generation) AS BIGINT) FROM "
                           "scim_list_counts WHERE tenant_id = :t AND resource_type = :r",
            soci::into(shards), soci::into(live, live_ind), soci::into(generation, generation_ind),
            soci::use(tenant), soci::use(type))) {}
  std::string tenant, type;
  long long shards = 0, live = 0, generation = 0;
  soci::indicator live_ind = soci::i_null, generation_ind = soci::i_null;
  soci::statement st;
};

ListState ReadListState(soci::session& sql, const std::string& tenant,
                        ResourceKind kind) {
  std::unique_ptr<store::CachedStatement> scratch;
  auto* q = store::Prepared<ListStateQuery>(
      sql, "list_state",
      [](soci::session& s) { return std::make_unique<ListStateQuery>(s); }, &scratch);
  q->tenant = tenant;
  q->type = TypeName(kind);
  q->shards = 0;
  ListState s;
  // Step to the end: a kept SQLite statement left on a row would hold its
  // read snapshot past COMMIT, and the connection's next BEGIN IMMEDIATE
  // would then fail with SQLITE_BUSY (stale snapshot).
  q->st.execute(false);
  while (q->st.fetch()) {
    s.found = q->shards > 0 && q->live_ind == soci::i_ok && q->generation_ind == soci::i_ok;
    s.live = q->live;
    s.generation = q->generation;
  }
  return s;
}

// The resource as the evaluator sees it: stored attributes plus id and meta.
json Evaluable(const ResourceRow& row, ResourceKind kind) {
  json doc = ParseStored(row.resource);
  // A user stored without `active` is active (its column says 1): the
  // in-memory check agrees with the SQL one on `active eq true`.
  if (kind == ResourceKind::kUser && !doc.contains("active")) doc["active"] = true;
  doc["id"] = row.id;
  doc["meta"] = {{"resourceType", TypeName(kind)},
                 {"created", row.created},
                 {"lastModified", row.updated}};
  return doc;
}

// Adds the rows that are part of the resource but not of its stored JSON
// (a User's groups, a Group's members) to `doc`, as a GET would show them.
void AddMembership(soci::session& sql, const std::string& tenant, ResourceKind kind,
                   const std::string& id, json& doc) {
  const bool user = kind == ResourceKind::kUser;
  auto refs = user ? LoadUserGroups(sql, tenant, {id}) : LoadMembers(sql, tenant, {id});
  json out = json::array();
  for (const Ref& r : refs[id]) {
    json item = {{"value", r.value}, {"type", r.type}};
    if (!r.display.empty()) item["display"] = r.display;
    out.push_back(std::move(item));
  }
  if (!out.empty()) doc[user ? "groups" : "members"] = std::move(out);
}

}  // namespace

std::string ResourceColumns(const char* a) {
  const std::string p = std::string(a) + ".";
  return p + "id, " + p + "resource, " + p + "version, " + p + "created_at, " + p + "updated_at";
}

namespace {

// The live row, with `suffix` after the WHERE clause ("" or a lock clause).
std::optional<ResourceRow> SelectLiveRow(soci::session& sql, ResourceKind kind,
                                         const std::string& tenant, const std::string& id,
                                         const char* suffix) {
  const bool user = kind == ResourceKind::kUser;
  ResourceRow row;
  sql << "SELECT " + ResourceColumns(user ? "u" : "g") +
             (user ? " FROM scim_users u WHERE u.tenant_id = :t AND u.id = :id AND u.deleted_at "
                     "IS NULL"
                   : " FROM scim_groups g WHERE g.tenant_id = :t AND g.id = :id AND g.deleted_at "
                     "IS NULL") +
             suffix,
      soci::into(row.id), soci::into(row.resource), soci::into(row.version),
      soci::into(row.created), soci::into(row.updated), soci::use(tenant), soci::use(id);
  if (!sql.got_data()) return std::nullopt;
  return row;
}

}  // namespace

std::optional<ResourceRow> FindLiveRow(soci::session& sql, ResourceKind kind,
                                       const std::string& tenant, const std::string& id) {
  return SelectLiveRow(sql, kind, tenant, id, "");
}

scim::Result<ResourceRow> LoadForWrite(soci::session& sql, ResourceKind kind,
                                       const std::string& tenant, const std::string& id,
                                       const std::string& if_match) {
  // Locked until commit: under READ COMMITTED two writers of one resource
  // would otherwise both change the version they read (a lost update, and
  // an If-Match that passes twice). The second waits, then reads the first's
  // row (or finds it deleted).
  auto row = SelectLiveRow(sql, kind, tenant, id, store::ForUpdate(sql));
  if (!row) {
    return scim::Fail(
        scim::Error::NotFound("no " + std::string(TypeName(kind)) + " with id '" + id + "'"));
  }
  if (!if_match.empty() && !ETagMatches(if_match, row->version)) {
    return scim::Fail(scim::Error::PreconditionFailed(
        "If-Match does not match the current version W/\"" + std::to_string(row->version) + "\""));
  }
  return *row;
}

bool ETagMatches(const std::string& header, long long version) {
  const std::string want = std::to_string(version);
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t end = header.find(',', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view tag(header.data() + pos, end - pos);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.size() >= 2 && (tag[0] == 'W' || tag[0] == 'w') && tag[1] == '/') tag.remove_prefix(2);
    if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
      tag = tag.substr(1, tag.size() - 2);
    }
    if (tag == want) return true;
    pos = end + 1;
  }
  return false;
}

json ParseStored(const std::string& resource) {
  json doc = json::parse(resource, nullptr, false);
  return doc.is_object() ? doc : json::object();
}

namespace {

// Adds to this connection's shard, creating it on first use: a tenant made
// after migration 020 starts with no rows and no resources, so its first
// shard row starts from the change itself.
struct BumpStatement : store::CachedStatement {
  explicit BumpStatement(soci::session& sql)
      : st((sql.prepare << "INSERT INTO scim_list_counts (tenant_id, resource_type, shard, "
                           "live_count, generation) VALUES (:t, :r, :s, :d, 1) "
                           "ON CONFLICT (tenant_id, resource_type, shard) DO UPDATE SET "
                           "live_count = scim_list_counts.live_count + excluded.live_count, "
                           "generation = scim_list_counts.generation + 1",
            soci::use(tenant), soci::use(type), soci::use(shard), soci::use(delta))) {}
  std::string tenant, type;
  int shard = 0;
  long long delta = 0;
  soci::statement st;
};

}  // namespace

void BumpListState(soci::session& sql, const std::string& tenant, ResourceKind kind, int delta) {
  std::unique_ptr<store::CachedStatement> scratch;
  auto* q = store::Prepared<BumpStatement>(
      sql, "bump_list_counts",
      [](soci::session& conn) { return std::make_unique<BumpStatement>(conn); }, &scratch);
  q->tenant = tenant;
  q->type = TypeName(kind);
  q->shard = store::ConnectionShard(sql);
  q->delta = delta;
  q->st.execute(true);
}

scim::Result<ListPage> ListResources(soci::session& sql, const std::string& tenant,
                                     ResourceKind kind, const ListQuery& query) {
  const scim::ResourceType& type = TypeOf(kind);
  const std::string a = Alias(kind);
  SqlParams params;
  std::string where = a + ".tenant_id = " + params.Add(tenant) + " AND " + a + ".deleted_at IS NULL";
  SqlCondition cond;
  if (query.filter) {
    auto c = TranslateFilter(*query.filter, type, kind, params);
    if (!c) return scim::Fail(c.error());
    cond = *c;
    if (cond.sql != "1=1") where += " AND " + cond.sql;
  }

  std::string sort_col = a + ".id";
  std::optional<scim::ResolvedAttribute> memory_sort;
  if (query.sort_by) {
    auto r = type.Resolve(*query.sort_by);
    if (!r) {
      return scim::Fail(scim::Error::InvalidValue("sortBy: " + r.error().detail));
    }
    std::string col = SortColumn(*r, kind);
    if (col.empty()) {
      memory_sort = *r;
    } else {
      sort_col = col;
    }
  }
  const bool default_order = !query.sort_by || sort_col == a + ".id";
  const char* dir = query.descending ? " DESC" : "";
  std::string order = " ORDER BY " + sort_col + dir;
  if (sort_col != a + ".id") order += ", " + a + ".id" + dir;

  ListPage page;
  page.start_index = std::max<int64_t>(1, query.start_index);
  const int64_t count = std::max<int64_t>(0, query.count);
  const std::string from = std::string(" FROM ") + Table(kind) + " WHERE " + where;

  if (query.cursor) {
    if (!default_order || query.descending || memory_sort) {
      return scim::Fail(scim::Error::InvalidValue(
          "cursor paging is in id order; leave out sortBy or use startIndex paging"));
    }
  }

  // Exact in SQL: count and page in the database.
  if (cond.exact && !memory_sort) {
    // An unfiltered list takes its count from scim_list_counts, and a
    // sequential walk seeks past the previous page instead of OFFSET.
    ListState state;
    if (!query.filter) state = ReadListState(sql, tenant, kind);
    if (state.found) {
      page.total = state.live;
    } else {
      SqlParams count_params = params;
      page.total = Count(sql, "SELECT COUNT(*)" + from, count_params);
    }
    if (count == 0) return page;
    const bool hinted = state.found && !query.cursor && default_order && !query.descending;
    std::optional<std::string> after;
    int64_t offset = page.start_index - 1;
    if (query.cursor) {
      if (!query.cursor->empty()) after = *query.cursor;
      offset = 0;
    } else if (hinted && offset > 0) {
      after = FindPageHint(tenant, TypeName(kind), state.generation, page.start_index);
      if (after) offset = 0;
    }
    std::string text = "SELECT " + ResourceColumns(a.c_str()) + from;
    if (after) text += " AND " + a + ".id > " + params.Add(*after);
    // LIMIT/OFFSET are integers computed here, not client text.
    text += order + " LIMIT " + std::to_string(count + (query.cursor ? 1 : 0));
    if (offset > 0) text += " OFFSET " + std::to_string(offset);
    ForEachRow(sql, text, params, [&](const ResourceRow& row) {
      page.rows.push_back(row);
      return true;
    });
    if (query.cursor && static_cast<int64_t>(page.rows.size()) > count) {
      page.rows.pop_back();
      page.next_cursor = page.rows.back().id;
    }
    if (hinted && !page.rows.empty()) {
      RememberPageHint(tenant, TypeName(kind), state.generation,
                       page.start_index + static_cast<int64_t>(page.rows.size()),
                       page.rows.back().id);
    }
    return page;
  }

  // Partly in memory: stream the SQL candidates and check each. Every
  // candidate is checked, also those before a cursor, because totalResults
  // counts all matches, as on the exact path.
  const std::string text = "SELECT " + ResourceColumns(a.c_str()) + from + order;
  const int64_t first = query.cursor ? 0 : page.start_index - 1;  // 0-based
  const std::string* after =
      query.cursor && !query.cursor->empty() ? &*query.cursor : nullptr;  // id order
  std::vector<std::pair<json, ResourceRow>> sorted;
  int64_t matched = 0;   // all matches
  int64_t eligible = 0;  // matches after the cursor (all of them without one)
  const bool with_membership = query.filter && MentionsMembership(*query.filter, type, kind);
  ForEachRow(sql, text, params, [&](const ResourceRow& row) {
    if (query.filter || memory_sort) {
      json doc = Evaluable(row, kind);
      if (with_membership) AddMembership(sql, tenant, kind, row.id, doc);
      if (query.filter && !scim::Matches(*query.filter, doc, type)) return true;
      if (memory_sort) {
        sorted.emplace_back(std::move(doc), row);
        return true;
      }
    }
    ++matched;
    if (after != nullptr && row.id <= *after) return true;
    if (eligible >= first && static_cast<int64_t>(page.rows.size()) < count + (query.cursor ? 1 : 0)) {
      page.rows.push_back(row);
    }
    ++eligible;
    return true;
  });
  if (memory_sort) {
    const scim::SortSpec spec{*memory_sort, query.descending};
    std::stable_sort(sorted.begin(), sorted.end(), [&](const auto& x, const auto& y) {
      return scim::CompareForSort(spec, x.first, y.first) < 0;
    });
    matched = static_cast<int64_t>(sorted.size());
    for (int64_t i = first; i < matched && static_cast<int64_t>(page.rows.size()) < count; ++i) {
      page.rows.push_back(std::move(sorted[static_cast<size_t>(i)].second));
    }
  }
  page.total = matched;
  if (query.cursor) {
    if (static_cast<int64_t>(page.rows.size()) > count) {
      page.rows.pop_back();
      page.next_cursor = page.rows.back().id;
    }
  }
  if (count == 0) page.rows.clear();
  return page;
}

}  // namespace allot::scim_api
