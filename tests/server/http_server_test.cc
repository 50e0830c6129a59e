// The HTTP server on raw sockets: keep-alive, pipelining, chunked bodies, limits (413, 431,
// 408), malformed requests, answers from other threads, and per-user rate limits.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "http/http_server.h"
#include "server/test_server.h"

namespace flowkit::server {
namespace {

class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }
  void Send(std::string_view bytes) { (void)!write(fd_, bytes.data(), bytes.size()); }
  // Reads until `count` complete responses (by Content-Length) arrived or the peer closed.
  std::string ReadResponses(int count) {
    std::string out;
    char buffer[65536];
    while (Complete(out) < count) {
      ssize_t n = read(fd_, buffer, sizeof(buffer));
      if (n <= 0) break;
      out.append(buffer, static_cast<size_t>(n));
    }
    return out;
  }
  // Whether the server closed the connection (read returns 0) within 5 s.
  bool Closed() {
    char buffer[4096];
    for (;;) {
      ssize_t n = read(fd_, buffer, sizeof(buffer));
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }

 private:
  static int Complete(const std::string& text) {
    int complete = 0;
    size_t at = 0;
    for (;;) {
      size_t end = text.find("\r\n\r\n", at);
      if (end == std::string::npos) return complete;
      size_t cl = text.find("Content-Length: ", at);
      if (cl == std::string::npos || cl > end) return complete;
      size_t length = std::stoul(text.substr(cl + 16));
      if (text.size() < end + 4 + length) return complete;
      at = end + 4 + length;
      ++complete;
    }
  }
  int fd_ = -1;
  bool connected_ = false;
};

// Counts /later requests handed to the handler, so a test can wait until one is in flight
// instead of guessing with a sleep (sanitizer builds are slow to accept and parse).
std::atomic<int> later_requests{0};

// Echoes method, path and body; answers from another thread when the path says so.
std::unique_ptr<HttpServer> EchoServer(HttpServerOptions options = {}) {
  auto started = HttpServer::Start(std::move(options), [](HttpRequest&& request, std::shared_ptr<Responder> responder) {
    std::string text = request.method + " " + request.path + " " + request.body;
    if (request.path == "/later") {
      later_requests.fetch_add(1);
      std::thread([responder, text] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        responder->Reply(HttpResponse::WithText(200, text));
      }).detach();
      return;
    }
    if (request.path == "/drop") return;  // the responder is dropped unanswered → 500
    responder->Reply(HttpResponse::WithText(200, text));
  });
  EXPECT_TRUE(started.ok());
  return std::move(*started);
}

TEST(HttpServer, KeepAliveAndPipelinedRequestsAnswerInOrder) {
  auto server = EchoServer();
  RawClient client(server->port());
  ASSERT_TRUE(client.connected());
  client.Send("GET /later HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string out = client.ReadResponses(3);
  size_t first = out.find("GET /later ");
  size_t second = out.find("POST /b abc");
  size_t third = out.find("GET /c ");
  ASSERT_NE(first, std::string::npos) << out;
  ASSERT_NE(second, std::string::npos) << out;
  ASSERT_NE(third, std::string::npos) << out;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(out.find("Connection: keep-alive"), std::string::npos);
}

TEST(HttpServer, ChunkedBodiesAreDechunked) {
  auto server = EchoServer();
  RawClient client(server->port());
  client.Send("POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
  EXPECT_NE(client.ReadResponses(1).find("POST /chunks abcdefg"), std::string::npos);
}

TEST(HttpServer, BodyLimitAnswers413BeforeReadingTheBody) {
  HttpServerOptions options;
  options.max_body_bytes = 1000;
  auto server = EchoServer(options);
  RawClient client(server->port());
  client.Send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
  std::string out = client.ReadResponses(1);
  EXPECT_NE(out.find("HTTP/1.1 413"), std::string::npos) << out;
  EXPECT_NE(out.find("exceeds the limit of 1000 bytes"), std::string::npos) << out;
  // Chunked: counted while reading.
  RawClient chunked(server->port());
  std::string chunk(800, 'x');
  chunked.Send("POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk + "\r\n320\r\n" + chunk + "\r\n");
  EXPECT_NE(chunked.ReadResponses(1).find("HTTP/1.1 413"), std::string::npos);
  EXPECT_EQ(server->Stats().limit_rejections, 2u);
}

TEST(HttpServer, HeaderLimitAnswers431) {
  HttpServerOptions options;
  options.max_header_bytes = 512;
  auto server = EchoServer(options);
  RawClient client(server->port());
  client.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  EXPECT_NE(client.ReadResponses(1).find("HTTP/1.1 431"), std::string::npos);
}

TEST(HttpServer, SlowHeadersAnswer408AndIdleConnectionsClose) {
  HttpServerOptions options;
  options.header_timeout_ms = 300;
  options.idle_timeout_ms = 300;
  auto server = EchoServer(options);
  RawClient slow(server->port());
  slow.Send("GET / HTTP/1.1\r\nHost: x\r\n");  // never finishes its headers
  std::string out = slow.ReadResponses(1);
  EXPECT_NE(out.find("HTTP/1.1 408"), std::string::npos) << out;
  RawClient idle(server->port());
  idle.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(idle.ReadResponses(1).find("200 OK"), std::string::npos);
  EXPECT_TRUE(idle.Closed());
}

TEST(HttpServer, MalformedRequestsAnswer400AndTheServerStaysUp) {
  auto server = EchoServer();
  RawClient bad(server->port());
  bad.Send("THIS IS NOT HTTP\r\n\r\n");
  std::string out = bad.ReadResponses(1);
  EXPECT_NE(out.find("HTTP/1.1 400"), std::string::npos) << out;
  EXPECT_NE(out.find("malformed HTTP request"), std::string::npos) << out;
  RawClient good(server->port());
  good.Send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(good.ReadResponses(1).find("GET /ok"), std::string::npos);
}

TEST(HttpServer, UnansweredRequestsGet500AndStopDrains) {
  auto server = EchoServer();
  RawClient client(server->port());
  client.Send("GET /drop HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(client.ReadResponses(1).find("HTTP/1.1 500"), std::string::npos);
  int before = later_requests.load();
  RawClient waiting(server->port());
  waiting.Send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (later_requests.load() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GT(later_requests.load(), before) << "the server never received /later";
  EXPECT_TRUE(server->Stop(2000));  // waits for /later's answer
  std::string out = waiting.ReadResponses(1);
  EXPECT_NE(out.find("GET /later"), std::string::npos) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
}

TEST(HttpServer, QueryStringsAndPercentDecoding) {
  HeaderList q = ParseQueryString("a=1&b=x%20y&c=p+q&flag&a=2");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[1].second, "x y");
  EXPECT_EQ(q[2].second, "p q");
  EXPECT_EQ(q[3].first, "flag");
  EXPECT_EQ(PercentDecode("%2Fflows%2", false), "/flows%2");
}

TEST(ServerRateLimit, TooManyRequestsGet429WithRetryAfter) {
  ServerOptions options = testing::MemoryOptions();
  options.rate_limit_per_s = 1;
  options.rate_limit_burst = 3;
  testing::TestServer server(options);
  std::string token = server.AdminToken();
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 10; ++i) {
    testing::HttpResult r = server.client().Get("/user", token);
    if (r.status == 429) {
      ++limited;
      retry_after = r.headers["retry-after"];
    }
  }
  EXPECT_GE(limited, 5);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_EQ(server.client().Get("/healthz").status, 200);  // not limited
}

}  // namespace
}  // namespace flowkit::server
