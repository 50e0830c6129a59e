// Black-box test support for flowkitd: a server started in-process on port 0 (memory stores by
// default, or a temporary data directory), and a real HTTP client (libcurl) to call it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/server.h"
#include "flowkit/json.h"

namespace flowkit::server::testing {

struct HttpResult {
  long status = 0;  // 0 = the request failed (connection refused, …)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  // The body parsed as JSON (Undefined when it is not JSON).
  Json json() const;
};

class TestClient {
 public:
  explicit TestClient(std::string base_url) : base_url_(std::move(base_url)) {}
  HttpResult Request(const std::string& method, const std::string& path, const std::string& body = {},
                     const std::string& token = {}, const std::vector<std::string>& headers = {}) const;
  HttpResult Get(const std::string& path, const std::string& token = {}) const { return Request("GET", path, {}, token); }
  HttpResult Delete(const std::string& path, const std::string& token = {}) const { return Request("DELETE", path, {}, token); }
  HttpResult Post(const std::string& path, const Json& body, const std::string& token = {}) const {
    return Request("POST", path, body.Dump(), token, {"Content-Type: application/json"});
  }
  HttpResult Put(const std::string& path, const Json& body, const std::string& token = {}) const {
    return Request("PUT", path, body.Dump(), token, {"Content-Type: application/json"});
  }
  HttpResult Patch(const std::string& path, const Json& body, const std::string& token = {}) const {
    return Request("PATCH", path, body.Dump(), token, {"Content-Type: application/json"});
  }
  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
};

// Options for tests: memory stores, fast password hashing, no rate limit, quick retries.
ServerOptions MemoryOptions();
// The same on a data directory (LMDB + SQLite).
ServerOptions DataDirOptions(const std::string& data_dir);

class TestServer {
 public:
  explicit TestServer(ServerOptions options = MemoryOptions());
  ~TestServer();
  Server& server() { return *server_; }
  Services& services() { return server_->services(); }
  const TestClient& client() const { return *client_; }
  std::string url() const { return server_->base_url(); }

  // The first user (admin), created on first use: email admin@example.com.
  const std::string& AdminToken();
  // Creates a user through POST /user (as admin) and returns its token; `user_id` receives its id.
  std::string CreateUser(const std::string& email, std::string* user_id = nullptr);

 private:
  Logger log_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<TestClient> client_;
  std::string admin_token_;
};

// The regular files below `dir` whose bytes contain `needle` (secrets-at-rest checks), and how
// many files were read in `scanned`.
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle, size_t* scanned = nullptr);

// A fresh temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace flowkit::server::testing
