#include "server/store/database.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <string_view>

#include "server/base/log.h"

namespace allot::store {
namespace {

struct ParsedUrl {
  Backend backend;
  std::string connect_string;
  std::string display;  // safe to log: no password
};

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
  return ParsedUrl{Backend::kSqlite, connect, std::string(url)};
}

void ConfigureSqlite(soci::session& sql, int busy_timeout_ms) {
  sql << "PRAGMA journal_mode=WAL";
  sql << "PRAGMA synchronous=NORMAL";
  sql << "PRAGMA foreign_keys=ON";
  sql << "PRAGMA busy_timeout=" + std::to_string(busy_timeout_ms);
  sql << "PRAGMA temp_store=MEMORY";
  sql << "PRAGMA cache_size=-32768";  // 32 MiB per connection
}

}  // namespace

Error ErrorFromException(const std::exception& e) {
  std::string what = e.what();
  if (auto* se = dynamic_cast<const soci::soci_error*>(&e)) {
    switch (se->get_error_category()) {
      case soci::soci_error::constraint_violation:
        return {ErrorCode::kConflict, "the change conflicts with existing data: " + what};
      case soci::soci_error::connection_error:
        return {ErrorCode::kUnavailable, "the database is unreachable; retry later"};
      default:
        break;
    }
    if (what.find("UNIQUE constraint") != std::string::npos ||
        what.find("duplicate key") != std::string::npos) {
      return {ErrorCode::kConflict, "the change conflicts with existing data"};
    }
    if (what.find("database is locked") != std::string::npos ||
        what.find("database is busy") != std::string::npos ||
        what.find("could not serialize") != std::string::npos ||
        what.find("deadlock detected") != std::string::npos) {
      return {ErrorCode::kUnavailable, "the database is busy; retry later"};
    }
  }
  return {ErrorCode::kInternal, "database error: " + what};
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  auto parsed = ParseUrl(options);
  if (!parsed) return std::unexpected(parsed.error());
  const int pool_size = std::max(1, options.pool_size);
  auto pool = std::make_unique<soci::connection_pool>(pool_size);
  try {
    for (int i = 0; i < pool_size; ++i) {
      soci::session& sql = pool->at(i);
      if (parsed->backend == Backend::kSqlite) {
        sql.open(*soci::factory_sqlite3(), parsed->connect_string);
        ConfigureSqlite(sql, options.busy_timeout_ms);
      } else {
        sql.open(*soci::factory_postgresql(), parsed->connect_string);
      }
    }
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kUnavailable,
                "cannot open the database " + parsed->display + ": " + e.what());
  }
  return std::unique_ptr<Database>(new Database(parsed->backend, std::move(pool), pool_size));
}

Database::Database(Backend backend, std::unique_ptr<soci::connection_pool> pool, int pool_size)
    : backend_(backend), pool_size_(pool_size), pool_(std::move(pool)) {}

Database::~Database() = default;

Status Database::Write(const std::function<Status(soci::session&)>& fn) {
  return RunTransaction(true, fn);
}

Status Database::Read(const std::function<Status(soci::session&)>& fn) {
  return RunTransaction(false, fn);
}

Status Database::RunTransaction(bool write, const std::function<Status(soci::session&)>& fn) {
  std::unique_lock<std::mutex> writer;
  if (write && backend_ == Backend::kSqlite) writer = std::unique_lock(sqlite_writer_);
  soci::session sql(*pool_);
  bool open = false;
  try {
    if (backend_ == Backend::kSqlite) {
      sql << (write ? "BEGIN IMMEDIATE" : "BEGIN");
    } else {
      sql << (write ? "BEGIN" : "BEGIN READ ONLY");
    }
    open = true;
    Status result = fn(sql);
    if (result) {
      sql << "COMMIT";
    } else {
      sql << "ROLLBACK";
    }
    return result;
  } catch (const std::exception& e) {
    if (open) {
      try {
        sql << "ROLLBACK";
      } catch (const std::exception&) {
        // The transaction is gone already (connection lost); nothing to undo.
      }
    }
    Error error = ErrorFromException(e);
    if (error.code == ErrorCode::kInternal) {
      log::Error("database transaction failed", {{"error", std::string_view(e.what())}});
    }
    return std::unexpected(error);
  }
}

bool Database::Ping() {
  Status s = Read([](soci::session& sql) -> Status {
    int one = 0;
    sql << "SELECT 1", soci::into(one);
    return Ok();
  });
  return s.has_value();
}

}  // namespace allot::store
