// server/store/migrations.h — the versioned schema, applied in order.
//
// Migrations are the numbered files in server/store/migrations/, embedded in
// the binary at build time. Each runs in its own transaction together with
// the row that records it, so a crash leaves either all of it or none, and
// running Migrate twice (or from two processes at once) applies nothing twice.
// Thread-safety: call from one thread at start-up.
#pragma once

#include "server/base/error.h"
#include "server/store/database.h"

namespace allot::store {

// Applies every migration not yet applied. Fails with kInternal naming the
// migration if one fails (nothing of that migration is kept), or with
// kInvalidRequest if the database is newer than this binary.
Status Migrate(Database& db);

// The highest migration version this binary knows.
int LatestSchemaVersion();

}  // namespace allot::store
