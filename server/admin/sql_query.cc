#include "server/admin/sql_query.h"

namespace allot::admin {

SqlQuery& SqlQuery::Text(std::string_view fragment) {
  text_ += fragment;
  return *this;
}

std::string SqlQuery::Placeholder(bool integer) {
  order_ += integer ? 'i' : 's';
  return ":v" + std::to_string(order_.size());
}

SqlQuery& SqlQuery::BindInt(std::string_view fragment, long long value) {
  bool bound = false;
  for (char c : fragment) {
    if (c == '?' && !bound) {
      text_ += Placeholder(true);
      ints_.push_back(value);
      bound = true;
    } else {
      text_ += c;
    }
  }
  return *this;
}

SqlQuery& SqlQuery::Bind(std::string_view fragment, std::initializer_list<std::string> values) {
  auto value = values.begin();
  for (char c : fragment) {
    if (c == '?' && value != values.end()) {
      text_ += Placeholder(false);
      values_.push_back(*value++);
    } else {
      text_ += c;
    }
  }
  return *this;
}

SqlQuery& SqlQuery::Limit(int n) {
  text_ += " LIMIT :limit";
  limit_ = n;
  return *this;
}

void SqlQuery::ForEach(soci::session& sql,
                       const std::function<void(const soci::row&)>& on_row) const {
  // The statement API binds a number of values known only at run time.
  soci::statement st(sql);
  soci::row row;
  st.exchange(soci::into(row));
  auto next_string = values_.begin();
  auto next_int = ints_.begin();
  for (char kind : order_) {
    if (kind == 'i') {
      st.exchange(soci::use(*next_int++));
    } else {
      st.exchange(soci::use(*next_string++));
    }
  }
  if (limit_) st.exchange(soci::use(*limit_));
  st.alloc();
  st.prepare(text_);
  st.define_and_bind();
  if (st.execute(true)) {
    do {
      on_row(row);
    } while (st.fetch());
  }
}

bool RowIsNull(const soci::row& row, std::size_t i) { return row.get_indicator(i) == soci::i_null; }

std::string RowString(const soci::row& row, std::size_t i) {
  if (RowIsNull(row, i)) return {};
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_integer: return std::to_string(row.get<int>(i));
    case soci::dt_long_long: return std::to_string(row.get<long long>(i));
    case soci::dt_unsigned_long_long: return std::to_string(row.get<unsigned long long>(i));
    case soci::dt_double: return std::to_string(row.get<double>(i));
    default: return row.get<std::string>(i);
  }
}

long long RowInt(const soci::row& row, std::size_t i) {
  if (RowIsNull(row, i)) return 0;
  switch (row.get_properties(i).get_data_type()) {
    case soci::dt_integer: return row.get<int>(i);
    case soci::dt_long_long: return row.get<long long>(i);
    case soci::dt_unsigned_long_long: return static_cast<long long>(row.get<unsigned long long>(i));
    case soci::dt_double: return static_cast<long long>(row.get<double>(i));
    default: {
      const std::string s = row.get<std::string>(i);
      try {
        return std::stoll(s);
      } catch (const std::exception&) {
        return 0;
      }
    }
  }
}

}  // namespace allot::admin
