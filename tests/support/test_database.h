// tests/support/test_database.h — the database a test runs on: a SQLite file
// by default, or, when ALLOT_TEST_PG_URL names a PostgreSQL server
// ("postgresql://role:password@host:port/db", a role that may CREATE
// DATABASE), a fresh PostgreSQL database of its own on that server. CI runs
// the suites that support it both ways (scripts/test.sh).
// Thread-safety: call from one thread at a time.
#pragma once

#include <string>

namespace allot::testing {

// True when ALLOT_TEST_PG_URL is set.
bool UsingPostgres();

// A URL for Database::Open / --db: `sqlite_file`, or a new PostgreSQL
// database under ALLOT_TEST_PG_URL. "" with `error` set when the database
// cannot be made.
std::string NewTestDatabase(const std::string& sqlite_file, std::string* error);

}  // namespace allot::testing
