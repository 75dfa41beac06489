// server/store/postgres_session.h — what the store does to a PostgreSQL
// connection beyond what SOCI does: the session settings every pooled
// connection gets, libpq notices routed into the JSON log (libpq prints them
// on stderr by default, which broke the one-JSON-object-per-line rule), the
// SQLSTATEs after which a transaction is simply run again, and re-opening a
// connection the server dropped.
// Thread-safety: each function acts on the one session it is given, which
// the caller must not share meanwhile; the notice receiver only logs.
#pragma once

#include <exception>
#include <string>

namespace soci {
class session;
}

namespace allot::store::postgres {

// Applies the per-connection settings and installs the notice receiver on
// `sql`, a freshly opened PostgreSQL session. Throws what SOCI throws.
//  - client_min_messages = warning: NOTICEs ("relation … already exists,
//    skipping" from the id list's CREATE TEMP TABLE IF NOT EXISTS) are noise;
//    warnings and errors still reach the log;
//  - idle_in_transaction_session_timeout: a transaction left open by a
//    frozen process releases its row locks instead of stopping every writer
//    of those rows.
void PrepareSession(soci::session& sql);

// True when libpq reports the connection as broken (server restarted,
// backend terminated, network gone).
bool ConnectionLost(soci::session& sql);

// Closes and re-opens `sql` with its original parameters, then
// PrepareSession. Throws what SOCI throws (the server is still away).
void Reconnect(soci::session& sql);

// The SQLSTATE of an error thrown by SOCI's PostgreSQL backend ("" for any
// other exception).
std::string SqlState(const std::exception& e);

// True for the failures where running the same transaction again is the
// cure: serialization_failure (40001) and deadlock_detected (40P01).
bool IsRetryable(const std::exception& e);

}  // namespace allot::store::postgres
