// The flowkit CLI's link to flowkitd: a blocking libcurl client for the REST API and the saved
// login (url, token, email) in the CLI's config file. Not thread-safe; the CLI makes one call at
// a time from its main thread.
#pragma once

#include <string>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::cli {

inline constexpr const char* kDefaultServerUrl = "http://127.0.0.1:2200";

// What one REST call gave: `ok` for a 2xx answer (then `json` is its parsed body, Null when
// empty); otherwise `error` is the line to print after "error: " — "<statusCode> <message>" for
// an answer from the server, "cannot reach URL: <curl error>" when there was none.
struct ApiResult {
  bool ok = false;
  long status = 0;  // 0 = no answer
  Json json;
  std::string error;
};

class ApiClient {
 public:
  // `base_url` without a trailing slash; `token` empty for anonymous calls.
  ApiClient(std::string base_url, std::string token);

  // `path` starts with '/' and is already escaped (see Escape); `body` null for none.
  ApiResult Call(const std::string& method, const std::string& path, const Json* body = nullptr) const;

  // Percent-encodes one path segment or query value.
  static std::string Escape(const std::string& text);

  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
  std::string token_;
};

// "http://host:1/" → "http://host:1".
std::string NormalizeUrl(std::string url);

// The value of environment variable `name`, empty when unset.
std::string Env(const char* name);

// The JSON in file `path`: NotFound "cannot open PATH", InvalidArgument "PATH: <parse error>".
Result<Json> ReadJsonFile(const std::string& path);

struct CliConfig {
  std::string url;
  std::string token;
  std::string email;
};

// $FLOWKIT_CONFIG, else $XDG_CONFIG_HOME/flowkit/config.json, else ~/.config/flowkit/config.json.
// Empty when none can be found (no HOME).
std::string ConfigPath();

// NotFound when the file does not exist; InvalidArgument when it is not a JSON object.
Result<CliConfig> LoadConfig(const std::string& path);

// Writes the file with mode 0600 (creating its folder with mode 0700), replacing what was there.
Status SaveConfig(const std::string& path, const CliConfig& config);

}  // namespace flowkit::cli
