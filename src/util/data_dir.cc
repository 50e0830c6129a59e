#include "util/data_dir.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace flowkit::util {

Status EnsurePrivateDirectory(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("data directory: empty path");
  std::error_code ec;
  // An existing non-directory is the caller's mistake, not an I/O failure: say so plainly.
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_directory(path, ec)) {
    return Status::FailedPrecondition(fmt::format("data directory {}: exists and is not a directory", path));
  }
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IOError(fmt::format("data directory {}: cannot create: {}", path, ec.message()));
  if (!std::filesystem::is_directory(path, ec)) {
    return Status::FailedPrecondition(fmt::format("data directory {}: exists and is not a directory", path));
  }
  if (::chmod(path.c_str(), 0700) != 0) {
    return Status::IOError(fmt::format("data directory {}: cannot set mode 0700: {}", path, std::strerror(errno)));
  }
  return Status::OK();
}

Status MakeFilePrivate(const std::string& path) {
  if (::chmod(path.c_str(), 0600) != 0 && errno != ENOENT) {
    return Status::IOError(fmt::format("{}: cannot set mode 0600: {}", path, std::strerror(errno)));
  }
  return Status::OK();
}

Status CheckSchemaVersion(std::string_view store, const std::string& path, int stored, int supported) {
  if (stored > supported) {
    return Status::FailedPrecondition(
        fmt::format("{} at {} has schema version {}, newer than this flowkit supports ({}); upgrade flowkit "
                    "or use another data directory (the data was left untouched)",
                    store, path, stored, supported));
  }
  return Status::OK();
}

}  // namespace flowkit::util
