// The libcurl HttpClient: curl's multi "socket" interface driven by a libuv loop on one thread.
//
// curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION → a uv_poll_t per socket) and
// when to call it back (CURLMOPT_TIMERFUNCTION → one uv_timer_t); readiness goes back through
// curl_multi_socket_action. Requests arrive from any thread through a mutex-guarded queue and a
// uv_async_t. Every easy handle lives in the one multi handle, so connections are reused from
// its cache across requests and hosts share the connection limit.
#include <curl/curl.h>
#include <sys/socket.h>
#include <uv.h>

#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "flowkit/http_client.h"
#include "flowkit/version.h"
#include "http/address_policy.h"

namespace flowkit {
namespace {

class CurlHttpClient;

// One request from Start to its callback. Owned by the client's queue, then by its active set.
struct Transfer {
  CurlHttpClient* client = nullptr;
  HttpRequest request;
  HttpCallback done;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpResponse response;
  size_t max_bytes = 0;
  bool too_large = false;
  std::string denied;  // "127.0.0.1 (loopback)" when deny_private_addresses refused a connection
  char error[CURL_ERROR_SIZE] = {};

  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (header_list != nullptr) curl_slist_free_all(header_list);
  }
  std::string What() const { return request.method + " " + request.url; }
};

// A socket curl asked us to watch.
struct SocketWatch {
  uv_poll_t poll;
  curl_socket_t fd;
  CurlHttpClient* client;
};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->response.body.size() + n > t->max_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  // Each response (an interim 100, a redirect, the final one) starts with its status line; only
  // the last response's headers are kept.
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // the blank line ending the block
  t->response.headers.emplace_back(Lower(Trim(line.substr(0, colon))), std::string(Trim(line.substr(colon + 1))));
  return n;
}

// CURLOPT_OPENSOCKETFUNCTION with deny_private_addresses: sees the resolved address of every
// connection (redirects included) before a socket exists.
curl_socket_t OpenCheckedSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view reason = http::NonPublicAddressReason(&address->addr);
  if (!reason.empty()) {
    t->denied = http::AddressText(&address->addr) + " (" + std::string(reason) + ")";
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

Status ErrorFor(const Transfer& t, CURLcode code) {
  std::string detail = t.error[0] != '\0' ? std::string(t.error) : std::string(curl_easy_strerror(code));
  std::string what = t.What() + ": ";
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(what + "only http and https URLs are allowed (" + detail + ")");
    case CURLE_URL_MALFORMAT:
      return Status::InvalidArgument(what + "malformed URL (" + detail + ")");
    case CURLE_TOO_MANY_REDIRECTS:
      return Status::InvalidArgument(what + "too many redirects (" + detail + ")");
    case CURLE_OPERATION_TIMEDOUT:
      return Status::DeadlineExceeded(what + "timed out (" + detail + ")");
    case CURLE_FILESIZE_EXCEEDED:
      return Status::TooLarge(what + "the response is larger than the limit of " + std::to_string(t.max_bytes) + " bytes");
    case CURLE_WRITE_ERROR:
      if (t.too_large) {
        return Status::TooLarge(what + "the response is larger than the limit of " + std::to_string(t.max_bytes) +
                                " bytes");
      }
      break;
    case CURLE_COULDNT_CONNECT:
      if (!t.denied.empty()) {
        return Status::PermissionDenied(what + "refused to connect to " + t.denied +
                                        ": private addresses are denied (deny_private_addresses)");
      }
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
      return Status::Unavailable(what + "TLS failed: " + detail);
    default:
      break;
  }
  return Status::Unavailable(what + detail);
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpClientOptions options) : options_(std::move(options)) {
    user_agent_ = options_.user_agent.empty() ? std::string("flowkit/") + Version() : options_.user_agent;
  }

  ~CurlHttpClient() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      if (thread_.joinable()) uv_async_send(&wake_);
    }
    if (thread_.joinable()) thread_.join();
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    if (loop_ready_) uv_loop_close(&loop_);
  }

  Status Init() {
    static std::once_flag global_init;
    static CURLcode global_code = CURLE_OK;
    std::call_once(global_init, [] { global_code = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (global_code != CURLE_OK) {
      return Status::Internal(std::string("curl_global_init failed: ") + curl_easy_strerror(global_code));
    }
    if (!options_.ca_file.empty() && !std::ifstream(options_.ca_file).good()) {
      return Status::InvalidArgument("HTTP client: ca_file '" + options_.ca_file + "' cannot be read");
    }
    if (options_.timeout_ms <= 0) return Status::InvalidArgument("HTTP client: timeout_ms must be positive");
    if (options_.max_response_bytes == 0) {
      return Status::InvalidArgument("HTTP client: max_response_bytes must be positive");
    }
    if (int rc = uv_loop_init(&loop_); rc != 0) return Status::Internal(std::string("uv_loop_init: ") + uv_strerror(rc));
    loop_ready_ = true;
    loop_.data = this;
    if (int rc = uv_async_init(&loop_, &wake_, OnWake); rc != 0) {
      return Status::Internal(std::string("uv_async_init: ") + uv_strerror(rc));
    }
    wake_.data = this;
    uv_timer_init(&loop_, &timer_);
    timer_.data = this;
    multi_ = curl_multi_init();
    if (multi_ == nullptr) {
      CloseLoopHandles();
      uv_run(&loop_, UV_RUN_DEFAULT);
      return Status::Internal("curl_multi_init failed");
    }
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, OnCurlSocket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, OnCurlTimer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(options_.max_connections));
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_idle_connections));
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
    return Status::OK();
  }

  Status Start(HttpRequest request, HttpCallback done) override {
    auto t = std::make_unique<Transfer>();
    t->client = this;
    t->request = std::move(request);
    t->done = std::move(done);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return Status::Cancelled(t->What() + ": the HTTP client is shut down");
      incoming_.push_back(std::move(t));
      // Under the lock: once the destructor has set stopping_, nobody touches wake_ again.
      uv_async_send(&wake_);
    }
    return Status::OK();
  }

 private:
  // --- loop thread only below

  static void OnWake(uv_async_t* handle) {
    auto* self = static_cast<CurlHttpClient*>(handle->data);
    std::deque<std::unique_ptr<Transfer>> batch;
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      batch.swap(self->incoming_);
      stopping = self->stopping_;
    }
    if (stopping) {
      for (auto& t : batch) Deliver(*t, Status::Cancelled(t->What() + ": the HTTP client is shutting down"));
      self->Shutdown();
      return;
    }
    for (auto& t : batch) self->Begin(std::move(t));
  }

  void Begin(std::unique_ptr<Transfer> owned) {
    Transfer& t = *owned;
    if (Status s = Configure(t); !s.ok()) {
      Deliver(t, std::move(s));
      return;
    }
    CURLMcode rc = curl_multi_add_handle(multi_, t.easy);
    if (rc != CURLM_OK) {
      Deliver(t, Status::Internal(t.What() + ": curl_multi_add_handle: " + curl_multi_strerror(rc)));
      return;
    }
    active_.emplace(&t, std::move(owned));
  }

  Status Configure(Transfer& t) {
    const HttpRequest& r = t.request;
    t.easy = curl_easy_init();
    if (t.easy == nullptr) return Status::Internal(t.What() + ": curl_easy_init failed");
    CURL* e = t.easy;
    t.max_bytes = r.max_response_bytes > 0 ? r.max_response_bytes : options_.max_response_bytes;
    int64_t timeout = r.timeout_ms > 0 ? r.timeout_ms : options_.timeout_ms;
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_setopt(e, CURLOPT_URL, r.url.c_str()) != CURLE_OK) {
      return Status::InvalidArgument(t.What() + ": the URL is not valid");
    }
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(r.max_redirects >= 0 ? r.max_redirects : options_.max_redirects));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(timeout, options_.connect_timeout_ms)));
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // every decoding curl supports
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t.max_bytes));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    if (options_.deny_private_addresses) {
      curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, OpenCheckedSocket);
      curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
    }

    const bool has_body = !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
    for (const auto& [name, value] : r.headers) {
      if (name.empty() || name.find_first_of(":\r\n") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
        return Status::InvalidArgument(t.What() + ": header '" + name + "' has a malformed name or value");
      }
      // "Name;" is curl's way to send a header with an empty value.
      std::string line = value.empty() ? name + ";" : name + ": " + value;
      t.header_list = curl_slist_append(t.header_list, line.c_str());
    }
    // curl would add "Expect: 100-continue" to large bodies (a round trip lost) and a form
    // Content-Type to every body; an empty value suppresses what the caller did not ask for.
    if (FindHttpHeader(r.headers, "Expect") == nullptr) t.header_list = curl_slist_append(t.header_list, "Expect:");
    if (has_body && FindHttpHeader(r.headers, "Content-Type") == nullptr) {
      t.header_list = curl_slist_append(t.header_list, "Content-Type:");
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.header_list);
    if (FindHttpHeader(r.headers, "User-Agent") == nullptr) curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent_.c_str());

    if (r.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (has_body) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      if (r.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    } else if (r.method == "GET") {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    return Status::OK();
  }

  static int OnCurlSocket(CURL*, curl_socket_t fd, int what, void* user, void* socket_data) {
    auto* self = static_cast<CurlHttpClient*>(user);
    auto* watch = static_cast<SocketWatch*>(socket_data);
    if (what == CURL_POLL_REMOVE) {
      if (watch != nullptr) {
        self->CloseWatch(watch);
        curl_multi_assign(self->multi_, fd, nullptr);
      }
      return 0;
    }
    if (watch == nullptr) {
      watch = new SocketWatch{};
      watch->fd = fd;
      watch->client = self;
      watch->poll.data = watch;
      if (uv_poll_init_socket(&self->loop_, &watch->poll, fd) != 0) {
        delete watch;
        return -1;  // curl fails the transfers on this socket
      }
      self->watches_.insert(watch);
      curl_multi_assign(self->multi_, fd, watch);
    }
    int events = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= UV_WRITABLE;
    uv_poll_start(&watch->poll, events, OnPoll);
    return 0;
  }

  void CloseWatch(SocketWatch* watch) {
    watches_.erase(watch);
    uv_poll_stop(&watch->poll);
    uv_close(reinterpret_cast<uv_handle_t*>(&watch->poll),
             [](uv_handle_t* h) { delete static_cast<SocketWatch*>(h->data); });
  }

  static int OnCurlTimer(CURLM*, long timeout_ms, void* user) {
    auto* self = static_cast<CurlHttpClient*>(user);
    if (timeout_ms < 0) {
      uv_timer_stop(&self->timer_);
    } else {
      // Even a 0 ms timeout goes through the loop: curl must not be re-entered from here.
      uv_timer_start(&self->timer_, OnTimer, static_cast<uint64_t>(timeout_ms), 0);
    }
    return 0;
  }

  static void OnTimer(uv_timer_t* handle) {
    auto* self = static_cast<CurlHttpClient*>(handle->data);
    int running = 0;
    curl_multi_socket_action(self->multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    self->CollectDone();
  }

  static void OnPoll(uv_poll_t* handle, int status, int events) {
    auto* watch = static_cast<SocketWatch*>(handle->data);
    CurlHttpClient* self = watch->client;
    int flags = 0;
    if (status < 0) {
      flags = CURL_CSELECT_ERR;
    } else {
      if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
      if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    }
    int running = 0;
    curl_multi_socket_action(self->multi_, watch->fd, flags, &running);
    self->CollectDone();
  }

  void CollectDone() {
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      CURLcode code = msg->data.result;
      Finish(t, code == CURLE_OK ? Status::OK() : ErrorFor(*t, code));
    }
  }

  void Finish(Transfer* t, Status error) {
    auto it = active_.find(t);
    if (it == active_.end()) return;
    std::unique_ptr<Transfer> owned = std::move(it->second);
    active_.erase(it);
    curl_multi_remove_handle(multi_, t->easy);
    if (!error.ok()) {
      Deliver(*t, std::move(error));
      return;
    }
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    char* effective = nullptr;
    curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &effective);
    t->response.status = static_cast<int>(status);
    t->response.effective_url = effective != nullptr ? effective : t->request.url;
    Deliver(*t, std::move(t->response));
  }

  // Hands the outcome to the caller; nothing thrown by a callback crosses into libuv.
  static void Deliver(Transfer& t, Result<HttpResponse> result) {
    HttpCallback done = std::move(t.done);
    if (!done) return;
    try {
      done(std::move(result));
    } catch (...) {
    }
  }

  // Fails everything in flight with kCancelled and closes the loop's handles, so uv_run returns.
  void Shutdown() {
    std::map<Transfer*, std::unique_ptr<Transfer>> active;
    active.swap(active_);
    for (auto& [t, owned] : active) {
      curl_multi_remove_handle(multi_, t->easy);
      Deliver(*t, Status::Cancelled(t->What() + ": the HTTP client is shutting down"));
    }
    active.clear();
    // Closing the multi handle closes its cached connections, which reports their sockets
    // removed; it must happen while the socket watches can still be closed.
    curl_multi_cleanup(multi_);
    multi_ = nullptr;
    while (!watches_.empty()) CloseWatch(*watches_.begin());
    CloseLoopHandles();
  }

  void CloseLoopHandles() {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
  }

  const HttpClientOptions options_;
  std::string user_agent_;
  uv_loop_t loop_{};
  bool loop_ready_ = false;
  uv_async_t wake_{};
  uv_timer_t timer_{};
  CURLM* multi_ = nullptr;
  std::thread thread_;

  std::mutex mu_;
  std::deque<std::unique_ptr<Transfer>> incoming_;  // guarded by mu_
  bool stopping_ = false;                           // guarded by mu_

  // Loop thread only.
  std::map<Transfer*, std::unique_ptr<Transfer>> active_;
  std::set<SocketWatch*> watches_;
};

}  // namespace

Result<std::unique_ptr<HttpClient>> NewCurlHttpClient(HttpClientOptions options) {
  auto client = std::make_unique<CurlHttpClient>(std::move(options));
  FLOWKIT_RETURN_IF_ERROR(client->Init());
  return std::unique_ptr<HttpClient>(std::move(client));
}

}  // namespace flowkit
