#include "ops/log.h"

#include <chrono>
#include <ctime>
#include <string>

namespace flowkit::server {

bool ParseLogSeverity(std::string_view text, LogSeverity* out) {
  if (text == "debug") *out = LogSeverity::kDebug;
  else if (text == "info") *out = LogSeverity::kInfo;
  else if (text == "warn" || text == "warning") *out = LogSeverity::kWarn;
  else if (text == "error") *out = LogSeverity::kError;
  else return false;
  return true;
}

namespace {

std::string_view SeverityName(LogSeverity severity) {
  switch (severity) {
    case LogSeverity::kDebug: return "debug";
    case LogSeverity::kInfo: return "info";
    case LogSeverity::kWarn: return "warn";
    case LogSeverity::kError: return "error";
  }
  return "info";
}

std::string NowIso() {
  auto now = std::chrono::system_clock::now();
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return text;
}

}  // namespace

void Logger::Write(LogSeverity severity, std::string_view message, const Json& fields) {
  if (!Enabled(severity)) return;
  Json line = Json::MakeObject();
  line.Set("time", Json(NowIso()));
  line.Set("level", Json(SeverityName(severity)));
  line.Set("msg", Json(message));
  if (fields.IsObject()) {
    for (const auto& member : fields.object()) line.Set(member.key, member.value);
  }
  std::string text = line.Dump();
  text.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace flowkit::server
