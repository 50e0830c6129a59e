// The outbound HTTP client: what components use (through Context::http()) to call other services.
//
//   auto client = flowkit::NewCurlHttpClient({});
//   flowkit::HttpRequest request{.method = "GET", .url = "https://example.com/"};
//   Result<flowkit::HttpResponse> response = (*client)->Perform(request);
//
// Any HTTP status is a successful response: deciding what a 404 means is the caller's business.
// A request fails (non-OK status naming the method, URL and reason) when no response arrives:
//   kInvalidArgument    malformed URL, a scheme other than http/https, too many redirects
//   kPermissionDenied   the address is refused by deny_private_addresses
//   kTooLarge           the response body exceeds max_response_bytes
//   kDeadlineExceeded   the request took longer than its timeout
//   kUnavailable        DNS, connection, TLS or protocol failure (retryable)
//   kCancelled          the client was destroyed with the request in flight
//
// Threading: every method is thread-safe. Callbacks of Start run on the client's I/O thread: they
// must not block and must not call Perform (that would wait for the thread running it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flowkit/status.h"

namespace flowkit {

// Header names and values in order; names compare case-insensitively.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The value of the first header named `name` (case-insensitive), or null.
const std::string* FindHttpHeader(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";  // any token; sent as given
  std::string url;             // absolute http:// or https:// URL
  // Sent in order. The client adds only Host, Content-Length and, unless given, User-Agent,
  // Accept (*/*) and Accept-Encoding; no Content-Type and no Expect is invented for a body.
  HttpHeaders headers;
  std::string body;  // bytes; sent when non-empty, or always for POST, PUT and PATCH
  // 0 = HttpClientOptions::timeout_ms. Covers connecting, sending and receiving.
  int64_t timeout_ms = 0;
  // 0 = HttpClientOptions::max_response_bytes.
  size_t max_response_bytes = 0;
  bool follow_redirects = true;
  int max_redirects = -1;  // -1 = HttpClientOptions::max_redirects
};

struct HttpResponse {
  int status = 0;
  // As received from the final response (after redirects); names lower-cased.
  HttpHeaders headers;
  std::string body;           // decoded (gzip/deflate undone)
  std::string effective_url;  // the URL that answered, after redirects
};

using HttpCallback = std::function<void(Result<HttpResponse>)>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Sends `request` in the background. Fails now (and never calls back) when the client is shut
  // down or could not start; otherwise calls `done` exactly once, on the I/O thread, with the
  // response or the error.
  virtual Status Start(HttpRequest request, HttpCallback done) = 0;

  // Sends `request` and waits for the outcome. REQUIRES: not called from a Start callback.
  Result<HttpResponse> Perform(HttpRequest request);
};

struct HttpClientOptions {
  // Verify the server's certificate chain and host name for https. Default: true. Turning it
  // off makes https no safer than http; it exists for development against self-signed servers
  // (prefer ca_file).
  bool verify_tls = true;
  // PEM file of the certificate authorities to trust; empty = the system's bundle.
  std::string ca_file;
  // Refuse to connect to loopback, private (RFC 1918, fc00::/7), carrier-grade NAT, link-local,
  // unspecified, multicast and reserved addresses, IPv4-mapped IPv6 forms included. Checked on
  // the address each connection actually goes to, after DNS resolution and on every redirect, so
  // a public name resolving to 127.0.0.1 is refused too. Protects servers that run flows written
  // by untrusted users from reaching internal services (SSRF). With a proxy configured, the check
  // applies to the proxy's address (the proxy resolves the target). Default: false.
  bool deny_private_addresses = false;
  int64_t timeout_ms = 30000;          // per request, unless the request says otherwise
  int64_t connect_timeout_ms = 10000;  // per connection attempt, within timeout_ms
  size_t max_response_bytes = 64 << 20;
  int max_redirects = 10;
  std::string user_agent;  // empty = "flowkit/<version>"
  // Open connections at most (all hosts); 0 = no limit. Requests beyond it wait for a connection.
  size_t max_connections = 256;
  // Idle connections kept for reuse.
  size_t max_idle_connections = 64;
};

// The libcurl client: one I/O thread runs every request of the client on a libuv loop (curl's
// multi interface), so requests in flight cost no threads; connections are reused across
// requests; proxies come from the environment (http_proxy, https_proxy, no_proxy, as curl reads
// them). Destroying it fails the requests in flight with kCancelled and joins the thread.
// Errors: kInvalidArgument for bad options (an unreadable ca_file), kInternal when curl or libuv
// cannot be set up.
Result<std::unique_ptr<HttpClient>> NewCurlHttpClient(HttpClientOptions options);

// The process-wide client with default options, made on first use. What Context::http() answers
// when the Context has no client of its own. Never destroyed.
HttpClient& DefaultHttpClient();

}  // namespace flowkit
