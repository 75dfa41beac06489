// server/app/data_dir.h — the data directory's own mode: 0700 whatever the
// umask (CONTRACT.md, "Limits and hostile clients"). The files in it set
// their own modes where they are created: the SQLite database and its
// -wal/-shm in store/database.cc, the TLS key in http/tls.cc.
// Thread-safety: call at start-up only.
#pragma once

#include <string>

#include "server/base/error.h"

namespace allot::app {

// Creates `dir` (and missing parents) and makes it 0700. A directory with
// the sticky bit (a shared one such as /tmp, given by mistake) keeps its
// mode, with a warning; so does one this user may not chmod. Fails with
// kInvalidRequest naming `dir` when it cannot be created or is no directory.
Status PrepareDataDir(const std::string& dir);

}  // namespace allot::app
