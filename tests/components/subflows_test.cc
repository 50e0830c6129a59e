// appmixer.utils.subflows.*: each component in the harness, then a caller and a callee flow on
// one engine.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "components/builtin_registry.h"
#include "flowkit/builtins.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/modifier.h"
#include "flowkit/testing.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::HarnessOptions;
using testing::ReceiveOptions;

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

const ComponentRegistry& Registry() {
  static const ComponentRegistry* registry = [] {
    auto* r = new ComponentRegistry();
    Status s = components::RegisterSubflowsComponents(*r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }();
  return *registry;
}

std::unique_ptr<ComponentHarness> Make(std::string_view type, HarnessOptions options = {}) {
  auto h = ComponentHarness::Create(Registry(), "appmixer.utils.subflows." + std::string(type), std::move(options));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? std::move(h).value() : nullptr;
}

TEST(Subflows, CallFlowStartsTheCalleeWithItsInputsAndNamesItselfAsTheCaller) {
  HarnessOptions options;
  options.flow_id = "caller-flow";
  options.component_id = "call";
  auto call = Make("CallFlow", options);
  ReceiveOptions run;
  run.correlation_id = "run-1";
  ASSERT_TRUE(call->Receive("in", J(R"({"flowId":"callee-flow","componentId":"on-call","name":"Ada","n":3})"), run).ok());
  EXPECT_TRUE(call->sent().empty()) << "the output comes later, from the callee";
  ASSERT_EQ(call->triggered().size(), 1u);
  const testing::TriggeredRun& t = call->triggered()[0];
  EXPECT_EQ(t.flow_id, "callee-flow");
  EXPECT_EQ(t.component_id, "on-call");
  EXPECT_EQ(t.data, J(R"({"name":"Ada","n":3})")) << "flowId and componentId are not inputs";
  EXPECT_EQ(t.correlation_id.rfind("subflow-", 0), 0u) << t.correlation_id;

  // The callee's run carries that correlation id; its FlowCallOutput hands the fields back to
  // exactly this CallFlow, in the caller's own run.
  auto output = Make("FlowCallOutput");
  ReceiveOptions callee_run;
  callee_run.correlation_id = t.correlation_id;
  ASSERT_TRUE(output->Receive("in", J(R"({"output":{"ADD":[{"name":"greeting","value":"Hi Ada","type":"string"},
                                                          {"name":"n","value":6,"type":"number"}]}})"),
                              callee_run)
                  .ok());
  ASSERT_EQ(output->triggered().size(), 1u);
  const testing::TriggeredRun& back = output->triggered()[0];
  EXPECT_EQ(back.flow_id, "caller-flow");
  EXPECT_EQ(back.component_id, "call");
  EXPECT_EQ(back.correlation_id, "run-1");
  EXPECT_EQ(back.data, J(R"([{"name":"greeting","value":"Hi Ada","type":"string"},{"name":"n","value":6,"type":"number"}])"));
  ASSERT_EQ(output->SentOn("out").size(), 1u);
  EXPECT_EQ(output->SentOn("out")[0].content, J(R"({"output":{"greeting":"Hi Ada","n":6}})"));

  // The hand-back arrives at CallFlow as a webhook call and continues the caller.
  ASSERT_TRUE(call->Webhook(Json::MakeObject({{"method", "POST"}, {"data", back.data}})).ok());
  ASSERT_EQ(call->SentOn("out").size(), 1u);
  EXPECT_EQ(call->SentOn("out")[0].content, J(R"({"output":{"greeting":"Hi Ada","n":6}})"));
}

TEST(Subflows, CallFlowWithoutATargetIsAFinalError) {
  auto call = Make("CallFlow");
  Status s = call->Receive("in", J(R"({"flowId":"","componentId":"x"})"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'flowId' and 'componentId'"), std::string::npos) << s.message();
  EXPECT_TRUE(call->triggered().empty());
}

TEST(Subflows, OnFlowCallSendsTheCallersInputsAndId) {
  auto caller = Make("CallFlow", [] {
    HarnessOptions o;
    o.flow_id = "caller-flow";
    return o;
  }());
  ASSERT_TRUE(caller->Receive("in", J(R"({"flowId":"f","componentId":"c","x":1})")).ok());
  auto on_call = Make("OnFlowCall");
  ReceiveOptions run;
  run.correlation_id = caller->triggered()[0].correlation_id;
  ASSERT_TRUE(on_call->Webhook(J(R"({"method":"POST","data":{"x":1}})"), run).ok());
  ASSERT_EQ(on_call->SentOn("out").size(), 1u);
  EXPECT_EQ(on_call->SentOn("out")[0].content, J(R"({"input":{"x":1},"callerId":"caller-flow"})"));
}

TEST(Subflows, FlowCallOutputOutsideASubflowRunJustSendsItsFields) {
  auto output = Make("FlowCallOutput");
  ReceiveOptions run;
  run.correlation_id = "an-ordinary-run";
  ASSERT_TRUE(output->Receive("in", J(R"({"output":{"a":1,"b":[2]}})"), run).ok());
  EXPECT_TRUE(output->triggered().empty());
  ASSERT_EQ(output->SentOn("out").size(), 1u);
  EXPECT_EQ(output->SentOn("out")[0].content, J(R"({"output":{"a":1,"b":[2]}})"));
  // A forged prefix is not a caller.
  run.correlation_id = "subflow-zz";
  ASSERT_TRUE(output->Receive("in", J(R"({"output":{}})"), run).ok());
  EXPECT_TRUE(output->triggered().empty());
}

// --- on the engine ----------------------------------------------------------------------------

struct Collected {
  std::mutex mu;
  std::vector<Json> items;
  std::vector<std::string> correlations;
};

// Start: sends properties.message on out.
class Kick final : public Behaviour {
 public:
  Status Start(Context& ctx) override { return ctx.Send("out", ctx.properties().Get("message")); }
};

// The callee's work: {input: {x}} → {output: {ADD: [{name: "doubled", value: 2x}]}}.
class Double final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const int64_t x = ctx.Input("in")->Content()["input"]["x"].AsInt();
    return ctx.Send("out", Json::MakeObject({{"output", Json::MakeObject({{"ADD", Json::MakeArray({Json::MakeObject(
                                                                                      {{"name", "doubled"},
                                                                                       {"value", 2 * x}})})}})}}));
  }
};

class Sink final : public Behaviour {
 public:
  explicit Sink(Collected* c) : c_(c) {}
  Status Receive(Context& ctx) override {
    {
      std::lock_guard<std::mutex> lock(c_->mu);
      c_->items.push_back(ctx.Input("in")->Content());
      c_->correlations.push_back(ctx.correlation_id());
    }
    // As a tap (with an out-port), it passes the message on.
    if (ctx.component_id() == "tap") return ctx.Send("out", ctx.Input("in")->Content());
    return Status::OK();
  }

 private:
  Collected* c_;
};

class SubflowsEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    auto modifiers = std::make_shared<ModifierRegistry>();
    ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers).ok());
    modifiers_ = modifiers;
    auto reg = std::make_shared<ComponentRegistry>();
    ASSERT_TRUE(RegisterBuiltinComponents(*reg).ok());
    Collected* c = &collected_;
    auto add = [&](const std::string& manifest, BehaviourFactory f) {
      Result<Manifest> m = Manifest::Parse(manifest);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      ASSERT_TRUE(reg->Register(std::move(m).value(), std::move(f)).ok());
    };
    add(R"({"name":"test.sub.core.Kick","outPorts":["out"]})", [] { return std::make_unique<Kick>(); });
    add(R"({"name":"test.sub.core.Double","inPorts":["in"],"outPorts":["out"]})",
        [] { return std::make_unique<Double>(); });
    add(R"({"name":"test.sub.core.Sink","inPorts":["in"]})", [c] { return std::make_unique<Sink>(c); });
    add(R"({"name":"test.sub.core.Tap","inPorts":["in"],"outPorts":["out"]})", [c] { return std::make_unique<Sink>(c); });
    registry_ = reg;
    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.workers = 2;
    options.retry.max_attempts = 1;
    auto engine = Engine::Open(std::move(options));
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
  }

  void Load(const std::string& id, const std::string& user, const std::string& nodes) {
    Diagnostics diags;
    auto flow = Flow::Parse(R"({"name":")" + id + R"(","flow":)" + nodes + "}", *registry_, *modifiers_, &diags);
    ASSERT_TRUE(flow.ok()) << flow.status().ToString();
    auto loaded = engine_->LoadFlow(*flow, id, user);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  }

  void LoadCallee(const std::string& user) {
    Load("callee", user, R"({
      "on-call": {"type":"appmixer.utils.subflows.OnFlowCall"},
      "double": {"type":"test.sub.core.Double","source":{"in":{"on-call":["out"]}}},
      "output": {"type":"appmixer.utils.subflows.FlowCallOutput","source":{"in":{"double":["out"]}}}
    })");
  }
  void LoadCaller(const std::string& user) {
    Load("caller", user, R"({
      "kick": {"type":"test.sub.core.Kick","config":{"properties":{"message":
                 {"flowId":"callee","componentId":"on-call","x":21}}}},
      "tap": {"type":"test.sub.core.Tap","source":{"in":{"kick":["out"]}}},
      "call": {"type":"appmixer.utils.subflows.CallFlow","source":{"in":{"tap":["out"]}}},
      "sink": {"type":"test.sub.core.Sink","source":{"in":{"call":["out"]}}}
    })");
  }

  Collected collected_;
  std::shared_ptr<ComponentRegistry> registry_;
  std::shared_ptr<const ModifierRegistry> modifiers_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(SubflowsEngine, ACallerGetsTheCalleesOutputInItsOwnRun) {
  LoadCallee("alice");
  LoadCaller("alice");
  ASSERT_TRUE(engine_->StartFlow("callee").ok());
  ASSERT_TRUE(engine_->StartFlow("caller").ok());
  ASSERT_TRUE(engine_->WaitIdle(50, 10000));
  std::lock_guard<std::mutex> lock(collected_.mu);
  ASSERT_EQ(collected_.items.size(), 2u) << engine_->Stats().errors << " errors";  // tap, then sink
  EXPECT_EQ(collected_.items[1], J(R"({"output":{"doubled":42}})"));
  EXPECT_EQ(collected_.correlations[1], collected_.correlations[0]) << "the caller's run goes on";
  EXPECT_TRUE(engine_->DeadLetters().empty());
}

TEST_F(SubflowsEngine, AnotherUsersFlowCannotBeCalled) {
  LoadCallee("mallory");
  LoadCaller("alice");
  ASSERT_TRUE(engine_->StartFlow("callee").ok());
  ASSERT_TRUE(engine_->StartFlow("caller").ok());
  ASSERT_TRUE(engine_->WaitIdle(50, 10000));
  std::vector<DeadLetter> dead = engine_->DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].component_id, "call");
  EXPECT_EQ(dead[0].error.code(), StatusCode::kNotFound);
  EXPECT_NE(dead[0].error.message().find("not a running flow of this user"), std::string::npos)
      << dead[0].error.message();
  std::lock_guard<std::mutex> lock(collected_.mu);
  EXPECT_EQ(collected_.items.size(), 1u) << "only the tap before the call";
}

TEST_F(SubflowsEngine, CallingAStoppedFlowFails) {
  LoadCallee("alice");
  LoadCaller("alice");
  ASSERT_TRUE(engine_->StartFlow("caller").ok());  // the callee stays stopped
  ASSERT_TRUE(engine_->WaitIdle(50, 10000));
  ASSERT_EQ(engine_->DeadLetters().size(), 1u);
  EXPECT_EQ(engine_->DeadLetters()[0].error.code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace flowkit
