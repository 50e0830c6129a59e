// Helpers shared by the runtime tests: a temporary directory and short builders for hops.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "flowkit/runtime.h"

namespace flowkit::testing_util {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "flowkit-runtime-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << tmpl;
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A path inside the directory (not created).
  std::string Sub(const std::string& name) const {
    return (std::filesystem::path(path_) / name).string();
  }

 private:
  std::string path_;
};

inline QueuedWork Work(std::string id, std::string flow_id, std::string body = "body",
                       int64_t visible_at_ms = 0) {
  return QueuedWork{std::move(id), std::move(flow_id), visible_at_ms, std::move(body)};
}

inline StateWrite Set(std::string key, std::string value) {
  return StateWrite{std::move(key), std::move(value)};
}
inline StateWrite Delete(std::string key) { return StateWrite{std::move(key), std::nullopt}; }

// The ids of the queued work (of `flow_id`, or all), in the order the runtime hands them out.
inline std::vector<std::string> QueuedIds(Runtime& runtime, std::string_view flow_id = {}) {
  std::vector<std::string> ids;
  Status status = runtime.ForEachQueued(flow_id, [&](const QueuedWork& work) {
    ids.push_back(work.id);
    return true;
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return ids;
}

// The state under `prefix` as "key=value" strings, in key order.
inline std::vector<std::string> StateEntries(Runtime& runtime, std::string_view prefix = {}) {
  std::vector<std::string> entries;
  Status status = runtime.ForEachState(prefix, [&](std::string_view key, std::string_view value) {
    entries.push_back(std::string(key) + "=" + std::string(value));
    return true;
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  return entries;
}

}  // namespace flowkit::testing_util
