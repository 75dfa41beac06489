// server/licensing/sql.h — small SOCI adapters for the licensing store:
// statements with a variable number of string parameters (IN lists, sent in
// chunks that stay under every backend's parameter limit), row getters that
// tolerate each backend's column types, and the one place SOCI exceptions
// become error values for this library.
// Thread-safety: stateless; each call uses the caller's session.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "server/base/error.h"

namespace soci {
class session;
class row;
}  // namespace soci

namespace allot::licensing::sql {

// How many ids go into one IN (...) list.
inline constexpr size_t kChunk = 500;

// ":p0, :p1, …" — `n` positional placeholders starting at `first`.
std::string Placeholders(size_t n, size_t first = 0);

using RowFn = std::function<void(const soci::row&)>;

// Runs `query` binding `params` in order; calls `on_row` for every row when
// given. Database errors become error values (store::ErrorFromException).
Status Run(soci::session& sql, const std::string& query, const std::vector<std::string>& params,
           const RowFn& on_row = nullptr);

// Runs `before + "(" + placeholders + ")" + after` once per chunk of `ids`,
// binding `leading` first, then the chunk, then `trailing`.
Status RunIn(soci::session& sql, const std::string& before, const std::string& after,
             const std::vector<std::string>& leading, std::span<const std::string> ids,
             const std::vector<std::string>& trailing, const RowFn& on_row = nullptr);

// The id list of this session: a temporary table (`allot_id_list`, one
// column `id`) that set-based statements join instead of binding an IN list.
// Binding thousands of named parameters makes each prepare quadratic in
// SQLite (parameter names are looked up one by one), so large id sets go
// through this table: one bulk insert, then short statements. Replaces what
// the list held. Use inside a WRITE transaction only (PostgreSQL refuses
// CREATE in a read-only one); the table is the session's, so concurrent
// sessions never see each other's list. Duplicates in `ids` are dropped.
Status FillIdList(soci::session& sql, std::span<const std::string> ids);
// "(SELECT id FROM allot_id_list)" — the right-hand side of `x IN …`.
inline constexpr const char* kIdList = "(SELECT id FROM allot_id_list)";

// Column `i` as text ("" for NULL) or as an integer (0 for NULL), whatever
// type the backend reports for it.
std::string Str(const soci::row& row, size_t i);
int64_t Int(const soci::row& row, size_t i);
bool IsNull(const soci::row& row, size_t i);

}  // namespace allot::licensing::sql
