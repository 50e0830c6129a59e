#include "api_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

namespace flowkit::cli {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Creates `dir` and any missing parent, each new one with mode 0700 (the config holds a token).
Status MakePrivateDirs(const std::filesystem::path& dir) {
  if (dir.empty() || std::filesystem::is_directory(dir)) return Status::OK();
  if (Status s = MakePrivateDirs(dir.parent_path()); !s.ok()) return s;
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create " + dir.string() + ": " + std::strerror(errno));
  }
  return Status::OK();
}

}  // namespace

ApiClient::ApiClient(std::string base_url, std::string token)
    : base_url_(NormalizeUrl(std::move(base_url))), token_(std::move(token)) {
  InitCurlOnce();
}

std::string ApiClient::Escape(const std::string& text) {
  InitCurlOnce();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  char* escaped = curl ? curl_easy_escape(curl.get(), text.data(), static_cast<int>(text.size())) : nullptr;
  if (escaped == nullptr) return text;
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

ApiResult ApiClient::Call(const std::string& method, const std::string& path, const Json* body) const {
  ApiResult result;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    result.error = "cannot reach " + base_url_ + ": curl_easy_init failed";
    return result;
  }
  const std::string url = base_url_ + path;
  std::string request_body = body != nullptr ? body->Dump() : std::string();
  std::string response;
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  if (body != nullptr) headers = curl_slist_append(headers, "Content-Type: application/json");
  if (!token_.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + token_).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);

  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "flowkit-cli");
  if (body != nullptr) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request_body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_body.size()));
  }

  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    result.error = "cannot reach " + base_url_ + ": " + (error_buffer[0] != 0 ? error_buffer : curl_easy_strerror(code));
    return result;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  Result<Json> parsed = response.empty() ? Result<Json>(Json()) : Json::Parse(response);
  if (result.status >= 200 && result.status < 300) {
    if (!parsed.ok()) {
      result.error = std::to_string(result.status) + " the server's answer is not JSON: " + response.substr(0, 200);
      return result;
    }
    result.ok = true;
    result.json = std::move(parsed).value();
    return result;
  }
  // {"error", "message", "statusCode"}; anything else (a proxy's HTML page) is quoted briefly.
  long status = result.status;
  std::string message;
  if (parsed.ok() && parsed->IsObject()) {
    if (parsed->Get("statusCode").IsNumber()) status = parsed->Get("statusCode").AsInt();
    message = parsed->Get("message").IsString() ? parsed->Get("message").AsString() : parsed->Get("error").AsString();
  }
  if (message.empty()) message = response.empty() ? "(empty answer)" : response.substr(0, 200);
  result.error = std::to_string(status) + " " + message;
  return result;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

Result<Json> ReadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  Result<Json> json = Json::Parse(text.str());
  if (!json.ok()) return Status::InvalidArgument(path + ": " + json.status().message());
  return json;
}

std::string NormalizeUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string ConfigPath() {
  if (std::string path = Env("FLOWKIT_CONFIG"); !path.empty()) return path;
  if (std::string xdg = Env("XDG_CONFIG_HOME"); !xdg.empty()) {
    return (std::filesystem::path(xdg) / "flowkit" / "config.json").string();
  }
  if (std::string home = Env("HOME"); !home.empty()) {
    return (std::filesystem::path(home) / ".config" / "flowkit" / "config.json").string();
  }
  return "";
}

Result<CliConfig> LoadConfig(const std::string& path) {
  Result<Json> json = ReadJsonFile(path);
  if (!json.ok() && json.status().code() == StatusCode::kNotFound) return json.status();
  if (!json.ok() || !json->IsObject()) return Status::InvalidArgument(path + " is not a JSON object");
  CliConfig config;
  config.url = json->Get("url").AsString();
  config.token = json->Get("token").AsString();
  config.email = json->Get("email").AsString();
  return config;
}

Status SaveConfig(const std::string& path, const CliConfig& config) {
  const std::filesystem::path file(path);
  if (Status s = MakePrivateDirs(file.parent_path()); !s.ok()) return s;
  Json json = Json::MakeObject({{"url", Json(config.url)}, {"email", Json(config.email)}});
  if (!config.token.empty()) json.Set("token", Json(config.token));
  const std::string text = json.DumpPretty() + "\n";
  // A temporary beside the file, renamed over it: a crash never leaves half a config.
  const std::string temp = path + ".tmp";
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot write " + temp + ": " + std::strerror(errno));
  bool ok = fchmod(fd, 0600) == 0;  // the file may have existed with a wider mode
  size_t written = 0;
  while (ok && written < text.size()) {
    ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  const int saved_errno = errno;
  ok = close(fd) == 0 && ok;
  if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(ok ? errno : saved_errno);
    unlink(temp.c_str());
    return Status::IOError("cannot write " + path + ": " + reason);
  }
  return Status::OK();
}

}  // namespace flowkit::cli
