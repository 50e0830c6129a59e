// Loopback servers for the HTTP client and component tests.
//
// LoopbackServer: flowkitd's HTTP server on 127.0.0.1:0 with scripted routes; records every
// request. RawServer: one blocking thread that answers each connection with fixed bytes and
// closes it, optionally over TLS (a self-signed certificate made here with OpenSSL).
#pragma once

#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/json.h"
#include "http/http_server.h"
#include "util/ids.h"

namespace flowkit::http_test {

struct Recorded {
  std::string method;
  std::string target;
  std::string path;
  server::HeaderList headers;  // names lower-cased
  std::string body;
  const std::string* Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

// Routes:
//   /echo...        200, JSON {method, target, path, headers, body}; two Set-Cookie headers
//   /status/N       N, JSON {"message": "status N"}
//   /redirect/N     302 to /redirect/N-1; /redirect/0 answers 200 "done"
//   /big/N          N bytes of 'x'
//   /text           "plain words" as text/plain
//   /bytes          the bytes 0..255 as application/octet-stream
//   /hang           never answered (until the server stops)
//   /gate/N         held until N /gate requests wait, then all answered 200
//   /uptime         the status set by SetUptimeStatus (default 200)
//   /attachment     "a,b\n" as text/csv with Content-Disposition: attachment; filename="report.csv"
//   /bearer/T...    as /echo when the request says "Authorization: Bearer T", else 401
//   /list/N         200, JSON {"items": [{"i": 0}, ..., {"i": N-1}], "count": N}
// and the routes a test adds with Route (checked first).
class LoopbackServer {
 public:
  // Answers a request (on the server's thread; must not block).
  using Handler = std::function<server::HttpResponse(const Recorded&)>;
  LoopbackServer() {
    server::HttpServerOptions options;
    options.max_body_bytes = 16 << 20;
    auto started = server::HttpServer::Start(
        options, [this](server::HttpRequest&& request, std::shared_ptr<server::Responder> responder) {
          Handle(std::move(request), std::move(responder));
        });
    if (started.ok()) server_ = std::move(*started);
  }
  ~LoopbackServer() {
    std::vector<std::shared_ptr<server::Responder>> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      held.swap(held_);
      for (auto& [n, group] : gates_) {
        for (auto& r : group) held.push_back(r);
      }
      gates_.clear();
    }
    for (auto& r : held) r->Reply(server::HttpResponse::WithText(503, "stopping"));
    if (server_) server_->Stop(2000);
  }
  bool ok() const { return server_ != nullptr; }
  int port() const { return server_->port(); }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
  }
  std::vector<Recorded> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t request_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  uint64_t connections_accepted() const { return server_->Stats().connections_accepted; }
  // Waits (bounded, not a timing assertion) until `n` requests arrived; returns whether they did.
  bool WaitForRequests(size_t n) const {
    for (int i = 0; i < 1000; ++i) {
      if (request_count() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  void SetUptimeStatus(int status) { uptime_status_ = status; }
  // Answers requests whose path starts with `prefix` with `handler`. REQUIRES: before requests come.
  void Route(std::string prefix, Handler handler) {
    std::lock_guard<std::mutex> lock(mu_);
    routes_.emplace_back(std::move(prefix), std::move(handler));
  }

 private:
  void Handle(server::HttpRequest&& request, std::shared_ptr<server::Responder> responder) {
    Recorded rec{request.method, request.target, request.path, request.headers, request.body};
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(rec);
    }
    const std::string& path = request.path;
    Handler scripted;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [prefix, handler] : routes_) {
        if (path.starts_with(prefix)) scripted = handler;
      }
    }
    if (scripted) {
      responder->Reply(scripted(rec));
      return;
    }
    auto number_after = [&](std::string_view prefix) { return std::stoul(path.substr(prefix.size())); };
    if (path.starts_with("/bearer/")) {
      std::string token = path.substr(8, path.find('/', 8) == std::string::npos ? std::string::npos : path.find('/', 8) - 8);
      const std::string* given = rec.Header("authorization");
      if (given == nullptr || *given != "Bearer " + token) {
        responder->Reply(server::HttpResponse::WithJson(401, Json::MakeObject({{"message", Json("bad token")}})));
        return;
      }
    }
    if (path.starts_with("/list/")) {
      Json items = Json::MakeArray();
      unsigned long n = number_after("/list/");
      for (unsigned long i = 0; i < n; ++i) items.Push(Json::MakeObject({{"i", Json(i)}}));
      responder->Reply(server::HttpResponse::WithJson(
          200, Json::MakeObject({{"items", std::move(items)}, {"count", Json(n)}})));
    } else if (path.starts_with("/echo") || path.starts_with("/bearer/")) {
      Json headers = Json::MakeObject();
      for (const auto& [k, v] : request.headers) headers.Set(k, Json(v));
      Json body = Json::MakeObject({{"method", Json(request.method)},
                                    {"target", Json(request.target)},
                                    {"path", Json(request.path)},
                                    {"headers", std::move(headers)},
                                    {"body", Json(request.body)}});
      server::HttpResponse response = server::HttpResponse::WithJson(200, body);
      response.SetHeader("X-Reply", "yes");
      response.headers.emplace_back("Set-Cookie", "a=1");
      response.headers.emplace_back("Set-Cookie", "b=2");
      responder->Reply(std::move(response));
    } else if (path.starts_with("/status/")) {
      int status = static_cast<int>(number_after("/status/"));
      responder->Reply(server::HttpResponse::WithJson(
          status, Json::MakeObject({{"message", Json("status " + std::to_string(status))}})));
    } else if (path.starts_with("/redirect/")) {
      unsigned long n = number_after("/redirect/");
      if (n == 0) {
        responder->Reply(server::HttpResponse::WithText(200, "done"));
      } else {
        server::HttpResponse response = server::HttpResponse::WithText(302, "");
        response.SetHeader("Location", "/redirect/" + std::to_string(n - 1));
        responder->Reply(std::move(response));
      }
    } else if (path.starts_with("/big/")) {
      responder->Reply(server::HttpResponse::WithText(200, std::string(number_after("/big/"), 'x')));
    } else if (path == "/text") {
      responder->Reply(server::HttpResponse::WithText(200, "plain words"));
    } else if (path == "/bytes") {
      std::string bytes;
      for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
      responder->Reply(server::HttpResponse::WithText(200, bytes, "application/octet-stream"));
    } else if (path == "/hang") {
      std::lock_guard<std::mutex> lock(mu_);
      held_.push_back(std::move(responder));
    } else if (path.starts_with("/gate/")) {
      size_t n = number_after("/gate/");
      std::vector<std::shared_ptr<server::Responder>> release;
      {
        std::lock_guard<std::mutex> lock(mu_);
        auto& group = gates_[n];
        group.push_back(std::move(responder));
        if (group.size() >= n) release.swap(group);
      }
      for (auto& r : release) r->Reply(server::HttpResponse::WithText(200, "released"));
    } else if (path == "/attachment") {
      server::HttpResponse response = server::HttpResponse::WithText(200, "a,b\n", "text/csv");
      response.SetHeader("Content-Disposition", "attachment; filename=\"report.csv\"");
      responder->Reply(std::move(response));
    } else if (path == "/uptime") {
      responder->Reply(server::HttpResponse::WithText(uptime_status_.load(), "uptime"));
    } else {
      responder->Reply(server::HttpResponse::WithText(404, "no route"));
    }
  }

  std::unique_ptr<server::HttpServer> server_;
  mutable std::mutex mu_;
  std::vector<Recorded> requests_;
  std::vector<std::shared_ptr<server::Responder>> held_;
  std::map<size_t, std::vector<std::shared_ptr<server::Responder>>> gates_;
  std::vector<std::pair<std::string, Handler>> routes_;
  std::atomic<int> uptime_status_{200};
};

// A port nothing listens on (bound, then closed).
inline int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// A self-signed certificate for 127.0.0.1 and localhost, and its key.
struct SelfSigned {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string cert_path;  // PEM, usable as HttpClientOptions::ca_file

  SelfSigned() {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                              std::pair{NID_key_usage, "critical,digitalSignature,keyCertSign"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    cert_path = (std::filesystem::temp_directory_path() / ("flowkit-test-ca-" + internal::NewUuid4() + ".pem")).string();
    FILE* f = std::fopen(cert_path.c_str(), "w");
    if (f != nullptr) {
      PEM_write_X509(f, cert);
      std::fclose(f);
    }
  }
  ~SelfSigned() {
    std::error_code ignored;
    std::filesystem::remove(cert_path, ignored);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  bool ok() const { return key != nullptr && cert != nullptr && std::filesystem::exists(cert_path); }
};

// Answers every connection with `response` (raw bytes) after reading the request headers, then
// closes it. With `tls`, speaks TLS with that certificate.
class RawServer {
 public:
  explicit RawServer(std::string response, const SelfSigned* tls = nullptr) : response_(std::move(response)) {
    if (tls != nullptr) {
      ssl_ctx_ = SSL_CTX_new(TLS_server_method());
      SSL_CTX_use_certificate(ssl_ctx_, tls->cert);
      SSL_CTX_use_PrivateKey(ssl_ctx_, tls->key);
    }
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawServer() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    close(listen_fd_);
    if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
  }
  int port() const { return port_; }
  // Requests whose headers were read (after a completed TLS handshake, for TLS).
  int requests_read() const { return requests_read_; }

 private:
  void Serve() {
    while (!stopping_) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      timeval tv{5, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SSL* ssl = nullptr;
      if (ssl_ctx_ != nullptr) {
        ssl = SSL_new(ssl_ctx_);
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) != 1) {
          SSL_free(ssl);
          close(fd);
          continue;
        }
      }
      std::string in;
      char buffer[4096];
      while (in.find("\r\n\r\n") == std::string::npos) {
        int n = ssl != nullptr ? SSL_read(ssl, buffer, sizeof buffer)
                               : static_cast<int>(read(fd, buffer, sizeof buffer));
        if (n <= 0) break;
        in.append(buffer, static_cast<size_t>(n));
      }
      if (in.find("\r\n\r\n") != std::string::npos) {
        ++requests_read_;
        if (ssl != nullptr) {
          SSL_write(ssl, response_.data(), static_cast<int>(response_.size()));
          SSL_shutdown(ssl);
        } else {
          (void)!write(fd, response_.data(), response_.size());
        }
      }
      if (ssl != nullptr) SSL_free(ssl);
      close(fd);
    }
  }

  std::string response_;
  SSL_CTX* ssl_ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_read_{0};
  std::thread thread_;
};

}  // namespace flowkit::http_test
