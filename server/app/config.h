// server/app/config.h — what `allot serve` runs with: command-line flags over
// an optional JSON config file over defaults.
//
// Every setting is one row of one table (Settings()): its config key, its
// flag (the key with '-' for '_'), its kind and range. Flags and config
// values pass through the same ApplySetting, so a value out of range is
// refused with the same sentence either way, naming the key and the range.
// Thread-safety: plain values and constant data, read-only once serving.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

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
  int io_threads = 2;
  int max_connections = 10000;
  int max_body_bytes = 4 * 1024 * 1024;
  int max_request_line_bytes = 8 * 1024;
  int max_header_bytes = 64 * 1024;
  int max_header_fields = 100;
  int header_timeout_seconds = 10;
  int keep_alive_timeout_seconds = 5;
  int read_timeout_seconds = 30;
  int write_timeout_seconds = 30;
  int queue_timeout_ms = 5000;
  std::string log_level = "info";
  // How often expired overrides are removed (licensing/expiry_sweeper.h).
  int expiry_sweep_seconds = 30;
  // Deadline of one call into a plugin (on_create, or one batch of
  // on_evaluate); a plugin host that misses it is killed.
  int plugin_timeout_ms = 2000;
  // Webhooks (webhooks/delivery_worker.h, target.h): whether targets may be
  // loopback or private addresses (and http://), the timeout of one attempt
  // (connect, and each read and write), attempts before `failed`, the wait
  // after the first failed attempt (doubling after each, up to an hour),
  // how long finished deliveries and their events are kept, and trust
  // anchors for receivers' certificates ("" for the system's).
  bool webhooks_allow_private_networks = false;
  int webhook_timeout_ms = 5000;
  int webhook_max_attempts = 12;
  int webhook_retry_base_ms = 2000;
  int webhook_retention_seconds = 7 * 24 * 3600;
  std::string webhook_ca_file;
};

// One setting: a config key and its flag.
struct Setting {
  enum class Kind { kString, kPath, kBool, kInt, kChoice, kListen };
  std::string_view key;   // config key; the flag is "--" + key with '-' for '_'
  std::string_view help;  // for --help
  Kind kind;
  std::variant<std::string ServeConfig::*, bool ServeConfig::*, int ServeConfig::*> field;
  int64_t min = 0;  // kInt
  int64_t max = 0;  // kInt
  std::vector<std::string_view> choices = {};  // kChoice

  std::string Flag() const;
  // "an integer from 1 to 1024", "one of debug, info, warn, error", …
  std::string Expected() const;
};

// Every setting, in the order --help lists them. The paths `data_dir`,
// `policies`, `plugins` and the strings take any value here (serve checks
// that they exist).
const std::vector<Setting>& Settings();
const Setting* FindSetting(std::string_view key);

// Sets `setting` from `value`. Fails with one line "<where> must be
// <expected>, not <value>", where `where` names the source: "--threads" for
// a flag, "FILE: \"threads\"" for a config key.
Status ApplySetting(ServeConfig& config, const Setting& setting, const nlohmann::json& value,
                    std::string_view where);

// The same for a flag's text: integers are parsed (a non-integer is refused
// with the same sentence), booleans are given as "true"/"false".
Status ApplyFlag(ServeConfig& config, const Setting& setting, const std::string& text);

// Applies the keys of a JSON config file to `config`. Fails naming the file
// and the key for an unreadable file, malformed JSON, an unknown key or a
// value of the wrong type or out of range.
Status LoadConfigFile(const std::string& path, ServeConfig& config);

struct HostPort {
  std::string host;
  int port = 0;
};

// Parses "HOST:PORT" or "[v6]:PORT"; port 0 picks a free one. The error
// names "--listen".
Result<HostPort> ParseListen(const std::string& listen);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopback(const std::string& host);

}  // namespace allot::app
