// The error feed: failed calls reach the flow's OnError instances (ComponentOptions::error_feed),
// once per failed attempt, durably, and never for errors of the error handling itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "engine/journal.h"
#include "flowkit/builtins.h"
#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/runtime.h"

namespace flowkit {
namespace {

struct Seen {
  std::mutex mu;
  std::vector<Json> items;
  std::vector<Json> Items() {
    std::lock_guard<std::mutex> lock(mu);
    return items;
  }
};

class Emit : public Behaviour {
 public:
  Status Start(Context& ctx) override { return ctx.Send("out", Json::MakeObject({{"n", 7}})); }
};

// Fails every call: kUnavailable (retried) when properties.retryable, else kInvalidArgument.
class Failing : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    if (ctx.properties()["retryable"].AsBool()) return Status::Unavailable("service down");
    return Status::InvalidArgument("bad input " + ctx.Input("in")->Content().Dump());
  }
};

// Records what arrives; fails while `*fail` is set (retryably).
class Collect : public Behaviour {
 public:
  Collect(Seen* seen, std::atomic<bool>* fail) : seen_(seen), fail_(fail) {}
  Status Receive(Context& ctx) override {
    if (fail_->load()) return Status::Unavailable("collector down");
    std::lock_guard<std::mutex> lock(seen_->mu);
    const Message* in = ctx.Input("in");
    seen_->items.push_back(in != nullptr ? in->Content() : ctx.Input(kErrorPort)->Content());
    return Status::OK();
  }

 private:
  Seen* seen_;
  std::atomic<bool>* fail_;
};

class OnErrorEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto modifiers = std::make_shared<ModifierRegistry>();
    ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers).ok());
    modifiers_ = modifiers;
    auto reg = std::make_shared<ComponentRegistry>();
    ASSERT_TRUE(RegisterBuiltinComponents(*reg).ok());
    Seen* seen = &seen_;
    Seen* feed_seen = &feed_seen_;
    std::atomic<bool>* collect_fails = &collect_fails_;
    std::atomic<bool>* listener_fails = &listener_fails_;
    auto add = [&](const std::string& manifest, BehaviourFactory f, ComponentOptions options) {
      Result<Manifest> m = Manifest::Parse(manifest);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      ASSERT_TRUE(reg->Register(std::move(m).value(), std::move(f), options).ok());
    };
    add(R"({"name":"test.e.core.Emit","outPorts":["out"]})", [] { return std::make_unique<Emit>(); }, {});
    add(R"({"name":"test.e.core.Failing","inPorts":["in"]})", [] { return std::make_unique<Failing>(); }, {});
    add(R"({"name":"test.e.core.Collect","inPorts":["in"]})",
        [seen, collect_fails] { return std::make_unique<Collect>(seen, collect_fails); }, {});
    // A second error-feed type of our own, whose calls fail while listener_fails_ is set.
    add(R"({"name":"test.e.core.Listener"})",
        [feed_seen, listener_fails] { return std::make_unique<Collect>(feed_seen, listener_fails); },
        {.error_feed = true});
    registry_ = reg;
  }

  std::unique_ptr<Engine> Open(const Clock* clock, std::shared_ptr<Runtime> runtime = nullptr, int max_attempts = 3) {
    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.workers = 2;
    options.clock = clock;
    options.runtime = std::move(runtime);
    options.retry.initial_delay_ms = 1000;
    options.retry.max_delay_ms = 1000;
    options.retry.jitter = 0;
    options.retry.max_attempts = max_attempts;
    options.on_component_error = [this](const Json& event) {
      std::lock_guard<std::mutex> lock(hook_mu_);
      hook_events_.push_back(event);
    };
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return std::move(engine).value();
  }

  // emit → fail; onError → collect; `extra`: more flow entries.
  std::string Load(Engine& engine, bool retryable, const std::string& extra = "") {
    Diagnostics diags;
    const std::string text = R"({"name":"Orders","flow":{
        "emit":{"type":"test.e.core.Emit"},
        "fail":{"type":"test.e.core.Failing","label":"Charge card","source":{"in":{"emit":["out"]}},
                "config":{"properties":{"retryable":)" + std::string(retryable ? "true" : "false") + R"(}}},
        "onError":{"type":"appmixer.utils.controls.OnError"},
        "collect":{"type":"test.e.core.Collect","source":{"in":{"onError":["out"]}}})" +
                             extra + "}}";
    auto flow = Flow::Parse(text, *registry_, *modifiers_, &diags);
    EXPECT_TRUE(flow.ok()) << flow.status().ToString();
    auto id = engine.LoadFlow(*flow);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return *id;
  }

  void AdvanceUntilIdle(Engine& engine, ManualClock& clock) {
    for (int i = 0; i < 8; ++i) {
      ASSERT_TRUE(engine.WaitIdle(0, 5000));
      clock.Advance(1000);  // the retry delay
    }
    ASSERT_TRUE(engine.WaitIdle(0, 5000));
  }

  Seen seen_;
  Seen feed_seen_;
  std::atomic<bool> collect_fails_{false};
  std::atomic<bool> listener_fails_{false};
  std::mutex hook_mu_;
  std::vector<Json> hook_events_;
  std::shared_ptr<ComponentRegistry> registry_;
  std::shared_ptr<const ModifierRegistry> modifiers_;
};

TEST_F(OnErrorEngineTest, AFinalFailureReachesOnErrorOnceWithTheErrorAndTheInput) {
  ManualClock clock(1'700'000'000'000);
  auto engine = Open(&clock);
  const std::string id = Load(*engine, /*retryable=*/false);
  ASSERT_TRUE(engine->StartFlow(id).ok());
  AdvanceUntilIdle(*engine, clock);
  std::vector<Json> items = seen_.Items();
  ASSERT_EQ(items.size(), 1u) << "a final error fails once";
  const Json& e = items[0];
  EXPECT_EQ(e["flowId"].AsString(), id);
  EXPECT_EQ(e["flowName"].AsString(), "Orders");
  EXPECT_EQ(e["componentId"].AsString(), "fail");
  EXPECT_EQ(e["componentType"].AsString(), "test.e.core.Failing");
  EXPECT_EQ(e["componentLabel"].AsString(), "Charge card");
  EXPECT_EQ(e["err"]["code"].AsString(), "invalid_argument");
  EXPECT_EQ(e["err"]["message"].AsString(), "bad input {\"n\":7}");
  EXPECT_EQ(e["err"]["attempt"].AsInt(), 1);
  EXPECT_TRUE(e["err"]["final"].AsBool());
  EXPECT_EQ(e["msg"]["n"].AsInt(), 7);
  EXPECT_EQ(e["inputMessages"]["in"].At(0)["n"].AsInt(), 7);
  EXPECT_EQ(e["gridTimestamp"].AsString(), "2023-11-14T22:13:20.000Z") << "when it failed";
  EXPECT_FALSE(e["correlationId"].AsString().empty());
  EXPECT_FALSE(e["messageId"].AsString().empty());
  std::lock_guard<std::mutex> lock(hook_mu_);
  ASSERT_EQ(hook_events_.size(), 1u);
  EXPECT_EQ(hook_events_[0]["componentId"].AsString(), "fail") << "the system hook sees the same record";
}

TEST_F(OnErrorEngineTest, EveryFailedAttemptIsReportedAndOnlyTheLastIsFinal) {
  ManualClock clock(1'700'000'000'000);
  auto engine = Open(&clock, nullptr, /*max_attempts=*/3);
  const std::string id = Load(*engine, /*retryable=*/true);
  ASSERT_TRUE(engine->StartFlow(id).ok());
  AdvanceUntilIdle(*engine, clock);
  std::vector<Json> items = seen_.Items();
  ASSERT_EQ(items.size(), 3u);
  std::vector<int64_t> attempts;
  int finals = 0;
  for (const Json& e : items) {
    attempts.push_back(e["err"]["attempt"].AsInt());
    EXPECT_EQ(e["err"]["code"].AsString(), "unavailable");
    if (e["err"]["final"].AsBool()) {
      ++finals;
      EXPECT_EQ(e["err"]["attempt"].AsInt(), 3);
    }
  }
  std::sort(attempts.begin(), attempts.end());
  EXPECT_EQ(attempts, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(finals, 1);
  EXPECT_EQ(engine->DeadLetters().size(), 1u);
}

TEST_F(OnErrorEngineTest, ErrorsOfTheErrorHandlingAreNotFedBack) {
  ManualClock clock(1'700'000'000'000);
  auto engine = Open(&clock, nullptr, /*max_attempts=*/2);
  collect_fails_ = true;   // the component downstream of OnError fails too
  listener_fails_ = true;  // and so does an error-feed instance itself
  const std::string id = Load(*engine, /*retryable=*/false, R"(,"listener":{"type":"test.e.core.Listener"})");
  ASSERT_TRUE(engine->StartFlow(id).ok());
  AdvanceUntilIdle(*engine, clock);
  EXPECT_TRUE(seen_.Items().empty());
  EXPECT_TRUE(feed_seen_.Items().empty());
  std::lock_guard<std::mutex> lock(hook_mu_);
  // fail ×1; collect ×2 attempts; listener ×2 attempts: all recorded, only the first fed.
  EXPECT_EQ(hook_events_.size(), 5u);
  EXPECT_EQ(engine->DeadLetters().size(), 3u);
}

TEST_F(OnErrorEngineTest, AFlowWithoutOnErrorOnlyCallsTheHook) {
  ManualClock clock(1'700'000'000'000);
  auto engine = Open(&clock);
  Diagnostics diags;
  auto flow = Flow::Parse(R"({"name":"x","flow":{"emit":{"type":"test.e.core.Emit"},
      "fail":{"type":"test.e.core.Failing","source":{"in":{"emit":["out"]}}}}})",
                          *registry_, *modifiers_, &diags);
  ASSERT_TRUE(flow.ok()) << flow.status().ToString();
  auto id = engine->LoadFlow(*flow);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(engine->StartFlow(*id).ok());
  AdvanceUntilIdle(*engine, clock);
  std::lock_guard<std::mutex> lock(hook_mu_);
  EXPECT_EQ(hook_events_.size(), 1u);
}

// A runtime that records every hop it commits (and applies it to a memory runtime).
class RecordingRuntime final : public Runtime {
 public:
  void Commit(HopCommit hop, std::function<void(Status)> done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      hops_.push_back(hop);
    }
    inner_->Commit(std::move(hop), std::move(done));
  }
  Status ForEachQueued(std::string_view flow_id, const std::function<bool(const QueuedWork&)>& fn) override {
    return inner_->ForEachQueued(flow_id, fn);
  }
  Result<std::optional<std::string>> GetState(std::string_view key) override { return inner_->GetState(key); }
  Status ForEachState(std::string_view prefix,
                      const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return inner_->ForEachState(prefix, fn);
  }
  Status DropFlow(std::string_view flow_id, std::string_view state_prefix) override {
    return inner_->DropFlow(flow_id, state_prefix);
  }
  RuntimeStats Stats() override { return inner_->Stats(); }
  std::vector<HopCommit> hops() {
    std::lock_guard<std::mutex> lock(mu_);
    return hops_;
  }

 private:
  std::unique_ptr<Runtime> inner_ = NewMemoryRuntime();
  std::mutex mu_;
  std::vector<HopCommit> hops_;
};

TEST_F(OnErrorEngineTest, TheErrorDeliveryIsCommittedWithTheFailure) {
  ManualClock clock(1'700'000'000'000);
  auto runtime = std::make_shared<RecordingRuntime>();
  auto engine = Open(&clock, runtime);
  const std::string id = Load(*engine, /*retryable=*/false);
  ASSERT_TRUE(engine->StartFlow(id).ok());
  AdvanceUntilIdle(*engine, clock);
  ASSERT_EQ(seen_.Items().size(), 1u);
  int failure_hops = 0;
  for (const HopCommit& hop : runtime->hops()) {
    bool dead_letter = false;
    for (const StateWrite& w : hop.state) dead_letter |= w.key.starts_with(engine::kDeadLetterPrefix);
    if (!dead_letter) continue;
    ++failure_hops;
    ASSERT_EQ(hop.acked.size(), 1u) << "the failed delivery";
    ASSERT_EQ(hop.enqueued.size(), 1u) << "one error delivery, for the one OnError";
    Result<Json> body = Json::Parse(hop.enqueued[0].body);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ((*body)["c"].AsString(), "onError");
    EXPECT_EQ((*body)["pl"]["componentId"].AsString(), "fail");
  }
  EXPECT_EQ(failure_hops, 1);
}

TEST_F(OnErrorEngineTest, PendingErrorDeliveriesSurviveARestartOnADurableRuntime) {
  char pattern[] = "/tmp/flowkit-onerror-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  ManualClock clock(1'700'000'000'000);
  auto runtime = [&] {
    LmdbRuntimeOptions ro;
    ro.path = dir;
    ro.sync = false;
    auto r = NewLmdbRuntime(ro);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return std::shared_ptr<Runtime>(std::move(r).value());
  };
  listener_fails_ = true;
  {
    auto engine = Open(&clock, runtime(), /*max_attempts=*/5);
    const std::string id = Load(*engine, /*retryable=*/false, R"(,"listener":{"type":"test.e.core.Listener"})");
    ASSERT_TRUE(engine->StartFlow(id).ok());
    ASSERT_TRUE(engine->WaitIdle(0, 5000));  // the clock stands still: the listener's retry waits
    EXPECT_EQ(seen_.Items().size(), 1u) << "OnError got it at once";
    EXPECT_TRUE(feed_seen_.Items().empty());
  }
  listener_fails_ = false;
  {
    auto engine = Open(&clock, runtime(), /*max_attempts=*/5);
    AdvanceUntilIdle(*engine, clock);
    std::vector<Json> fed = feed_seen_.Items();
    ASSERT_EQ(fed.size(), 1u) << "the error delivery came back from the runtime";
    EXPECT_EQ(fed[0]["componentId"].AsString(), "fail");
    EXPECT_EQ(fed[0]["err"]["code"].AsString(), "invalid_argument");
    EXPECT_EQ(seen_.Items().size(), 1u) << "and nothing was delivered twice";
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowkit
