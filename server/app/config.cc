#include "server/app/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace allot::app {
namespace {

using nlohmann::json;
using Kind = Setting::Kind;

// The value as the message quotes it: JSON text, shortened.
std::string Quote(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 64) text = text.substr(0, 61) + "...";
  return text;
}

Status Refuse(const Setting& s, const json& value, std::string_view where) {
  return Fail(ErrorCode::kInvalidRequest,
              std::string(where) + " must be " + s.Expected() + ", not " + Quote(value));
}

}  // namespace

std::string Setting::Flag() const {
  std::string flag = "--" + std::string(key);
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

std::string Setting::Expected() const {
  switch (kind) {
    case Kind::kBool: return "true or false";
    case Kind::kInt:
      return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    case Kind::kChoice: {
      std::string out = "one of ";
      for (size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) out += ", ";
        out += choices[i];
      }
      return out;
    }
    case Kind::kListen: return "HOST:PORT or [IPv6]:PORT with a port from 0 to 65535";
    case Kind::kString:
    case Kind::kPath: return "a string";
  }
  return "a value";
}

const std::vector<Setting>& Settings() {
  using C = ServeConfig;
  static const std::vector<Setting> kSettings = {
      {"data_dir", "Data directory", Kind::kPath, &C::data_dir},
      {"listen", "HOST:PORT to listen on (default 127.0.0.1:8443)", Kind::kListen, &C::listen},
      {"tls_cert", "PEM certificate (default: self-signed in DIR/certs)", Kind::kPath,
       &C::tls_cert},
      {"tls_key", "PEM private key", Kind::kPath, &C::tls_key},
      {"insecure_http", "Plain HTTP, loopback only", Kind::kBool, &C::insecure_http},
      {"policies", "Policies directory", Kind::kPath, &C::policies_dir},
      {"plugins", "Plugins directory", Kind::kPath, &C::plugins_dir},
      {"db", "Database URL (default: SQLite in DIR/allot.db)", Kind::kString, &C::db_url},
      {"threads", "Worker threads that run requests (default 32)", Kind::kInt, &C::threads, 1,
       1024},
      {"io_threads", "Threads that accept, read and write connections (default 2)", Kind::kInt,
       &C::io_threads, 1, 64},
      {"max_connections", "Open connections; further ones are closed at once (default 10000)",
       Kind::kInt, &C::max_connections, 1, 1000000},
      {"max_body_bytes", "Largest request body; larger gets 413 (default 4194304)", Kind::kInt,
       &C::max_body_bytes, 1024, 1073741824},
      {"max_request_line_bytes", "Longest request line; longer gets 414 (default 8192)",
       Kind::kInt, &C::max_request_line_bytes, 1024, 1048576},
      {"max_header_bytes", "Largest request head; larger gets 431 (default 65536)", Kind::kInt,
       &C::max_header_bytes, 1024, 16777216},
      {"max_header_fields", "Most header fields in a request; more gets 431 (default 100)",
       Kind::kInt, &C::max_header_fields, 1, 10000},
      {"header_timeout_seconds",
       "Seconds for the TLS handshake and a whole request head (default 10)", Kind::kInt,
       &C::header_timeout_seconds, 1, 3600},
      {"keep_alive_timeout_seconds", "Seconds an idle connection stays open (default 5)",
       Kind::kInt, &C::keep_alive_timeout_seconds, 1, 3600},
      {"read_timeout_seconds", "Seconds for a whole request body (default 30)", Kind::kInt,
       &C::read_timeout_seconds, 1, 3600},
      {"write_timeout_seconds", "Seconds for a whole response (default 30)", Kind::kInt,
       &C::write_timeout_seconds, 1, 3600},
      {"queue_timeout_ms",
       "Milliseconds a request may wait for a worker; longer gets 429 (default 5000)",
       Kind::kInt, &C::queue_timeout_ms, 1, 600000},
      {"expiry_sweep_seconds",
       "Seconds between sweeps that end expired overrides and holds (default 30)", Kind::kInt,
       &C::expiry_sweep_seconds, 1, 3600},
      {"plugin_timeout_ms",
       "Milliseconds one call into a plugin may take; a plugin host that misses it is killed "
       "(default 2000)",
       Kind::kInt, &C::plugin_timeout_ms, 10, 600000},
      {"log_level", "Lowest level logged (default info)", Kind::kChoice, &C::log_level, 0, 0,
       {"debug", "info", "warn", "error"}},
      {"webhooks_allow_private_networks",
       "Let webhooks reach loopback and private addresses, and use http:// there (default "
       "false)",
       Kind::kBool, &C::webhooks_allow_private_networks},
      {"webhook_timeout_ms",
       "Milliseconds a webhook receiver has to accept, and for each read and write (default "
       "5000)",
       Kind::kInt, &C::webhook_timeout_ms, 100, 60000},
      {"webhook_max_attempts", "Attempts of a webhook delivery before it is failed (default 12)",
       Kind::kInt, &C::webhook_max_attempts, 1, 50},
      {"webhook_retry_base_ms",
       "Milliseconds before the second attempt of a delivery, doubling after each (default "
       "2000)",
       Kind::kInt, &C::webhook_retry_base_ms, 100, 3600000},
      {"webhook_retention_seconds",
       "Seconds finished webhook deliveries and their events are kept (default 604800)",
       Kind::kInt, &C::webhook_retention_seconds, 1, 31536000},
      {"webhook_ca_file",
       "PEM file of the CAs trusted for webhook receivers (default: the system's)", Kind::kPath,
       &C::webhook_ca_file},
  };
  return kSettings;
}

const Setting* FindSetting(std::string_view key) {
  for (const Setting& s : Settings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

Status ApplySetting(ServeConfig& config, const Setting& s, const json& value,
                    std::string_view where) {
  switch (s.kind) {
    case Kind::kBool:
      if (!value.is_boolean()) return Refuse(s, value, where);
      config.*std::get<bool ServeConfig::*>(s.field) = value.get<bool>();
      return Ok();
    case Kind::kInt: {
      if (!value.is_number_integer()) return Refuse(s, value, where);
      // Unsigned JSON integers above int64 range compare as out of range too.
      if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(s.max)) {
        return Refuse(s, value, where);
      }
      const int64_t n = value.get<int64_t>();
      if (n < s.min || n > s.max) return Refuse(s, value, where);
      config.*std::get<int ServeConfig::*>(s.field) = static_cast<int>(n);
      return Ok();
    }
    case Kind::kChoice: {
      if (!value.is_string()) return Refuse(s, value, where);
      const std::string text = value.get<std::string>();
      if (std::find(s.choices.begin(), s.choices.end(), text) == s.choices.end()) {
        return Refuse(s, value, where);
      }
      config.*std::get<std::string ServeConfig::*>(s.field) = text;
      return Ok();
    }
    case Kind::kListen:
      if (!value.is_string() || !ParseListen(value.get<std::string>())) {
        return Refuse(s, value, where);
      }
      config.*std::get<std::string ServeConfig::*>(s.field) = value.get<std::string>();
      return Ok();
    case Kind::kString:
    case Kind::kPath:
      if (!value.is_string()) return Refuse(s, value, where);
      config.*std::get<std::string ServeConfig::*>(s.field) = value.get<std::string>();
      return Ok();
  }
  return Ok();
}

Status ApplyFlag(ServeConfig& config, const Setting& s, const std::string& text) {
  json value = text;
  if (s.kind == Kind::kInt) {
    // A number is judged as the same number in a config file would be.
    json number = json::parse(text, nullptr, false);
    if (!number.is_discarded() && number.is_number()) value = std::move(number);
  } else if (s.kind == Kind::kBool) {
    if (text == "true") value = true;
    if (text == "false") value = false;
  }
  return ApplySetting(config, s, value, s.Flag());
}

Status LoadConfigFile(const std::string& path, ServeConfig& c) {
  std::ifstream in(path);
  if (!in) return Fail(ErrorCode::kInvalidRequest, "cannot read the config file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  json j = json::parse(buffer.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Fail(ErrorCode::kInvalidRequest, path + ": not a JSON object");
  }
  for (const auto& [key, value] : j.items()) {
    const Setting* s = FindSetting(key);
    if (s == nullptr) {
      return Fail(ErrorCode::kInvalidRequest, path + ": unknown key \"" + key + "\"");
    }
    if (auto st = ApplySetting(c, *s, value, path + ": \"" + key + "\""); !st) return st;
  }
  return Ok();
}

Result<HostPort> ParseListen(const std::string& listen) {
  HostPort out;
  std::string port_text;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return Fail(ErrorCode::kInvalidRequest, "--listen '" + listen + "': expected [IPv6]:PORT");
    }
    out.host = listen.substr(1, close - 1);
    port_text = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return Fail(ErrorCode::kInvalidRequest,
                  "--listen '" + listen + "': expected HOST:PORT, e.g. 127.0.0.1:8443");
    }
    out.host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port_text) > 65535) {
    return Fail(ErrorCode::kInvalidRequest, "--listen '" + listen + "': the port must be 0-65535");
  }
  out.port = std::stoi(port_text);
  return out;
}

bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

}  // namespace allot::app
