// server/app/config.h — what `allot serve` runs with: command-line flags over
// an optional JSON config file over defaults.
// Thread-safety: plain values, read-only once serving.
#pragma once

#include <string>

#include "server/base/error.h"

namespace allot::app {

struct ServeConfig {
  std::string data_dir;
  std::string listen = "127.0.0.1:8443";
  std::string tls_cert;
  std::string tls_key;
  bool insecure_http = false;
  std::string policies_dir;  // empty: DATA_DIR/policies if it exists, else none
  std::string plugins_dir;   // empty: the "plugins" folder beside the binary
  std::string db_url;        // empty: SQLite at DATA_DIR/allot.db
  int threads = 32;
  int max_body_bytes = 4 * 1024 * 1024;
  int read_timeout_seconds = 30;
  int keep_alive_timeout_seconds = 5;
  int queue_timeout_ms = 5000;
  std::string log_level = "info";
  // How often expired overrides are removed (licensing/expiry_sweeper.h).
  int expiry_sweep_seconds = 30;
};

// Applies the keys of a JSON config file to `config` (the same names as the
// flags, with '_' for '-': "listen", "tls_cert", "threads", …). Fails naming
// the file and the key for an unreadable file, malformed JSON, an unknown key
// or a value of the wrong type.
Status LoadConfigFile(const std::string& path, ServeConfig& config);

struct HostPort {
  std::string host;
  int port = 0;
};

// Parses "HOST:PORT" or "[v6]:PORT"; port 0 picks a free one.
Result<HostPort> ParseListen(const std::string& listen);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopback(const std::string& host);

}  // namespace allot::app
