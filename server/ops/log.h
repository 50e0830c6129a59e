// Structured logs of flowkitd: one JSON object per line on stderr (or a given stream).
//
//   {"time":"2026-11-24T01:02:03.456Z","level":"info","msg":"listening","port":2200}
//
// Threading: thread-safe; each line is written with one call under a lock.
#pragma once

#include <cstdio>
#include <mutex>
#include <string_view>

#include "flowkit/json.h"

namespace flowkit::server {

enum class LogSeverity : uint8_t { kDebug, kInfo, kWarn, kError };
// "debug" | "info" | "warn" | "error"; nullopt-like false for anything else.
bool ParseLogSeverity(std::string_view text, LogSeverity* out);

class Logger {
 public:
  explicit Logger(LogSeverity level = LogSeverity::kInfo, std::FILE* out = stderr) : level_(level), out_(out) {}
  bool Enabled(LogSeverity severity) const { return severity >= level_; }
  // `fields` (an object or undefined) are merged after time, level and msg.
  void Write(LogSeverity severity, std::string_view message, const Json& fields = Json::Undefined());
  void Info(std::string_view message, const Json& fields = Json::Undefined()) { Write(LogSeverity::kInfo, message, fields); }
  void Warn(std::string_view message, const Json& fields = Json::Undefined()) { Write(LogSeverity::kWarn, message, fields); }
  void Error(std::string_view message, const Json& fields = Json::Undefined()) { Write(LogSeverity::kError, message, fields); }
  void Debug(std::string_view message, const Json& fields = Json::Undefined()) { Write(LogSeverity::kDebug, message, fields); }

 private:
  LogSeverity level_;
  std::FILE* out_;
  std::mutex mu_;
};

}  // namespace flowkit::server
