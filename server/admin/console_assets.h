// server/admin/console_assets.h — the admin console's files (console/,
// built by Vite), compiled into the binary by console/CMakeLists.txt. Empty
// when the build had no Node.js (ALLOT_CONSOLE=OFF or npm missing).
// Thread-safety: constant data.
#pragma once

#include <span>
#include <string_view>

namespace allot::console {

struct ConsoleFile {
  std::string_view path;          // "/index.html", "/assets/index-3f2a.js"
  std::string_view content_type;
  std::string_view data;
  std::string_view gzip;          // the same bytes gzip-encoded, or empty
  std::string_view brotli;        // the same bytes Brotli-encoded, or empty
  bool immutable;                 // a content-hashed asset: cache for a year
};

std::span<const ConsoleFile> ConsoleFiles();

}  // namespace allot::console
