// The HTTP/1.1 server of flowkitd: libuv for sockets, llhttp for parsing.
//
// One loop thread owns every socket. A complete request goes to the handler on that thread;
// the handler answers through its Responder, at once or later from any thread (a worker pool,
// an engine callback). Requests on one connection are answered in order: the parser pauses
// after each complete request until it is answered, so pipelined requests wait their turn.
//
// Limits answer before the handler sees anything: a header block past max_header_bytes → 431,
// a body past the request's limit → 413 (checked against Content-Length before the body is
// read, and while reading chunked bodies), headers or body not complete in time → 408, a
// connection idle between requests → closed. Each of these closes the connection, so a client
// that sends junk or trickles bytes (slowloris) holds nothing for long.
//
// Threading: Start, Stop and the destructor from one owner thread; Responder::Reply from any
// thread; the handler runs on the loop thread and must not block it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::server {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded, without the query
  HeaderList query;    // decoded name/value pairs in order ('+' is a space)
  HeaderList headers;  // names lower-cased, in order
  std::string body;    // de-chunked
  std::string remote_address;
  bool keep_alive = true;

  // The first header / query parameter of that name (header names case-insensitive), or null.
  const std::string* Header(std::string_view name) const;
  const std::string* QueryParam(std::string_view name) const;
  std::vector<std::string> QueryParams(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // Content-Length and Connection are added by the server
  std::string body;

  static HttpResponse WithJson(int status, const Json& body);
  static HttpResponse WithText(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  // {"error": <code>, "message": <sentence>, "statusCode": <status>[, "details": …]}.
  static HttpResponse Error(int status, std::string_view code, std::string_view message,
                            const Json& details = Json());
  HttpResponse& SetHeader(std::string name, std::string value);
};

// Answers one request. Reply once; later calls are ignored. Dropping every copy without a reply
// answers 500, so a lost request never hangs its client.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Reply(HttpResponse response) = 0;
  // Whether Reply has been called.
  virtual bool replied() const = 0;
};

using RequestHandler = std::function<void(HttpRequest&& request, std::shared_ptr<Responder> responder)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port (see HttpServer::port)
  int backlog = 511;
  size_t max_header_bytes = 16 * 1024;      // request line + headers
  size_t max_body_bytes = 4 * 1024 * 1024;  // default body limit
  // A per-request body limit chosen from the request line and headers (e.g. 1 MiB for webhooks);
  // null or 0 = max_body_bytes.
  std::function<size_t(std::string_view method, std::string_view target)> body_limit;
  int64_t header_timeout_ms = 10000;  // from a request's first byte to the end of its headers
  int64_t body_timeout_ms = 60000;    // from the end of the headers to the end of the body
  int64_t idle_timeout_ms = 75000;    // keep-alive connection with no request in progress
  size_t max_connections = 10000;     // more are accepted and closed at once
};

struct HttpServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_open = 0;
  uint64_t connections_rejected = 0;  // over max_connections
  uint64_t requests = 0;              // complete requests handed to the handler
  uint64_t requests_in_flight = 0;    // handed over, not yet answered
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  uint64_t responses_by_class[6] = {};  // [1..5] = 1xx..5xx
  uint64_t limit_rejections = 0;        // 400/408/413/431 answered by the server itself
};

class HttpServer {
 public:
  // Binds, listens and starts the loop thread. kInvalidArgument for a bad host, kUnavailable
  // naming host:port when it cannot bind.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options, RequestHandler handler);
  ~HttpServer();  // Stop(0)
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Stops accepting connections; requests in progress go on.
  void StopAccepting();
  // Stops accepting, waits up to drain_ms for answers to requests in flight, then closes every
  // connection and joins the loop thread. Returns whether every request was answered in time.
  bool Stop(int64_t drain_ms);
  HttpServerStats Stats() const;

  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Percent-decoding of a URL component; '+' becomes a space only when `plus_is_space`.
std::string PercentDecode(std::string_view text, bool plus_is_space);
// "a=1&b=x%20y" → {{"a","1"},{"b","x y"}}.
HeaderList ParseQueryString(std::string_view query);

}  // namespace flowkit::server
