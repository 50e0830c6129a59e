// appmixer.utils.controls.*, run one at a time in the component harness.
#include "components/controls/controls.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "components/builtin_registry.h"
#include "components/controls/expression.h"
#include "flowkit/testing.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::HarnessOptions;
using testing::ReceiveOptions;
using testing::SentMessage;

constexpr int64_t kStartMs = 1700000000000;  // the harness's default start time
constexpr std::string_view kStartIso = "2023-11-14T22:13:20.000Z";

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

std::vector<std::string> Ports(const std::vector<SentMessage>& sent) {
  std::vector<std::string> ports;
  for (const SentMessage& m : sent) ports.push_back(m.port);
  return ports;
}

const ComponentRegistry& Registry() {
  static const ComponentRegistry* registry = [] {
    auto* r = new ComponentRegistry();
    Status s = components::RegisterControlsComponents(*r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }();
  return *registry;
}

std::unique_ptr<ComponentHarness> Make(std::string_view type, HarnessOptions options = {}) {
  auto h = ComponentHarness::Create(Registry(), "appmixer.utils.controls." + std::string(type),
                                    std::move(options));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? std::move(h).value() : nullptr;
}

// --- registration and manifests

TEST(ControlsRegistry, RegistersEveryTypeWithItsPortsAndConcurrency) {
  struct Expected {
    std::string type;
    std::vector<std::string> in;
    std::vector<std::string> out;
    bool concurrent;
  };
  const std::vector<Expected> expected = {
      {"OnStart", {}, {"out"}, true},
      {"Condition", {"in"}, {"true", "false"}, true},
      {"Switch5", {"in"}, {"out1", "out2", "out3", "out4", "out5", "else"}, true},
      {"Join", {"in"}, {"out"}, true},
      {"SetVariable", {"in"}, {"out"}, true},
      {"StopFlow", {"in"}, {}, true},
      {"Each", {"in"}, {"item", "done"}, false},
      {"JoinEach", {"in", "count"}, {"out", "timeout"}, false},
      {"Counter", {"item", "reset"}, {"count"}, false},
      {"Digest", {"in"}, {"out"}, false},
      {"OnError", {}, {"out"}, true},
  };
  EXPECT_EQ(Registry().size(), expected.size());
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.type);
    const ComponentType* type = Registry().Find("appmixer.utils.controls." + e.type);
    ASSERT_NE(type, nullptr);
    EXPECT_TRUE(type->runnable());
    EXPECT_EQ(type->options.concurrent, e.concurrent);
    std::vector<std::string> in, out;
    for (const PortSpec& p : type->manifest->in_ports) in.push_back(p.name);
    for (const PortSpec& p : type->manifest->out_ports) out.push_back(p.name);
    EXPECT_EQ(in, e.in);
    EXPECT_EQ(out, e.out);
    EXPECT_FALSE(type->manifest->description.empty());
    EXPECT_TRUE(type->manifest->icon.empty());
  }
  EXPECT_TRUE(Registry().Find("appmixer.utils.controls.OnStart")->manifest->IsTrigger());
  EXPECT_TRUE(Registry().Find("appmixer.utils.controls.OnError")->manifest->IsTrigger());
  EXPECT_TRUE(Registry().Find("appmixer.utils.controls.OnError")->options.error_feed);
  EXPECT_FALSE(Registry().Find("appmixer.utils.controls.OnStart")->options.error_feed);
  EXPECT_EQ(Registry().Find("appmixer.utils.controls.Each")->manifest->in_ports[0].max_connections,
            1);
  EXPECT_EQ(Registry().Find("appmixer.utils.controls.Switch5")->manifest->label, "Switch");
}

Json ErrorRecord(std::string component_id, std::string type) {
  return Json::MakeObject({{"err", Json::MakeObject({{"message", "boom"}, {"code", "unavailable"}, {"attempt", 2},
                                                     {"final", false}})},
                           {"flowId", "test-flow"},
                           {"componentId", std::move(component_id)},
                           {"componentType", std::move(type)},
                           {"msg", Json::MakeObject({{"x", 1}})}});
}

TEST(ControlsOnError, SendsEachErrorWithFlowNameAndTheComponentsLabel) {
  HarnessOptions options;
  options.flow_name = "Billing";
  options.flow_descriptor = Json::Parse(R"({"test-component": {"type": "appmixer.utils.controls.OnError"},
      "charge": {"type": "acme.pay.core.Charge", "label": "Charge card"},
      "get": {"type": "appmixer.utils.http.GET"}})").value();
  auto h = Make("OnError", options);
  ASSERT_TRUE(h->ComponentError(ErrorRecord("charge", "acme.pay.core.Charge")).ok());
  ASSERT_TRUE(h->ComponentError(ErrorRecord("get", "appmixer.utils.http.GET")).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  const Json& first = h->sent()[0].content;
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(first["flowName"].AsString(), "Billing");
  EXPECT_EQ(first["componentLabel"].AsString(), "Charge card") << "the node's label";
  EXPECT_EQ(first["err"]["message"].AsString(), "boom");
  EXPECT_EQ(first["err"]["attempt"].AsInt(), 2);
  EXPECT_EQ(first["msg"]["x"].AsInt(), 1);
  EXPECT_EQ(h->sent()[1].content["componentLabel"].AsString(), "GET") << "else the type's 4th segment";
}

TEST(ControlsOnError, IgnoresOtherCallsAndRefusesAMalformedRecord) {
  auto h = Make("OnError");
  ASSERT_TRUE(h->Start().ok());
  ASSERT_TRUE(h->Signal(Json::MakeObject({{"x", 1}})).ok());
  EXPECT_TRUE(h->sent().empty()) << "only error-feed calls report errors";
  EXPECT_EQ(h->ComponentError(Json("text")).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(h->ComponentError(Json::MakeObject({{"err", Json::MakeObject({{"message", "m"}})}})).ok());
  EXPECT_FALSE(h->sent()[0].content.Find("componentLabel") != nullptr) << "no component, no label";
}

TEST(ControlsRegistry, RegisteringTwiceIsAlreadyExists) {
  ComponentRegistry registry;
  ASSERT_TRUE(components::RegisterControlsComponents(registry).ok());
  EXPECT_EQ(components::RegisterControlsComponents(registry).code(), StatusCode::kAlreadyExists);
}

// --- OnStart, Join, StopFlow

TEST(ControlsOnStart, SendsStartTimeOnStart) {
  auto h = Make("OnStart");
  ASSERT_TRUE(h->Start().ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, Json::MakeObject({{"started", kStartIso}}));
}

TEST(ControlsOnStart, StartTimeFollowsTheClock) {
  auto h = Make("OnStart");
  h->clock().Advance(1234);
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(h->sent()[0].content["started"], Json("2023-11-14T22:13:21.234Z"));
}

TEST(ControlsJoin, PassesTransformedContentOfEveryMessage) {
  auto h = Make("Join");
  ReceiveOptions from_a;
  from_a.source_component = "a";
  from_a.original_content = J(R"({"raw":1})");
  ASSERT_TRUE(h->Receive("in", J(R"({"x":1})"), from_a).ok());
  ReceiveOptions from_b;
  from_b.source_component = "b";
  ASSERT_TRUE(h->Receive("in", J(R"([1,2])"), from_b).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, J(R"({"x":1})"));
  EXPECT_EQ(h->sent()[1].content, J("[1,2]"));
}

TEST(ControlsStopFlow, RequestsStopAndSendsNothing) {
  auto h = Make("StopFlow");
  EXPECT_FALSE(h->stop_flow_requested());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject()).ok());
  EXPECT_TRUE(h->stop_flow_requested());
  EXPECT_TRUE(h->sent().empty());
}

// --- Condition

// Runs Condition on {expression: {AND: [{OR: [clause]}]}} and returns the port it chose, or the
// error text.
std::string ConditionPort(const Json& clause, int64_t advance_ms = 0) {
  auto h = Make("Condition");
  h->clock().Advance(advance_ms);
  Json content = Json::MakeObject(
      {{"expression",
        Json::MakeObject(
            {{"AND", Json::MakeArray({Json::MakeObject({{"OR", Json::MakeArray({clause})}})})}})}});
  Status s = h->Receive("in", content);
  if (!s.ok()) return s.ToString();
  if (h->sent().size() != 1) return "sent " + std::to_string(h->sent().size()) + " messages";
  if (h->sent()[0].content != Json::MakeObject()) return "sent " + h->sent()[0].content.Dump();
  return h->sent()[0].port;
}

struct ClauseCase {
  const char* clause;
  const char* port;
};

void ExpectClauses(const std::vector<ClauseCase>& cases) {
  for (const ClauseCase& c : cases) EXPECT_EQ(ConditionPort(J(c.clause)), c.port) << c.clause;
}

TEST(ControlsCondition, EqualsIsLooseAndStringifiesBooleanInput) {
  ExpectClauses({
      {R"({"input":"1","operator":"=","value":"1"})", "true"},
      {R"({"input":1,"operator":"=","value":"1"})", "true"},
      {R"({"input":"1.0","operator":"=","value":1})", "true"},
      {R"({"input":"a","operator":"=","value":"A"})", "false"},
      {R"({"input":true,"operator":"=","value":"true"})", "true"},
      {R"({"input":false,"operator":"=","value":"false"})", "true"},
      // "true" == 1 is false, where true == 1 would hold: the boolean became text first.
      {R"({"input":true,"operator":"=","value":1})", "false"},
      {R"({"input":null,"operator":"="})", "true"},
      {R"({"input":[1,2],"operator":"=","value":"1,2"})", "true"},
      {R"({"input":"1","operator":"!=","value":"2"})", "true"},
      {R"({"input":"1","operator":"!=","value":1})", "false"},
      {R"({"input":true,"operator":"!=","value":"true"})", "false"},
  });
}

TEST(ControlsCondition, OrderingComparesNumbersThenDates) {
  ExpectClauses({
      // Numerically, not as text ("10" < "9" as strings).
      {R"({"input":"10","operator":">","value":"9"})", "true"},
      {R"({"input":"1","operator":">","value":"1"})", "false"},
      {R"({"input":"1","operator":">=","value":"1"})", "true"},
      {R"({"input":"-1","operator":">","value":"-2"})", "true"},
      {R"({"input":"9","operator":"<","value":"10"})", "true"},
      {R"({"input":"10","operator":"<","value":"10"})", "false"},
      {R"({"input":"10","operator":"<=","value":"10"})", "true"},
      {R"({"input":"","operator":"<","value":"1"})", "true"},  // "" is the number 0
      {R"({"input":"0x10","operator":">","value":15})", "true"},
      // Neither numbers nor dates: every ordering fails.
      {R"({"input":"bbb","operator":">","value":"aaa"})", "false"},
      {R"({"input":"aaa","operator":"<","value":"bbb"})", "false"},
      {R"({"input":"2020-01-02","operator":">","value":"2020-01-01T23:59:59Z"})", "true"},
      {R"({"input":"2020-01-02","operator":"<","value":"2020-01-01T23:59:59Z"})", "false"},
      {R"({"input":"2020-01-01T00:00:00.000Z","operator":">","value":"2020-01-01"})", "false"},
      {R"({"input":"2020-01-01T00:00:00.000Z","operator":">=","value":"2020-01-01"})", "true"},
      {R"({"input":"2020-01-01T00:00:00.000Z","operator":"<=","value":"2020-01-01"})", "true"},
      {R"({"input":"2020-01-01T00:00:00+01:00","operator":"<","value":"2020-01-01"})", "true"},
      {R"({"input":"Tue, 01 Nov 2016 01:23:45 +0000","operator":"<","value":"2016-11-02"})",
       "true"},
  });
}

TEST(ControlsCondition, UndefinedDateOperandIsNow) {
  // moment(undefined) is the current time: the harness clock starts at kStartIso.
  EXPECT_EQ(ConditionPort(J(R"({"input":"2023-11-14T22:13:21Z","operator":">"})")), "true");
  EXPECT_EQ(ConditionPort(J(R"({"input":"2023-11-14T22:13:19Z","operator":">"})")), "false");
  EXPECT_EQ(ConditionPort(J(R"({"input":"2023-11-14T22:13:21Z","operator":">"})"), 2000), "false");
  EXPECT_EQ(ConditionPort(J(R"({"input":"2023-11-14T22:13:20Z","operator":">="})")), "true");
}

TEST(ControlsCondition, ModuloEmptyNotEmptyContains) {
  ExpectClauses({
      {R"({"input":"10","operator":"%","divisor":"2"})", "true"},
      {R"({"input":10,"operator":"%","divisor":3})", "false"},
      {R"({"input":-9,"operator":"%","divisor":3})", "true"},
      {R"({"input":10,"operator":"%"})", "false"},              // NaN
      {R"({"input":10,"operator":"%","divisor":0})", "false"},  // NaN
      {R"({"input":"x","operator":"%","divisor":1})", "false"},
      {R"({"input":"","operator":"empty"})", "true"},
      {R"({"operator":"empty"})", "true"},
      {R"({"input":[],"operator":"empty"})", "true"},
      {R"({"input":{},"operator":"empty"})", "true"},
      {R"({"input":0,"operator":"empty"})", "false"},
      {R"({"input":false,"operator":"empty"})", "false"},
      {R"({"input":"x","operator":"notEmpty"})", "true"},
      {R"({"input":0,"operator":"notEmpty"})", "true"},
      {R"({"input":false,"operator":"notEmpty"})", "true"},
      {R"({"input":null,"operator":"notEmpty"})", "false"},
      {R"({"input":[0],"operator":"notEmpty"})", "true"},
      {R"({"input":"Hello World","operator":"contains","value":"WORLD"})", "true"},
      {R"({"input":"Hello","operator":"contains","value":"x"})", "false"},
      {R"({"input":11,"operator":"contains","value":"1"})", "true"},
      {R"({"input":{"a":1},"operator":"contains","value":"\"A\":1"})", "true"},
      {R"({"input":["x","y"],"operator":"contains","value":"\"y\""})", "true"},
      // JavaScript would throw on undefined.toLowerCase(); a missing side never contains.
      {R"({"operator":"contains","value":"x"})", "false"},
  });
}

TEST(ControlsCondition, RangeOverNumbersAndDates) {
  ExpectClauses({
      {R"({"input":"11","operator":"range","rangeMin":"1","rangeMax":"111"})", "true"},
      {R"({"input":"10","operator":"range","rangeMin":"10","rangeMax":"10"})", "true"},
      {R"({"input":"10","operator":"range","rangeMin":"10","rangeMax":"20","exclusiveMin":true})",
       "false"},
      {R"({"input":"20","operator":"range","rangeMin":"10","rangeMax":"20","exclusiveMax":true})",
       "false"},
      {R"({"input":"20","operator":"range","rangeMin":"10","rangeMax":"20"})", "true"},
      {R"({"input":"0","operator":"range","rangeMin":"1","rangeMax":"2"})", "false"},
      {R"({"input":"x","operator":"range","rangeMin":"1","rangeMax":"2"})", "false"},
      {R"({"input":"2020-01-15","operator":"range","rangeMin":"2020-01-01","rangeMax":"2020-02-01"})",
       "true"},
      {R"({"input":"2020-02-01","operator":"range","rangeMin":"2020-01-01","rangeMax":"2020-02-01"})",
       "true"},
      {R"({"input":"2020-03-01","operator":"range","rangeMin":"2020-01-01","rangeMax":"2020-02-01"})",
       "false"},
      // One instant for all three: inclusive holds, exclusive does not (the flow's range dates).
      {R"({"input":"2020-01-01T10:00:00Z","operator":"range","rangeMin":"2020-01-01T10:00:00Z",)"
       R"("rangeMax":"2020-01-01T10:00:00Z"})",
       "true"},
      {R"({"input":"2020-01-01T10:00:00Z","operator":"range","rangeMin":"2020-01-01T10:00:00Z",)"
       R"("rangeMax":"2020-01-01T10:00:00Z","exclusiveMin":true,"exclusiveMax":true})",
       "false"},
      // Appmixer's date bug: equality with the minimum is tested against the maximum.
      {R"({"input":"2020-01-01","operator":"range","rangeMin":"2020-01-01","rangeMax":"2020-02-01"})",
       "false"},
  });
}

TEST(ControlsCondition, RegexTestsTextOfInput) {
  ExpectClauses({
      {R"({"input":"111","operator":"regex","regex":"\\d\\d\\d"})", "true"},
      {R"({"input":"1","operator":"regex","regex":"fff"})", "false"},
      {R"({"input":12345,"operator":"regex","regex":"^\\d+$"})", "true"},
      {R"({"input":"ABC","operator":"regex","regex":"abc"})", "false"},  // no flags
      {R"({"input":"anything","operator":"regex"})", "true"},            // new RegExp(undefined)
      {R"({"operator":"regex","regex":"^undefined$"})", "true"},         // String(undefined)
  });
}

TEST(ControlsCondition, BadRegexIsAFinalError) {
  std::string port = ConditionPort(J(R"({"input":"x","operator":"regex","regex":"("})"));
  EXPECT_EQ(port.rfind("invalid_argument", 0), 0u) << port;
}

TEST(ControlsCondition, UnsupportedOperatorIsCancelled) {
  auto h = Make("Condition");
  Status s = h->Receive("in", J(R"({"expression":{"AND":[{"OR":[{"input":1,"operator":"~"}]}]}})"));
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(s.message(), "Unsupported operator: ~");
  EXPECT_TRUE(h->sent().empty());
  s = h->Receive("in", J(R"({"expression":{"AND":[{"OR":[{"input":1}]}]}})"));
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(s.message(), "Unsupported operator: undefined");
  EXPECT_EQ(Make("Condition")->Receive("in", J(R"({"expression":{"AND":[{"OR":["x"]}]}})")).code(),
            StatusCode::kCancelled);
}

TEST(ControlsCondition, EveryClauseIsEvaluatedSoALaterBadOneFails) {
  // The first AND item already fails, but Appmixer goes on and throws on the second.
  auto h = Make("Condition");
  Status s = h->Receive("in", J(R"({"expression":{"AND":[
      {"OR":[{"input":"1","operator":"=","value":"2"}]},
      {"OR":[{"input":"1","operator":"=","value":"1"},{"operator":"nope"}]}]}})"));
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
}

TEST(ControlsCondition, AndOfOrs) {
  auto port = [](const char* expression) {
    auto h = Make("Condition");
    Status s = h->Receive("in", Json::MakeObject({{"expression", J(expression)}}));
    EXPECT_TRUE(s.ok()) << s.ToString();
    return h->sent().size() == 1 ? h->sent()[0].port : std::string("?");
  };
  constexpr const char* kTrue = R"({"input":"1","operator":"=","value":"1"})";
  constexpr const char* kFalse = R"({"input":"1","operator":"=","value":"2"})";
  auto expr = [](std::vector<std::vector<const char*>> ands) {
    std::string text = R"({"AND":[)";
    for (size_t i = 0; i < ands.size(); ++i) {
      text += i ? "," : "";
      text += R"({"OR":[)";
      for (size_t j = 0; j < ands[i].size(); ++j) text += std::string(j ? "," : "") + ands[i][j];
      text += "]}";
    }
    return text + "]}";
  };
  EXPECT_EQ(port(expr({{kTrue}, {kTrue}}).c_str()), "true");
  EXPECT_EQ(port(expr({{kTrue}, {kFalse}}).c_str()), "false");
  EXPECT_EQ(port(expr({{kFalse, kFalse, kTrue}}).c_str()), "true");
  EXPECT_EQ(port(expr({{kFalse, kFalse}}).c_str()), "false");
  EXPECT_EQ(port(expr({{kTrue}, {}}).c_str()), "false");  // an AND item without clauses fails
  EXPECT_EQ(port(expr({}).c_str()), "true");              // no AND items: nothing fails
  EXPECT_EQ(port("{}"), "true");
  EXPECT_EQ(port(R"({"AND":"x"})"), "false");  // for-in over a string: an item with no OR
  // for-in also walks object members.
  EXPECT_EQ(port((std::string(R"({"AND":{"a":{"OR":{"b":)") + kTrue + "}}}}").c_str()), "true");
  EXPECT_EQ(port((std::string(R"({"AND":{"a":{"OR":{"b":)") + kFalse + "}}}}").c_str()), "false");
}

TEST(ControlsCondition, MissingOrFalsyExpressionGoesToFalse) {
  for (const char* content :
       {"{}", R"({"expression":""})", R"({"expression":null})", R"({"expression":0})"}) {
    auto h = Make("Condition");
    ASSERT_TRUE(h->Receive("in", J(content)).ok()) << content;
    ASSERT_EQ(h->sent().size(), 1u) << content;
    EXPECT_EQ(h->sent()[0].port, "false") << content;
    EXPECT_EQ(h->sent()[0].content, Json::MakeObject()) << content;
    EXPECT_TRUE(h->logs().empty()) << content;
  }
}

TEST(ControlsCondition, LogsTheAndList) {
  auto h = Make("Condition");
  Json expression = J(R"({"AND":[{"OR":[{"input":"1","operator":"=","value":"1"}]}]})");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"expression", expression}})).ok());
  ASSERT_EQ(h->logs().size(), 1u);
  EXPECT_EQ(h->logs()[0],
            Json::MakeObject({{"step", "expressions"}, {"expressions", expression["AND"]}}));
}

TEST(ControlsCondition, ReadsFieldAndExpectedAsAppmixersTestFlowWritesThem) {
  // "Condition all (1)" from Appmixer's controls/test-flow-condition.json, verbatim: only the
  // field/expected shim makes it true (with input/value it would be false: undefined != ...).
  auto h = Make("Condition");
  ASSERT_TRUE(h->Receive("in", J(R"({"expression":{"AND":[
      {"OR":[{"expected":"1","operator":"=","field":"1"}]},
      {"OR":[{"expected":"2","operator":"!=","field":"1"}]},
      {"OR":[{"expected":"0","operator":">","field":"1"}]},
      {"OR":[{"expected":"1","operator":">=","field":"1"}]},
      {"OR":[{"expected":"2","operator":"<","field":"1"}]},
      {"OR":[{"expected":"1","operator":"<=","field":"1"}]},
      {"OR":[{"operator":"%","field":"10","divisor":"2"}]},
      {"OR":[{"operator":"empty","field":""}]},
      {"OR":[{"operator":"notEmpty","field":"1"}]},
      {"OR":[{"expected":"1","operator":"contains","field":"11"}]},
      {"OR":[{"rangeMax":"111","rangeMin":"1","operator":"range","field":"11"}]},
      {"OR":[{"regex":"\\d\\d\\d","operator":"regex","field":"111"}]}]}})"))
                  .ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "true");

  ExpectClauses({
      // The documented names win over the legacy ones.
      {R"({"input":"a","field":"b","operator":"=","value":"a","expected":"b"})", "true"},
      {R"({"input":"a","field":"b","operator":"=","value":"b"})", "false"},
      // A null input falls back to field; with no field it stays null (Number(null) is 0).
      {R"({"input":null,"field":"5","operator":">","value":"4"})", "true"},
      {R"({"input":null,"operator":">","value":"-1"})", "true"},
      {R"({"field":"greater","operator":"=","expected":"greater"})", "true"},
  });
}

TEST(ControlsCondition, TestFlowGreaterAndOrAllFail) {
  // "greater strings" and "or - all fail" from the same flow.
  EXPECT_EQ(ConditionPort(J(R"({"expected":"aaa","operator":">","field":"bbb"})")), "false");
  auto h = Make("Condition");
  ASSERT_TRUE(h->Receive("in", J(R"({"expression":{"AND":[{"OR":[
      {"expected":"2","operator":"=","field":"1"},{"operator":"empty","field":"1"},
      {"regex":"fff","operator":"regex","field":"1"}]}]}})"))
                  .ok());
  EXPECT_EQ(Ports(h->sent()), std::vector<std::string>{"false"});
}

TEST(ControlsExpression, EvaluatesClausesDirectly) {
  auto holds = [](const char* clause) {
    Result<bool> r = components::EvaluateClause(J(clause), kStartMs);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && *r;
  };
  EXPECT_TRUE(holds(R"({"input":"5","operator":"<=","value":5})"));
  EXPECT_FALSE(holds(R"({"input":"6","operator":"<=","value":5})"));
  EXPECT_EQ(components::EvaluateClause(J("null"), kStartMs).status().code(),
            StatusCode::kCancelled);
  EXPECT_EQ(components::EvaluateClause(J(R"({"operator":5})"), kStartMs).status().message(),
            "Unsupported operator: 5");
  EXPECT_TRUE(*components::EvaluateExpression(J("{}"), kStartMs));
}

// --- Switch5

Json Expr(const char* clause) {
  return Json::MakeObject(
      {{"AND", Json::MakeArray({Json::MakeObject({{"OR", Json::MakeArray({J(clause)})}})})}});
}
constexpr const char* kHolds = R"({"input":"1","operator":"=","value":"1"})";
constexpr const char* kFails = R"({"input":"1","operator":"=","value":"2"})";

TEST(ControlsSwitch5, FirstTrueExpressionWins) {
  auto h = Make("Switch5");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"expression1", Expr(kFails)},
                                                 {"expression2", Expr(kHolds)},
                                                 {"expression3", Expr(kHolds)}}))
                  .ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out2");
  EXPECT_EQ(h->sent()[0].content, Json::MakeObject());
}

TEST(ControlsSwitch5, OrderIsByNumberNotByKeyOrder) {
  auto h = Make("Switch5");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject(
                                   {{"expression5", Expr(kHolds)}, {"expression4", Expr(kHolds)}}))
                  .ok());
  EXPECT_EQ(Ports(h->sent()), std::vector<std::string>{"out4"});
}

TEST(ControlsSwitch5, NoTrueExpressionGoesToElse) {
  auto h = Make("Switch5");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject(
                                   {{"expression1", Expr(kFails)}, {"expression5", Expr(kFails)}}))
                  .ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject()).ok());
  // Falsy expressions are skipped, not evaluated.
  ASSERT_TRUE(
      h->Receive("in", Json::MakeObject({{"expression1", ""}, {"expression2", nullptr}})).ok());
  EXPECT_EQ(Ports(h->sent()), (std::vector<std::string>{"else", "else", "else"}));
}

TEST(ControlsSwitch5, EmptyExpressionHolds) {
  auto h = Make("Switch5");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"expression3", Json::MakeObject()}})).ok());
  EXPECT_EQ(Ports(h->sent()), std::vector<std::string>{"out3"});
}

TEST(ControlsSwitch5, SameOperatorsAsCondition) {
  auto h = Make("Switch5");
  ASSERT_TRUE(
      h->Receive("in",
                 Json::MakeObject(
                     {{"expression1", Expr(R"({"field":"bbb","operator":">","expected":"aaa"})")},
                      {"expression2",
                       Expr(R"({"input":"2020-01-02","operator":">","value":"2020-01-01"})")}}))
          .ok());
  EXPECT_EQ(Ports(h->sent()), std::vector<std::string>{"out2"});
}

TEST(ControlsSwitch5, ErrorsFailTheCall) {
  auto h = Make("Switch5");
  Status s = h->Receive("in", Json::MakeObject({{"expression1", Expr(kFails)},
                                                {"expression2", Expr(R"({"operator":"?"})")}}));
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(s.message(), "Unsupported operator: ?");
  EXPECT_TRUE(h->sent().empty());
  // Appmixer reads expression6..9 too, but has no out6..9 to send to.
  s = h->Receive("in", Json::MakeObject({{"expression6", Expr(kHolds)}}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"expression6", Expr(kFails)}})).ok());
  EXPECT_EQ(Ports(h->sent()), std::vector<std::string>{"else"});
}

// --- Counter

HarnessOptions CounterOptions(int count, int increment) {
  HarnessOptions options;
  options.properties = Json::MakeObject({{"count", count}, {"increment", increment}});
  return options;
}

std::vector<Json> Counts(const ComponentHarness& h) {
  std::vector<Json> counts;
  for (const SentMessage& m : h.sent()) {
    EXPECT_EQ(m.port, "count");
    counts.push_back(m.content["count"]);
  }
  return counts;
}

TEST(ControlsCounter, CountsFromInitialValueByIncrement) {
  auto h = Make("Counter", CounterOptions(5, 2));
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(h->state(), J(R"({"count":5})"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(h->Receive("item", J(R"({"anything":true})")).ok());
  EXPECT_EQ(Counts(*h), (std::vector<Json>{7, 9, 11}));
  EXPECT_EQ(h->state()["count"], Json(11));
  EXPECT_EQ(h->sent()[0].content, J(R"({"count":7})"));
}

TEST(ControlsCounter, NegativeIncrementCountsDown) {
  auto h = Make("Counter", CounterOptions(0, -1));
  ASSERT_TRUE(h->Start().ok());
  ASSERT_TRUE(h->Receive("item", nullptr).ok());
  ASSERT_TRUE(h->Receive("item", "x").ok());
  EXPECT_EQ(Counts(*h), (std::vector<Json>{-1, -2}));
}

TEST(ControlsCounter, StartResetsAnOldCount) {
  HarnessOptions options = CounterOptions(10, 1);
  options.state = J(R"({"count":99})");
  auto h = Make("Counter", std::move(options));
  ASSERT_TRUE(h->Start().ok());
  ASSERT_TRUE(h->Receive("item", 1).ok());
  EXPECT_EQ(Counts(*h), std::vector<Json>{11});
}

TEST(ControlsCounter, ResetSetsTheCountSilently) {
  auto h = Make("Counter", CounterOptions(5, 1));
  ASSERT_TRUE(h->Start().ok());
  ASSERT_TRUE(h->Receive("item", 1).ok());
  ASSERT_TRUE(h->Receive("reset", J(R"({"count":100})")).ok());
  EXPECT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->state()["count"], Json(100));
  ASSERT_TRUE(h->Receive("item", 1).ok());
  // Without a count the reset goes back to the initial value.
  ASSERT_TRUE(h->Receive("reset", Json::MakeObject()).ok());
  ASSERT_TRUE(h->Receive("item", 1).ok());
  EXPECT_EQ(Counts(*h), (std::vector<Json>{6, 101, 6}));
  // The reset port's schema coerces a numeric string.
  ASSERT_TRUE(h->Receive("reset", J(R"({"count":"0"})")).ok());
  EXPECT_EQ(h->state()["count"], Json(0));
}

TEST(ControlsCounter, ResetWinsOverAnItemInTheSameCall) {
  auto h = Make("Counter", CounterOptions(1, 1));
  ASSERT_TRUE(h->Start().ok());
  ASSERT_TRUE(h->ReceiveMany({{"item", {Json(1)}}, {"reset", {J(R"({"count":50})")}}}).ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(h->state()["count"], Json(50));
}

TEST(ControlsCounter, CountsWithoutStartFromZero) {
  auto h = Make("Counter", CounterOptions(5, 3));
  ASSERT_TRUE(h->Receive("item", 1).ok());
  EXPECT_EQ(Counts(*h), std::vector<Json>{3});
}

TEST(ControlsCounter, NonNumericIncrementIsAnError) {
  HarnessOptions options;
  options.properties = J(R"({"count":0,"increment":"two"})");
  auto h = Make("Counter", std::move(options));
  Status s = h->Receive("item", 1);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(h->sent().empty());
}

// --- Each

// Checks the item messages of one Each run and returns their correlation id.
std::string ExpectItems(const std::vector<SentMessage>& items, const std::vector<Json>& values,
                        size_t first_index, size_t count) {
  EXPECT_EQ(items.size(), values.size());
  std::string cid = items.empty() ? "" : items[0].content["correlationId"].AsString();
  for (size_t i = 0; i < items.size() && i < values.size(); ++i) {
    EXPECT_EQ(items[i].port, "item");
    EXPECT_EQ(items[i].content, Json::MakeObject({{"index", first_index + i},
                                                  {"value", values[i]},
                                                  {"count", count},
                                                  {"correlationId", cid}}));
  }
  return cid;
}

TEST(ControlsEach, SendsEachItemThenDone) {
  auto h = Make("Each");
  ASSERT_TRUE(h->Receive("in", J(R"({"list":["a",{"b":1},[2],null]})")).ok());
  ASSERT_EQ(h->sent().size(), 5u);
  std::vector<SentMessage> items(h->sent().begin(), h->sent().begin() + 4);
  std::string cid = ExpectItems(items, {"a", J(R"({"b":1})"), J("[2]"), nullptr}, 0, 4);
  EXPECT_EQ(cid.size(), 36u) << cid;  // a UUID
  EXPECT_EQ(h->sent()[4].port, "done");
  EXPECT_EQ(h->sent()[4].content, Json::MakeObject({{"count", 4}, {"correlationId", cid}}));
  // The resume record is gone once the list is done.
  EXPECT_EQ(h->state(), Json::MakeObject());
}

TEST(ControlsEach, EveryListGetsItsOwnCorrelationId) {
  auto h = Make("Each");
  ASSERT_TRUE(h->Receive("in", J(R"({"list":[1]})")).ok());
  ASSERT_TRUE(h->Receive("in", J(R"({"list":[1]})")).ok());
  auto done = h->SentOn("done");
  ASSERT_EQ(done.size(), 2u);
  EXPECT_NE(done[0].content["correlationId"], done[1].content["correlationId"]);
  EXPECT_NE(done[0].content["correlationId"], Json("test-correlation"));
}

TEST(ControlsEach, ParsesAJsonArrayString) {
  auto h = Make("Each");
  ASSERT_TRUE(h->Receive("in", J(R"({"list":" [1, \"two\", 3.5] "})")).ok());
  ExpectItems(h->SentOn("item"), {1, "two", 3.5}, 0, 3);
  EXPECT_EQ(h->SentOn("done")[0].content["count"], Json(3));
}

TEST(ControlsEach, MalformedStringIsCancelled) {
  auto h = Make("Each");
  Status s = h->Receive("in", J(R"({"list":"a,b,c"})"));
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(s.message(),
            "Property 'list' should be array or well formed JSON array string. In case of CSV "
            "string, use "
            "modifier 'Split' to create an Array.");
  EXPECT_TRUE(h->sent().empty());
}

TEST(ControlsEach, NonArrayOrEmptyListSendsOnlyDone) {
  for (const char* content :
       {R"({"list":[]})", R"({"list":"{\"a\":1}"})", R"({"list":"5"})", R"({"list":"null"})"}) {
    auto h = Make("Each");
    ASSERT_TRUE(h->Receive("in", J(content)).ok()) << content;
    ASSERT_EQ(h->sent().size(), 1u) << content;
    EXPECT_EQ(h->sent()[0].port, "done");
    EXPECT_EQ(h->sent()[0].content["count"], Json(0));
    EXPECT_TRUE(h->sent()[0].content["correlationId"].IsString());
  }
}

TEST(ControlsEach, ListIsRequiredAndTyped) {
  auto h = Make("Each");
  EXPECT_FALSE(h->Receive("in", Json::MakeObject()).ok());
  EXPECT_FALSE(h->Receive("in", J(R"({"list":{"a":1}})")).ok());
  EXPECT_TRUE(h->sent().empty());
}

TEST(ControlsEach, DesignTimeOptionsForTheItemPort) {
  HarnessOptions options;
  options.properties = J(R"({"buildOutPortOptions":true})");
  auto h = Make("Each", std::move(options));
  ASSERT_TRUE(h->Receive("in", J(R"({"list":[]})")).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "item");
  EXPECT_EQ(h->sent()[0].content,
            J(R"([{"label":"Index","value":"index"},{"label":"Value","value":"value"},
      {"label":"Items Count","value":"count"},{"label":"Correlation ID","value":"correlationId"}])"));
}

// Forwards every call to another Context but reports a fixed invocation id, so a test can seed
// the state a failed earlier attempt of the same delivery would have left.
class FixedIdContext final : public Context {
 public:
  FixedIdContext(Context& base, std::string id) : base_(base), id_(std::move(id)) {}
  InvocationKind kind() const noexcept override { return base_.kind(); }
  const std::string& flow_id() const noexcept override { return base_.flow_id(); }
  const std::string& flow_name() const noexcept override { return base_.flow_name(); }
  const std::string& user_id() const noexcept override { return base_.user_id(); }
  const std::string& component_id() const noexcept override { return base_.component_id(); }
  const std::string& component_type() const noexcept override { return base_.component_type(); }
  const std::string& invocation_id() const noexcept override { return id_; }
  const std::string& correlation_id() const noexcept override { return base_.correlation_id(); }
  const Json& properties() const noexcept override { return base_.properties(); }
  const Json& auth() const noexcept override { return base_.auth(); }
  const Json& config() const noexcept override { return base_.config(); }
  const Json& flow_descriptor() const noexcept override { return base_.flow_descriptor(); }
  const Json& custom_fields() const noexcept override { return base_.custom_fields(); }
  std::span<const Message> Inputs(std::string_view port) const override {
    return base_.Inputs(port);
  }
  const ScopeView& scope() const override { return base_.scope(); }
  Json ScopeJson() const override { return base_.ScopeJson(); }
  Status Send(std::string_view port, Json content, const SendOptions& options) override {
    return base_.Send(port, std::move(content), options);
  }
  Status Respond(Json body, int status, Json headers) override {
    return base_.Respond(std::move(body), status, std::move(headers));
  }
  std::string WebhookUrl(bool enqueue_only) const override {
    return base_.WebhookUrl(enqueue_only);
  }
  Status SendSignal(Json content) override { return base_.SendSignal(std::move(content)); }
  Status StopFlow() override { return base_.StopFlow(); }
  Status TriggerComponent(std::string_view flow_id, std::string_view component_id, Json data,
                          std::string_view correlation_id) override {
    return base_.TriggerComponent(flow_id, component_id, std::move(data), correlation_id);
  }
  StateScope& state() override { return base_.state(); }
  StateScope& flow_state() override { return base_.flow_state(); }
  Result<std::string> SetTimeout(Json content, int64_t delay_ms) override {
    return base_.SetTimeout(std::move(content), delay_ms);
  }
  Status ClearTimeout(std::string_view timeout_id) override {
    return base_.ClearTimeout(timeout_id);
  }
  Result<std::unique_ptr<LockHandle>> Lock(std::string_view name,
                                           const LockOptions& options) override {
    return base_.Lock(name, options);
  }
  Status WatchStore(std::string_view store_id) override { return base_.WatchStore(store_id); }
  Status UnwatchStore(std::string_view store_id) override { return base_.UnwatchStore(store_id); }
  DataStore& stores() override { return base_.stores(); }
  FileStore& files() override { return base_.files(); }
  const Clock& clock() const override { return base_.clock(); }
  void Log(Json entry, LogLevel level) override { base_.Log(std::move(entry), level); }

 private:
  Context& base_;
  std::string id_;
};

class FixedIdBehaviour final : public Behaviour {
 public:
  explicit FixedIdBehaviour(std::unique_ptr<Behaviour> inner) : inner_(std::move(inner)) {}
  Status Receive(Context& ctx) override {
    FixedIdContext fixed(ctx, "delivery-1");
    return inner_->Receive(fixed);
  }

 private:
  std::unique_ptr<Behaviour> inner_;
};

TEST(ControlsEach, ResumesARedeliveredListAfterTheLastRecordedItem) {
  ComponentRegistry registry;
  const Manifest* manifest = components::FindEmbeddedManifest("appmixer.utils.controls.Each");
  ASSERT_NE(manifest, nullptr);
  ASSERT_TRUE(
      registry
          .Register(
              *manifest,
              [] { return std::make_unique<FixedIdBehaviour>(components::controls::NewEach()); })
          .ok());
  HarnessOptions options;
  // An earlier attempt of this delivery got as far as item 2 (and maybe sent it).
  options.state = J(R"({"delivery-1":{"index":2},"other":{"index":9}})");
  auto created =
      ComponentHarness::Create(registry, "appmixer.utils.controls.Each", std::move(options));
  ASSERT_TRUE(created.ok());
  ComponentHarness& h = **created;
  ASSERT_TRUE(h.Receive("in", J(R"({"list":["a","b","c","d","e"]})")).ok());
  // Items keep their index in the whole list and the whole list's count.
  std::string cid = ExpectItems(h.SentOn("item"), {"c", "d", "e"}, 2, 5);
  ASSERT_EQ(h.SentOn("done").size(), 1u);
  EXPECT_EQ(h.SentOn("done")[0].content, Json::MakeObject({{"count", 5}, {"correlationId", cid}}));
  // Only this delivery's record is dropped.
  EXPECT_EQ(h.state(), J(R"({"other":{"index":9}})"));

  // A record past the end sends no items.
  h.state() = J(R"({"delivery-1":{"index":7}})");
  h.ClearSent();
  ASSERT_TRUE(h.Receive("in", J(R"({"list":["a","b"]})")).ok());
  EXPECT_EQ(Ports(h.sent()), std::vector<std::string>{"done"});
  EXPECT_EQ(h.sent()[0].content["count"], Json(2));
}

// --- JoinEach

ReceiveOptions Original(Json original) {
  ReceiveOptions options;
  options.original_content = std::move(original);
  return options;
}

TEST(ControlsJoinEach, JoinsWhenCountArrivesFirst) {
  auto h = Make("JoinEach");
  ASSERT_TRUE(h->Receive("count", J(R"({"count":2,"correlationId":"c1"})")).ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(h->state(), J(R"({"c1":{"count":2}})"));
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"c1"})"), Original(J(R"({"item":1})"))).ok());
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"c1"})"), Original(J(R"({"item":2})"))).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  // The items are the senders' payloads, not the transformed {correlationId}.
  EXPECT_EQ(h->sent()[0].content, J(R"({"items":[{"item":1},{"item":2}]})"));
  EXPECT_EQ(h->state(), Json::MakeObject());
}

TEST(ControlsJoinEach, JoinsWhenItemsArriveFirst) {
  auto h = Make("JoinEach");
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"c1"})"), Original("a")).ok());
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"c1"})"), Original("b")).ok());
  EXPECT_EQ(h->state(), J(R"({"c1":{"inputMessages":["a","b"]}})"));
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(
      h->Receive("count", J(R"({"count":2,"correlationId":"c1","timeout":true,"timeoutValue":60})"))
          .ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"items":["a","b"]})"));
  // Complete at once: no timer was set.
  EXPECT_TRUE(h->pending_timeouts().empty());
  EXPECT_EQ(h->state(), Json::MakeObject());
}

TEST(ControlsJoinEach, CountZeroSendsEmptyItemsAtOnce) {
  auto h = Make("JoinEach");
  ASSERT_TRUE(
      h->Receive("count", J(R"({"count":0,"correlationId":"c1","timeout":true,"timeoutValue":60})"))
          .ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, J(R"({"items":[]})"));
  EXPECT_EQ(h->state(), Json::MakeObject());
  EXPECT_TRUE(h->pending_timeouts().empty());
}

TEST(ControlsJoinEach, KeepsCorrelationIdsApart) {
  auto h = Make("JoinEach");
  ASSERT_TRUE(h->Receive("count", J(R"({"count":1,"correlationId":"a"})")).ok());
  ASSERT_TRUE(h->Receive("count", J(R"({"count":2,"correlationId":"b"})")).ok());
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"b"})"), Original("b1")).ok());
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"a"})"), Original("a1")).ok());
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"b"})"), Original("b2")).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"items":["a1"]})"));
  EXPECT_EQ(h->sent()[1].content, J(R"({"items":["b1","b2"]})"));
}

TEST(ControlsJoinEach, FallsBackToTheMessagesCorrelationId) {
  auto h = Make("JoinEach");
  ReceiveOptions run;
  run.correlation_id = "run-7";
  ASSERT_TRUE(h->Receive("count", J(R"({"count":1})"), run).ok());
  EXPECT_TRUE(h->state().Contains("run-7"));
  run.original_content = "x";
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":""})"), run).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"items":["x"]})"));
}

TEST(ControlsJoinEach, TimesOutWithWhatArrived) {
  auto h = Make("JoinEach");
  ASSERT_TRUE(
      h->Receive("count", J(R"({"count":3,"correlationId":"c1","timeout":true,"timeoutValue":60})"))
          .ok());
  auto pending = h->pending_timeouts();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending.begin()->second, kStartMs + 60000);
  EXPECT_EQ(h->state()["c1"]["timeoutId"], Json(pending.begin()->first));
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"c1"})"), Original("first")).ok());
  ASSERT_TRUE(h->AdvanceClock(59999).ok());
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(h->AdvanceClock(1).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "timeout");
  EXPECT_EQ(h->sent()[0].content, J(R"({"items":["first"],"count":3,"arrived":1})"));
  EXPECT_EQ(h->state(), Json::MakeObject());
  // A straggler after the timeout starts a new, countless entry.
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"c1"})"), Original("late")).ok());
  EXPECT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->state(), J(R"({"c1":{"inputMessages":["late"]}})"));
}

TEST(ControlsJoinEach, TimeoutWithNothingArrived) {
  auto h = Make("JoinEach");
  ASSERT_TRUE(
      h->Receive("count", J(R"({"count":2,"correlationId":"c1","timeout":true,"timeoutValue":60})"))
          .ok());
  ASSERT_TRUE(h->AdvanceClock(60000).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"items":[],"count":2,"arrived":0})"));
}

TEST(ControlsJoinEach, CompletionCancelsTheTimeout) {
  auto h = Make("JoinEach");
  ASSERT_TRUE(h->Receive("count",
                         J(R"({"count":1,"correlationId":"c1","timeout":true,"timeoutValue":120})"))
                  .ok());
  ASSERT_EQ(h->pending_timeouts().size(), 1u);
  ASSERT_TRUE(h->Receive("in", J(R"({"correlationId":"c1"})"), Original(7)).ok());
  EXPECT_TRUE(h->pending_timeouts().empty());
  ASSERT_TRUE(h->AdvanceClock(600000).ok());
  EXPECT_EQ(Ports(h->sent()), std::vector<std::string>{"out"});
}

TEST(ControlsJoinEach, NoTimerWithoutTimeoutFlag) {
  auto h = Make("JoinEach");
  ASSERT_TRUE(h->Receive("count",
                         J(R"({"count":2,"correlationId":"c1","timeout":false,"timeoutValue":60})"))
                  .ok());
  EXPECT_TRUE(h->pending_timeouts().empty());
  EXPECT_FALSE(h->state()["c1"].Contains("timeoutId"));
}

TEST(ControlsJoinEach, StaleTimeoutIsIgnored) {
  auto h = Make("JoinEach");
  ASSERT_TRUE(
      h->Receive("count", J(R"({"count":2,"correlationId":"c9","timeout":true,"timeoutValue":60})"))
          .ok());
  // As if the join had completed and cleared its timer while this timeout waited for the lock.
  ASSERT_TRUE(h->state().Find("c9")->Erase("timeoutId"));
  ASSERT_TRUE(h->AdvanceClock(60000).ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(h->state(), J(R"({"c9":{"count":2}})"));
}

TEST(ControlsJoinEach, CountIsRequiredAndTimeoutValueAtLeastSixty) {
  auto h = Make("JoinEach");
  EXPECT_FALSE(h->Receive("count", J(R"({"correlationId":"c1"})")).ok());
  EXPECT_FALSE(
      h->Receive("count", J(R"({"count":1,"correlationId":"c1","timeout":true,"timeoutValue":5})"))
          .ok());
  EXPECT_EQ(h->state(), Json::MakeObject());
}

// --- SetVariable

Json Variables(const char* add) {
  return Json::MakeObject({{"variables", Json::MakeObject({{"ADD", J(add)}})}});
}

TEST(ControlsSetVariable, BuildsAnObjectFromTypedVariables) {
  auto h = Make("SetVariable");
  ASSERT_TRUE(h->Receive("in", Variables(R"([
      {"name":"greeting","type":"text","text":"hello"},
      {"name":"n","type":"number","number":5},
      {"name":"flag","type":"toggle","toggle":false},
      {"name":"when","type":"date-time","date-time":"2020-01-01T00:00:00Z"},
      {"name":"rows","type":"textarea","textarea":"[1,2]","text":"ignored"}])"))
                  .ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(
      h->sent()[0].content.Dump(),
      R"({"greeting":"hello","n":5,"flag":false,"when":"2020-01-01T00:00:00Z","rows":"[1,2]"})");
}

TEST(ControlsSetVariable, LaterNamesOverwriteAndMissingValuesAreLeftOut) {
  auto h = Make("SetVariable");
  ASSERT_TRUE(h->Receive("in", Variables(R"([
      {"name":"a","type":"text","text":"1"},
      {"name":"b","type":"number"},
      {"name":"a","type":"text","text":"2"},
      {"name":"c","type":"name"},
      {"type":"text","text":"unnamed"}])"))
                  .ok());
  EXPECT_EQ(h->sent()[0].content.Dump(), R"({"a":"2","undefined":"unnamed"})");
}

TEST(ControlsSetVariable, NoVariablesSendsEmptyObject) {
  auto h = Make("SetVariable");
  ASSERT_TRUE(h->Receive("in", J(R"({"variables":{}})")).ok());
  ASSERT_TRUE(h->Receive("in", Variables("[]")).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].content, Json::MakeObject());
  EXPECT_EQ(h->sent()[1].content, Json::MakeObject());
}

TEST(ControlsSetVariable, BadInputsAreErrors) {
  auto h = Make("SetVariable");
  EXPECT_FALSE(h->Receive("in", Json::MakeObject()).ok());  // variables is required
  EXPECT_EQ(h->Receive("in", Variables(R"({"name":"a"})")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h->Receive("in", Variables("[null]")).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(h->sent().empty());
}

TEST(ControlsSetVariable, DesignTimeOptions) {
  HarnessOptions options;
  options.properties = J(R"({"generateOutputPortOptions":true})");
  auto h = Make("SetVariable", std::move(options));
  ASSERT_TRUE(
      h->Receive(
           "in",
           Variables(R"([{"name":"a","type":"text","text":"x"},{"name":"n","type":"number"}])"))
          .ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(
      h->sent()[0].content,
      J(R"([{"label":"a","value":"a","type":"text"},{"label":"n","value":"n","type":"number"}])"));
}

}  // namespace
}  // namespace flowkit
