// The libcurl HttpClient against loopback servers: methods, headers, bodies, redirects,
// timeouts, size limits, connection reuse, many requests in flight, shutdown, URL schemes, the
// private-address option and TLS verification.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <vector>

#include "flowkit/http_client.h"
#include "http/address_policy.h"
#include "http/loopback.h"

namespace flowkit {
namespace {

using http_test::LoopbackServer;
using http_test::RawServer;
using http_test::SelfSigned;

std::unique_ptr<HttpClient> NewClient(HttpClientOptions options = {}) {
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(std::move(options));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(*client) : nullptr;
}

Json BodyJson(const HttpResponse& response) {
  Result<Json> parsed = Json::Parse(response.body);
  EXPECT_TRUE(parsed.ok()) << response.body;
  return parsed.ok() ? std::move(*parsed) : Json();
}

TEST(HttpClient, SendsMethodsHeadersAndBodies) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  auto client = NewClient();
  for (std::string method : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    HttpRequest request{.method = method, .url = server.url("/echo/" + method)};
    request.headers = {{"X-Test", "value " + method}, {"Content-Type", "text/plain"}};
    if (method != "GET" && method != "OPTIONS") request.body = "body of " + method;
    Result<HttpResponse> response = client->Perform(request);
    ASSERT_TRUE(response.ok()) << method << ": " << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    Json echo = BodyJson(*response);
    EXPECT_EQ(echo["method"].AsString(), method);
    EXPECT_EQ(echo["path"].AsString(), "/echo/" + method);
    EXPECT_EQ(echo["headers"]["x-test"].AsString(), "value " + method);
    EXPECT_EQ(echo["body"].AsString(), request.body);
    EXPECT_TRUE(echo["headers"]["user-agent"].AsString().starts_with("flowkit/"));
  }
}

TEST(HttpClient, InventsNoContentTypeAndNoExpectForBodies) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  auto client = NewClient();
  // Past curl's 1 KiB threshold for "Expect: 100-continue".
  HttpRequest request{.method = "POST", .url = server.url("/echo"), .body = std::string(100000, 'b')};
  Result<HttpResponse> response = client->Perform(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  Json echo = BodyJson(*response);
  EXPECT_EQ(echo["body"].AsString().size(), 100000u);
  EXPECT_TRUE(echo["headers"]["content-type"].IsUndefined()) << echo["headers"].Dump();
  EXPECT_TRUE(echo["headers"]["expect"].IsUndefined()) << echo["headers"].Dump();
  // An empty POST still is a POST with Content-Length 0.
  response = client->Perform({.method = "POST", .url = server.url("/echo")});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(BodyJson(*response)["method"].AsString(), "POST");
  EXPECT_EQ(BodyJson(*response)["headers"]["content-length"].AsString(), "0");
}

TEST(HttpClient, ReturnsStatusesAndLowerCasedHeaders) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  auto client = NewClient();
  for (int status : {201, 404, 500, 503}) {
    Result<HttpResponse> response = client->Perform({.url = server.url("/status/" + std::to_string(status))});
    ASSERT_TRUE(response.ok()) << "an HTTP error status is a response, not a failure";
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(BodyJson(*response)["message"].AsString(), "status " + std::to_string(status));
  }
  Result<HttpResponse> response = client->Perform({.url = server.url("/echo")});
  ASSERT_TRUE(response.ok());
  ASSERT_NE(FindHttpHeader(response->headers, "X-REPLY"), nullptr);
  EXPECT_EQ(*FindHttpHeader(response->headers, "x-reply"), "yes");
  int cookies = 0;
  for (const auto& [name, value] : response->headers) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
    if (name == "set-cookie") ++cookies;
  }
  EXPECT_EQ(cookies, 2);
}

TEST(HttpClient, FollowsRedirectsUpToTheLimit) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  auto client = NewClient();
  Result<HttpResponse> followed = client->Perform({.url = server.url("/redirect/3")});
  ASSERT_TRUE(followed.ok()) << followed.status().ToString();
  EXPECT_EQ(followed->status, 200);
  EXPECT_EQ(followed->body, "done");
  EXPECT_EQ(followed->effective_url, server.url("/redirect/0"));

  Result<HttpResponse> too_many = client->Perform({.url = server.url("/redirect/3"), .max_redirects = 2});
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_many.status().message().find("too many redirects"), std::string::npos);

  Result<HttpResponse> not_followed = client->Perform({.url = server.url("/redirect/3"), .follow_redirects = false});
  ASSERT_TRUE(not_followed.ok());
  EXPECT_EQ(not_followed->status, 302);
  EXPECT_EQ(*FindHttpHeader(not_followed->headers, "location"), "/redirect/2");
}

TEST(HttpClient, TimesOutWithDeadlineExceeded) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  auto client = NewClient();
  Result<HttpResponse> response = client->Perform({.url = server.url("/hang"), .timeout_ms = 200});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(response.status().IsRetryable());
  EXPECT_NE(response.status().message().find(server.url("/hang")), std::string::npos) << response.status().message();
}

TEST(HttpClient, RefusesResponsesOverTheSizeLimit) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  auto client = NewClient({.max_response_bytes = 1000});
  // Announced by Content-Length.
  Result<HttpResponse> big = client->Perform({.url = server.url("/big/5000")});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kTooLarge);
  EXPECT_NE(big.status().message().find("1000 bytes"), std::string::npos) << big.status().message();
  Result<HttpResponse> fits = client->Perform({.url = server.url("/big/1000")});
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->body.size(), 1000u);
  // Per request, and without a Content-Length (read until the server closes).
  RawServer raw("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(5000, 'y'));
  Result<HttpResponse> streamed =
      client->Perform({.url = "http://127.0.0.1:" + std::to_string(raw.port()) + "/", .max_response_bytes = 100});
  ASSERT_FALSE(streamed.ok());
  EXPECT_EQ(streamed.status().code(), StatusCode::kTooLarge);
  Result<HttpResponse> whole =
      client->Perform({.url = "http://127.0.0.1:" + std::to_string(raw.port()) + "/", .max_response_bytes = 5000});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->body, std::string(5000, 'y'));
}

TEST(HttpClient, ReusesOneConnectionForSequentialRequests) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  auto client = NewClient();
  for (int i = 0; i < 5; ++i) {
    Result<HttpResponse> response = client->Perform({.url = server.url("/echo/" + std::to_string(i))});
    ASSERT_TRUE(response.ok());
  }
  EXPECT_EQ(server.request_count(), 5u);
  EXPECT_EQ(server.connections_accepted(), 1u);
}

TEST(HttpClient, RunsManyRequestsAtOnceOnItsOneThread) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  auto client = NewClient();
  // The server answers none of them until all 40 are waiting: only a client with every request
  // in flight at once gets answers (a serial one would time out).
  constexpr int kRequests = 40;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Result<HttpResponse>> results;
  for (int i = 0; i < kRequests; ++i) {
    Status started = client->Start({.url = server.url("/gate/40"), .timeout_ms = 20000},
                                   [&](Result<HttpResponse> result) {
                                     std::lock_guard<std::mutex> lock(mu);
                                     results.push_back(std::move(result));
                                     cv.notify_all();
                                   });
    ASSERT_TRUE(started.ok());
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return results.size() == kRequests; });
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->body, "released");
  }
}

TEST(HttpClient, FailsRequestsInFlightWithCancelledWhenDestroyed) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  auto client = NewClient();
  std::mutex mu;
  std::vector<Status> outcomes;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client->Start({.url = server.url("/hang")}, [&](Result<HttpResponse> result) {
                        std::lock_guard<std::mutex> lock(mu);
                        outcomes.push_back(result.status());
                      }).ok());
  }
  ASSERT_TRUE(server.WaitForRequests(3));
  client.reset();  // joins the I/O thread: every callback has run
  ASSERT_EQ(outcomes.size(), 3u);
  for (const Status& s : outcomes) {
    EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
    EXPECT_NE(s.message().find("shutting down"), std::string::npos);
  }
}

TEST(HttpClient, RefusesOtherSchemesAndMalformedUrls) {
  auto client = NewClient();
  for (std::string url : {"ftp://127.0.0.1/x", "file:///etc/passwd", "gopher://127.0.0.1/", "http://[::1/"}) {
    Result<HttpResponse> response = client->Perform({.url = url});
    ASSERT_FALSE(response.ok()) << url;
    EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument) << url << ": " << response.status().ToString();
    EXPECT_FALSE(response.status().IsRetryable());
    EXPECT_NE(response.status().message().find(url), std::string::npos) << response.status().message();
  }
  Result<HttpResponse> bad_header = client->Perform({.url = "http://127.0.0.1/", .headers = {{"X-Bad", "a\r\nInjected: 1"}}});
  ASSERT_FALSE(bad_header.ok());
  EXPECT_EQ(bad_header.status().code(), StatusCode::kInvalidArgument);
}

TEST(HttpClient, ConnectionRefusedIsRetryable) {
  auto client = NewClient();
  Result<HttpResponse> response =
      client->Perform({.url = "http://127.0.0.1:" + std::to_string(http_test::ClosedPort()) + "/"});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable) << response.status().ToString();
  EXPECT_TRUE(response.status().IsRetryable());
}

TEST(HttpClient, DeniesPrivateAddressesOnlyWhenAsked) {
  LoopbackServer server;
  ASSERT_TRUE(server.ok());
  const std::string port = std::to_string(server.port());
  auto open = NewClient();
  auto guarded = NewClient({.deny_private_addresses = true});
  // Names and literals resolving to loopback, IPv4-mapped IPv6 included: reachable when off.
  for (std::string host : {"127.0.0.1", "localhost", "[::ffff:127.0.0.1]"}) {
    std::string url = "http://" + host + ":" + port + "/echo";
    Result<HttpResponse> allowed = open->Perform({.url = url});
    ASSERT_TRUE(allowed.ok()) << url << ": " << allowed.status().ToString();
    EXPECT_EQ(allowed->status, 200);
  }
  const size_t reached = server.request_count();
  struct Case {
    std::string host;
    std::string address;  // what the error names
  };
  for (const Case& c : std::vector<Case>{{"127.0.0.1", "127.0.0.1 (loopback)"},
                                         {"localhost", "(loopback)"},
                                         {"[::1]", "::1 (loopback)"},
                                         {"[::ffff:127.0.0.1]", "::ffff:127.0.0.1 (loopback)"},
                                         {"10.1.2.3", "10.1.2.3 (private)"},
                                         {"192.168.0.1", "192.168.0.1 (private)"},
                                         {"169.254.169.254", "169.254.169.254 (link-local)"},
                                         {"[fe80::1]", "fe80::1 (link-local)"},
                                         {"[fd00::1]", "fd00::1 (private)"},
                                         {"0.0.0.0", "0.0.0.0 (unspecified)"}}) {
    std::string url = "http://" + c.host + ":" + port + "/echo";
    Result<HttpResponse> denied = guarded->Perform({.url = url, .timeout_ms = 5000});
    ASSERT_FALSE(denied.ok()) << url;
    EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied) << url << ": " << denied.status().ToString();
    EXPECT_FALSE(denied.status().IsRetryable());
    EXPECT_NE(denied.status().message().find(c.address), std::string::npos) << denied.status().message();
    EXPECT_NE(denied.status().message().find("deny_private_addresses"), std::string::npos);
  }
  EXPECT_EQ(server.request_count(), reached) << "a denied request reached the server";
}

TEST(AddressPolicy, ClassifiesAddresses) {
  auto v4 = [](const char* text) {
    in_addr a{};
    EXPECT_EQ(inet_pton(AF_INET, text, &a), 1) << text;
    return std::string(http::NonPublicIPv4Reason(ntohl(a.s_addr)));
  };
  auto v6 = [](const char* text) {
    in6_addr a{};
    EXPECT_EQ(inet_pton(AF_INET6, text, &a), 1) << text;
    uint8_t bytes[16];
    std::memcpy(bytes, a.s6_addr, 16);
    return std::string(http::NonPublicIPv6Reason(bytes));
  };
  for (const char* pub : {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0",
                          "169.253.255.255", "11.0.0.0", "223.255.255.255"}) {
    EXPECT_EQ(v4(pub), "") << pub;
  }
  EXPECT_EQ(v4("127.0.0.1"), "loopback");
  EXPECT_EQ(v4("127.255.255.254"), "loopback");
  EXPECT_EQ(v4("10.0.0.1"), "private");
  EXPECT_EQ(v4("172.16.0.1"), "private");
  EXPECT_EQ(v4("172.31.255.255"), "private");
  EXPECT_EQ(v4("192.168.1.1"), "private");
  EXPECT_EQ(v4("100.64.0.1"), "carrier-grade NAT");
  EXPECT_EQ(v4("169.254.169.254"), "link-local");
  EXPECT_EQ(v4("0.0.0.0"), "unspecified");
  EXPECT_EQ(v4("0.1.2.3"), "unspecified");
  EXPECT_EQ(v4("224.0.0.1"), "multicast");
  EXPECT_EQ(v4("255.255.255.255"), "reserved");

  for (const char* pub : {"2606:4700:4700::1111", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808",
                          "2002:808:808::1"}) {
    EXPECT_EQ(v6(pub), "") << pub;
  }
  EXPECT_EQ(v6("::"), "unspecified");
  EXPECT_EQ(v6("::1"), "loopback");
  EXPECT_EQ(v6("::ffff:127.0.0.1"), "loopback");
  EXPECT_EQ(v6("::ffff:10.0.0.1"), "private");
  EXPECT_EQ(v6("::ffff:169.254.1.1"), "link-local");
  EXPECT_EQ(v6("::127.0.0.1"), "loopback");  // IPv4-compatible
  EXPECT_EQ(v6("64:ff9b::7f00:1"), "loopback");  // NAT64 of 127.0.0.1
  EXPECT_EQ(v6("2002:a00:1::"), "private");      // 6to4 of 10.0.0.1
  EXPECT_EQ(v6("fc00::1"), "private");
  EXPECT_EQ(v6("fdff:ffff::1"), "private");
  EXPECT_EQ(v6("fe80::1"), "link-local");
  EXPECT_EQ(v6("febf::1"), "link-local");
  EXPECT_EQ(v6("ff02::1"), "multicast");
}

TEST(HttpClientTls, RefusesAnUntrustedCertificateByDefault) {
  SelfSigned cert;
  ASSERT_TRUE(cert.ok());
  RawServer server("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret", &cert);
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
  auto client = NewClient();
  Result<HttpResponse> refused = client->Perform({.url = url});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("TLS failed"), std::string::npos) << refused.status().message();
  EXPECT_EQ(server.requests_read(), 0) << "the request was sent over an unverified connection";
}

TEST(HttpClientTls, AcceptsTheCertificateWithItsCaFile) {
  SelfSigned cert;
  ASSERT_TRUE(cert.ok());
  RawServer server("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret", &cert);
  auto client = NewClient({.ca_file = cert.cert_path});
  Result<HttpResponse> response = client->Perform({.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "secret");
  // Verification off accepts it too (the documented development escape hatch).
  auto unverified = NewClient({.verify_tls = false});
  Result<HttpResponse> again = unverified->Perform({.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/"});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->body, "secret");
}

TEST(HttpClient, RejectsAnUnreadableCaFile) {
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient({.ca_file = "/nonexistent/ca.pem"});
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(client.status().message().find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace flowkit
