// The data directory shared by the embedded adapters (LMDB runtime, SQLite documents and
// insights): one folder, 0700, files 0600, each store with a schema version.
#pragma once

#include <string>
#include <string_view>

#include "flowkit/status.h"

namespace flowkit::util {

// Creates `path` (and missing parents) with mode 0700, or checks that an existing one is a
// directory, and narrows its mode to 0700. Errors name the path and the OS reason.
Status EnsurePrivateDirectory(const std::string& path);

// Narrows an existing file to mode 0600 (a no-op when the file does not exist).
Status MakeFilePrivate(const std::string& path);

// The outcome of comparing a store's stored schema version with the one this build writes:
// OK when equal or older (the caller migrates), kFailedPrecondition naming both versions when
// the store was written by a newer flowkit (the caller must then leave it untouched).
Status CheckSchemaVersion(std::string_view store, const std::string& path, int stored, int supported);

}  // namespace flowkit::util
