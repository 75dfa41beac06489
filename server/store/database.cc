#include "server/store/database.h"

#include <fcntl.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <random>
#include <string_view>
#include <thread>

#include "server/base/log.h"
#include "server/store/database_url.h"
#include "server/store/postgres_session.h"
#include "server/store/statement_cache.h"

namespace allot::store {
namespace {

void ConfigureSqlite(soci::session& sql, int busy_timeout_ms) {
  sql << "PRAGMA journal_mode=WAL";
  sql << "PRAGMA synchronous=NORMAL";
  sql << "PRAGMA foreign_keys=ON";
  sql << "PRAGMA busy_timeout=" + std::to_string(busy_timeout_ms);
  sql << "PRAGMA temp_store=MEMORY";
  // 4 MiB per connection: the pool holds one connection per HTTP worker,
  // and 32 MiB each made a busy server hold ~375 MB of page cache.
  sql << "PRAGMA cache_size=-4096";
}

// Creates the database file 0600 before SQLite opens it, and takes group and
// other access away from an existing one and its -wal/-shm. SQLite would
// create the file 0644 less the umask, and gives -wal/-shm the database
// file's mode, so all three stay private whatever the umask. Failures are
// left for SQLite's open to report (or, for a chmod, only logged).
void PrepareSqliteFile(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) return;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0 && ::fchmod(fd, 0600) != 0) {
    log::Warn("cannot make the database file private (0600)", {{"file", path}});
  }
  ::close(fd);
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string side = path + suffix;
    if (::stat(side.c_str(), &st) == 0 && (st.st_mode & 077) != 0 && ::chmod(side.c_str(), 0600) != 0) {
      log::Warn("cannot make the database file private (0600)", {{"file", side}});
    }
  }
}

// BEGIN, COMMIT and ROLLBACK, prepared once per SQLite connection: every
// request runs at least one transaction, so their parsing showed in profiles.
// (PostgreSQL keeps plain text: transaction control through prepared
// statements is not something every server accepts.)
struct ControlStatement : CachedStatement {
  ControlStatement(soci::session& sql, const char* text) : st((sql.prepare << text)) {}
  soci::statement st;
};

void Control(soci::session& sql, Backend backend, const char* text) {
  if (backend != Backend::kSqlite) {
    sql << text;
    return;
  }
  std::unique_ptr<CachedStatement> scratch;
  Prepared<ControlStatement>(
      sql, text, [&](soci::session& s) { return std::make_unique<ControlStatement>(s, text); },
      &scratch)
      ->st.execute(true);
}

// The SQLite connection behind a session of this pool.
sqlite_api::sqlite3* SqliteHandle(soci::session& sql) {
  return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

// A number in [0, 1) for retry jitter (not a secret: no CSPRNG needed).
double RandomFraction() {
  thread_local std::minstd_rand engine(std::random_device{}());
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// Returns a leased connection to the pool however the transaction ends.
class Lease {
 public:
  explicit Lease(soci::connection_pool& pool) : pool_(pool), position_(pool.lease()) {}
  ~Lease() { pool_.give_back(position_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  size_t position() const { return position_; }

 private:
  soci::connection_pool& pool_;
  size_t position_;
};

// Set when a retryable PostgreSQL failure (a deadlock, a serialization
// failure) is turned into an Error on this thread: code inside a
// transaction (licensing's sql::Run, the SCIM store) catches the exception
// and returns a Status, and RunOnce still runs the transaction again.
thread_local bool retryable_failure_seen = false;

// The OnCommit functions of the transaction (or the write of a group) that
// `fn` is running on this thread; nullptr outside one.
using CommitHooks = std::vector<std::function<void()>>;
thread_local CommitHooks* current_commit_hooks = nullptr;

// Collects OnCommit calls into `hooks` for its lifetime.
class CollectCommitHooks {
 public:
  explicit CollectCommitHooks(CommitHooks& hooks) : saved_(current_commit_hooks) {
    current_commit_hooks = &hooks;
  }
  ~CollectCommitHooks() { current_commit_hooks = saved_; }
  CollectCommitHooks(const CollectCommitHooks&) = delete;
  CollectCommitHooks& operator=(const CollectCommitHooks&) = delete;

 private:
  CommitHooks* saved_;
};

void RunCommitHooks(CommitHooks& hooks) {
  for (auto& hook : hooks) hook();
  hooks.clear();
}

}  // namespace

void OnCommit(soci::session&, std::function<void()> fn) {
  if (current_commit_hooks == nullptr) {
    fn();
    return;
  }
  current_commit_hooks->push_back(std::move(fn));
}

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
    if (postgres::IsRetryable(e)) {
      retryable_failure_seen = true;
      return {ErrorCode::kUnavailable, "the database is busy; retry later"};
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
  if (parsed->backend == Backend::kSqlite) PrepareSqliteFile(parsed->sqlite_file);
  auto pool = std::make_unique<soci::connection_pool>(pool_size);
  try {
    for (int i = 0; i < pool_size; ++i) {
      soci::session& sql = pool->at(i);
      if (parsed->backend == Backend::kSqlite) {
        sql.open(*soci::factory_sqlite3(), parsed->connect_string);
        ConfigureSqlite(sql, options.busy_timeout_ms);
      } else {
        sql.open(*soci::factory_postgresql(), parsed->connect_string);
        postgres::PrepareSession(sql);
      }
    }
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kUnavailable,
                "cannot open the database " + parsed->display + ": " + e.what());
  }
  return std::unique_ptr<Database>(
      new Database(parsed->backend, std::move(pool), pool_size, options.retry_deadline_ms));
}

namespace {

// The counter shard of pooled connection `position`: consecutive
// connections of one process take consecutive shards, from a random start,
// so that several processes spread over the shards too. SQLite has one
// writer at a time: one shard.
int ShardOf(Backend backend, size_t position) {
  static const int start = static_cast<int>(std::random_device{}() % kCounterShards);
  if (backend == Backend::kSqlite) return 0;
  return static_cast<int>((start + position) % kCounterShards);
}

}  // namespace

Database::Database(Backend backend, std::unique_ptr<soci::connection_pool> pool, int pool_size,
                   int retry_deadline_ms)
    : backend_(backend),
      pool_size_(pool_size),
      retry_deadline_ms_(retry_deadline_ms),
      pool_(std::move(pool)) {
  for (int i = 0; i < pool_size; ++i) {
    caches_.push_back(std::make_unique<StatementCache>(ShardOf(backend, i)));
  }
}

Database::~Database() = default;

Status Database::Write(const std::function<Status(soci::session&)>& fn) {
  return RunTransaction(true, fn);
}

Status Database::Read(const std::function<Status(soci::session&)>& fn) {
  return RunTransaction(false, fn);
}

namespace {

// The error value of a failed transaction; logs what is not the caller's
// fault.
Error Report(const std::exception& e) {
  Error error = ErrorFromException(e);
  if (error.code == ErrorCode::kInternal) {
    log::Error("database transaction failed", {{"error", std::string_view(e.what())}});
  }
  return error;
}

}  // namespace

Status Database::ReadOneStatement(const std::function<Status(soci::session&)>& fn) {
  return RunTransaction(false, fn, /*single=*/true);
}

Status Database::RunTransaction(bool write, const std::function<Status(soci::session&)>& fn,
                                bool single) {
  // A write moves write_generation however it ends: after its transaction,
  // before its caller learns the outcome.
  struct CountWrite {
    std::atomic<uint64_t>* generation;
    ~CountWrite() {
      if (generation != nullptr) generation->fetch_add(1);
    }
  } count_write{write ? &write_generation_ : nullptr};
  if (write && backend_ == Backend::kSqlite) return RunQueuedWrite(fn);
  if (backend_ == Backend::kSqlite) return RunOnce(single ? nullptr : "BEGIN", fn).result;
  // PostgreSQL: reads see one snapshot, as on SQLite. Writes run under READ
  // COMMITTED and wait on row locks (see the header): a failure worth a
  // second run is rare, and retried until the deadline.
  const char* begin = single  ? nullptr
                      : write ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                              : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(retry_deadline_ms_);
  for (int attempt = 0;; ++attempt) {
    Attempt a = RunOnce(begin, fn);
    if (a.result || !a.retry) return a.result;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      log::Warn("database transaction still failing at the retry deadline",
                {{"attempts", attempt + 1}, {"error", a.result.error().message}});
      return a.result;
    }
    // 1 ms, doubling up to 250 ms, with jitter so that retries of
    // transactions that collided do not collide again.
    const auto max_wait = std::chrono::microseconds(1000 << std::min(attempt, 8));
    const auto wait = std::chrono::duration_cast<std::chrono::microseconds>(
        max_wait * (RandomFraction() / 2 + 0.5));
    std::this_thread::sleep_for(std::min<std::chrono::microseconds>(
        wait, std::chrono::duration_cast<std::chrono::microseconds>(deadline - now)));
  }
}

bool Database::Reopen(size_t position) {
  soci::session& sql = pool_->at(position);
  // The statements prepared on the dead connection go first: they refer to
  // it, and their clean-up on it fails quietly.
  caches_[position] = std::make_unique<StatementCache>(ShardOf(backend_, position));
  try {
    postgres::Reconnect(sql);
    log::Info("database connection re-opened", {{"connection", position}});
    return true;
  } catch (const std::exception& e) {
    log::Warn("database connection cannot be re-opened",
              {{"connection", position}, {"error", std::string_view(e.what())}});
    return false;
  }
}

Database::Attempt Database::RunOnce(const char* begin,
                                    const std::function<Status(soci::session&)>& fn) {
  Lease lease(*pool_);
  soci::session& sql = pool_->at(lease.position());
  const bool postgres = backend_ == Backend::kPostgres;
  if (postgres && postgres::ConnectionLost(sql) && !Reopen(lease.position())) {
    return {Fail(ErrorCode::kUnavailable, "the database is unreachable; retry later"), true};
  }
  ScopedStatementCache cache(sql, caches_[lease.position()].get());
  // A read promises to change nothing, and PostgreSQL holds it to that
  // (READ ONLY). SQLite does not: should a read change rows all the same,
  // write_generation moves as for a write, so caches that rely on it stay
  // exact whatever a read did.
  struct CountSqliteChanges {
    sqlite_api::sqlite3* db;
    std::atomic<uint64_t>& generation;
    const int before = db != nullptr ? sqlite_api::sqlite3_total_changes(db) : 0;
    ~CountSqliteChanges() {
      if (db != nullptr && sqlite_api::sqlite3_total_changes(db) != before) generation.fetch_add(1);
    }
  } count_changes{postgres ? nullptr : SqliteHandle(sql), write_generation_};
  // Where the transaction stood when it failed. On PostgreSQL, once COMMIT
  // or ROLLBACK is sent the transaction is over whatever comes back (a
  // COMMIT that fails has rolled back), so no ROLLBACK follows: that one
  // found no transaction and made PostgreSQL warn "there is no transaction
  // in progress". SQLite keeps the transaction open after a failed COMMIT
  // (busy), so there it is rolled back.
  enum class Stage { kBegin, kBody, kEnd } stage = Stage::kBegin;
  const bool autocommit = begin == nullptr;
  CommitHooks hooks;
  try {
    if (!autocommit) Control(sql, backend_, begin);
    stage = Stage::kBody;
    retryable_failure_seen = false;
    Status result;
    {
      CollectCommitHooks collect(hooks);
      result = fn(sql);
    }
    // A deadlock or serialization failure that `fn` caught and returned as
    // kUnavailable is retried like one thrown through here.
    const bool retry = postgres && !result && result.error().code == ErrorCode::kUnavailable &&
                       retryable_failure_seen;
    stage = Stage::kEnd;
    if (!autocommit) Control(sql, backend_, result ? "COMMIT" : "ROLLBACK");
    if (result) RunCommitHooks(hooks);
    return {std::move(result), retry};
  } catch (const std::exception& e) {
    const bool lost = postgres && postgres::ConnectionLost(sql);
    if (!autocommit && (stage == Stage::kBody || (stage == Stage::kEnd && !postgres)) && !lost) {
      try {
        Control(sql, backend_, "ROLLBACK");
      } catch (const std::exception&) {
        // The transaction is gone already (connection lost); nothing to undo.
      }
    }
    if (!postgres) return {std::unexpected(Report(e))};
    if (lost) {
      // Before COMMIT went out nothing of this transaction was kept: run it
      // again on a new connection. During COMMIT the outcome is unknown.
      return {Fail(ErrorCode::kUnavailable, "the database is unreachable; retry later"),
              stage != Stage::kEnd};
    }
    return {std::unexpected(Report(e)), postgres::IsRetryable(e)};
  }
}

// One SQLite write waiting in the queue. The thread leading the queue runs
// it and sets `result` (without queue_mu_), then sets `finished` under
// queue_mu_: only `finished` tells the waiting thread that it may return
// (and destroy this object).
struct Database::QueuedWrite {
  const std::function<Status(soci::session&)>* fn;
  std::optional<Status> result;
  bool finished = false;
  std::condition_variable done;
  std::vector<std::function<void()>> commit_hooks;  // OnCommit calls of fn
};

Status Database::RunQueuedWrite(const std::function<Status(soci::session&)>& fn) {
  QueuedWrite mine{&fn, std::nullopt, false, {}, {}};
  std::unique_lock<std::mutex> lock(queue_mu_);
  write_queue_.push_back(&mine);
  mine.done.wait(lock, [&] { return mine.finished || !leading_; });
  if (!mine.finished) {
    // Lead: run groups from the front of the queue until ours has run.
    leading_ = true;
    while (!mine.finished) {
      std::vector<QueuedWrite*> group;
      while (!write_queue_.empty() && group.size() < kMaxWriteGroup) {
        group.push_back(write_queue_.front());
        write_queue_.pop_front();
      }
      lock.unlock();
      RunWriteGroup(group);
      lock.lock();
      for (QueuedWrite* w : group) {
        w->finished = true;
        if (w != &mine) w->done.notify_one();
      }
    }
    leading_ = false;
    if (!write_queue_.empty()) write_queue_.front()->done.notify_one();
  }
  return std::move(*mine.result);
}

void Database::RunWriteGroup(const std::vector<QueuedWrite*>& group) {
  Lease lease(*pool_);
  soci::session& sql = pool_->at(lease.position());
  ScopedStatementCache cache(sql, caches_[lease.position()].get());
  // One write alone needs no savepoint; in a group, each write has its own,
  // so a failed one is undone without touching the others.
  const bool alone = group.size() == 1;
  bool open = false;
  try {
    Control(sql, backend_, "BEGIN IMMEDIATE");
    open = true;
    for (QueuedWrite* w : group) {
      if (!alone) Control(sql, backend_, "SAVEPOINT allot_write");
      Status result;
      try {
        CollectCommitHooks collect(w->commit_hooks);
        result = (*w->fn)(sql);
      } catch (const std::exception& e) {
        result = std::unexpected(Report(e));
      }
      if (!result) w->commit_hooks.clear();  // rolled back: nothing to tell
      if (!alone) {
        if (!result) Control(sql, backend_, "ROLLBACK TO allot_write");
        Control(sql, backend_, "RELEASE allot_write");
      }
      w->result = std::move(result);
    }
    Control(sql, backend_, alone && !*group.front()->result ? "ROLLBACK" : "COMMIT");
    for (QueuedWrite* w : group) RunCommitHooks(w->commit_hooks);
  } catch (const std::exception& e) {
    // BEGIN, a savepoint or COMMIT failed (disk full, I/O error, a busy file
    // shared with another process): the transaction is lost, and with it
    // every write of the group, which all report the error.
    if (open) {
      try {
        Control(sql, backend_, "ROLLBACK");
      } catch (const std::exception&) {
        // SQLite rolled back already.
      }
    }
    const Error error = Report(e);
    for (QueuedWrite* w : group) {
      if (!w->result || *w->result) w->result = std::unexpected(error);
    }
  }
}

bool Database::Ping() {
  // One attempt, no retry: /readyz must answer at once whether the database
  // is reachable now (a lost connection is re-opened on the way).
  auto select_one = [](soci::session& sql) -> Status {
    int one = 0;
    sql << "SELECT 1", soci::into(one);
    return Ok();
  };
  const char* begin =
      backend_ == Backend::kSqlite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  return RunOnce(begin, select_one).result.has_value();
}

}  // namespace allot::store
