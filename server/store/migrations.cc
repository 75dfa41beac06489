#include "server/store/migrations.h"

#include <soci/soci.h>

#include <string>
#include <string_view>
#include <vector>

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/store/migrations_embedded.h"

namespace allot::store {
namespace {

// The one place where SQLite's and PostgreSQL's DDL differ.
std::string ForBackend(std::string_view sql, Backend backend) {
  std::string out(sql);
  const std::string_view kSerial = "{{serial_primary_key}}";
  const std::string_view with = backend == Backend::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                                            : "BIGSERIAL PRIMARY KEY";
  for (size_t at = out.find(kSerial); at != std::string::npos; at = out.find(kSerial, at)) {
    out.replace(at, kSerial.size(), with);
  }
  return out;
}

// Splits a migration into statements at semicolons that end a line; the
// migrations are written so that no statement has one inside it.
std::vector<std::string> Statements(const std::string& sql) {
  std::vector<std::string> out;
  std::string current;
  size_t start = 0;
  while (start < sql.size()) {
    size_t end = sql.find('\n', start);
    if (end == std::string::npos) end = sql.size();
    std::string_view line(sql.data() + start, end - start);
    start = end + 1;
    std::string_view trimmed = line;
    if (auto c = trimmed.find("--"); c != std::string_view::npos) trimmed = trimmed.substr(0, c);
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\r')) {
      trimmed.remove_suffix(1);
    }
    current.append(trimmed);
    current += '\n';
    if (!trimmed.empty() && trimmed.back() == ';') {
      current.pop_back();  // newline
      current.pop_back();  // semicolon
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (current.find_first_not_of(" \n\t") != std::string::npos) out.push_back(current);
  return out;
}

}  // namespace

int LatestSchemaVersion() {
  int latest = 0;
  for (const EmbeddedMigration& m : kEmbeddedMigrations) latest = std::max(latest, m.version);
  return latest;
}

Status Migrate(Database& db) {
  Status created = db.Write([&](soci::session& sql) -> Status {
    // Serialises concurrent migrators across processes (instances starting
    // together on a new database): two CREATE TABLE IF NOT EXISTS at once
    // can both miss the other's table and one then fails.
    if (db.backend() == Backend::kPostgres) sql << "SELECT pg_advisory_xact_lock(7243311)";
    sql << "CREATE TABLE IF NOT EXISTS schema_migrations ("
           "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
    return Ok();
  });
  if (!created) return created;

  for (const EmbeddedMigration& m : kEmbeddedMigrations) {
    bool applied_now = false;
    Status s = db.Write([&](soci::session& sql) -> Status {
      if (db.backend() == Backend::kPostgres) {
        // Serialises concurrent migrators across processes.
        sql << "SELECT pg_advisory_xact_lock(7243311)";
      }
      int count = 0;
      sql << "SELECT COUNT(*) FROM schema_migrations WHERE version = :v", soci::use(m.version),
          soci::into(count);
      if (count > 0) return Ok();
      for (const std::string& statement : Statements(ForBackend(m.sql, db.backend()))) {
        sql << statement;
      }
      std::string name(m.name);
      std::string now = NowRfc3339();
      sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :a)",
          soci::use(m.version), soci::use(name), soci::use(now);
      applied_now = true;
      return Ok();
    });
    if (!s) {
      return Fail(s.error().code == ErrorCode::kUnavailable ? ErrorCode::kUnavailable
                                                              : ErrorCode::kInternal,
                  "migration " + std::string(m.name) + " failed: " + s.error().message);
    }
    if (applied_now) log::Info("migration applied", {{"migration", m.name}});
  }

  return db.Read([](soci::session& sql) -> Status {
    int newest = 0;
    soci::indicator ind;
    sql << "SELECT MAX(version) FROM schema_migrations", soci::into(newest, ind);
    if (ind == soci::i_ok && newest > LatestSchemaVersion()) {
      return Fail(ErrorCode::kInvalidRequest,
                  "the database has schema version " + std::to_string(newest) +
                      " but this allot knows only up to " + std::to_string(LatestSchemaVersion()) +
                      "; run a newer allot");
    }
    return Ok();
  });
}

}  // namespace allot::store
