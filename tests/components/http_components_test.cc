// appmixer.utils.http.WebhookTrigger, Webhook (legacy) and Response (appmixer-utils.md §2.3):
// through a real Engine (a webhook request answered by the Response of its own run, immediate
// answers, the legacy response port, parse failures), in the component harness, and their
// manifests against Appmixer's.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "components/builtin_registry.h"
#include "flowkit/builtins.h"
#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"

namespace flowkit {
namespace {

constexpr std::string_view kTrigger = "appmixer.utils.http.WebhookTrigger";
constexpr std::string_view kLegacy = "appmixer.utils.http.Webhook";
constexpr std::string_view kResponse = "appmixer.utils.http.Response";

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

// Records what reaches its `in` port.
class Collect final : public Behaviour {
 public:
  Collect(std::mutex* mu, std::vector<Json>* seen) : mu_(mu), seen_(seen) {}
  Status Receive(Context& ctx) override {
    std::lock_guard<std::mutex> lock(*mu_);
    seen_->push_back(ctx.Input("in")->Content());
    return Status::OK();
  }

 private:
  std::mutex* mu_;
  std::vector<Json>* seen_;
};

class HttpComponents : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(RegisterBuiltinComponents(*registry_).ok());
    ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers_).ok());
    ASSERT_TRUE(
        registry_
            ->Register(*Manifest::Parse(R"({"name":"test.http.core.Collect","inPorts":["in"]})"),
                       [this] { return std::make_unique<Collect>(&mu_, &collected_); })
            .ok());
  }

  std::unique_ptr<Engine> Open(int64_t webhook_timeout_ms = 10000) {
    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.workers = 2;
    options.webhook_timeout_ms = webhook_timeout_ms;
    options.retry.initial_delay_ms = 10;
    options.on_component_error = [this](const Json& event) {
      std::lock_guard<std::mutex> lock(mu_);
      errors_.push_back(event);
    };
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return engine.ok() ? std::move(engine).value() : nullptr;
  }

  // Loads and starts the flow `descriptor` ({componentId: node}); returns its id.
  std::string Start(Engine& engine, std::string_view descriptor) {
    Diagnostics diags;
    auto flow = Flow::Parse(R"({"name":"http","flow":)" + std::string(descriptor) + "}", *registry_,
                            *modifiers_, &diags);
    EXPECT_TRUE(flow.ok()) << flow.status().ToString();
    if (!flow.ok()) return "";
    auto id = engine.LoadFlow(*flow);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return "";
    Status started = engine.StartFlow(*id);
    EXPECT_TRUE(started.ok()) << started.ToString();
    return *id;
  }

  // Submits a request; the future holds the answer (the engine answers exactly once).
  static std::future<WebhookResponse> Submit(Engine& engine, const std::string& flow_id,
                                             std::string_view component_id,
                                             WebhookRequest request) {
    auto promise = std::make_shared<std::promise<WebhookResponse>>();
    std::future<WebhookResponse> answer = promise->get_future();
    Status submitted =
        engine.SubmitWebhook(flow_id, component_id, std::move(request),
                             [promise](WebhookResponse r) { promise->set_value(std::move(r)); });
    EXPECT_TRUE(submitted.ok()) << submitted.ToString();
    if (!submitted.ok())
      promise->set_value(WebhookResponse{-1, Json::MakeObject(), Json::Undefined()});
    return answer;
  }

  static WebhookResponse Await(std::future<WebhookResponse>& answer) {
    if (answer.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer to the webhook";
      return WebhookResponse{-1, Json::MakeObject(), Json::Undefined()};
    }
    return answer.get();
  }

  static WebhookRequest Request(Json data, std::string method = "POST") {
    WebhookRequest request;
    request.method = std::move(method);
    request.data = std::move(data);
    request.hostname = "hooks.example.com";
    return request;
  }

  std::vector<Json> Collected() {
    std::lock_guard<std::mutex> lock(mu_);
    return collected_;
  }
  std::vector<Json> Errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }

  std::unique_ptr<testing::ComponentHarness> Harness(std::string_view type,
                                                     Json properties = Json::MakeObject()) {
    auto h =
        testing::ComponentHarness::Create(*registry_, type, {.properties = std::move(properties)});
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(h).value() : nullptr;
  }

  std::shared_ptr<ComponentRegistry> registry_ = std::make_shared<ComponentRegistry>();
  std::shared_ptr<ModifierRegistry> modifiers_ = std::make_shared<ModifierRegistry>();
  std::mutex mu_;
  std::vector<Json> collected_;
  std::vector<Json> errors_;
};

// ---- through the engine

// WebhookTrigger (waiting) → Response built from the request by variables; a collector sees
// what the trigger sent.
constexpr std::string_view kEchoFlow = R"({
  "hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}},
  "reply": {
    "type": "appmixer.utils.http.Response",
    "source": {"in": {"hook": ["request"]}},
    "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {
      "body": {"got": "{{{$.hook.request.data.name}}}", "method": "{{{$.hook.request.method}}}",
               "page": "{{{$.hook.request.query.page}}}", "agent": "{{{$.hook.request.headers.user-agent}}}"},
      "statusCode": "{{{$.hook.request.data.code}}}",
      "headers": {"X-Name": "{{{$.hook.request.data.name}}}"}
    }}}}}}
  },
  "seen": {"type": "test.http.core.Collect", "source": {"in": {"hook": ["request"]}}}
})";

TEST_F(HttpComponents, WebhookTriggerWaitsForTheResponseOfItsOwnRun) {
  auto engine = Open();
  std::string id = Start(*engine, kEchoFlow);
  // Several requests at once; each must get the answer built from its own data, in any order.
  constexpr int kRequests = 6;
  std::vector<std::future<WebhookResponse>> answers;
  for (int i = 0; i < kRequests; ++i) {
    WebhookRequest request =
        Request(Json::MakeObject({{"name", "n" + std::to_string(i)}, {"code", 201 + i}}),
                i % 2 == 0 ? "POST" : "PUT");
    request.query = Json::MakeObject({{"page", std::to_string(i)}});
    request.headers = Json::MakeObject({{"user-agent", "agent-" + std::to_string(i)}});
    answers.push_back(Submit(*engine, id, "hook", std::move(request)));
  }
  for (int i = 0; i < kRequests; ++i) {
    WebhookResponse r = Await(answers[static_cast<size_t>(i)]);
    const std::string name = "n" + std::to_string(i);
    EXPECT_EQ(r.status, 201 + i) << "statusCode comes from a variable (text, taken as a number)";
    EXPECT_EQ(r.body["got"], Json(name));
    EXPECT_EQ(r.body["method"], Json(i % 2 == 0 ? "POST" : "PUT"));
    EXPECT_EQ(r.body["page"], Json(std::to_string(i)));
    EXPECT_EQ(r.body["agent"], Json("agent-" + std::to_string(i)));
    EXPECT_EQ(r.headers["X-Name"], Json(name));
  }
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  // The request port carries {method, data, query, headers}: the engine's hostname stays out.
  std::map<std::string, Json> by_name;
  for (const Json& seen : Collected()) by_name[seen["data"]["name"].AsString()] = seen;
  ASSERT_EQ(by_name.size(), static_cast<size_t>(kRequests));
  const Json& first = by_name["n0"];
  EXPECT_EQ(first,
            J(R"({"method": "POST", "data": {"name": "n0", "code": 201}, "query": {"page": "0"},
                         "headers": {"user-agent": "agent-0"}})"));
  EXPECT_TRUE(Errors().empty());
}

TEST_F(HttpComponents, WebhookTriggerAnswersImmediatelyWithTheRequestData) {
  auto engine = Open();
  // immediateResponse left to its default (true): the trigger answers before Response runs, and
  // the Response of the same run finds the request answered already.
  std::string id = Start(*engine, R"({
    "hook": {"type": "appmixer.utils.http.WebhookTrigger"},
    "reply": {"type": "appmixer.utils.http.Response", "source": {"in": {"hook": ["request"]}},
      "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {
        "body": "late", "statusCode": 500}}}}}}},
    "seen": {"type": "test.http.core.Collect", "source": {"in": {"hook": ["request"]}}}
  })");
  std::future<WebhookResponse> object =
      Submit(*engine, id, "hook", Request(J(R"({"a": 1, "b": [true]})")));
  std::future<WebhookResponse> text =
      Submit(*engine, id, "hook", Request(Json("plain text"), "PATCH"));
  WebhookResponse r = Await(object);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, J(R"({"a": 1, "b": [true]})"));
  r = Await(text);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, Json("plain text"));
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::set<std::string> methods;
  for (const Json& seen : Collected()) methods.insert(seen["method"].AsString());
  EXPECT_EQ(methods, (std::set<std::string>{"POST", "PATCH"}))
      << "the flow ran on for both requests";
  EXPECT_TRUE(Errors().empty());
}

TEST_F(HttpComponents, LegacyWebhookAnswersFromItsResponsePort) {
  auto engine = Open();
  // Webhook.trigger → Identity (builds the answer) → Webhook.response.
  std::string id = Start(*engine, R"({
    "hook": {"type": "appmixer.utils.http.Webhook", "config": {"properties": {"immediateResponse": false}},
      "source": {"response": {"shape": ["out"]}}},
    "shape": {"type": "appmixer.utils.filters.Identity", "source": {"in": {"hook": ["trigger"]}},
      "config": {"transform": {"in": {"hook": {"trigger": {"type": "json2new", "lambda": {
        "reply": "hi {{{$.hook.trigger.data.name}}}"}}}}}}}
  })");
  std::future<WebhookResponse> ada = Submit(*engine, id, "hook", Request(J(R"({"name": "Ada"})")));
  std::future<WebhookResponse> bob = Submit(*engine, id, "hook", Request(J(R"({"name": "Bob"})")));
  WebhookResponse r = Await(ada);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, J(R"({"reply": "hi Ada"})"));
  r = Await(bob);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, J(R"({"reply": "hi Bob"})"));
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  EXPECT_TRUE(Errors().empty());
}

TEST_F(HttpComponents, LegacyWebhookAnswersImmediatelyByDefault) {
  auto engine = Open();
  std::string id = Start(*engine, R"({
    "hook": {"type": "appmixer.utils.http.Webhook", "config": {"properties": {"immediateResponse": true}}},
    "seen": {"type": "test.http.core.Collect", "source": {"in": {"hook": ["trigger"]}}}
  })");
  std::future<WebhookResponse> answer =
      Submit(*engine, id, "hook", Request(J(R"({"x": 1})"), "GET"));
  WebhookResponse r = Await(answer);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, J(R"({"x": 1})"));
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  ASSERT_EQ(Collected().size(), 1u);
  EXPECT_EQ(Collected()[0]["method"], Json("GET"));
}

TEST_F(HttpComponents, ResponseParsesTextHeadersAndAJsonBody) {
  auto engine = Open();
  std::string id = Start(*engine, R"({
    "hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}},
    "reply": {"type": "appmixer.utils.http.Response", "source": {"in": {"hook": ["request"]}},
      "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {
        "body": "{{{$.hook.request.data.text}}}",
        "statusCode": 202,
        "headers": "{\"Content-type\": \"application/json\", \"X-Kind\": \"{{{$.hook.request.data.kind}}}\"}"
      }}}}}}}
  })");
  std::future<WebhookResponse> answer =
      Submit(*engine, id, "hook",
             Request(J(R"({"text": "{\"n\": 7, \"list\": [1, 2]}", "kind": "json"})")));
  WebhookResponse r = Await(answer);
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, J(R"({"n": 7, "list": [1, 2]})"));
  EXPECT_EQ(r.headers, J(R"({"Content-type": "application/json", "X-Kind": "json"})"));
}

TEST_F(HttpComponents, ResponseFailuresAreCancelledAndLeaveTheRequestToTimeOut) {
  auto engine = Open(/*webhook_timeout_ms=*/300);
  std::string id = Start(*engine, R"({
    "hook": {"type": "appmixer.utils.http.WebhookTrigger", "config": {"properties": {"immediateResponse": false}}},
    "reply": {"type": "appmixer.utils.http.Response", "source": {"in": {"hook": ["request"]}},
      "config": {"transform": {"in": {"hook": {"request": {"type": "json2new", "lambda": {
        "body": "{{{$.hook.request.data.body}}}", "headers": "{{{$.hook.request.data.headers}}}"}}}}}}}
  })");
  std::future<WebhookResponse> bad_headers =
      Submit(*engine, id, "hook", Request(J(R"({"body": "x", "headers": "{not json"})")));
  std::future<WebhookResponse> bad_body = Submit(
      *engine, id, "hook",
      Request(
          J(R"({"body": "{not json", "headers": "{\"Content-type\": \"application/json\"}"})")));
  // Nothing answers a run whose Response failed: the engine's timeout does.
  EXPECT_EQ(Await(bad_headers).status, 504);
  EXPECT_EQ(Await(bad_body).status, 504);
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::multiset<std::string> messages;
  for (const Json& e : Errors()) {
    EXPECT_EQ(e["componentId"], Json("reply"));
    EXPECT_EQ(e["err"]["code"], Json("cancelled"));
    messages.insert(e["err"]["message"].AsString());
  }
  EXPECT_EQ(messages,
            (std::multiset<std::string>{"Unable to parse body", "Unable to parse headers"}))
      << "one attempt each: a cancelled Response is not retried";
  EXPECT_EQ(engine->DeadLetters(id).size(), 2u);
}

// ---- in the harness

TEST_F(HttpComponents, ResponseCancelsOnUnparsableHeadersOrBody) {
  auto h = Harness(kResponse);
  Status s = h->Receive("in", J(R"({"body": "x", "headers": "{\"a\": "})"));
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(s.message(), "Unable to parse headers");
  s = h->Receive("in", J(R"({"body": "{oops", "headers": {"Content-type": "application/json"}})"));
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(s.message(), "Unable to parse body");
  EXPECT_FALSE(h->last_response().has_value());
}

TEST_F(HttpComponents, ResponseParsesTheBodyOnlyForTheExactContentTypeKey) {
  auto h = Harness(kResponse);
  // Appmixer looks up headers['Content-type'] only: other spellings keep the body as text.
  ASSERT_TRUE(
      h->Receive("in",
                 J(R"({"body": "{\"a\": 1}", "headers": {"content-type": "application/json"}})"))
          .ok());
  ASSERT_TRUE(h->last_response().has_value());
  EXPECT_EQ(h->last_response()->body, Json("{\"a\": 1}"));
  ASSERT_TRUE(
      h->Receive("in", J(R"({"body": "{\"a\": 1}", "headers": {"Content-type": "text/plain"}})"))
          .ok());
  EXPECT_EQ(h->last_response()->body, Json("{\"a\": 1}"));
  // An object body is sent as it is.
  ASSERT_TRUE(
      h->Receive("in", J(R"({"body": {"a": 1}, "headers": {"Content-type": "application/json"}})"))
          .ok());
  EXPECT_EQ(h->last_response()->body, J(R"({"a": 1})"));
}

TEST_F(HttpComponents, ResponseDefaultsTo200WithoutHeaders) {
  auto h = Harness(kResponse);
  ASSERT_TRUE(h->Receive("in", J(R"({"body": "done"})")).ok());
  ASSERT_TRUE(h->last_response().has_value());
  EXPECT_EQ(h->last_response()->status, 200);
  EXPECT_EQ(h->last_response()->body, Json("done"));
  EXPECT_EQ(h->last_response()->headers, Json::MakeObject());
  // Blank headers text (an empty inspector field) means none; JSON.parse("") would cancel.
  ASSERT_TRUE(h->Receive("in", J(R"({"body": "done", "statusCode": "404", "headers": ""})")).ok());
  EXPECT_EQ(h->last_response()->status, 404) << "the in-port schema makes numeric text a number";
  EXPECT_EQ(h->last_response()->headers, Json::MakeObject());
  EXPECT_EQ(h->Receive("in", J(R"({"statusCode": ""})")).code(), StatusCode::kInvalidArgument)
      << "the in-port schema rejects a non-numeric status code";
  EXPECT_EQ(h->Receive("in", J(R"({"statusCode": 42})")).code(), StatusCode::kCancelled);
}

TEST_F(HttpComponents, WebhookTriggerWithoutImmediateResponseDoesNotAnswer) {
  auto h = Harness(kTrigger, J(R"({"immediateResponse": false})"));
  ASSERT_TRUE(
      h->Webhook(J(R"({"method": "POST", "headers": {}, "query": {}, "data": {"k": 1}})")).ok());
  ASSERT_EQ(h->SentOn("request").size(), 1u);
  EXPECT_EQ(h->SentOn("request")[0].content["data"], J(R"({"k": 1})"));
  EXPECT_FALSE(h->last_response().has_value());
}

TEST_F(HttpComponents, GenerateInspectorShowsTheWebhookUrl) {
  for (auto [type, port] : {std::pair{kTrigger, "request"}, std::pair{kLegacy, "trigger"}}) {
    auto h = Harness(type, J(R"({"generateInspector": true})"));
    ASSERT_TRUE(h->Webhook(J(R"({"method": "GET", "headers": {}, "query": {}, "data": {}})")).ok());
    ASSERT_EQ(h->SentOn(port).size(), 1u) << type;
    const Json inputs = h->SentOn(port)[0].content["inputs"];
    EXPECT_EQ(inputs["url"]["defaultValue"],
              Json("http://localhost:2200/flows/test-flow/components/test-component"));
    EXPECT_EQ(inputs["immediateResponse"]["defaultValue"], Json(true));
    EXPECT_FALSE(h->last_response().has_value()) << "design-time calls answer nothing";
  }
}

// ---- manifests

TEST_F(HttpComponents, ManifestsParseAndDeclareTheAppmixerShape) {
  for (std::string_view type : {kTrigger, kLegacy, kResponse}) {
    const Manifest* embedded = components::FindEmbeddedManifest(type);
    ASSERT_NE(embedded, nullptr) << type;
    Diagnostics diags;
    Result<Manifest> reparsed = Manifest::FromJson(embedded->raw, &diags);
    ASSERT_TRUE(reparsed.ok()) << type << ": " << reparsed.status().ToString();
    EXPECT_EQ(reparsed->name, type);
  }
  const Manifest& trigger = *components::FindEmbeddedManifest(kTrigger);
  EXPECT_TRUE(trigger.webhook);
  EXPECT_TRUE(trigger.IsTrigger());
  EXPECT_TRUE(trigger.in_ports.empty());
  ASSERT_EQ(trigger.out_ports.size(), 1u);
  EXPECT_EQ(trigger.out_ports[0].name, "request");
  EXPECT_EQ(trigger.properties_schema["properties"]["immediateResponse"]["default"], Json(true));

  const Manifest& legacy = *components::FindEmbeddedManifest(kLegacy);
  EXPECT_TRUE(legacy.webhook);
  EXPECT_TRUE(legacy.IsTrigger()) << "trigger: true although it has an in-port";
  ASSERT_EQ(legacy.in_ports.size(), 1u);
  EXPECT_EQ(legacy.in_ports[0].name, "response");
  ASSERT_EQ(legacy.out_ports.size(), 1u);
  EXPECT_EQ(legacy.out_ports[0].name, "trigger");

  const Manifest& response = *components::FindEmbeddedManifest(kResponse);
  EXPECT_FALSE(response.webhook);
  ASSERT_EQ(response.in_ports.size(), 1u);
  EXPECT_EQ(response.in_ports[0].name, "in");
  EXPECT_TRUE(response.out_ports.empty());
}

// Our manifests keep Appmixer's contract: flags, port names, out-port variables, property names
// and defaults, in-port schemas.
TEST_F(HttpComponents, ManifestsMatchTheAppmixerRepository) {
  const char* checkout = std::getenv("FLOWKIT_APPMIXER_CONNECTORS");
  if (checkout == nullptr || *checkout == '\0') {
    GTEST_SKIP() << "set FLOWKIT_APPMIXER_CONNECTORS to an appmixer-connectors checkout";
  }
  auto names = [](const std::vector<PortSpec>& ports) {
    std::vector<std::string> out;
    for (const PortSpec& p : ports) out.push_back(p.name);
    return out;
  };
  auto option_values = [](const PortSpec& port) {
    std::vector<std::string> out;
    for (const Json& option : port.options.array()) out.push_back(option["value"].AsString());
    return out;
  };
  for (std::string_view type : {kTrigger, kLegacy, kResponse}) {
    SCOPED_TRACE(type);
    const std::string short_name(type.substr(type.rfind('.') + 1));
    std::filesystem::path path =
        std::filesystem::path(checkout) / "src/appmixer/utils/http" / short_name / "component.json";
    std::ifstream file(path);
    ASSERT_TRUE(file) << path;
    std::stringstream text;
    text << file.rdbuf();
    Result<Manifest> theirs = Manifest::Parse(text.str());
    ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
    const Manifest& ours = *components::FindEmbeddedManifest(type);
    EXPECT_EQ(ours.name, theirs->name);
    EXPECT_EQ(ours.webhook, theirs->webhook);
    EXPECT_EQ(ours.trigger_flag, theirs->trigger_flag);
    EXPECT_EQ(ours.is_private, theirs->is_private);
    EXPECT_EQ(names(ours.in_ports), names(theirs->in_ports));
    EXPECT_EQ(names(ours.out_ports), names(theirs->out_ports));
    for (size_t i = 0; i < ours.out_ports.size() && i < theirs->out_ports.size(); ++i) {
      EXPECT_EQ(option_values(ours.out_ports[i]), option_values(theirs->out_ports[i]));
    }
    for (size_t i = 0; i < ours.in_ports.size() && i < theirs->in_ports.size(); ++i) {
      const Json& schema = theirs->in_ports[i].schema;
      if (!schema.IsUndefined()) {
        EXPECT_EQ(ours.in_ports[i].schema, schema);
      }
    }
    EXPECT_EQ(ours.properties_schema, theirs->properties_schema);
  }
}

}  // namespace
}  // namespace flowkit
