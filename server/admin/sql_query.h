// server/admin/sql_query.h — building one SELECT from optional conditions with
// every value bound as a parameter (never spliced into the text), and reading
// nullable or loosely typed columns of a soci::row on both backends.
// Thread-safety: a SqlQuery belongs to one call.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <soci/soci.h>

namespace allot::admin {

class SqlQuery {
 public:
  // Appends SQL text written by the caller (no values).
  SqlQuery& Text(std::string_view fragment);
  // Appends `fragment` with each '?' replaced by a placeholder bound to the
  // next of `values`, in order.
  SqlQuery& Bind(std::string_view fragment, std::initializer_list<std::string> values);
  // Appends `fragment` with its one '?' bound to an integer.
  SqlQuery& BindInt(std::string_view fragment, long long value);
  // Appends " LIMIT <n>" with n bound.
  SqlQuery& Limit(int n);

  const std::string& text() const { return text_; }
  // Runs the query and calls `on_row` for each row, in order. SOCI's
  // exceptions propagate (Database::Read/Write turn them into errors).
  void ForEach(soci::session& sql, const std::function<void(const soci::row&)>& on_row) const;

 private:
  std::string text_;
  std::string Placeholder(bool integer);

  std::deque<std::string> values_;  // deques: bound values must not move
  std::deque<long long> ints_;
  std::string order_;  // 's' or 'i' per placeholder, in order
  std::optional<int> limit_;
};

// The column as a string; "" when NULL.
std::string RowString(const soci::row& row, std::size_t i);
// The column as an integer whatever type the backend reports; 0 when NULL.
long long RowInt(const soci::row& row, std::size_t i);
bool RowIsNull(const soci::row& row, std::size_t i);

}  // namespace allot::admin
