#include "server/app/data_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "server/base/log.h"

namespace allot::app {

Status PrepareDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  struct stat st {};
  if (ec || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Fail(ErrorCode::kInvalidRequest, "cannot create the data directory " + dir +
                                                (ec ? ": " + ec.message() : "") +
                                                "; choose a writable --data-dir");
  }
  if ((st.st_mode & 07777) == 0700) return Ok();
  if ((st.st_mode & S_ISVTX) != 0) {
    log::Warn("the data directory is a shared directory (sticky bit); its mode is left as it is",
              {{"dir", dir}});
    return Ok();
  }
  if (::chmod(dir.c_str(), 0700) != 0) {
    log::Warn("cannot make the data directory private (0700)",
              {{"dir", dir}, {"error", std::strerror(errno)}});
  }
  return Ok();
}

}  // namespace allot::app
