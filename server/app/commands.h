// server/app/commands.h — the `allot init`, `allot operator-token` and `allot serve`
// commands.
// Each returns the process exit status: 0 success, 1 failure (one line on
// stderr saying what is wrong and how to mend it), 2 usage error.
#pragma once

#include <string>

#include "server/app/config.h"

namespace allot::app {

struct InitOptions {
  std::string data_dir;
  std::string tenant = "default";
  std::string db_url;
};

int RunInit(const InitOptions& options);

// `allot operator-token`: issues another operator token (printed once, as
// {"id","operator_token"}) on an existing database.
struct OperatorTokenOptions {
  std::string data_dir;
  std::string db_url;
};
int RunOperatorToken(const OperatorTokenOptions& options);
int RunServe(const ServeConfig& config);

// The database URL for a data directory: `db_url` if set, else SQLite at
// DATA_DIR/allot.db.
std::string DatabaseUrl(const std::string& data_dir, const std::string& db_url);

// Prints "allot: <message>" on stderr and returns `status`.
int Die(int status, const std::string& message);

}  // namespace allot::app
