#include "http/http_server.h"

#include <llhttp.h>
#include <netdb.h>
#include <uv.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "http/status_text.h"

namespace flowkit::server {
namespace {

constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr size_t kMaxHeaderCount = 128;
// Bytes held unparsed while a request waits for its answer; past it reading pauses.
constexpr size_t kMaxBacklogBytes = 1 << 20;
// After an error answer the rest of the request is read and dropped for a while, so the client
// sees the answer rather than a reset.
constexpr int64_t kLingerMs = 2000;
constexpr size_t kLingerMaxBytes = 16 << 20;
constexpr uint64_t kSweepPeriodMs = 250;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

HeaderList ParseQueryString(std::string_view query) {
  HeaderList out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(PercentDecode(part, true), std::string());
    } else {
      out.emplace_back(PercentDecode(part.substr(0, eq), true), PercentDecode(part.substr(eq + 1), true));
    }
  }
  return out;
}

const std::string* HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

const std::string* HttpRequest::QueryParam(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::vector<std::string> HttpRequest::QueryParams(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : query) {
    if (key == name) out.push_back(value);
  }
  return out;
}

HttpResponse HttpResponse::WithJson(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.Dump();
  response.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  return response;
}

HttpResponse HttpResponse::WithText(int status, std::string body, std::string content_type) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Content-Type", std::move(content_type));
  return response;
}

HttpResponse HttpResponse::Error(int status, std::string_view code, std::string_view message, const Json& details) {
  Json body = Json::MakeObject();
  body.Set("error", Json(std::string(code)));
  body.Set("message", Json(std::string(message)));
  body.Set("statusCode", Json(static_cast<int64_t>(status)));
  if (!details.IsNullish()) body.Set("details", details);
  return WithJson(status, body);
}

HttpResponse& HttpResponse::SetHeader(std::string name, std::string value) {
  for (auto& [key, old] : headers) {
    if (EqualsIgnoreCase(key, name)) {
      old = std::move(value);
      return *this;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

// --- replies cross from any thread to the loop through one queue

namespace {

struct QueuedReply {
  uint64_t connection_id = 0;
  uint64_t sequence = 0;
  HttpResponse response;
};

struct ReplyQueue {
  std::mutex mu;
  std::vector<QueuedReply> items;
  uv_async_t* wake = nullptr;  // null once the loop is gone
};

class ResponderImpl final : public Responder {
 public:
  ResponderImpl(std::shared_ptr<ReplyQueue> queue, uint64_t connection_id, uint64_t sequence)
      : queue_(std::move(queue)), connection_id_(connection_id), sequence_(sequence) {}

  ~ResponderImpl() override {
    if (!done_.load(std::memory_order_acquire)) {
      Reply(HttpResponse::Error(500, "internal", "the request was dropped without an answer"));
    }
  }

  void Reply(HttpResponse response) override {
    if (done_.exchange(true, std::memory_order_acq_rel)) return;
    std::lock_guard<std::mutex> lock(queue_->mu);
    if (queue_->wake == nullptr) return;
    queue_->items.push_back(QueuedReply{connection_id_, sequence_, std::move(response)});
    if (queue_->items.size() == 1) uv_async_send(queue_->wake);
  }

  bool replied() const override { return done_.load(std::memory_order_acquire); }

 private:
  std::shared_ptr<ReplyQueue> queue_;
  uint64_t connection_id_;
  uint64_t sequence_;
  std::atomic<bool> done_{false};
};

enum class Phase : uint8_t {
  kIdle,     // between requests (or before the first)
  kHeaders,  // a request has begun, headers incomplete
  kBody,     // headers complete, body incomplete
  kHandler,  // complete; waiting for the answer
  kLinger,   // answered with an error; dropping input until closed
};

}  // namespace

struct Connection;

struct HttpServer::Impl {
  HttpServerOptions options;
  RequestHandler handler;
  uv_loop_t loop{};
  uv_tcp_t listener{};
  uv_async_t wake{};
  uv_timer_t sweep{};
  llhttp_settings_t settings{};
  std::thread thread;
  int bound_port = 0;
  bool listening = false;
  std::shared_ptr<ReplyQueue> replies = std::make_shared<ReplyQueue>();
  std::unordered_map<uint64_t, Connection*> connections;
  uint64_t next_connection_id = 1;
  char read_buffer[kReadBufferBytes];

  std::atomic<bool> stop_accepting_requested{false};
  std::atomic<bool> stop_requested{false};
  bool stopped_loop = false;

  struct Counters {
    std::atomic<uint64_t> connections_accepted{0}, connections_open{0}, connections_rejected{0};
    std::atomic<uint64_t> requests{0}, requests_in_flight{0}, bytes_in{0}, bytes_out{0};
    std::atomic<uint64_t> responses_by_class[6] = {};
    std::atomic<uint64_t> limit_rejections{0};
  } counters;

  void OnWake();
  void DrainReplies();
  void Sweep();
  void CloseEverything();
  void Accept();
};

struct Connection {
  uv_tcp_t tcp{};  // first: libuv handles cast back to the connection
  HttpServer::Impl* server = nullptr;
  uint64_t id = 0;
  llhttp_t parser{};
  HttpRequest request;
  std::string header_field;
  std::string header_value;
  bool header_value_seen = false;
  size_t header_bytes = 0;
  size_t body_limit = 0;
  int reject_status = 0;  // a limit answer chosen inside a parser callback
  std::string reject_message;
  std::string backlog;  // input received while a request waits for its answer
  bool reading = false;
  bool closing = false;
  Phase phase = Phase::kIdle;
  uint64_t deadline_ms = 0;
  uint64_t sequence = 0;
  size_t lingered_bytes = 0;
  std::string remote_address;

  void Feed(const char* data, size_t size);
  void Dispatch();
  void Write(std::string bytes, bool close_after);
  void WriteResponse(HttpResponse response, bool keep_alive, bool head);
  void RejectAndLinger(int status, std::string_view message);
  void Close();
  void ResumeAfterReply();
};

namespace {

Connection* ConnectionOf(llhttp_t* parser) { return static_cast<Connection*>(parser->data); }

int CountHeaderBytes(Connection* c, size_t size) {
  c->header_bytes += size;
  if (c->header_bytes > c->server->options.max_header_bytes) {
    c->reject_status = 431;
    c->reject_message = "the request's header block exceeds " +
                        std::to_string(c->server->options.max_header_bytes) + " bytes";
    return -1;
  }
  return 0;
}

void FinishHeader(Connection* c) {
  if (c->header_field.empty()) return;
  std::string name = std::move(c->header_field);
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  c->request.headers.emplace_back(std::move(name), std::move(c->header_value));
  c->header_field.clear();
  c->header_value.clear();
  c->header_value_seen = false;
}

int OnMessageBegin(llhttp_t* parser) {
  Connection* c = ConnectionOf(parser);
  c->request = HttpRequest();
  c->request.remote_address = c->remote_address;
  c->header_field.clear();
  c->header_value.clear();
  c->header_value_seen = false;
  c->header_bytes = 0;
  c->phase = Phase::kHeaders;
  c->deadline_ms = uv_now(&c->server->loop) + static_cast<uint64_t>(c->server->options.header_timeout_ms);
  return 0;
}

int OnUrl(llhttp_t* parser, const char* at, size_t length) {
  Connection* c = ConnectionOf(parser);
  c->request.target.append(at, length);
  return CountHeaderBytes(c, length);
}

int OnHeaderField(llhttp_t* parser, const char* at, size_t length) {
  Connection* c = ConnectionOf(parser);
  if (c->header_value_seen) FinishHeader(c);
  if (c->header_field.empty() && c->request.headers.size() >= kMaxHeaderCount) {
    c->reject_status = 431;
    c->reject_message = "the request has more than " + std::to_string(kMaxHeaderCount) + " headers";
    return -1;
  }
  c->header_field.append(at, length);
  return CountHeaderBytes(c, length);
}

int OnHeaderValue(llhttp_t* parser, const char* at, size_t length) {
  Connection* c = ConnectionOf(parser);
  c->header_value_seen = true;
  c->header_value.append(at, length);
  return CountHeaderBytes(c, length);
}

int OnHeadersComplete(llhttp_t* parser) {
  Connection* c = ConnectionOf(parser);
  FinishHeader(c);
  HttpServer::Impl* server = c->server;
  HttpRequest& request = c->request;
  request.method = llhttp_method_name(static_cast<llhttp_method_t>(parser->method));
  request.keep_alive = llhttp_should_keep_alive(parser) != 0;
  std::string_view target = request.target;
  size_t question = target.find('?');
  request.path = PercentDecode(target.substr(0, question), false);
  if (question != std::string_view::npos) request.query = ParseQueryString(target.substr(question + 1));

  c->body_limit = server->options.max_body_bytes;
  if (server->options.body_limit) {
    size_t chosen = server->options.body_limit(request.method, request.target);
    if (chosen > 0) c->body_limit = chosen;
  }
  if ((parser->flags & F_CONTENT_LENGTH) != 0 && parser->content_length > c->body_limit) {
    c->reject_status = 413;
    c->reject_message = "the request body (" + std::to_string(parser->content_length) +
                        " bytes) exceeds the limit of " + std::to_string(c->body_limit) + " bytes";
    return -1;
  }
  const std::string* expect = request.Header("expect");
  if (expect != nullptr && EqualsIgnoreCase(*expect, "100-continue")) {
    c->Write("HTTP/1.1 100 Continue\r\n\r\n", false);
  }
  c->phase = Phase::kBody;
  c->deadline_ms = uv_now(&server->loop) + static_cast<uint64_t>(server->options.body_timeout_ms);
  return 0;
}

int OnBody(llhttp_t* parser, const char* at, size_t length) {
  Connection* c = ConnectionOf(parser);
  if (c->request.body.size() + length > c->body_limit) {
    c->reject_status = 413;
    c->reject_message = "the request body exceeds the limit of " + std::to_string(c->body_limit) + " bytes";
    return -1;
  }
  c->request.body.append(at, length);
  return 0;
}

int OnMessageComplete(llhttp_t* parser) {
  Connection* c = ConnectionOf(parser);
  c->Dispatch();
  // Pause: the next pipelined request waits until this one is answered.
  return HPE_PAUSED;
}

void OnAlloc(uv_handle_t* handle, size_t /*suggested*/, uv_buf_t* buf) {
  auto* c = reinterpret_cast<Connection*>(handle);
  buf->base = c->server->read_buffer;
  buf->len = kReadBufferBytes;
}

void OnClose(uv_handle_t* handle) { delete reinterpret_cast<Connection*>(handle); }

void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* c = reinterpret_cast<Connection*>(stream);
  if (nread < 0) {
    c->Close();
    return;
  }
  if (nread == 0) return;
  c->server->counters.bytes_in.fetch_add(static_cast<uint64_t>(nread), std::memory_order_relaxed);
  c->Feed(buf->base, static_cast<size_t>(nread));
}

struct WriteRequest {
  uv_write_t req{};
  std::string bytes;
  Connection* connection = nullptr;
  bool close_after = false;
};

void OnWrite(uv_write_t* req, int status) {
  auto* w = reinterpret_cast<WriteRequest*>(req);
  Connection* c = w->connection;
  bool close_after = w->close_after;
  delete w;
  if (c->closing) return;
  if (status < 0) {
    c->Close();
  } else if (close_after && c->phase != Phase::kLinger) {
    c->Close();
  }
}

void OnConnection(uv_stream_t* listener, int status) {
  if (status < 0) return;
  auto* server = static_cast<HttpServer::Impl*>(listener->data);
  server->Accept();
}

void OnWakeCallback(uv_async_t* handle) { static_cast<HttpServer::Impl*>(handle->data)->OnWake(); }
void OnSweepCallback(uv_timer_t* handle) { static_cast<HttpServer::Impl*>(handle->data)->Sweep(); }

std::string FormatAddress(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    uv_ip4_name(reinterpret_cast<const sockaddr_in*>(&address), text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(&address), text, sizeof(text));
  }
  return text;
}

}  // namespace

void Connection::Feed(const char* data, size_t size) {
  if (phase == Phase::kLinger) {
    lingered_bytes += size;
    if (lingered_bytes > kLingerMaxBytes) Close();
    return;
  }
  if (phase == Phase::kHandler) {
    backlog.append(data, size);
    if (backlog.size() > kMaxBacklogBytes && reading) {
      uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp));
      reading = false;
    }
    return;
  }
  llhttp_errno_t error = llhttp_execute(&parser, data, size);
  if (error == HPE_OK) return;
  if (error == HPE_PAUSED) {
    const char* stop = llhttp_get_error_pos(&parser);
    if (stop != nullptr && stop >= data && stop < data + size) backlog.append(stop, static_cast<size_t>(data + size - stop));
    return;
  }
  if (error == HPE_PAUSED_UPGRADE) {
    RejectAndLinger(400, "protocol upgrades are not supported");
    return;
  }
  if (reject_status != 0) {
    RejectAndLinger(reject_status, reject_message);
    return;
  }
  const char* reason = llhttp_get_error_reason(&parser);
  RejectAndLinger(400, std::string("malformed HTTP request: ") + (reason != nullptr ? reason : llhttp_errno_name(error)));
}

void Connection::Dispatch() {
  phase = Phase::kHandler;
  ++sequence;
  server->counters.requests.fetch_add(1, std::memory_order_relaxed);
  server->counters.requests_in_flight.fetch_add(1, std::memory_order_relaxed);
  auto responder = std::make_shared<ResponderImpl>(server->replies, id, sequence);
  server->handler(std::move(request), std::move(responder));
}

void Connection::Write(std::string bytes, bool close_after) {
  if (closing) return;
  auto* w = new WriteRequest;
  w->bytes = std::move(bytes);
  w->connection = this;
  w->close_after = close_after;
  server->counters.bytes_out.fetch_add(w->bytes.size(), std::memory_order_relaxed);
  uv_buf_t buf = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp), &buf, 1, OnWrite);
  if (rc < 0) {
    delete w;
    Close();
  }
}

void Connection::WriteResponse(HttpResponse response, bool keep_alive, bool head) {
  int status = response.status;
  if (status >= 100 && status < 600) {
    server->counters.responses_by_class[status / 100].fetch_add(1, std::memory_order_relaxed);
  }
  std::string out;
  out.reserve(128 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += StatusText(status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "connection") ||
        EqualsIgnoreCase(name, "transfer-encoding")) {
      continue;
    }
    // Header injection: a value with CR or LF would start a new header.
    if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(response.body.size());
  out += keep_alive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n";
  if (!head) out += response.body;
  Write(std::move(out), !keep_alive);
}

void Connection::RejectAndLinger(int status, std::string_view message) {
  server->counters.limit_rejections.fetch_add(1, std::memory_order_relaxed);
  std::string_view code = status == 431   ? "header_too_large"
                          : status == 413 ? "body_too_large"
                          : status == 408 ? "request_timeout"
                                          : "bad_request";
  WriteResponse(HttpResponse::Error(status, code, message), false, false);
  phase = Phase::kLinger;
  lingered_bytes = 0;
  deadline_ms = uv_now(&server->loop) + kLingerMs;
  backlog.clear();
  uv_shutdown_t* shutdown = new uv_shutdown_t;
  if (uv_shutdown(shutdown, reinterpret_cast<uv_stream_t*>(&tcp), [](uv_shutdown_t* req, int) { delete req; }) < 0) {
    delete shutdown;
  }
}

void Connection::Close() {
  if (closing) return;
  closing = true;
  if (phase == Phase::kHandler) {
    // The answer, when it comes, finds no connection; count it answered now.
    server->counters.requests_in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  server->connections.erase(id);
  server->counters.connections_open.fetch_sub(1, std::memory_order_relaxed);
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp), OnClose);
}

void Connection::ResumeAfterReply() {
  phase = Phase::kIdle;
  deadline_ms = uv_now(&server->loop) + static_cast<uint64_t>(server->options.idle_timeout_ms);
  llhttp_resume(&parser);
  if (!reading) {
    uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp), OnAlloc, OnRead);
    reading = true;
  }
  if (!backlog.empty()) {
    std::string pending = std::move(backlog);
    backlog.clear();
    Feed(pending.data(), pending.size());
  }
}

void HttpServer::Impl::Accept() {
  auto* c = new Connection;
  c->server = this;
  uv_tcp_init(&loop, &c->tcp);
  if (uv_accept(reinterpret_cast<uv_stream_t*>(&listener), reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnClose);
    return;
  }
  if (connections.size() >= options.max_connections || stop_accepting_requested.load()) {
    counters.connections_rejected.fetch_add(1, std::memory_order_relaxed);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), OnClose);
    return;
  }
  c->id = next_connection_id++;
  uv_tcp_nodelay(&c->tcp, 1);
  sockaddr_storage peer{};
  int length = sizeof(peer);
  if (uv_tcp_getpeername(&c->tcp, reinterpret_cast<sockaddr*>(&peer), &length) == 0) c->remote_address = FormatAddress(peer);
  llhttp_init(&c->parser, HTTP_REQUEST, &settings);
  c->parser.data = c;
  c->phase = Phase::kIdle;
  // A fresh connection must start its first request within the header timeout.
  c->deadline_ms = uv_now(&loop) + static_cast<uint64_t>(options.header_timeout_ms);
  connections.emplace(c->id, c);
  counters.connections_accepted.fetch_add(1, std::memory_order_relaxed);
  counters.connections_open.fetch_add(1, std::memory_order_relaxed);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), OnAlloc, OnRead);
  c->reading = true;
}

void HttpServer::Impl::OnWake() {
  if (stop_accepting_requested.load() && listening) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener), nullptr);
    listening = false;
  }
  DrainReplies();
  if (stop_requested.load() && !stopped_loop) {
    stopped_loop = true;
    CloseEverything();
  }
}

void HttpServer::Impl::DrainReplies() {
  std::vector<QueuedReply> batch;
  {
    std::lock_guard<std::mutex> lock(replies->mu);
    batch.swap(replies->items);
  }
  for (QueuedReply& reply : batch) {
    auto it = connections.find(reply.connection_id);
    if (it == connections.end()) continue;  // closed meanwhile; counted then
    Connection* c = it->second;
    if (c->phase != Phase::kHandler || c->sequence != reply.sequence) continue;
    counters.requests_in_flight.fetch_sub(1, std::memory_order_relaxed);
    bool keep_alive = c->request.keep_alive && !stop_accepting_requested.load();
    bool head = c->request.method == "HEAD";
    c->WriteResponse(std::move(reply.response), keep_alive, head);
    if (keep_alive) {
      c->ResumeAfterReply();
    } else {
      c->phase = Phase::kIdle;
      c->deadline_ms = uv_now(&loop) + static_cast<uint64_t>(options.idle_timeout_ms);
    }
  }
}

void HttpServer::Impl::Sweep() {
  uint64_t now = uv_now(&loop);
  std::vector<Connection*> expired;
  for (auto& [id, c] : connections) {
    if (c->phase != Phase::kHandler && c->deadline_ms <= now) expired.push_back(c);
  }
  for (Connection* c : expired) {
    switch (c->phase) {
      case Phase::kHeaders:
        c->RejectAndLinger(408, "the request headers did not arrive within " +
                                    std::to_string(options.header_timeout_ms) + " ms");
        break;
      case Phase::kBody:
        c->RejectAndLinger(408, "the request body did not arrive within " +
                                    std::to_string(options.body_timeout_ms) + " ms");
        break;
      default:
        c->Close();
        break;
    }
  }
}

void HttpServer::Impl::CloseEverything() {
  if (listening) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener), nullptr);
    listening = false;
  }
  std::vector<Connection*> all;
  for (auto& [id, c] : connections) all.push_back(c);
  for (Connection* c : all) c->Close();
  {
    std::lock_guard<std::mutex> lock(replies->mu);
    replies->wake = nullptr;
    replies->items.clear();
  }
  uv_timer_stop(&sweep);
  uv_close(reinterpret_cast<uv_handle_t*>(&sweep), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&wake), nullptr);
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(0); }

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options, RequestHandler handler) {
  if (!handler) return Status::InvalidArgument("HttpServer needs a request handler");
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  llhttp_settings_init(&impl->settings);
  impl->settings.on_message_begin = OnMessageBegin;
  impl->settings.on_url = OnUrl;
  impl->settings.on_header_field = OnHeaderField;
  impl->settings.on_header_value = OnHeaderValue;
  impl->settings.on_headers_complete = OnHeadersComplete;
  impl->settings.on_body = OnBody;
  impl->settings.on_message_complete = OnMessageComplete;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string port_text = std::to_string(impl->options.port);
  const std::string& host = impl->options.host;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &found) != 0 || found == nullptr) {
    return Status::InvalidArgument("cannot resolve listen address '" + host + "'");
  }
  sockaddr_storage address{};
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);

  uv_loop_init(&impl->loop);
  uv_tcp_init(&impl->loop, &impl->listener);
  impl->listener.data = impl.get();
  std::string where = host + ":" + port_text;
  int rc = uv_tcp_bind(&impl->listener, reinterpret_cast<const sockaddr*>(&address), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&impl->listener), impl->options.backlog, OnConnection);
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&impl->listener), nullptr);
    uv_run(&impl->loop, UV_RUN_DEFAULT);
    uv_loop_close(&impl->loop);
    return Status::Unavailable("cannot listen on " + where + ": " + uv_strerror(rc));
  }
  impl->listening = true;
  sockaddr_storage bound{};
  int length = sizeof(bound);
  uv_tcp_getsockname(&impl->listener, reinterpret_cast<sockaddr*>(&bound), &length);
  impl->bound_port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                                 : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  uv_async_init(&impl->loop, &impl->wake, OnWakeCallback);
  impl->wake.data = impl.get();
  impl->replies->wake = &impl->wake;
  uv_timer_init(&impl->loop, &impl->sweep);
  impl->sweep.data = impl.get();
  uv_timer_start(&impl->sweep, OnSweepCallback, kSweepPeriodMs, kSweepPeriodMs);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] {
    uv_run(&raw->loop, UV_RUN_DEFAULT);
    // Handles closed by CloseEverything need one more turn to finish.
    uv_run(&raw->loop, UV_RUN_DEFAULT);
    uv_loop_close(&raw->loop);
  });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->bound_port; }

void HttpServer::StopAccepting() {
  if (!impl_->thread.joinable()) return;
  impl_->stop_accepting_requested.store(true);
  std::lock_guard<std::mutex> lock(impl_->replies->mu);
  if (impl_->replies->wake != nullptr) uv_async_send(impl_->replies->wake);
}

bool HttpServer::Stop(int64_t drain_ms) {
  if (!impl_->thread.joinable()) return true;
  StopAccepting();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(drain_ms);
  bool drained = true;
  while (impl_->counters.requests_in_flight.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      drained = false;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Let the last answers leave before closing their connections.
  if (drain_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  impl_->stop_requested.store(true);
  {
    std::lock_guard<std::mutex> lock(impl_->replies->mu);
    if (impl_->replies->wake != nullptr) uv_async_send(impl_->replies->wake);
  }
  impl_->thread.join();
  return drained;
}

HttpServerStats HttpServer::Stats() const {
  const Impl::Counters& c = impl_->counters;
  HttpServerStats stats;
  stats.connections_accepted = c.connections_accepted.load(std::memory_order_relaxed);
  stats.connections_open = c.connections_open.load(std::memory_order_relaxed);
  stats.connections_rejected = c.connections_rejected.load(std::memory_order_relaxed);
  stats.requests = c.requests.load(std::memory_order_relaxed);
  stats.requests_in_flight = c.requests_in_flight.load(std::memory_order_relaxed);
  stats.bytes_in = c.bytes_in.load(std::memory_order_relaxed);
  stats.bytes_out = c.bytes_out.load(std::memory_order_relaxed);
  for (int i = 0; i < 6; ++i) stats.responses_by_class[i] = c.responses_by_class[i].load(std::memory_order_relaxed);
  stats.limit_rejections = c.limit_rejections.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace flowkit::server
