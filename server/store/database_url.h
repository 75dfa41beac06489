// server/store/database_url.h — turns a --db URL into a SOCI backend and
// connect string. Kept apart from database.cc so it is tested on its own.
// Thread-safety: stateless.
#pragma once

#include <string>

#include "server/base/error.h"
#include "server/store/database.h"

namespace allot::store {

struct ParsedUrl {
  Backend backend;
  std::string connect_string;
  std::string display;  // safe to log: no password
  std::string sqlite_file;  // SQLite: the database file's path; "" otherwise
};

// "postgresql://[user[:password]@][host][:port][/dbname][?key=value&…]"
// (percent-decoded) becomes libpq keyword/value pairs; anything else is a
// SQLite file path, optionally prefixed "sqlite://". kInvalidRequest for a
// malformed URL.
Result<ParsedUrl> ParseUrl(const DatabaseOptions& options);

}  // namespace allot::store
