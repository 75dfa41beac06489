#include "server/store/postgres_session.h"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <string_view>

#include "server/base/log.h"

namespace allot::store::postgres {
namespace {

// (static_cast: Debian's SOCI exports no type information for its backend
// classes, so dynamic_cast cannot be used; the backend name tells the type.)
PGconn* ConnectionOf(soci::session& sql) {
  if (sql.get_backend() == nullptr || sql.get_backend_name() != "postgresql") return nullptr;
  return static_cast<soci::postgresql_session_backend*>(sql.get_backend())->conn_;
}

std::string_view Field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value == nullptr ? std::string_view() : std::string_view(value);
}

// libpq calls this for every NOTICE, WARNING… the server sends; without it
// libpq prints the text on stderr.
void OnNotice(void*, const PGresult* result) {
  const std::string_view severity = Field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  log::Level level = log::Level::kInfo;
  if (severity == "WARNING") level = log::Level::kWarn;
  if (severity == "DEBUG" || severity == "LOG") level = log::Level::kDebug;
  log::Write(level, "postgresql notice",
             {{"severity", severity},
              {"sqlstate", Field(result, PG_DIAG_SQLSTATE)},
              {"detail", Field(result, PG_DIAG_MESSAGE_PRIMARY)}});
}

}  // namespace

void PrepareSession(soci::session& sql) {
  if (PGconn* conn = ConnectionOf(sql)) PQsetNoticeReceiver(conn, &OnNotice, nullptr);
  sql << "SET client_min_messages = warning";
  // Longer than any transaction of ours waits between two statements (a
  // reconcile batch evaluates its policies between statements).
  sql << "SET idle_in_transaction_session_timeout = '60s'";
}

bool ConnectionLost(soci::session& sql) {
  PGconn* conn = ConnectionOf(sql);
  return conn == nullptr || PQstatus(conn) != CONNECTION_OK;
}

void Reconnect(soci::session& sql) {
  sql.reconnect();
  PrepareSession(sql);
}

std::string SqlState(const std::exception& e) {
  if (auto* pe = dynamic_cast<const soci::postgresql_soci_error*>(&e)) return pe->sqlstate();
  return "";
}

bool IsRetryable(const std::exception& e) {
  const std::string state = SqlState(e);
  return state == "40001" || state == "40P01";
}

}  // namespace allot::store::postgres
