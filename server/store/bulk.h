// server/store/bulk.h — statements over many rows at once, the one place
// where SQLite and PostgreSQL differ in how that is done fast. SOCI runs a
// statement bound to vectors once per row: free on SQLite (in-process), but
// one network round trip per row on PostgreSQL, which made a reconcile batch
// of 1,000 users thousands of round trips. On PostgreSQL these functions
// send every row in ONE statement instead: each column travels as one
// text[] value and `unnest` turns the arrays back into rows
// (INSERT … SELECT FROM unnest, UPDATE … FROM unnest, DELETE … USING
// unnest). On SQLite they bind the vectors, as before.
//
// Table and column names and the `extra_*` fragments are SQL written by the
// caller, never client input; every value is bound.
// Thread-safety: stateless; each call uses the caller's transaction.
#pragma once

#include <soci/soci-backend.h>

#include <cstdint>
#include <string>
#include <vector>

#include "server/base/error.h"

namespace soci {
class session;
}

namespace allot::store {

// One column of the rows: its name, its values (one per row), optionally
// which of them are NULL (soci::i_null), and the SQL type the text is cast
// to on PostgreSQL (for a column that is not TEXT).
struct BulkColumn {
  std::string name;
  const std::vector<std::string>* values = nullptr;
  const std::vector<soci::indicator>* indicators = nullptr;  // nullptr: none is NULL
  std::string type = "text";
};

// INSERT INTO `table` (columns…) the rows. All columns have the same number
// of rows. Errors are the database's (a constraint violation is kConflict).
Status InsertRows(soci::session& sql, const std::string& table,
                  const std::vector<BulkColumn>& columns);

// For each row: UPDATE `table` SET <set columns = row values>[, extra_set]
// WHERE <key columns = row values>[ AND extra_where]. `extra_set` and
// `extra_where` refer to the table's columns by bare name. Returns how many
// rows changed in all.
Result<int64_t> UpdateRows(soci::session& sql, const std::string& table,
                           const std::vector<BulkColumn>& set, const std::vector<BulkColumn>& keys,
                           const std::string& extra_set = "", const std::string& extra_where = "");

// For each row: DELETE FROM `table` WHERE <key columns = row values>.
// Returns how many rows were deleted in all.
Result<int64_t> DeleteRows(soci::session& sql, const std::string& table,
                           const std::vector<BulkColumn>& keys);

// `values` as a PostgreSQL text[] literal (every element quoted; NULLs where
// `indicators` says so), for binding as one parameter.
std::string TextArray(const std::vector<std::string>& values,
                      const std::vector<soci::indicator>* indicators = nullptr);

}  // namespace allot::store
