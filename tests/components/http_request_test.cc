// appmixer.utils.http.Get, Post, Put, Patch, Delete and Uptime (appmixer-utils.md §2.3) in the
// component harness against a loopback server: output shapes, bodies (JSON, text, base64,
// form-urlencoded, multipart, binary from the file store), query parameters, error codes (4xx
// final, 5xx and network errors retried) and Uptime's up/down transitions.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "flowkit/builtins.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"
#include "http/loopback.h"

namespace flowkit {
namespace {

using http_test::LoopbackServer;
using testing::ComponentHarness;
using testing::HarnessOptions;

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

class HttpRequests : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RegisterBuiltinComponents(registry_).ok());
    ASSERT_TRUE(server_.ok());
  }

  std::unique_ptr<ComponentHarness> Harness(std::string_view type, HarnessOptions options = {}) {
    auto h = ComponentHarness::Create(registry_, std::string("appmixer.utils.http.") + std::string(type),
                                      std::move(options));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(*h) : nullptr;
  }

  // Sends `content` through `type` and returns the one message it answered on `response`.
  Json Call(std::string_view type, Json content) {
    auto h = Harness(type);
    Status s = h->Receive("in", std::move(content));
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(h->sent().size(), 1u);
    if (h->sent().size() != 1) return Json::Undefined();
    EXPECT_EQ(h->sent()[0].port, "response");
    return h->sent()[0].content;
  }

  Json Echo(const Json& output) { return output["body"]; }

  ComponentRegistry registry_;
  LoopbackServer server_;
};

TEST_F(HttpRequests, GetAnswersAppmixersResponseShape) {
  Json out = Call("Get", Json::MakeObject({{"url", Json(server_.url("/echo"))},
                                           {"headers", Json(R"({"X-Token": "abc"})")},
                                           {"body", Json(R"({"q": "a b", "list": [1, 2], "n": null})")}}));
  EXPECT_EQ(out["statusCode"].AsInt(), 200);
  // content-type parsed into {type, parameters}; names lower-case; set-cookie an array.
  EXPECT_EQ(out["headers"]["content-type"], J(R"({"type": "application/json", "parameters": {"charset": "utf-8"}})"));
  EXPECT_EQ(out["headers"]["x-reply"].AsString(), "yes");
  EXPECT_EQ(out["headers"]["set-cookie"], J(R"(["a=1", "b=2"])"));
  EXPECT_EQ(out["request"]["method"].AsString(), "get");
  EXPECT_EQ(out["request"]["headers"]["X-Token"].AsString(), "abc");
  // GET sends the body as query parameters, axios style.
  const std::string uri = out["request"]["uri"].AsString();
  EXPECT_EQ(uri, server_.url("/echo?q=a+b&list[]=1&list[]=2"));
  Json echo = Echo(out);
  ASSERT_TRUE(echo.IsObject()) << "a JSON body is parsed: " << out.Dump();
  EXPECT_EQ(echo["method"].AsString(), "GET");
  EXPECT_EQ(echo["target"].AsString(), "/echo?q=a+b&list[]=1&list[]=2");
  EXPECT_EQ(echo["headers"]["x-token"].AsString(), "abc");
  EXPECT_EQ(echo["body"].AsString(), "");
}

TEST_F(HttpRequests, NonJsonBodiesStayText) {
  Json out = Call("Get", Json::MakeObject({{"url", Json(server_.url("/text"))}}));
  EXPECT_EQ(out["body"], Json("plain words"));
  EXPECT_EQ(out["headers"]["content-type"]["type"].AsString(), "text/plain");
}

TEST_F(HttpRequests, ResponseEncodingBase64) {
  Json out = Call("Get", Json::MakeObject({{"url", Json(server_.url("/bytes"))}, {"responseEncoding", Json("base64")}}));
  std::string expected;
  for (int i = 0; i < 256; ++i) expected.push_back(static_cast<char>(i));
  // base64 of 0..255 begins "AAECAwQF" and ends "+/w==" ("...fr7/w==").
  ASSERT_TRUE(out["body"].IsString());
  EXPECT_TRUE(out["body"].AsString().starts_with("AAECAwQF")) << out["body"].AsString();
  EXPECT_TRUE(out["body"].AsString().ends_with("/P3+/w==")) << out["body"].AsString();
  auto h = Harness("Get");
  Status bad = h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/bytes"))}, {"responseEncoding", Json("klingon")}}));
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpRequests, PostSendsJsonTextAsJson) {
  Json out = Call("Post", Json::MakeObject({{"url", Json(server_.url("/echo"))}, {"body", Json(R"({"a": 1})")}}));
  Json echo = Echo(out);
  EXPECT_EQ(echo["method"].AsString(), "POST");
  EXPECT_EQ(J(echo["body"].AsString()), J(R"({"a": 1})"));
  EXPECT_EQ(echo["headers"]["content-type"].AsString(), "application/json");
  EXPECT_EQ(out["request"]["method"].AsString(), "post");
  // An object body (not text) is JSON too.
  out = Call("Put", Json::MakeObject({{"url", Json(server_.url("/echo"))}, {"body", J(R"({"b": [true]})")}}));
  EXPECT_EQ(J(Echo(out)["body"].AsString()), J(R"({"b": [true]})"));
  EXPECT_EQ(Echo(out)["method"].AsString(), "PUT");
}

TEST_F(HttpRequests, PlainTextBodyIsSentAsIs) {
  Json out = Call("Patch", Json::MakeObject({{"url", Json(server_.url("/echo"))},
                                             {"headers", J(R"({"Content-Type": "text/plain"})")},
                                             {"body", Json("not json {")}}));
  EXPECT_EQ(Echo(out)["method"].AsString(), "PATCH");
  EXPECT_EQ(Echo(out)["body"].AsString(), "not json {");
  EXPECT_EQ(Echo(out)["headers"]["content-type"].AsString(), "text/plain");
}

TEST_F(HttpRequests, DeleteSendsNoBodyWithoutOne) {
  Json out = Call("Delete", Json::MakeObject({{"url", Json(server_.url("/echo/item/7"))}}));
  EXPECT_EQ(Echo(out)["method"].AsString(), "DELETE");
  EXPECT_EQ(Echo(out)["path"].AsString(), "/echo/item/7");
  EXPECT_EQ(Echo(out)["body"].AsString(), "");
  EXPECT_EQ(out["request"]["method"].AsString(), "delete");
}

TEST_F(HttpRequests, Base64BodyIsSentAsBytes) {
  Json out = Call("Post", Json::MakeObject({{"url", Json(server_.url("/echo"))},
                                            {"body", Json("aGVsbG8gd29ybGQ=")},
                                            {"bodyBase64Encode", Json(true)}}));
  EXPECT_EQ(Echo(out)["body"].AsString(), "hello world");
}

TEST_F(HttpRequests, FormUrlEncodedBodies) {
  Json out = Call("Post", Json::MakeObject({{"url", Json(server_.url("/echo"))},
                                            {"headers", J(R"({"content-type": "application/x-www-form-urlencoded"})")},
                                            {"body", Json(R"({"name": "Jo Do", "tags": ["a", "b"], "o": {"k": "&"}})")}}));
  EXPECT_EQ(Echo(out)["body"].AsString(), "name=Jo%20Do&tags%5B0%5D=a&tags%5B1%5D=b&o%5Bk%5D=%26");
  EXPECT_EQ(Echo(out)["headers"]["content-type"].AsString(), "application/x-www-form-urlencoded");
}

TEST_F(HttpRequests, MultipartFormDataWithAFile) {
  auto h = Harness("Post");
  Result<FileInfo> file = h->files().Save("report.csv", "a,b\n1,2\n", "text/csv");
  ASSERT_TRUE(file.ok());
  Json form = Json::MakeObject(
      {{"ADD", Json::MakeArray({J(R"({"name": "note", "type": "text", "text": "hello"})"),
                                J(R"({"name": "count", "type": "number", "number": 3})"),
                                Json::MakeObject({{"name", Json("doc")},
                                                  {"type", Json("filepicker")},
                                                  {"filepicker", Json(file->file_id)}})})}});
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/echo"))},
                                                 {"bodyType", Json("form-data")},
                                                 {"headers", Json(R"({"X-Form": "1"})")},
                                                 {"bodyFormData", form}}))
                  .ok());
  ASSERT_EQ(h->sent().size(), 1u);
  Json echo = h->sent()[0].content["body"];
  std::string type = echo["headers"]["content-type"].AsString();
  ASSERT_TRUE(type.starts_with("multipart/form-data; boundary=")) << type;
  std::string boundary = type.substr(type.find('=') + 1);
  std::string expected = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n" +
                         "--" + boundary + "\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\n3\r\n" +
                         "--" + boundary +
                         "\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"report.csv\"\r\n"
                         "Content-Type: text/csv\r\n\r\na,b\n1,2\n\r\n" +
                         "--" + boundary + "--\r\n";
  EXPECT_EQ(echo["body"].AsString(), expected);
  EXPECT_EQ(echo["headers"]["x-form"].AsString(), "1");
}

TEST_F(HttpRequests, BinaryBodyFromTheFileStore) {
  auto h = Harness("Put");
  std::string bytes("\x00\x01\xfe\xff binary", 11);
  Result<FileInfo> file = h->files().Save("blob.bin", bytes);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/echo"))},
                                                 {"bodyType", Json("binary")},
                                                 {"fileId", Json(file->file_id)},
                                                 {"headers", Json(R"({"X-Upload": "yes"})")}}))
                  .ok());
  const std::vector<http_test::Recorded> requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const http_test::Recorded& seen = requests[0];
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.body, bytes);
  ASSERT_NE(seen.Header("content-type"), nullptr);
  EXPECT_EQ(*seen.Header("content-type"), "application/octet-stream");
  EXPECT_EQ(*seen.Header("content-length"), std::to_string(bytes.size()));
  EXPECT_EQ(*seen.Header("x-upload"), "yes");
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content["statusCode"].AsInt(), 200);

  // A missing file and unparsable headers fail without sending anything.
  Status missing = h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/echo"))},
                                                      {"bodyType", Json("binary")},
                                                      {"fileId", Json("no-such-file")}}));
  EXPECT_FALSE(missing.ok());
  EXPECT_TRUE(missing.message().starts_with("Failed to send binary data")) << missing.message();
  Status bad_headers = h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/echo"))},
                                                          {"bodyType", Json("binary")},
                                                          {"fileId", Json(file->file_id)},
                                                          {"headers", Json("{not json")}}));
  EXPECT_EQ(bad_headers.code(), StatusCode::kCancelled) << bad_headers.ToString();
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(HttpRequests, ClientErrorsAreFinal) {
  auto h = Harness("Get");
  Status s = h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/status/404"))}}));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_FALSE(s.IsRetryable());
  EXPECT_EQ(s.http_status(), 404);
  EXPECT_EQ(s.message(), "Request failed with status code 404: status 404");
  EXPECT_TRUE(h->sent().empty());
  Status bad = h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/status/400"))}}));
  EXPECT_FALSE(bad.IsRetryable());
  EXPECT_EQ(bad.message(), "Request failed with status code 400: status 400");
}

TEST_F(HttpRequests, ServerAndNetworkErrorsAreRetried) {
  auto h = Harness("Post");
  Status s = h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/status/503"))}, {"body", Json("x")}}));
  EXPECT_TRUE(s.IsRetryable()) << s.ToString();
  EXPECT_EQ(s.message(), "Request failed with status code 503: status 503");
  Status refused = h->Receive("in", Json::MakeObject({{"url", Json("http://127.0.0.1:" + std::to_string(http_test::ClosedPort()) + "/")}}));
  EXPECT_FALSE(refused.ok());
  EXPECT_TRUE(refused.IsRetryable()) << refused.ToString();
  EXPECT_TRUE(h->sent().empty());
}

TEST_F(HttpRequests, BadInputsFailWithoutARequest) {
  auto h = Harness("Get");
  Status headers = h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/echo"))}, {"headers", Json("{oops")}}));
  EXPECT_EQ(headers.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(headers.message().starts_with("Message property 'headers' parse error.")) << headers.message();
  Status scheme = h->Receive("in", Json::MakeObject({{"url", Json("ftp://127.0.0.1/file")}}));
  EXPECT_EQ(scheme.code(), StatusCode::kInvalidArgument) << scheme.ToString();
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(HttpRequests, UsesTheHarnessClientAndItsAddressPolicy) {
  auto guarded = NewCurlHttpClient({.deny_private_addresses = true});
  ASSERT_TRUE(guarded.ok());
  HarnessOptions options;
  options.http_client = std::shared_ptr<HttpClient>(std::move(*guarded));
  auto h = Harness("Get", std::move(options));
  Status s = h->Receive("in", Json::MakeObject({{"url", Json(server_.url("/echo"))}}));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(HttpRequests, UptimeSendsOnlyTransitions) {
  HarnessOptions options;
  options.properties = Json::MakeObject({{"target", Json(server_.url("/uptime"))}});
  auto h = Harness("Uptime", std::move(options));
  ASSERT_TRUE(h->Tick().ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "up");
  EXPECT_EQ(h->sent()[0].content, Json::MakeObject({{"target", Json(server_.url("/uptime"))},
                                                    {"statusCode", Json(200)},
                                                    {"downTimeMs", Json(nullptr)},
                                                    {"downTimeText", Json(nullptr)}}));
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_EQ(h->sent().size(), 1u) << "still up: nothing new";

  server_.SetUptimeStatus(503);
  const int64_t went_down = h->clock().NowMillis() + 60000;
  ASSERT_TRUE(h->AdvanceClock(60000).ok());
  ASSERT_TRUE(h->Tick().ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[1].port, "down");
  EXPECT_EQ(h->sent()[1].content, Json::MakeObject({{"target", Json(server_.url("/uptime"))}, {"statusCode", Json(503)}}));
  EXPECT_EQ(h->state()["monitor"], Json::MakeObject({{"status", Json("down")}, {"t", Json(went_down)}}));
  ASSERT_TRUE(h->AdvanceClock(4 * 60000).ok());
  ASSERT_TRUE(h->Tick().ok());
  EXPECT_EQ(h->sent().size(), 2u) << "still down: nothing new";

  server_.SetUptimeStatus(404);  // any answer below 500 counts as up
  ASSERT_TRUE(h->AdvanceClock(60000).ok());
  ASSERT_TRUE(h->Tick().ok());
  ASSERT_EQ(h->sent().size(), 3u);
  EXPECT_EQ(h->sent()[2].port, "up");
  EXPECT_EQ(h->sent()[2].content["statusCode"].AsInt(), 404);
  EXPECT_EQ(h->sent()[2].content["downTimeMs"].AsInt(), 5 * 60000);
  EXPECT_EQ(h->sent()[2].content["downTimeText"].AsString(), "5 minutes");
  EXPECT_EQ(h->state()["monitor"]["status"].AsString(), "up");
}

TEST_F(HttpRequests, UptimeCountsAnUnreachableTargetAsDown) {
  HarnessOptions options;
  options.properties =
      Json::MakeObject({{"target", Json("http://127.0.0.1:" + std::to_string(http_test::ClosedPort()) + "/")}});
  auto h = Harness("Uptime", std::move(options));
  ASSERT_TRUE(h->Tick().ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "down");
  EXPECT_TRUE(h->sent()[0].content["statusCode"].IsNull());
  EXPECT_EQ(h->state()["monitor"]["status"].AsString(), "down");
}

TEST_F(HttpRequests, UptimeRefusesOtherProtocols) {
  HarnessOptions options;
  options.properties = Json::MakeObject({{"target", Json("ftp://example.com/")}});
  auto h = Harness("Uptime", std::move(options));
  Status s = h->Tick();
  EXPECT_EQ(s.message(), "Unknown protocol ftp:");
  EXPECT_TRUE(h->sent().empty());
}

TEST_F(HttpRequests, DynamicWebhookRegistersOnStartAndUnregistersOnStop) {
  HarnessOptions options;
  options.properties = Json::MakeObject(
      {{"onStartUrl", Json(server_.url("/echo/register"))},
       {"onStartMethod", Json("POST")},
       {"onStartHeaders", Json(R"({"X-Hook": "on"})")},
       {"onStartBody", Json(R"({"target": "https://hooks.example.com/1"})")},
       {"onStopUrl", Json(server_.url("/echo/unregister/{$response.body#/path}"))},
       {"onStopMethod", Json("DELETE")},
       {"onStopHeaders", Json(R"({"X-Was": "{$response.header.x-reply}"})")},
       {"immediateResponse", Json(true)}});
  auto h = Harness("DynamicWebhook", std::move(options));
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(h->state()["response"]["data"]["method"].AsString(), "POST");
  EXPECT_EQ(J(h->state()["response"]["data"]["body"].AsString()), J(R"({"target": "https://hooks.example.com/1"})"));
  EXPECT_EQ(h->state()["response"]["headers"]["x-reply"].AsString(), "yes");

  // Requests arrive as WebhookTrigger's do.
  ASSERT_TRUE(h->Webhook(J(R"({"method": "POST", "data": {"a": 1}, "query": {}, "headers": {}})")).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "request");
  EXPECT_EQ(h->sent()[0].content["data"], J(R"({"a": 1})"));
  ASSERT_TRUE(h->last_response().has_value());
  EXPECT_EQ(h->last_response()->body, J(R"({"a": 1})"));

  ASSERT_TRUE(h->Stop().ok());
  const std::vector<http_test::Recorded> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(*requests[0].Header("x-hook"), "on");
  EXPECT_EQ(requests[1].method, "DELETE");
  EXPECT_EQ(requests[1].path, "/echo/unregister//echo/register") << "the pointer quoted the stored answer";
  ASSERT_NE(requests[1].Header("x-was"), nullptr);
  EXPECT_EQ(*requests[1].Header("x-was"), "yes");
}

// Through an engine: a webhook's data names the URL, Get fetches it, Response answers with what
// came back. The engine's client follows EngineOptions::http.
constexpr std::string_view kFetchFlow = R"({
  "hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}},
  "get": {
    "type": "appmixer.utils.http.Get",
    "source": {"in": {"hook": ["request"]}},
    "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {
      "url": "{{{$.hook.request.data.url}}}"
    }}}}}}
  },
  "reply": {
    "type": "appmixer.utils.http.Response",
    "source": {"in": {"get": ["response"]}},
    "config": {"transform": {"in": {"get": {"response": {"type": "json2new", "lambda": {
      "body": "{{{$.get.response.body}}}", "statusCode": 200
    }}}}}}
  }
})";

class HttpRequestsInEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RegisterBuiltinComponents(*registry_).ok());
    ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers_).ok());
    ASSERT_TRUE(server_.ok());
  }

  // Runs the fetch flow on one webhook request for `url`; returns the answer's status and body.
  std::pair<int, Json> Fetch(HttpClientOptions http, const std::string& url, std::vector<DeadLetter>* dead) {
    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.workers = 2;
    options.http = http;
    options.webhook_timeout_ms = 3000;
    options.retry.max_attempts = 3;
    options.retry.initial_delay_ms = 10;
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    if (!engine.ok()) return {-1, Json()};
    auto flow = Flow::Parse(R"({"name":"fetch","flow":)" + std::string(kFetchFlow) + "}", *registry_, *modifiers_);
    EXPECT_TRUE(flow.ok()) << flow.status().ToString();
    if (!flow.ok()) return {-1, Json()};
    auto id = (*engine)->LoadFlow(*flow);
    EXPECT_TRUE(id.ok());
    EXPECT_TRUE((*engine)->StartFlow(*id).ok());
    auto promise = std::make_shared<std::promise<WebhookResponse>>();
    auto answer = promise->get_future();
    WebhookRequest request;
    request.data = Json::MakeObject({{"url", Json(url)}});
    EXPECT_TRUE((*engine)
                    ->SubmitWebhook(*id, "hook", std::move(request),
                                    [promise](WebhookResponse r) { promise->set_value(std::move(r)); })
                    .ok());
    if (answer.wait_for(std::chrono::seconds(20)) != std::future_status::ready) return {-1, Json()};
    WebhookResponse r = answer.get();
    EXPECT_TRUE((*engine)->WaitIdle(50, 10000));
    *dead = (*engine)->DeadLetters();
    return {r.status, r.body};
  }

  std::shared_ptr<ComponentRegistry> registry_ = std::make_shared<ComponentRegistry>();
  std::shared_ptr<ModifierRegistry> modifiers_ = std::make_shared<ModifierRegistry>();
  LoopbackServer server_;
};

TEST_F(HttpRequestsInEngine, GetFetchesThroughTheEnginesClient) {
  std::vector<DeadLetter> dead;
  auto [status, body] = Fetch({}, server_.url("/echo/engine"), &dead);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["method"].AsString(), "GET") << body.Dump();
  EXPECT_EQ(body["path"].AsString(), "/echo/engine");
  EXPECT_TRUE(dead.empty());
}

TEST_F(HttpRequestsInEngine, DeniedAddressIsAFinalDeadLetter) {
  std::vector<DeadLetter> dead;
  auto [status, body] = Fetch({.deny_private_addresses = true}, server_.url("/echo/engine"), &dead);
  EXPECT_EQ(status, 504) << "nothing answered the webhook";
  EXPECT_EQ(server_.request_count(), 0u);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].component_id, "get");
  EXPECT_EQ(dead[0].attempts, 1) << "a denied address is not retried";
  EXPECT_EQ(dead[0].error.code(), StatusCode::kPermissionDenied) << dead[0].error.ToString();
}

TEST_F(HttpRequestsInEngine, ServerErrorsAreRetriedUntilDeadLettered) {
  std::vector<DeadLetter> dead;
  auto [status, body] = Fetch({}, server_.url("/status/502"), &dead);
  EXPECT_EQ(status, 504);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts, 3);
  EXPECT_EQ(server_.request_count(), 3u);
  EXPECT_EQ(dead[0].error.message(), "Request failed with status code 502: status 502");
}

}  // namespace
}  // namespace flowkit
