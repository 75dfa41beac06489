#include "server/app/config.h"

#include <arpa/inet.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace allot::app {
namespace {

using nlohmann::json;

template <typename T>
Status Take(const json& j, const std::string& file, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end()) return Ok();
  if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return Fail(ErrorCode::kInvalidRequest, file + ": \"" + key + "\" must be true or false");
  } else if constexpr (std::is_same_v<T, int>) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > (1LL << 31) - 1) {
      return Fail(ErrorCode::kInvalidRequest, file + ": \"" + key + "\" must be a non-negative integer");
    }
  } else {
    if (!it->is_string()) return Fail(ErrorCode::kInvalidRequest, file + ": \"" + key + "\" must be a string");
  }
  out = it->get<T>();
  return Ok();
}

}  // namespace

Status LoadConfigFile(const std::string& path, ServeConfig& c) {
  std::ifstream in(path);
  if (!in) return Fail(ErrorCode::kInvalidRequest, "cannot read the config file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  json j = json::parse(buffer.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Fail(ErrorCode::kInvalidRequest, path + ": not a JSON object");
  }
  static const char* kKnown[] = {"data_dir", "listen", "tls_cert", "tls_key", "insecure_http",
                                 "policies", "plugins", "db", "threads", "max_body_bytes",
                                 "read_timeout_seconds", "keep_alive_timeout_seconds",
                                 "queue_timeout_ms", "log_level", "expiry_sweep_seconds"};
  for (const auto& [key, value] : j.items()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      return Fail(ErrorCode::kInvalidRequest, path + ": unknown key \"" + key + "\"");
    }
  }
  Status s = Ok();
  auto take = [&](const char* key, auto& field) {
    if (s) s = Take(j, path, key, field);
  };
  take("data_dir", c.data_dir);
  take("listen", c.listen);
  take("tls_cert", c.tls_cert);
  take("tls_key", c.tls_key);
  take("insecure_http", c.insecure_http);
  take("policies", c.policies_dir);
  take("plugins", c.plugins_dir);
  take("db", c.db_url);
  take("threads", c.threads);
  take("max_body_bytes", c.max_body_bytes);
  take("read_timeout_seconds", c.read_timeout_seconds);
  take("keep_alive_timeout_seconds", c.keep_alive_timeout_seconds);
  take("queue_timeout_ms", c.queue_timeout_ms);
  take("log_level", c.log_level);
  take("expiry_sweep_seconds", c.expiry_sweep_seconds);
  if (s && (c.expiry_sweep_seconds < 1 || c.expiry_sweep_seconds > 3600)) {
    return Fail(ErrorCode::kInvalidRequest,
                path + ": \"expiry_sweep_seconds\" must be from 1 to 3600");
  }
  return s;
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
      return Fail(ErrorCode::kInvalidRequest, "--listen '" + listen + "': expected HOST:PORT, e.g. 127.0.0.1:8443");
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
