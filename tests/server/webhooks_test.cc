// flowkitd black-box: webhooks answered by http.Response, immediate answers, enqueueOnly, limits.
#include <gtest/gtest.h>

#include <thread>

#include "server/test_server.h"

namespace flowkit::server::testing {
namespace {

// WebhookTrigger (waiting) → Response echoing {got: data.name} with status 201 and a header.
Json EchoFlow() {
  Result<Json> flow = Json::Parse(R"({
    "hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}},
    "reply": {
      "type": "appmixer.utils.http.Response",
      "source": {"in": {"hook": ["request"]}},
      "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {
        "body": {"got": "{{{$.hook.request.data.name}}}", "method": "{{{$.hook.request.method}}}"},
        "statusCode": 201,
        "headers": {"X-Flow": "echo"}
      }}}}}}
    }
  })");
  return *flow;
}

std::string StartFlow(TestServer& server, const std::string& token, const Json& flow) {
  const TestClient& http = server.client();
  HttpResult created = http.Post("/flows", Json::MakeObject({{"name", Json("hook")}, {"flow", flow}}), token);
  EXPECT_EQ(created.status, 201) << created.body;
  std::string id = created.json()["flowId"].AsString();
  HttpResult started = http.Post("/flows/" + id + "/coordinator", Json::MakeObject({{"command", Json("start")}}), token);
  EXPECT_EQ(started.status, 200) << started.body;
  return id;
}

TEST(ServerWebhooks, ResponseComponentAnswersTheRequest) {
  TestServer server;
  std::string token = server.CreateUser("hook@example.com");
  std::string id = StartFlow(server, token, EchoFlow());
  const TestClient& http = server.client();
  // No token: the URL is the capability.
  HttpResult answer = http.Post("/flows/" + id + "/components/hook", Json::MakeObject({{"name", Json("Ada")}}));
  ASSERT_EQ(answer.status, 201) << answer.body;
  EXPECT_EQ(answer.json()["got"].AsString(), "Ada");
  EXPECT_EQ(answer.json()["method"].AsString(), "POST");
  EXPECT_EQ(answer.headers["x-flow"], "echo");
  // Many in parallel, each answered with its own data.
  std::vector<std::thread> threads;
  std::vector<std::string> got(8);
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] {
      HttpResult r = http.Post("/flows/" + id + "/components/hook", Json::MakeObject({{"name", Json("n" + std::to_string(i))}}));
      got[i] = r.json()["got"].AsString();
    });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], "n" + std::to_string(i));
}

TEST(ServerWebhooks, ImmediateResponseEchoesTheBody) {
  TestServer server;
  std::string token = server.CreateUser("imm@example.com");
  Json flow = *Json::Parse(R"({"hook": {"type": "appmixer.utils.http.WebhookTrigger"}})");
  std::string id = StartFlow(server, token, flow);
  HttpResult answer = server.client().Post("/flows/" + id + "/components/hook", Json::MakeObject({{"a", Json(1)}}));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.json(), Json::MakeObject({{"a", Json(1)}}));
}

TEST(ServerWebhooks, EnqueueOnlyAnswers202) {
  TestServer server;
  std::string token = server.CreateUser("enq@example.com");
  std::string id = StartFlow(server, token, EchoFlow());
  HttpResult answer =
      server.client().Post("/flows/" + id + "/components/hook?enqueueOnly=true", Json::MakeObject({{"name", Json("x")}}));
  EXPECT_EQ(answer.status, 202) << answer.body;
}

TEST(ServerWebhooks, StoppedOrUnknownFlowsAnswer404AndBadBodies400) {
  TestServer server;
  std::string token = server.CreateUser("stop@example.com");
  const TestClient& http = server.client();
  std::string id = http.Post("/flows", Json::MakeObject({{"flow", EchoFlow()}}), token).json()["flowId"].AsString();
  EXPECT_EQ(http.Post("/flows/" + id + "/components/hook", Json::MakeObject()).status, 404);  // stopped
  EXPECT_EQ(http.Post("/flows/nope/components/hook", Json::MakeObject()).status, 404);
  ASSERT_EQ(http.Post("/flows/" + id + "/coordinator", Json::MakeObject({{"command", Json("start")}}), token).status, 200);
  EXPECT_EQ(http.Post("/flows/" + id + "/components/ghost", Json::MakeObject()).status, 404);
  HttpResult malformed = http.Request("POST", "/flows/" + id + "/components/hook", "{oops", {}, {"Content-Type: application/json"});
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.json()["message"].AsString().find("malformed JSON"), std::string::npos);
  // Oversized webhook body (limit 1 MiB): 413, and the server stays up.
  std::string big(2 * 1024 * 1024, 'x');
  HttpResult too_big = http.Request("POST", "/flows/" + id + "/components/hook", big, {}, {"Content-Type: text/plain"});
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(http.Get("/healthz").status, 200);
  EXPECT_EQ(http.Post("/flows/" + id + "/components/hook", Json::MakeObject({{"name", Json("ok")}})).status, 201);
}

TEST(ServerWebhooks, TimesOutWith504WithoutAResponse) {
  ServerOptions options = MemoryOptions();
  options.webhook_timeout_ms = 300;
  TestServer server(options);
  std::string token = server.CreateUser("slow@example.com");
  Json flow = *Json::Parse(R"({"hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}}})");
  std::string id = StartFlow(server, token, flow);
  HttpResult answer = server.client().Post("/flows/" + id + "/components/hook", Json::MakeObject());
  EXPECT_EQ(answer.status, 504) << answer.body;
}

TEST(ServerWebhooks, ResponseParsesTextHeadersAndJsonBodies) {
  TestServer server;
  std::string token = server.CreateUser("text@example.com");
  Json flow = *Json::Parse(R"({
    "hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}},
    "reply": {"type": "appmixer.utils.http.Response", "source": {"in": {"hook": ["request"]}},
      "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {
        "body": "{\"n\": 7}", "headers": "{\"Content-type\": \"application/json\"}"}}}}}}}
  })");
  std::string id = StartFlow(server, token, flow);
  HttpResult answer = server.client().Post("/flows/" + id + "/components/hook", Json::MakeObject());
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.json(), Json::MakeObject({{"n", Json(7)}}));
}

}  // namespace
}  // namespace flowkit::server::testing
