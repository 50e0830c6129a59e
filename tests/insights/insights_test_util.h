// Helpers shared by the insights tests: a private temporary directory and record builders.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "flowkit/insights.h"

namespace flowkit::insights_test {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class ScopedInsightsDir {
 public:
  ScopedInsightsDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "flowkit-insights-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    path_ = made != nullptr ? std::string(made) : std::string();
  }
  ~ScopedInsightsDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScopedInsightsDir(const ScopedInsightsDir&) = delete;
  ScopedInsightsDir& operator=(const ScopedInsightsDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline InsightsRecord MakeInsightsRecord(std::string user, std::string flow, int64_t time_ms, Json msg = Json(),
                                         std::string severity = "info", std::string port_type = "out",
                                         std::string component = "c1") {
  InsightsRecord r;
  r.time_ms = time_ms;
  r.severity = std::move(severity);
  r.user_id = std::move(user);
  r.flow_id = std::move(flow);
  r.component_id = std::move(component);
  r.component_type = "appmixer.utils.test.Component";
  r.port_type = std::move(port_type);
  r.port = r.port_type == "in" ? "in" : "out";
  r.correlation_id = "corr-1";
  r.message_id = "m-" + std::to_string(time_ms);
  r.msg = std::move(msg);
  return r;
}

}  // namespace flowkit::insights_test
