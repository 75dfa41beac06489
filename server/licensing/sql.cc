#include "server/licensing/sql.h"

#include <soci/soci.h>

#include <charconv>
#include <unordered_set>

#include "server/store/bulk.h"
#include "server/store/database.h"
#include "server/store/row_locks.h"
#include "server/store/statement_cache.h"

namespace allot::licensing::sql {

std::string Placeholders(size_t n, size_t first) {
  std::string out;
  out.reserve(n * 6);
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ", ";
    out += ":p" + std::to_string(first + i);
  }
  return out;
}

namespace {

// A statement of Run, with the buffers it is bound to: one soci::row for the
// results, one string per parameter (sized once: soci::use holds addresses).
struct DynamicStatement : store::CachedStatement {
  DynamicStatement(soci::session& sql, const std::string& query, size_t n_params, bool with_rows)
      : params(n_params), st(sql) {
    if (with_rows) st.exchange(soci::into(row));
    for (std::string& p : params) st.exchange(soci::use(p));
    st.alloc();
    st.prepare(query);
    st.define_and_bind();
  }
  std::vector<std::string> params;
  soci::row row;
  soci::statement st;
};

Status Execute(soci::session& sql, const std::string& query, const std::vector<std::string>& params,
               const RowFn& on_row, bool keep) {
  const std::string key = (on_row ? "rows:" : "exec:") + query;
  std::unique_ptr<store::CachedStatement> scratch;
  DynamicStatement* q = nullptr;
  try {
    auto make = [&](soci::session& s) {
      return std::make_unique<DynamicStatement>(s, query, params.size(), on_row != nullptr);
    };
    if (keep) {
      q = store::Prepared<DynamicStatement>(sql, key, make, &scratch);
    } else {
      scratch = make(sql);
      q = static_cast<DynamicStatement*>(scratch.get());
    }
    std::copy(params.begin(), params.end(), q->params.begin());
    if (on_row) {
      if (q->st.execute(true)) {
        do {
          on_row(q->row);
        } while (q->st.fetch());
      }
    } else {
      q->st.execute(true);
    }
  } catch (const std::exception& e) {
    // A kept statement may be left on a row (the callback threw): drop it,
    // which finalises it, rather than let it hold a snapshot.
    if (q != nullptr && scratch.get() != q) {
      if (store::StatementCache* cache = store::CacheOf(sql)) cache->Forget(key);
    }
    return std::unexpected(store::ErrorFromException(e));
  }
  return Ok();
}

}  // namespace

Status Run(soci::session& sql, const std::string& query, const std::vector<std::string>& params,
           const RowFn& on_row) {
  return Execute(sql, query, params, on_row, /*keep=*/true);
}

Status RunIn(soci::session& sql, const std::string& before, const std::string& after,
             const std::vector<std::string>& leading, std::span<const std::string> ids,
             const std::vector<std::string>& trailing, const RowFn& on_row) {
  for (size_t start = 0; start < ids.size(); start += kChunk) {
    const size_t n = std::min(kChunk, ids.size() - start);
    std::vector<std::string> params = leading;
    params.insert(params.end(), ids.begin() + start, ids.begin() + start + n);
    params.insert(params.end(), trailing.begin(), trailing.end());
    std::string query = before + "(" + Placeholders(n, leading.size()) + ")" + after;
    // Trailing placeholders in `after` are written by the caller as :t0, :t1…
    // Not kept: the text changes with the chunk's length.
    if (auto s = Execute(sql, query, params, on_row, /*keep=*/false); !s) return s;
  }
  return Ok();
}

Status FillIdList(soci::session& sql, std::span<const std::string> ids) {
  constexpr size_t kFewIds = 16;
  std::vector<std::string> unique;
  unique.reserve(ids.size());
  std::unordered_set<std::string_view> seen;
  for (const std::string& id : ids) {
    if (seen.insert(id).second) unique.push_back(id);
  }
  // Same text on SQLite and PostgreSQL; a rolled-back transaction drops a
  // table it created, hence IF NOT EXISTS every time.
  if (auto s = Run(sql, "CREATE TEMP TABLE IF NOT EXISTS allot_id_list (id TEXT PRIMARY KEY)", {});
      !s) {
    return s;
  }
  // PostgreSQL never vacuums a temporary table, and a pooled connection
  // keeps its list for its whole life: DELETE left every old row behind as
  // a dead tuple, and each use scanned more of them (a 1,000,000-user
  // reconcile slowed from about a second per batch to a minute). TRUNCATE
  // starts the table afresh. SQLite's DELETE without WHERE does the same.
  if (auto s = Run(
          sql, store::LocksRows(sql) ? "TRUNCATE allot_id_list" : "DELETE FROM allot_id_list", {});
      !s) {
    return s;
  }
  // A few ids (the common case: one SCIM change) go through one kept
  // statement on SQLite; many, and any number on PostgreSQL, in one
  // statement (store/bulk.h: one round trip there).
  if (unique.size() <= kFewIds && !store::LocksRows(sql)) {
    for (const std::string& id : unique) {
      if (auto s = Run(sql, "INSERT INTO allot_id_list (id) VALUES (:p0)", {id}); !s) return s;
    }
    return Ok();
  }
  return store::InsertRows(sql, "allot_id_list", {{"id", &unique}});
}

bool IsNull(const soci::row& row, size_t i) { return row.get_indicator(i) == soci::i_null; }

std::string Str(const soci::row& row, size_t i) {
  if (IsNull(row, i)) return "";
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_string:
    case soci::dt_blob:
    case soci::dt_xml:
      return row.get<std::string>(i);
    case soci::dt_integer:
      return std::to_string(row.get<int>(i));
    case soci::dt_long_long:
      return std::to_string(row.get<long long>(i));
    case soci::dt_unsigned_long_long:
      return std::to_string(row.get<unsigned long long>(i));
    case soci::dt_double:
      return std::to_string(row.get<double>(i));
    default:
      return "";
  }
}

int64_t Int(const soci::row& row, size_t i) {
  if (IsNull(row, i)) return 0;
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return row.get<int>(i);
    case soci::dt_long_long:
      return row.get<long long>(i);
    case soci::dt_unsigned_long_long:
      return static_cast<int64_t>(row.get<unsigned long long>(i));
    case soci::dt_double:
      return static_cast<int64_t>(row.get<double>(i));
    case soci::dt_string: {
      const std::string s = row.get<std::string>(i);
      int64_t v = 0;
      std::from_chars(s.data(), s.data() + s.size(), v);
      return v;
    }
    default:
      return 0;
  }
}

}  // namespace allot::licensing::sql
