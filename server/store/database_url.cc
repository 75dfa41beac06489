#include "server/store/database_url.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace allot::store {
namespace {

std::string PercentDecode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

// libpq's keyword=value form with the value quoted, as SOCI passes the
// connect string on in that form (it does not understand URIs).
void AppendConnInfo(std::string& out, std::string_view key, const std::string& value) {
  if (value.empty()) return;
  if (!out.empty()) out += ' ';
  out.append(key);
  out += "='";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
}

// postgresql://[user[:password]@][host][:port][/dbname][?key=value&…]
Result<std::string> PostgresConnInfo(std::string_view url) {
  url.remove_prefix(url.find("://") + 3);
  std::string_view query;
  if (auto q = url.find('?'); q != std::string_view::npos) {
    query = url.substr(q + 1);
    url = url.substr(0, q);
  }
  std::string_view dbname;
  if (auto slash = url.find('/'); slash != std::string_view::npos) {
    dbname = url.substr(slash + 1);
    url = url.substr(0, slash);
  }
  std::string_view userinfo;
  if (auto at = url.rfind('@'); at != std::string_view::npos) {
    userinfo = url.substr(0, at);
    url = url.substr(at + 1);
  }
  std::string_view host = url, port;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return Fail(ErrorCode::kInvalidRequest, "malformed host in the PostgreSQL URL");
    port = close + 1 < host.size() && host[close + 1] == ':' ? host.substr(close + 2) : "";
    host = host.substr(1, close - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  std::string user(userinfo), password;
  if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
    user = std::string(userinfo.substr(0, colon));
    password = PercentDecode(userinfo.substr(colon + 1));
  }
  std::string info;
  AppendConnInfo(info, "host", PercentDecode(host));
  AppendConnInfo(info, "port", std::string(port));
  AppendConnInfo(info, "dbname", PercentDecode(dbname));
  AppendConnInfo(info, "user", PercentDecode(user));
  AppendConnInfo(info, "password", password);
  // Server notices would reach stderr as plain text between the JSON log
  // lines; warnings and errors still arrive as errors.
  AppendConnInfo(info, "options", "-c client_min_messages=warning");
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Fail(ErrorCode::kInvalidRequest, "malformed parameter in the PostgreSQL URL: expected key=value");
    }
    const std::string key = PercentDecode(pair.substr(0, eq));
    if (key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) {
      return Fail(ErrorCode::kInvalidRequest, "unknown parameter '" + key + "' in the PostgreSQL URL");
    }
    AppendConnInfo(info, key, PercentDecode(pair.substr(eq + 1)));
  }
  return info;
}

}  // namespace

Result<ParsedUrl> ParseUrl(const DatabaseOptions& options) {
  std::string_view url = options.url;
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    auto at = url.find('@');
    std::string display = at == std::string_view::npos
                              ? std::string(url)
                              : "postgresql://…" + std::string(url.substr(at));
    auto info = PostgresConnInfo(url);
    if (!info) return std::unexpected(info.error());
    return ParsedUrl{Backend::kPostgres, *info, display};
  }
  if (url.starts_with("sqlite://")) url.remove_prefix(std::string_view("sqlite://").size());
  if (url.empty()) return Fail(ErrorCode::kInvalidRequest, "empty database URL");
  if (url.find('"') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidRequest, "the database path must not contain a double quote");
  }
  std::string connect = "db=\"" + std::string(url) + "\" timeout=" +
                        std::to_string(std::max(1, options.busy_timeout_ms / 1000));
  return ParsedUrl{Backend::kSqlite, connect, std::string(url), std::string(url)};
}

}  // namespace allot::store
