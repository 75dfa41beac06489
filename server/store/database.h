// server/store/database.h — the database: a SOCI connection pool over SQLite
// (default) or PostgreSQL, and transactions that turn library exceptions into
// error values.
//
// Every read and write runs inside Read() or Write(). Write() commits when the
// function returns a value and rolls back when it returns an error or throws,
// so a failed request leaves no trace.
//
// On SQLite, the writes of this process queue here, and the first waiting
// thread leads: it runs the writes waiting at the front of the queue (up to
// kMaxWriteGroup) in one BEGIN IMMEDIATE … COMMIT, each inside its own
// SAVEPOINT, so a failed write is rolled back alone while the others commit
// together (group commit). SQLite admits one writer at a time anyway;
// queueing here avoids its sleep-and-retry busy handler, and sharing the
// commit spares the WAL a copy of the same index pages per write, which
// under concurrent POSTs was most of the disk traffic. A write returns only
// after its group has committed, and writes run in arrival order, each
// seeing the ones before it, so the outcome is that of one-at-a-time
// transactions. If BEGIN or COMMIT itself fails, every write of the group
// fails with that error. The busy timeout still covers writers in other
// processes sharing the file.
//
// On PostgreSQL, reads run in one REPEATABLE READ snapshot and writes run
// under READ COMMITTED: contention waits on row locks instead of aborting.
// Writers keep the invariants with conditional statements (`assigned + 1
// <= seats`), which PostgreSQL re-checks on the newest row version after
// the wait, and with explicit row locks taken in one global order
// (row_locks.h), so two transactions never wait on each other in a cycle.
// docs/operations.md lists which write takes which lock, and why.
// A transaction that still fails for a transient reason — a deadlock or
// serialization failure (should one happen all the same), or a connection
// the server dropped before COMMIT was sent (the connection is re-opened)
// — is run again with growing back-off until `retry_deadline_ms` has
// passed; only then does the caller get kUnavailable (503). `fn` must
// therefore have no effect outside the transaction that a second run would
// repeat wrongly. A connection lost during COMMIT is never retried: the
// outcome is unknown, so kUnavailable is returned at once.
//
// Durability: SQLite runs in WAL mode with synchronous=NORMAL — a committed
// transaction survives a crash of the process (kill -9); a power loss may
// lose the last transactions but never corrupts the file or breaks an
// invariant, because every change is one transaction.
//
// Files: a SQLite database file is created 0600, and an existing one (with
// its -wal/-shm) loses group and other access at Open, whatever the umask.
//
// Prepared statements are kept per connection (statement_cache.h): code
// running inside Write or Read gets them with store::Prepared(sql, …).
//
// Thread-safety: Database is thread-safe; a soci::session handed to a
// function belongs to that call only.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/base/error.h"

namespace soci {
class session;
class connection_pool;
}  // namespace soci

namespace allot::store {

class StatementCache;

enum class Backend { kSqlite, kPostgres };

struct DatabaseOptions {
  // "sqlite:///path/to/file.db", a plain file path, or "postgresql://…".
  std::string url;
  int pool_size = 8;
  int busy_timeout_ms = 10000;
  // PostgreSQL: how long a transaction that failed for a transient reason
  // keeps being run again before its error is returned.
  int retry_deadline_ms = 10000;
};

class Database {
 public:
  // Opens the pool. Fails with kUnavailable naming the URL's file or host
  // when the database cannot be opened. The URL's password is never logged.
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Backend backend() const { return backend_; }

  // Runs `fn` in one write transaction. Commits if it returns Ok, rolls back
  // otherwise. A SOCI exception becomes kConflict (constraint violation),
  // kUnavailable (busy, locked, connection lost) or kInternal.
  Status Write(const std::function<Status(soci::session&)>& fn);

  // Runs `fn` in a read-only transaction (one consistent snapshot).
  Status Read(const std::function<Status(soci::session&)>& fn);

  // Runs `fn`, which must run exactly ONE statement (a read), with no
  // explicit transaction around it: the statement's own (autocommit)
  // transaction gives it one consistent snapshot on both backends, and the
  // BEGIN and COMMIT of Read — two more round trips on PostgreSQL — are
  // spared. For the hottest single-query reads (token lookups, entitlement
  // checks). Errors and retries as for Read.
  Status ReadOneStatement(const std::function<Status(soci::session&)>& fn);

  // Value-returning forms of Write, Read and ReadOneStatement.
  template <typename T>
  Result<T> WriteValue(const std::function<Result<T>(soci::session&)>& fn) {
    return Capture<T>(true, fn);
  }
  template <typename T>
  Result<T> ReadValue(const std::function<Result<T>(soci::session&)>& fn) {
    return Capture<T>(false, fn);
  }
  template <typename T>
  Result<T> ReadOneStatementValue(const std::function<Result<T>(soci::session&)>& fn) {
    return Capture<T>(false, fn, /*single=*/true);
  }

  // True when a trivial query succeeds (for /readyz).
  bool Ping();

  // How many write transactions (Write, WriteValue) of this Database have
  // ended, committed or not. A write moves it after its transaction has
  // ended and before it returns to its caller. So when a value read before
  // a read transaction began is still the current one, no write through
  // this Database has changed anything since that transaction's snapshot:
  // a cache of what that transaction read is still exact for this process
  // (auth/principal_cache.h). It knows nothing of other processes sharing
  // the database.
  uint64_t write_generation() const { return write_generation_.load(); }

 private:
  Database(Backend backend, std::unique_ptr<soci::connection_pool> pool, int pool_size,
           int retry_deadline_ms);
  // `single`: fn runs one statement, without BEGIN/COMMIT.
  Status RunTransaction(bool write, const std::function<Status(soci::session&)>& fn,
                        bool single = false);
  // One transaction opened with `begin` (nullptr: none, one statement in
  // autocommit), on a leased connection; `retry` tells whether running it
  // again may succeed (PostgreSQL only).
  struct Attempt {
    Status result;
    bool retry = false;
  };
  Attempt RunOnce(const char* begin, const std::function<Status(soci::session&)>& fn);
  // Re-opens the PostgreSQL connection at `position` (dropping the
  // statements prepared on it). False when the server is still away.
  bool Reopen(size_t position);
  // SQLite writes (see the header comment).
  struct QueuedWrite;
  Status RunQueuedWrite(const std::function<Status(soci::session&)>& fn);
  void RunWriteGroup(const std::vector<QueuedWrite*>& group);
  static constexpr size_t kMaxWriteGroup = 64;
  template <typename T>
  Result<T> Capture(bool write, const std::function<Result<T>(soci::session&)>& fn,
                    bool single = false) {
    std::optional<T> out;
    Status s = RunTransaction(write, [&](soci::session& sql) -> Status {
      auto r = fn(sql);
      if (!r) return std::unexpected(r.error());
      out.emplace(std::move(*r));
      return Ok();
    }, single);
    if (!s) return std::unexpected(s.error());
    return std::move(*out);
  }

  Backend backend_;
  int pool_size_;
  int retry_deadline_ms_;
  std::unique_ptr<soci::connection_pool> pool_;
  // One per pooled connection, by pool position; declared after pool_ so
  // the statements are finalised before their connections close.
  std::vector<std::unique_ptr<StatementCache>> caches_;
  std::atomic<uint64_t> write_generation_{0};
  // SQLite writes waiting for the leader, and whether one is leading.
  std::mutex queue_mu_;
  std::deque<QueuedWrite*> write_queue_;
  bool leading_ = false;
};

// Runs `fn` once the transaction this thread is running on `sql` (inside
// Database::Write or Read) has committed; never when it rolls back (a failed
// write of a group commit included), nor for an attempt that is run again.
// For wake-ups of other threads that must not come before the data is
// visible (the webhook outbox). `fn` runs on the thread that committed, must
// be quick and must not throw. Called outside a Database transaction, runs
// `fn` at once.
void OnCommit(soci::session& sql, std::function<void()> fn);

// Maps an exception thrown by SOCI (or the standard library) inside a
// transaction to an error value. Exposed for the store's own adapters.
Error ErrorFromException(const std::exception& e);

}  // namespace allot::store
