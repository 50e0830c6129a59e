// Engine runtime semantics, with small test components defined here.
#include "flowkit/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "flowkit/component.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"

namespace flowkit {
namespace {

// What test components observed, shared through a pointer in their factory.
struct Observed {
  std::mutex mu;
  std::vector<Json> received;                 // Collect: contents
  std::vector<std::string> correlation_ids;   // Collect: per message
  std::vector<Json> signals;                  // SignalSink
  std::atomic<int> fail_calls{0};
  std::atomic<int> in_receive{0};
  std::atomic<int> max_parallel{0};

  void Add(const Json& j, const std::string& correlation) {
    std::lock_guard<std::mutex> lock(mu);
    received.push_back(j);
    correlation_ids.push_back(correlation);
  }
  std::vector<Json> Received() {
    std::lock_guard<std::mutex> lock(mu);
    return received;
  }
};

// Start: sends properties.count messages {i} on "out" (properties.count default 1).
class Emit : public Behaviour {
 public:
  Status Start(Context& ctx) override {
    const int64_t n = ctx.properties().Get("count").AsInt(1);
    for (int64_t i = 0; i < n; ++i) FLOWKIT_RETURN_IF_ERROR(ctx.Send("out", Json::MakeObject({{"i", i}})));
    return Status::OK();
  }
};

class Pass : public Behaviour {
 public:
  Status Receive(Context& ctx) override { return ctx.Send("out", ctx.Input("in")->Content()); }
};

class Collect : public Behaviour {
 public:
  explicit Collect(Observed* o) : o_(o) {}
  Status Receive(Context& ctx) override {
    for (std::string_view port : {"in", "a", "b"}) {
      for (const Message& m : ctx.Inputs(port)) {
        Json entry = Json::MakeObject({{"port", std::string(port)}, {"content", m.Content()}});
        o_->Add(entry, ctx.correlation_id());
      }
    }
    return Status::OK();
  }

 private:
  Observed* o_;
};

// Fails the first `properties.failures` calls with properties.code ("unavailable" or "invalid").
class Flaky : public Behaviour {
 public:
  explicit Flaky(Observed* o) : o_(o) {}
  Status Receive(Context& ctx) override {
    const int call = ++o_->fail_calls;
    // A send before the failure must be discarded with the failed call.
    FLOWKIT_RETURN_IF_ERROR(ctx.Send("out", Json::MakeObject({{"call", call}})));
    if (call <= ctx.properties().Get("failures").AsInt(0)) {
      if (ctx.properties().Get("code").AsString() == "invalid") return Status::InvalidArgument("bad input");
      if (ctx.properties().Get("code").AsString() == "throw") throw std::runtime_error("boom");
      return Status::Unavailable("try again");
    }
    return Status::OK();
  }

 private:
  Observed* o_;
};

// Counts every message in component state and emits the new count.
class Count : public Behaviour {
 public:
  explicit Count(Observed* o) : o_(o) {}
  Status Receive(Context& ctx) override {
    const int now = ++o_->in_receive;
    int seen = o_->max_parallel.load();
    while (now > seen && !o_->max_parallel.compare_exchange_weak(seen, now)) {
    }
    Result<Json> n = ctx.state().Inc("n", 1);
    --o_->in_receive;
    if (!n.ok()) return n.status();
    return ctx.Send("out", Json::MakeObject({{"n", *n}}));
  }

 private:
  Observed* o_;
};

// Receive: arms a timeout with the content; timeout: sends the content plus what the scope says
// about the flow's trigger.
class Delay : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    if (ctx.kind() == InvocationKind::kTimeout) {
      const Message* t = ctx.Input(kTimeoutPort);
      const Json* trigger = ctx.scope().Find("emit", "out");
      Json out = Json::MakeObject({{"content", t->Content()},
                                   {"timeoutIdSet", !t->timeout_id.empty()},
                                   {"triggerI", trigger != nullptr ? (*trigger)["i"] : Json::Undefined()}});
      return ctx.Send("out", std::move(out));
    }
    Result<std::string> id = ctx.SetTimeout(ctx.Input("in")->Content(), ctx.properties().Get("ms").AsInt(10));
    if (!id.ok()) return id.status();
    if (ctx.properties().Get("cancel").AsBool()) return ctx.ClearTimeout(*id);
    return Status::OK();
  }
};

class Signaller : public Behaviour {
 public:
  Status Receive(Context& ctx) override { return ctx.SendSignal(Json::MakeObject({{"from", ctx.component_id()}})); }
};

class SignalSink : public Behaviour {
 public:
  explicit SignalSink(Observed* o) : o_(o) {}
  Status Signal(Context& ctx) override {
    std::lock_guard<std::mutex> lock(o_->mu);
    o_->signals.push_back(Json::MakeObject({{"me", ctx.component_id()}, {"content", ctx.Input(kSignalPort)->Content()}}));
    return Status::OK();
  }

 private:
  Observed* o_;
};

class Hook : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    if (ctx.kind() != InvocationKind::kWebhook) return Status::InvalidArgument("expected a webhook call");
    return ctx.Send("out", ctx.Input(kWebhookPort)->Content()["data"]);
  }
};

class Reply : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    return ctx.Respond(Json::MakeObject({{"echo", ctx.Input("in")->Content()}}), 201);
  }
};

class StopMe : public Behaviour {
 public:
  Status Receive(Context& ctx) override { return ctx.StopFlow(); }
};

class BadStart : public Behaviour {
 public:
  Status Start(Context&) override { return Status::FailedPrecondition("cannot start"); }
};

class Ticker : public Behaviour {
 public:
  Status Tick(Context& ctx) override { return ctx.Send("out", Json::MakeObject({{"tick", true}})); }
};

Manifest MakeManifest(const std::string& text) {
  Result<Manifest> m = Manifest::Parse(text);
  EXPECT_TRUE(m.ok()) << m.status().ToString() << " in " << text;
  return std::move(m).value();
}

// Runs properties.code through Context::EvalJavaScript on its input and sends the result.
class EvalJs : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    Result<Json> r = ctx.EvalJavaScript(ctx.properties()["code"].AsString(), ctx.Input("in")->Content());
    if (!r.ok()) return r.status();
    return ctx.Send("out", std::move(r).value());
  }
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto modifiers = std::make_shared<ModifierRegistry>();
    ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers).ok());
    modifiers_ = modifiers;
    auto reg = std::make_shared<ComponentRegistry>();
    Observed* o = &observed_;
    auto add = [&](const std::string& manifest, BehaviourFactory f, bool concurrent = false) {
      ASSERT_TRUE(reg->Register(MakeManifest(manifest), std::move(f), ComponentOptions{concurrent}).ok());
    };
    add(R"({"name":"test.t.core.Emit","outPorts":["out"],"properties":{"schema":{"type":"object"}}})",
        [] { return std::make_unique<Emit>(); });
    add(R"({"name":"test.t.core.Pass","inPorts":["in"],"outPorts":["out"]})", [] { return std::make_unique<Pass>(); },
        true);
    add(R"({"name":"test.t.core.Collect","inPorts":["in"]})", [o] { return std::make_unique<Collect>(o); }, true);
    add(R"({"name":"test.t.core.Typed","inPorts":[{"name":"in","schema":{"type":"object",
          "properties":{"n":{"type":"integer"},"text":{"type":"string"}},"required":["n"]}}]})",
        [o] { return std::make_unique<Collect>(o); }, true);
    add(R"({"name":"test.t.core.JoinAll","inPorts":["a","b"],"firePatterns":["A","A"]})",
        [o] { return std::make_unique<Collect>(o); });
    add(R"({"name":"test.t.core.Flaky","inPorts":["in"],"outPorts":["out"]})",
        [o] { return std::make_unique<Flaky>(o); });
    add(R"({"name":"test.t.core.Count","inPorts":["in"],"outPorts":["out"]})",
        [o] { return std::make_unique<Count>(o); });
    add(R"({"name":"test.t.core.Delay","inPorts":["in"],"outPorts":["out"]})", [] { return std::make_unique<Delay>(); });
    add(R"({"name":"test.t.core.Signaller","inPorts":["in"]})", [] { return std::make_unique<Signaller>(); });
    add(R"({"name":"test.t.core.SignalSink","inPorts":["in"]})", [o] { return std::make_unique<SignalSink>(o); });
    add(R"({"name":"test.t.core.Hook","webhook":true,"outPorts":["out"]})", [] { return std::make_unique<Hook>(); });
    add(R"({"name":"test.t.core.Reply","inPorts":["in"]})", [] { return std::make_unique<Reply>(); });
    add(R"({"name":"test.t.core.StopMe","inPorts":["in"]})", [] { return std::make_unique<StopMe>(); });
    add(R"({"name":"test.t.core.BadStart","inPorts":["in"]})", [] { return std::make_unique<BadStart>(); });
    add(R"({"name":"test.t.core.Ticker","tick":true,"outPorts":["out"]})", [] { return std::make_unique<Ticker>(); });
    add(R"({"name":"test.t.core.EvalJs","inPorts":["in"],"outPorts":["out"]})", [] { return std::make_unique<EvalJs>(); });
    registry_ = reg;
    insights_ = std::make_shared<MemoryInsights>();
  }

  std::unique_ptr<Engine> OpenEngine(size_t workers = 2) {
    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.workers = workers;
    options.retry.initial_delay_ms = 1;
    options.retry.max_delay_ms = 4;
    options.retry.max_attempts = 4;
    options.insights = insights_;
    options.tick_interval_ms = 20;
    options.on_dead_letter = [this](const DeadLetter&) { ++dead_hook_calls_; };
    options.on_component_error = [this](const Json&) { ++error_hook_calls_; };
    options.javascript = javascript_;
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return std::move(engine).value();
  }

  std::string Load(Engine& engine, const std::string& descriptor) {
    Diagnostics diags;
    auto flow = Flow::Parse(R"({"name":"t","flow":)" + descriptor + "}", *registry_, *modifiers_, &diags);
    EXPECT_TRUE(flow.ok()) << flow.status().ToString();
    auto id = engine.LoadFlow(*flow);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return *id;
  }

  Observed observed_;
  std::shared_ptr<ComponentRegistry> registry_;
  std::shared_ptr<const ModifierRegistry> modifiers_;
  std::shared_ptr<MemoryInsights> insights_;
  std::atomic<int> dead_hook_calls_{0};
  std::atomic<int> error_hook_calls_{0};
  JavaScriptLimits javascript_;
};

TEST_F(EngineTest, FansOutToEveryLinkAndTransformsPerDestination) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit","config":{"properties":{"count":3}}},
    "c1": {"type":"test.t.core.Collect","source":{"in":{"emit":["out"]}}},
    "c2": {"type":"test.t.core.Collect","source":{"in":{"emit":["out"]}},
           "config":{"transform":{"in":{"emit":{"out":{"type":"json2new",
             "lambda":{"doubled":"{{{$.emit.out.i}}}","label":"item {{{$.emit.out.i}}}"}}}}}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::vector<Json> got = observed_.Received();
  ASSERT_EQ(got.size(), 6u);
  int transformed = 0;
  std::set<int64_t> raw;
  for (const Json& g : got) {
    if (g["content"].Contains("label")) {
      ++transformed;
      EXPECT_EQ(g["content"]["label"].AsString(), "item " + std::to_string(g["content"]["doubled"].AsInt()));
    } else {
      raw.insert(g["content"]["i"].AsInt());
    }
  }
  EXPECT_EQ(transformed, 3);
  EXPECT_EQ(raw, (std::set<int64_t>{0, 1, 2}));
  EXPECT_EQ(engine->Stats().messages_sent, 3u);
}

TEST_F(EngineTest, JavaScriptRunsInComponentsAndTransformsUnderTheEngineLimits) {
  javascript_.time_limit_ms = 50;
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"js({
    "emit": {"type":"test.t.core.Emit","config":{"properties":{"count":2}}},
    "js": {"type":"test.t.core.EvalJs","source":{"in":{"emit":["out"]}},
           "config":{"properties":{"code":"return {twice: $data.i * 2}"}}},
    "c": {"type":"test.t.core.Collect","source":{"in":{"js":["out"]}},
          "config":{"transform":{"in":{"js":{"out":{"type":"json2new",
            "modifiers":{"n":{"u":{"variable":"$.js.out.twice","functions":[
              {"name":"g_javascript","params":[{"value":"return 'n=' + (value + 1)"}]}]}}},
            "lambda":{"n":"{{{u}}}"}}}}}}},
    "loop": {"type":"test.t.core.EvalJs","source":{"in":{"emit":["out"]}},
             "config":{"properties":{"code":"for (;;) {}"}}},
    "stuck": {"type":"test.t.core.Collect","source":{"in":{"emit":["out"]}},
              "config":{"transform":{"in":{"emit":{"out":{"type":"json2new",
                "modifiers":{"n":{"u":{"functions":[{"name":"g_javascript","params":[{"value":"while (true) {}"}]}]}}},
                "lambda":{"n":"{{{u}}}"}}}}}}}
  })js");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 20000));
  std::set<std::string> got;
  for (const Json& g : observed_.Received()) got.insert(g["content"]["n"].AsString());
  EXPECT_EQ(got, (std::set<std::string>{"n=1", "n=3"}));
  std::vector<DeadLetter> dead = engine->DeadLetters(id);
  ASSERT_EQ(dead.size(), 4u);  // two messages each into "loop" and "stuck"
  for (const DeadLetter& d : dead) {
    // In a component the sandbox's code stands; in a link it is the transform's validation error.
    EXPECT_EQ(d.error.code(), d.component_id == "loop" ? StatusCode::kDeadlineExceeded : StatusCode::kInvalidArgument)
        << d.error.ToString();
    EXPECT_NE(d.error.message().find("JavaScript exceeded its 50 ms time limit"), std::string::npos)
        << d.error.ToString();
  }
}

TEST_F(EngineTest, JavaScriptLimitsMustBePositive) {
  javascript_.memory_limit_bytes = 0;
  EngineOptions options;
  options.components = registry_;
  options.modifiers = modifiers_;
  options.javascript = javascript_;
  EXPECT_EQ(Engine::Open(std::move(options)).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, OneRunKeepsItsCorrelationIdAcrossHops) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit","config":{"properties":{"count":2}}},
    "p": {"type":"test.t.core.Pass","source":{"in":{"emit":["out"]}}},
    "c": {"type":"test.t.core.Collect","source":{"in":{"p":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::lock_guard<std::mutex> lock(observed_.mu);
  ASSERT_EQ(observed_.correlation_ids.size(), 2u);
  EXPECT_FALSE(observed_.correlation_ids[0].empty());
  EXPECT_EQ(observed_.correlation_ids[0], observed_.correlation_ids[1]) << "one Start call is one run";
}

TEST_F(EngineTest, JoinWithAllPatternWaitsForEverySource) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit","config":{"properties":{"count":1}}},
    "left": {"type":"test.t.core.Pass","source":{"in":{"emit":["out"]}}},
    "right": {"type":"test.t.core.Pass","source":{"in":{"emit":["out"]}}},
    "join": {"type":"test.t.core.JoinAll","source":{"a":{"left":["out"]},"b":{"right":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::vector<Json> got = observed_.Received();
  ASSERT_EQ(got.size(), 2u) << "one call with both ports";
  std::set<std::string> ports{got[0]["port"].AsString(), got[1]["port"].AsString()};
  EXPECT_EQ(ports, (std::set<std::string>{"a", "b"}));
}

TEST_F(EngineTest, RetriesRetryableFailuresAndDiscardsTheFailedCallsSends) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "flaky": {"type":"test.t.core.Flaky","source":{"in":{"emit":["out"]}},
              "config":{"properties":{"failures":2,"code":"unavailable"}}},
    "c": {"type":"test.t.core.Collect","source":{"in":{"flaky":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::vector<Json> got = observed_.Received();
  ASSERT_EQ(got.size(), 1u) << "sends of the two failed attempts were rolled back";
  EXPECT_EQ(got[0]["content"]["call"].AsInt(), 3);
  EXPECT_EQ(engine->Stats().retries, 2u);
  EXPECT_TRUE(engine->DeadLetters().empty());
  EXPECT_EQ(error_hook_calls_.load(), 2);
}

TEST_F(EngineTest, FinalErrorsGoStraightToDeadLettersAndCanBeRetried) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "flaky": {"type":"test.t.core.Flaky","source":{"in":{"emit":["out"]}},
              "config":{"properties":{"failures":1,"code":"invalid"}}},
    "c": {"type":"test.t.core.Collect","source":{"in":{"flaky":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  EXPECT_EQ(observed_.fail_calls.load(), 1) << "kInvalidArgument is never retried";
  std::vector<DeadLetter> dead = engine->DeadLetters(id);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].component_id, "flaky");
  EXPECT_EQ(dead[0].error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dead_hook_calls_.load(), 1);
  const Json& rec = dead[0].record;
  EXPECT_EQ(rec["componentId"].AsString(), "flaky");
  EXPECT_EQ(rec["messages"]["in"][0]["properties"]["sender"]["componentId"].AsString(), "emit");
  EXPECT_EQ(rec["messages"]["in"][0]["originalContent"]["i"].AsInt(), 0);
  EXPECT_TRUE(rec["messages"]["in"][0]["scope"]["emit"]["out"].IsObject());

  ASSERT_TRUE(engine->RetryDeadLetter(dead[0].id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  EXPECT_TRUE(engine->DeadLetters().empty());
  ASSERT_EQ(observed_.Received().size(), 1u) << "the retried message went through";
  EXPECT_EQ(engine->RetryDeadLetter(dead[0].id).code(), StatusCode::kNotFound);
}

TEST_F(EngineTest, RetryableFailuresEndInDeadLettersAfterMaxAttempts) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "flaky": {"type":"test.t.core.Flaky","source":{"in":{"emit":["out"]}},
              "config":{"properties":{"failures":100,"code":"throw"}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  EXPECT_EQ(observed_.fail_calls.load(), 4) << "max_attempts = 4";
  std::vector<DeadLetter> dead = engine->DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts, 4);
  EXPECT_EQ(dead[0].error.code(), StatusCode::kInternal) << "a thrown exception becomes kInternal";
  EXPECT_NE(dead[0].error.message().find("boom"), std::string::npos);
  ASSERT_TRUE(engine->DeleteDeadLetter(dead[0].id).ok());
  EXPECT_TRUE(engine->DeadLetters().empty());
}

TEST_F(EngineTest, InPortSchemaViolationsAreDeadLetteredWithTheField) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "typed": {"type":"test.t.core.Typed","source":{"in":{"emit":["out"]}},
              "config":{"transform":{"in":{"emit":{"out":{"lambda":{"n":"not a number","text":"{{{$.emit.out}}}"}}}}}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::vector<DeadLetter> dead = engine->DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].error.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dead[0].error.message().find("/n"), std::string::npos) << dead[0].error.message();
  EXPECT_TRUE(observed_.Received().empty());
}

TEST_F(EngineTest, InPortSchemaCoercesObjectsToTextWhereAStringIsExpected) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "typed": {"type":"test.t.core.Typed","source":{"in":{"emit":["out"]}},
              "config":{"transform":{"in":{"emit":{"out":{"lambda":{"n":"{{{$.emit.out.i}}}","text":"{{{$.emit.out}}}"}}}}}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::vector<Json> got = observed_.Received();
  ASSERT_EQ(got.size(), 1u) << (engine->DeadLetters().empty() ? "" : engine->DeadLetters()[0].error.ToString());
  EXPECT_EQ(got[0]["content"]["n"].AsInt(), 0);
  EXPECT_EQ(got[0]["content"]["text"].AsString(), R"({"i":0})");
}

TEST_F(EngineTest, TimersFireWithTheScopeAndCorrelationOfTheCallThatSetThem) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit","config":{"properties":{"count":2}}},
    "delay": {"type":"test.t.core.Delay","source":{"in":{"emit":["out"]}},"config":{"properties":{"ms":15}}},
    "c": {"type":"test.t.core.Collect","source":{"in":{"delay":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(200, 5000));
  std::vector<Json> got = observed_.Received();
  ASSERT_EQ(got.size(), 2u);
  std::set<int64_t> trigger_values;
  for (const Json& g : got) {
    EXPECT_TRUE(g["content"]["timeoutIdSet"].AsBool());
    EXPECT_EQ(g["content"]["content"]["i"], g["content"]["triggerI"]) << "scope restored from the arming call";
    trigger_values.insert(g["content"]["triggerI"].AsInt());
  }
  EXPECT_EQ(trigger_values, (std::set<int64_t>{0, 1}));
}

TEST_F(EngineTest, ClearedTimersNeverFire) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "delay": {"type":"test.t.core.Delay","source":{"in":{"emit":["out"]}},"config":{"properties":{"ms":5,"cancel":true}}},
    "c": {"type":"test.t.core.Collect","source":{"in":{"delay":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(100, 5000));
  EXPECT_TRUE(observed_.Received().empty());
}

TEST_F(EngineTest, SignalsReachEveryComponentOfTheFlow) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "sig": {"type":"test.t.core.Signaller","source":{"in":{"emit":["out"]}}},
    "s1": {"type":"test.t.core.SignalSink"},
    "s2": {"type":"test.t.core.SignalSink"}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::lock_guard<std::mutex> lock(observed_.mu);
  ASSERT_EQ(observed_.signals.size(), 2u);
  std::set<std::string> who;
  for (const Json& s : observed_.signals) {
    who.insert(s["me"].AsString());
    EXPECT_EQ(s["content"]["from"].AsString(), "sig");
  }
  EXPECT_EQ(who, (std::set<std::string>{"s1", "s2"}));
}

TEST_F(EngineTest, SerializedStateUpdatesCountEveryMessageExactlyOnce) {
  auto engine = OpenEngine(4);
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit","config":{"properties":{"count":2000}}},
    "count": {"type":"test.t.core.Count","source":{"in":{"emit":["out"]}}},
    "c": {"type":"test.t.core.Collect","source":{"in":{"count":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 20000));
  std::vector<Json> got = observed_.Received();
  ASSERT_EQ(got.size(), 2000u);
  std::set<int64_t> counts;
  for (const Json& g : got) counts.insert(g["content"]["n"].AsInt());
  EXPECT_EQ(counts.size(), 2000u) << "no two messages saw the same count";
  EXPECT_EQ(*counts.rbegin(), 2000);
  EXPECT_EQ(observed_.max_parallel.load(), 1) << "calls on one instance never overlap";
}

TEST_F(EngineTest, WebhookIsAnsweredByADownstreamComponentOfTheSameRun) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "hook": {"type":"test.t.core.Hook"},
    "reply": {"type":"test.t.core.Reply","source":{"in":{"hook":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  std::mutex mu;
  std::vector<WebhookResponse> responses;
  for (int i = 0; i < 3; ++i) {
    WebhookRequest req;
    req.data = Json::MakeObject({{"n", i}});
    ASSERT_TRUE(engine->SubmitWebhook(id, "hook", req, [&](WebhookResponse r) {
      std::lock_guard<std::mutex> lock(mu);
      responses.push_back(std::move(r));
    }).ok());
  }
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(responses.size(), 3u);
  std::set<int64_t> echoed;
  for (const WebhookResponse& r : responses) {
    EXPECT_EQ(r.status, 201);
    echoed.insert(r.body["echo"]["n"].AsInt());
  }
  EXPECT_EQ(echoed, (std::set<int64_t>{0, 1, 2})) << "each request got its own run's answer";
}

TEST_F(EngineTest, EnqueueOnlyWebhooksAnswer202AtOnce) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "hook": {"type":"test.t.core.Hook"},
    "c": {"type":"test.t.core.Collect","source":{"in":{"hook":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  int status = 0;
  WebhookRequest req;
  req.data = "payload";
  ASSERT_TRUE(engine->SubmitWebhook(id, "hook", req, [&](WebhookResponse r) { status = r.status; }, true).ok());
  EXPECT_EQ(status, 202);
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  ASSERT_EQ(observed_.Received().size(), 1u);
  EXPECT_EQ(observed_.Received()[0]["content"].AsString(), "payload");
  EXPECT_EQ(engine->SubmitWebhook(id, "nope", req, nullptr).code(), StatusCode::kNotFound);
  ASSERT_TRUE(engine->StopFlow(id).ok());
  EXPECT_EQ(engine->SubmitWebhook(id, "hook", req, nullptr).code(), StatusCode::kNotFound) << "stopped flows do not answer";
}

TEST_F(EngineTest, UnansweredWebhooksTimeOutWith504) {
  EngineOptions options;
  options.components = registry_;
  options.modifiers = modifiers_;
  options.webhook_timeout_ms = 30;
  auto engine = std::move(Engine::Open(std::move(options))).value();
  std::string id = Load(*engine, R"({"hook": {"type":"test.t.core.Hook"}})");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  std::atomic<int> status{0};
  ASSERT_TRUE(engine->SubmitWebhook(id, "hook", WebhookRequest{}, [&](WebhookResponse r) { status = r.status; }).ok());
  for (int i = 0; i < 200 && status.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(status.load(), 504);
}

TEST_F(EngineTest, FailingStartKeepsTheFlowStopped) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "bad": {"type":"test.t.core.BadStart","source":{"in":{"emit":["out"]}}}
  })");
  Status s = engine->StartFlow(id);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("bad"), std::string::npos) << s.message();
  EXPECT_EQ(*engine->Stage(id), FlowStage::kStopped);
}

TEST_F(EngineTest, StopAndStartAgainBeginsAFreshRunWithClearedState) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit","config":{"properties":{"count":3}}},
    "count": {"type":"test.t.core.Count","source":{"in":{"emit":["out"]}}},
    "c": {"type":"test.t.core.Collect","source":{"in":{"count":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  EXPECT_EQ(*engine->Stage(id), FlowStage::kRunning);
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  ASSERT_TRUE(engine->StopFlow(id).ok());
  EXPECT_EQ(*engine->Stage(id), FlowStage::kStopped);
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::vector<Json> got = observed_.Received();
  ASSERT_EQ(got.size(), 6u);
  int64_t max_n = 0;
  for (const Json& g : got) max_n = std::max(max_n, g["content"]["n"].AsInt());
  EXPECT_EQ(max_n, 3) << "non-persistent state was cleared by the stop";
}

TEST_F(EngineTest, AComponentCanStopItsFlow) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "stop": {"type":"test.t.core.StopMe","source":{"in":{"emit":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  for (int i = 0; i < 400 && *engine->Stage(id) == FlowStage::kRunning; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(*engine->Stage(id), FlowStage::kStopped);
}

TEST_F(EngineTest, TickComponentsAreCalledPeriodically) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "tick": {"type":"test.t.core.Ticker"},
    "c": {"type":"test.t.core.Collect","source":{"in":{"tick":["out"]}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  for (int i = 0; i < 400 && observed_.Received().size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(engine->StopFlow(id).ok());
  EXPECT_GE(observed_.Received().size(), 2u);
}

TEST_F(EngineTest, InsightsRecordInputsOutputsAndErrors) {
  auto engine = OpenEngine();
  std::string id = Load(*engine, R"({
    "emit": {"type":"test.t.core.Emit"},
    "flaky": {"type":"test.t.core.Flaky","source":{"in":{"emit":["out"]}},
              "config":{"properties":{"failures":1,"code":"invalid"}}}
  })");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(50, 5000));
  std::vector<InsightsRecord> all = insights_->Query(id);
  int in = 0, out = 0, errors = 0;
  for (const InsightsRecord& r : all) {
    in += r.port_type == "in";
    out += r.port_type == "out";
    errors += r.severity == "error";
  }
  EXPECT_EQ(out, 1);
  EXPECT_EQ(in, 1);
  EXPECT_EQ(errors, 1);
  Json j = insights_->Query(id, "error")[0].ToJson();
  EXPECT_EQ(j["componentId"].AsString(), "flaky");
  EXPECT_EQ(j["msg"]["code"].AsString(), "invalid_argument");
}

TEST_F(EngineTest, LoadRejectsManifestOnlyTypes) {
  auto reg = std::make_shared<ComponentRegistry>();
  ASSERT_TRUE(reg->Register(MakeManifest(R"({"name":"x.y.z.OnlyManifest","outPorts":["out"]})")).ok());
  EngineOptions options;
  options.components = reg;
  options.modifiers = modifiers_;
  auto engine = std::move(Engine::Open(std::move(options))).value();
  auto flow = Flow::Parse(R"({"flow":{"a":{"type":"x.y.z.OnlyManifest"}}})", *reg, *modifiers_);
  ASSERT_TRUE(flow.ok());
  EXPECT_EQ(engine->LoadFlow(*flow).status().code(), StatusCode::kNotSupported);
}

TEST_F(EngineTest, OptionsAreValidated) {
  EngineOptions options;
  EXPECT_EQ(Engine::Open(options).status().code(), StatusCode::kInvalidArgument);
  options.components = registry_;
  options.modifiers = modifiers_;
  options.retry.max_attempts = 0;
  EXPECT_EQ(Engine::Open(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(RetryPolicy, BackOffGrowsExponentiallyUpToTheCap) {
  RetryPolicy p;
  p.initial_delay_ms = 100;
  p.multiplier = 2;
  p.max_delay_ms = 1000;
  EXPECT_EQ(p.BaseDelay(1), 100);
  EXPECT_EQ(p.BaseDelay(2), 200);
  EXPECT_EQ(p.BaseDelay(4), 800);
  EXPECT_EQ(p.BaseDelay(5), 1000);
  EXPECT_EQ(p.BaseDelay(60), 1000);
}

}  // namespace
}  // namespace flowkit
