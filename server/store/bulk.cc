#include "server/store/bulk.h"

#include <soci/soci.h>

#include "server/store/database.h"
#include "server/store/row_locks.h"
#include "server/store/statement_cache.h"

namespace allot::store {
namespace {

size_t RowCount(const std::vector<BulkColumn>& columns) {
  return columns.empty() || columns.front().values == nullptr ? 0 : columns.front().values->size();
}

// PostgreSQL: "unnest(CAST(:a0 AS text[]), …) AS v(v0, …)" over `columns`.
std::string Unnest(const std::vector<BulkColumn>& columns) {
  std::string arrays, names;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) {
      arrays += ", ";
      names += ", ";
    }
    arrays += "CAST(:a" + std::to_string(i) + " AS text[])";
    names += "v" + std::to_string(i);
  }
  return "unnest(" + arrays + ") AS v(" + names + ")";
}

// PostgreSQL: column `i` of v, cast to the column's type.
std::string Value(const BulkColumn& c, size_t i) {
  const std::string v = "v.v" + std::to_string(i);
  return c.type == "text" ? v : "CAST(" + v + " AS " + c.type + ")";
}

// A kept statement whose execution threw is dropped (when it was kept, not
// a one-off in `scratch`): the next call prepares it afresh. SOCI's
// PostgreSQL backend leaks the parameter buffers of a failed execution when
// the statement runs again, and a failure may leave a statement half-way.
void ForgetUnlessScratch(soci::session& sql, const std::string& key,
                         const std::unique_ptr<CachedStatement>& scratch) {
  if (scratch != nullptr) return;
  if (StatementCache* cache = CacheOf(sql)) cache->Forget(key);
}

// A kept PostgreSQL statement with one text[] parameter per column.
struct ArrayStatement : CachedStatement {
  ArrayStatement(soci::session& sql, const std::string& text, size_t n) : arrays(n), st(sql) {
    for (size_t i = 0; i < n; ++i) st.exchange(soci::use(arrays[i], "a" + std::to_string(i)));
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
  }
  std::vector<std::string> arrays;  // sized once: soci::use holds addresses
  soci::statement st;
};

// Runs `text` on PostgreSQL with `columns` as arrays; returns affected rows.
int64_t RunArrays(soci::session& sql, const std::string& text,
                  const std::vector<BulkColumn>& columns) {
  std::unique_ptr<CachedStatement> scratch;
  auto* q = Prepared<ArrayStatement>(
      sql, text,
      [&](soci::session& s) { return std::make_unique<ArrayStatement>(s, text, columns.size()); },
      &scratch);
  for (size_t i = 0; i < columns.size(); ++i) {
    q->arrays[i] = TextArray(*columns[i].values, columns[i].indicators);
  }
  try {
    q->st.execute(true);
  } catch (...) {
    ForgetUnlessScratch(sql, text, scratch);
    throw;
  }
  return q->st.get_affected_rows();
}

// A kept SQLite statement with one scalar parameter per column, run once
// per row (as SOCI runs a statement bound to vectors).
struct RowStatement : CachedStatement {
  RowStatement(soci::session& sql, const std::string& text, size_t n)
      : values(n), indicators(n, soci::i_ok), st(sql) {
    for (size_t i = 0; i < n; ++i) {
      st.exchange(soci::use(values[i], indicators[i], "c" + std::to_string(i)));
    }
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
  }
  // Sized once: soci::use holds addresses.
  std::vector<std::string> values;
  std::vector<soci::indicator> indicators;
  soci::statement st;
};

// Runs `text` on SQLite once per row, the columns' values bound to the
// placeholders :c0, :c1… in order; returns affected rows. The statement is
// kept per connection: preparing it on every call was half of what writing
// an audit event cost (every SCIM write writes one).
int64_t RunVectors(soci::session& sql, const std::string& text,
                   const std::vector<BulkColumn>& columns) {
  std::unique_ptr<CachedStatement> scratch;
  auto* q = Prepared<RowStatement>(
      sql, text,
      [&](soci::session& s) { return std::make_unique<RowStatement>(s, text, columns.size()); },
      &scratch);
  const size_t rows = RowCount(columns);
  int64_t affected = 0;
  try {
    for (size_t r = 0; r < rows; ++r) {
      for (size_t i = 0; i < columns.size(); ++i) {
        const BulkColumn& c = columns[i];
        q->values[i] = (*c.values)[r];
        q->indicators[i] = c.indicators != nullptr ? (*c.indicators)[r] : soci::i_ok;
      }
      q->st.execute(true);
      affected += q->st.get_affected_rows();
    }
  } catch (...) {
    ForgetUnlessScratch(sql, text, scratch);
    throw;
  }
  return affected;
}

}  // namespace

std::string TextArray(const std::vector<std::string>& values,
                      const std::vector<soci::indicator>* indicators) {
  size_t size = 2;
  for (const std::string& v : values) size += v.size() + 3;
  std::string out;
  out.reserve(size);
  out += '{';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    if (indicators != nullptr && (*indicators)[i] == soci::i_null) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Status InsertRows(soci::session& sql, const std::string& table,
                  const std::vector<BulkColumn>& columns) {
  if (RowCount(columns) == 0) return Ok();
  std::string names;
  for (size_t i = 0; i < columns.size(); ++i) names += (i ? ", " : "") + columns[i].name;
  try {
    if (LocksRows(sql)) {
      std::string values;
      for (size_t i = 0; i < columns.size(); ++i) values += (i ? ", " : "") + Value(columns[i], i);
      RunArrays(
          sql,
          "INSERT INTO " + table + " (" + names + ") SELECT " + values + " FROM " + Unnest(columns),
          columns);
    } else {
      std::string placeholders;
      for (size_t i = 0; i < columns.size(); ++i) {
        placeholders += (i ? ", :c" : ":c") + std::to_string(i);
      }
      RunVectors(sql, "INSERT INTO " + table + " (" + names + ") VALUES (" + placeholders + ")",
                 columns);
    }
  } catch (const std::exception& e) {
    return std::unexpected(ErrorFromException(e));
  }
  return Ok();
}

Result<int64_t> UpdateRows(soci::session& sql, const std::string& table,
                           const std::vector<BulkColumn>& set, const std::vector<BulkColumn>& keys,
                           const std::string& extra_set, const std::string& extra_where) {
  std::vector<BulkColumn> all = set;
  all.insert(all.end(), keys.begin(), keys.end());
  if (RowCount(all) == 0) return 0;
  try {
    std::string assignments, conditions;
    const bool postgres = LocksRows(sql);
    for (size_t i = 0; i < all.size(); ++i) {
      const std::string value = postgres ? Value(all[i], i) : ":c" + std::to_string(i);
      if (i < set.size()) {
        assignments += (i ? ", " : "") + all[i].name + " = " + value;
      } else {
        conditions += (i > set.size() ? " AND " : "") + (postgres ? "t." : std::string()) +
                      all[i].name + " = " + value;
      }
    }
    if (!extra_set.empty()) assignments += (assignments.empty() ? "" : ", ") + extra_set;
    if (!extra_where.empty()) conditions += " AND " + extra_where;
    if (postgres) {
      return RunArrays(sql,
                       "UPDATE " + table + " AS t SET " + assignments + " FROM " + Unnest(all) +
                           " WHERE " + conditions,
                       all);
    }
    return RunVectors(sql, "UPDATE " + table + " SET " + assignments + " WHERE " + conditions, all);
  } catch (const std::exception& e) {
    return std::unexpected(ErrorFromException(e));
  }
}

Result<int64_t> DeleteRows(soci::session& sql, const std::string& table,
                           const std::vector<BulkColumn>& keys) {
  if (RowCount(keys) == 0) return 0;
  try {
    std::string conditions;
    const bool postgres = LocksRows(sql);
    for (size_t i = 0; i < keys.size(); ++i) {
      conditions += (i ? " AND " : "") + (postgres ? "t." : std::string()) + keys[i].name + " = " +
                    (postgres ? Value(keys[i], i) : ":c" + std::to_string(i));
    }
    if (postgres) {
      return RunArrays(
          sql, "DELETE FROM " + table + " AS t USING " + Unnest(keys) + " WHERE " + conditions,
          keys);
    }
    return RunVectors(sql, "DELETE FROM " + table + " WHERE " + conditions, keys);
  } catch (const std::exception& e) {
    return std::unexpected(ErrorFromException(e));
  }
}

}  // namespace allot::store
