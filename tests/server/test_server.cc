#include "server/test_server.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace flowkit::server::testing {

Json HttpResult::json() const {
  Result<Json> parsed = Json::Parse(body);
  return parsed.ok() ? *parsed : Json::Undefined();
}

namespace {

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * count;
}

}  // namespace

HttpResult TestClient::Request(const std::string& method, const std::string& path, const std::string& body,
                               const std::string& token, const std::vector<std::string>& headers) const {
  HttpResult result;
  CURL* curl = curl_easy_init();
  std::string url = base_url_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  if (!token.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + token).c_str());
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return result;
}

ServerOptions MemoryOptions() {
  ServerOptions options;
  options.port = 0;
  options.store_uri = "memory:";
  options.queue_uri = "memory:";
  options.password_hash = PasswordHashParams::ForTests();
  options.rate_limit_per_s = 0;
  options.retry.max_attempts = 2;
  options.retry.initial_delay_ms = 10;
  options.engine_workers = 2;
  options.webhook_timeout_ms = 5000;
  options.log_level = LogSeverity::kError;
  return options;
}

ServerOptions DataDirOptions(const std::string& data_dir) {
  ServerOptions options = MemoryOptions();
  options.store_uri.clear();
  options.queue_uri.clear();
  options.data_dir = data_dir;
  return options;
}

TestServer::TestServer(ServerOptions options) : log_(options.log_level) {
  Result<std::unique_ptr<Server>> started = Server::Start(std::move(options), &log_);
  if (!started.ok()) {
    ADD_FAILURE() << "server did not start: " << started.status().ToString();
    std::abort();
  }
  server_ = std::move(*started);
  client_ = std::make_unique<TestClient>(server_->base_url());
}

TestServer::~TestServer() { server_.reset(); }

const std::string& TestServer::AdminToken() {
  if (admin_token_.empty()) {
    HttpResult r = client_->Post("/user", Json::MakeObject({{"email", Json("admin@example.com")},
                                                              {"password", Json("admin-password")}}));
    EXPECT_EQ(r.status, 201) << r.body;
    admin_token_ = r.json().Get("token").AsString();
  }
  return admin_token_;
}

std::string TestServer::CreateUser(const std::string& email, std::string* user_id) {
  const std::string& admin = AdminToken();
  HttpResult r = client_->Post("/user", Json::MakeObject({{"email", Json(email)}, {"password", Json("user-password")}}), admin);
  EXPECT_EQ(r.status, 201) << r.body;
  if (user_id != nullptr) *user_id = r.json().Get("id").AsString();
  return r.json().Get("token").AsString();
}

TempDir::TempDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "flowkitd-test-XXXXXX").string();
  char* made = mkdtemp(templ.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle, size_t* scanned) {
  std::vector<std::string> out;
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++files;
    if (content.find(needle) != std::string::npos) out.push_back(entry.path().string());
  }
  if (scanned != nullptr) *scanned = files;
  return out;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace flowkit::server::testing
