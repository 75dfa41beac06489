// server/scim_api/sql_util.h — building parameterised SQL for the SCIM store.
//
// SqlParams collects bound values and hands out their placeholders, so that a
// query assembled from pieces (filters, IN lists) never carries a client
// value in its text. Prepare() binds them in order on a soci::statement.
// Thread-safety: plain values; one per query.
#pragma once

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "scim/error.h"
#include "server/base/error.h"
#include "server/store/database.h"
#include "server/base/ascii.h"  // AsciiLower: the form of the *_lower columns

namespace soci {
class session;
class statement;
}  // namespace soci

namespace allot::scim_api {

class SqlParams {
 public:
  // Adds a value and returns its placeholder (":p0", ":p1", …).
  std::string Add(std::string value);
  // "(:p3,:p4,…)" for an IN list; `values` must not be empty.
  std::string AddList(const std::vector<std::string>& values);
  // Binds every value by its name on `st` (before st.prepare). The values
  // live in this object, which must outlive the statement's execution.
  void BindAll(soci::statement& st);
  size_t size() const { return values_.size(); }
  // Drops the values added after the first `size` (their placeholders must
  // not be in the query text: a bound name the statement lacks is an error).
  void Truncate(size_t size) { values_.resize(std::min(size, values_.size())); }
  const std::deque<std::string>& values() const { return values_; }

 private:
  std::deque<std::string> values_;  // deque: stable addresses for soci::use
};


// Escapes '%', '_' and '\' for a LIKE pattern used with ESCAPE '\'.
std::string LikeEscape(std::string_view s);

// Maps a storage error (from db.Write / db.Read) to the SCIM error it shows as.
scim::Error FromStoreError(const allot::Error& e);
// Maps the other way, for returning from inside a transaction.
allot::Error ToStoreError(const scim::Error& e);

// Runs `fn` in one write transaction; a SCIM error returned by `fn` rolls
// back and comes back unchanged; storage failures become SCIM errors.
scim::Status ScimWrite(store::Database& db, const std::function<scim::Status(soci::session&)>& fn);
scim::Status ScimRead(store::Database& db, const std::function<scim::Status(soci::session&)>& fn);

}  // namespace allot::scim_api
