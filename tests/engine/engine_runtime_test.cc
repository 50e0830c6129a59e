// The engine on a Runtime (EngineOptions::runtime): hops committed as one HopCommit, and a new
// engine on the same runtime resumes what the old one left — as after a crash.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/runtime.h"

namespace flowkit {
namespace {

// A runtime in maps whose commits can be made to fail from some point on: "frozen" commits are
// not applied and complete with an I/O error, which is what a crash looks like to what is stored.
class MapRuntime final : public Runtime {
 public:
  struct Data {
    std::map<std::string, QueuedWork> queue;
    std::map<std::string, std::string> state;
  };
  explicit MapRuntime(Data data = {}) : data_(std::move(data)) {}

  void Commit(HopCommit hop, std::function<void(Status)> done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++commits_;
      bool fail = fail_after_ >= 0 && commits_ > fail_after_ && (fail_until_ < 0 || commits_ <= fail_until_);
      if (!fail_writing_.empty()) {
        for (const StateWrite& w : hop.state) fail = fail || w.key == fail_writing_;
        if (fail) fail_writing_.clear();
      }
      if (fail) {
        // fails: reported below, outside the lock
      } else {
        for (const std::string& id : hop.acked) data_.queue.erase(id);
        for (QueuedWork& w : hop.enqueued) data_.queue[w.id] = std::move(w);
        for (StateWrite& w : hop.state) {
          if (w.value) {
            data_.state[w.key] = std::move(*w.value);
          } else {
            data_.state.erase(w.key);
          }
        }
        done(Status::OK());
        return;
      }
    }
    done(Status::IOError("injected: the disk went away"));
  }
  Status ForEachQueued(std::string_view flow_id, const std::function<bool(const QueuedWork&)>& fn) override {
    std::vector<QueuedWork> items;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [id, w] : data_.queue) {
        if (flow_id.empty() || w.flow_id == flow_id) items.push_back(w);
      }
    }
    for (const QueuedWork& w : items) {
      if (!fn(w)) break;
    }
    return Status::OK();
  }
  Result<std::optional<std::string>> GetState(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = data_.state.find(std::string(key));
    if (it == data_.state.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Status ForEachState(std::string_view prefix,
                      const std::function<bool(std::string_view, std::string_view)>& fn) override {
    std::vector<std::pair<std::string, std::string>> items;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [k, v] : data_.state) {
        if (k.compare(0, prefix.size(), prefix) == 0) items.emplace_back(k, v);
      }
    }
    for (const auto& [k, v] : items) {
      if (!fn(k, v)) break;
    }
    return Status::OK();
  }
  Status DropFlow(std::string_view flow_id, std::string_view state_prefix) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(data_.queue, [&](const auto& e) { return e.second.flow_id == flow_id; });
    std::erase_if(data_.state, [&](const auto& e) { return e.first.compare(0, state_prefix.size(), state_prefix) == 0; });
    return Status::OK();
  }
  RuntimeStats Stats() override {
    std::lock_guard<std::mutex> lock(mu_);
    return RuntimeStats{static_cast<uint64_t>(commits_), static_cast<uint64_t>(commits_), data_.queue.size(),
                        data_.state.size()};
  }

  // Commits after the next `n` fail (n = 0: from now on).
  void FailAfter(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_after_ = commits_ + n;
  }
  // The first commit that writes state `key` fails.
  void FailFirstCommitWriting(std::string key) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_writing_ = std::move(key);
  }
  // The commit after the next `n` fails, and only that one.
  void FailOneAfter(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_after_ = commits_ + n;
    fail_until_ = fail_after_ + 1;
  }
  Data Snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return data_;
  }

 private:
  std::mutex mu_;
  Data data_;
  int64_t commits_ = 0;
  int64_t fail_after_ = -1;
  int64_t fail_until_ = -1;
  std::string fail_writing_;
};

struct Counters {
  std::atomic<int> starts{0};
  std::mutex mu;
  std::vector<int64_t> counts;  // what Count emitted, as seen by Collect
  std::atomic<int> failures_left{0};
};

class Hook : public Behaviour {
 public:
  explicit Hook(Counters* c) : c_(c) {}
  Status Start(Context&) override {
    ++c_->starts;
    return Status::OK();
  }
  Status Receive(Context& ctx) override { return ctx.Send("out", ctx.Input(kWebhookPort)->Content()["data"]); }

 private:
  Counters* c_;
};

// Counts messages in component state; fails while failures_left > 0 (retryable).
class Count : public Behaviour {
 public:
  explicit Count(Counters* c) : c_(c) {}
  Status Receive(Context& ctx) override {
    Result<Json> n = ctx.state().Inc("n", 1);
    if (!n.ok()) return n.status();
    if (c_->failures_left.load() > 0) {
      --c_->failures_left;
      return Status::Unavailable("flaky");
    }
    return ctx.Send("out", Json::MakeObject({{"n", *n}}));
  }

 private:
  Counters* c_;
};

class Collect : public Behaviour {
 public:
  explicit Collect(Counters* c) : c_(c) {}
  Status Receive(Context& ctx) override {
    std::lock_guard<std::mutex> lock(c_->mu);
    c_->counts.push_back(ctx.Input("in")->Content()["n"].AsInt());
    return Status::OK();
  }

 private:
  Counters* c_;
};

class Reject : public Behaviour {
 public:
  Status Receive(Context&) override { return Status::InvalidArgument("never accepted"); }
};

constexpr const char* kFlow = R"({"flowId":"f1","name":"counting","userId":"u1","flow":{
  "hook":{"type":"test.rt.core.Hook"},
  "count":{"type":"test.rt.core.Count","source":{"in":{"hook":["out"]}}},
  "collect":{"type":"test.rt.core.Collect","source":{"in":{"count":["out"]}}},
  "reject":{"type":"test.rt.core.Reject","source":{"in":{"hook":["out"]}}}}})";

class EngineRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    (void)RegisterBuiltinModifiers(*modifiers_);
    Counters* c = &counters_;
    ASSERT_TRUE(registry_
                    ->Register(*Manifest::Parse(R"({"name":"test.rt.core.Hook","webhook":true,"outPorts":["out"]})"),
                               [c] { return std::make_unique<Hook>(c); })
                    .ok());
    ASSERT_TRUE(registry_
                    ->Register(*Manifest::Parse(R"({"name":"test.rt.core.Count","inPorts":["in"],"outPorts":["out"]})"),
                               [c] { return std::make_unique<Count>(c); })
                    .ok());
    ASSERT_TRUE(registry_
                    ->Register(*Manifest::Parse(R"({"name":"test.rt.core.Collect","inPorts":["in"]})"),
                               [c] { return std::make_unique<Collect>(c); })
                    .ok());
    ASSERT_TRUE(registry_
                    ->Register(*Manifest::Parse(R"({"name":"test.rt.core.Reject","inPorts":["in"]})"),
                               [] { return std::make_unique<Reject>(); })
                    .ok());
  }

  std::unique_ptr<Engine> Open(std::shared_ptr<Runtime> runtime) {
    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.workers = 2;
    options.runtime = std::move(runtime);
    options.retry.initial_delay_ms = 1;
    options.retry.max_attempts = 5;
    options.retry.jitter = 0;
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return engine.ok() ? std::move(engine).value() : nullptr;
  }

  std::unique_ptr<Engine> OpenWithRunningFlow(std::shared_ptr<Runtime> runtime) {
    auto engine = Open(std::move(runtime));
    auto flow = Flow::Parse(kFlow, *registry_, *modifiers_);
    EXPECT_TRUE(flow.ok()) << flow.status().ToString();
    auto loaded = engine->LoadFlow(*flow);
    EXPECT_TRUE(loaded.ok()) << loaded.status().ToString();
    Status started = engine->StartFlow("f1");
    EXPECT_TRUE(started.ok()) << started.ToString();
    return engine;
  }

  // Submits `n` webhooks with enqueueOnly; returns how many were accepted (202).
  int Submit(Engine& engine, int n) {
    std::atomic<int> accepted{0}, answered{0};
    for (int i = 0; i < n; ++i) {
      WebhookRequest req;
      req.data = Json::MakeObject({{"i", i}});
      Status s = engine.SubmitWebhook(
          "f1", "hook", std::move(req),
          [&](WebhookResponse r) {
            if (r.status == 202) ++accepted;
            ++answered;
          },
          true);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    while (answered.load() < n) std::this_thread::yield();
    return accepted.load();
  }

  std::vector<int64_t> Counts() {
    std::lock_guard<std::mutex> lock(counters_.mu);
    return counters_.counts;
  }

  std::shared_ptr<ComponentRegistry> registry_ = std::make_shared<ComponentRegistry>();
  std::shared_ptr<ModifierRegistry> modifiers_ = std::make_shared<ModifierRegistry>();
  Counters counters_;
};

TEST_F(EngineRuntimeTest, ANewEngineResumesRunningFlowsWithTheirStateWithoutStartingThemAgain) {
  auto runtime = std::make_shared<MapRuntime>();
  {
    auto engine = OpenWithRunningFlow(runtime);
    EXPECT_EQ(Submit(*engine, 20), 20);
    ASSERT_TRUE(engine->WaitIdle(0, 10000));
  }
  EXPECT_EQ(counters_.starts.load(), 1);
  ASSERT_EQ(Counts().size(), 20u);

  auto engine = Open(runtime);
  auto stage = engine->Stage("f1");
  ASSERT_TRUE(stage.ok()) << stage.status().ToString();
  EXPECT_EQ(*stage, FlowStage::kRunning);
  EXPECT_EQ(counters_.starts.load(), 1) << "a resumed flow is not started again";
  EXPECT_EQ(Submit(*engine, 1), 1);
  ASSERT_TRUE(engine->WaitIdle(0, 10000));
  ASSERT_EQ(Counts().size(), 21u);
  EXPECT_EQ(Counts().back(), 21) << "the Count component's state survived";
}

TEST_F(EngineRuntimeTest, WorkAcceptedBeforeACrashIsProcessedExactlyOnceAfterwards) {
  auto runtime = std::make_shared<MapRuntime>();
  MapRuntime::Data at_crash;
  int accepted = 0;
  {
    auto engine = OpenWithRunningFlow(runtime);
    // Everything after the next 15 commits is lost, as if the process died there.
    runtime->FailAfter(15);
    accepted = Submit(*engine, 40);
    engine->WaitIdle(0, 2000);
    at_crash = runtime->Snapshot();
  }
  ASSERT_GT(accepted, 0);
  ASSERT_LT(accepted, 40) << "some requests must have been refused (503) once commits failed";

  Counters before;
  counters_.counts.clear();
  auto restarted = std::make_shared<MapRuntime>(at_crash);
  auto engine = Open(restarted);
  ASSERT_TRUE(engine->WaitIdle(0, 10000));
  // Every accepted request counted once: the last count equals what was accepted.
  const std::vector<int64_t> counts = Counts();
  auto state = restarted->GetState(std::string("s:f1\x1f") + "count");
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(state->has_value());
  EXPECT_EQ((*Json::Parse(**state))["n"].AsInt(), accepted);
  EXPECT_EQ(restarted->Stats().queued, 0u) << "nothing stuck in the queue";
}

TEST_F(EngineRuntimeTest, AFailedCommitIsRetriedAndCountsOnce) {
  auto runtime = std::make_shared<MapRuntime>();
  auto engine = OpenWithRunningFlow(runtime);
  ASSERT_EQ(Submit(*engine, 1), 1);
  ASSERT_TRUE(engine->WaitIdle(0, 10000));
  // The webhook is accepted; the commit of Count's hop (with its state change) fails once and
  // the engine retries the delivery with back-off.
  runtime->FailFirstCommitWriting(std::string("s:f1\x1f") + "count");
  WebhookRequest req;
  req.data = Json::MakeObject({{"i", 1}});
  std::atomic<int> code{0};
  ASSERT_TRUE(engine->SubmitWebhook("f1", "hook", std::move(req), [&](WebhookResponse r) { code = r.status; }, true).ok());
  ASSERT_TRUE(engine->WaitIdle(500, 10000));
  EXPECT_EQ(code.load(), 202);
  const std::vector<int64_t> counts = Counts();
  ASSERT_FALSE(counts.empty());
  EXPECT_EQ(counts.back(), 2) << "the failed hop's state change was undone before the retry";
}

TEST_F(EngineRuntimeTest, DeadLettersSurviveARestartAndCanBeRetried) {
  auto runtime = std::make_shared<MapRuntime>();
  {
    auto engine = OpenWithRunningFlow(runtime);
    EXPECT_EQ(Submit(*engine, 1), 1);
    ASSERT_TRUE(engine->WaitIdle(0, 10000));
    ASSERT_EQ(engine->DeadLetters().size(), 1u);  // Reject fails with a final error
  }
  auto engine = Open(runtime);
  std::vector<DeadLetter> letters = engine->DeadLetters("f1");
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].component_id, "reject");
  EXPECT_EQ(letters[0].error.code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(engine->RetryDeadLetter(letters[0].id).ok());
  ASSERT_TRUE(engine->WaitIdle(0, 10000));
  ASSERT_EQ(engine->DeadLetters().size(), 1u) << "rejected again: a new letter";
  EXPECT_NE(engine->DeadLetters()[0].id, letters[0].id);
  ASSERT_TRUE(engine->DeleteDeadLetter(engine->DeadLetters()[0].id).ok());
  EXPECT_TRUE(engine->DeadLetters().empty());
  auto again = Open(nullptr);  // (a memory engine is unaffected)
  EXPECT_TRUE(again->DeadLetters().empty());
}

TEST_F(EngineRuntimeTest, StoppingAFlowDropsItsQueuedWorkFromTheRuntime) {
  auto runtime = std::make_shared<MapRuntime>();
  auto engine = OpenWithRunningFlow(runtime);
  counters_.failures_left = 1000;  // Count keeps failing: its deliveries wait for retries
  EXPECT_EQ(Submit(*engine, 3), 3);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(engine->StopFlow("f1").ok());
  EXPECT_EQ(runtime->Stats().queued, 0u);
  auto record = runtime->GetState("g:f1");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*Json::Parse(**record))["stage"].AsString(), "stopped");
}

TEST_F(EngineRuntimeTest, UnloadingAFlowForgetsItInTheRuntime) {
  auto runtime = std::make_shared<MapRuntime>();
  {
    auto engine = OpenWithRunningFlow(runtime);
    EXPECT_EQ(Submit(*engine, 2), 2);
    ASSERT_TRUE(engine->WaitIdle(0, 10000));
    ASSERT_TRUE(engine->UnloadFlow("f1").ok());
  }
  EXPECT_EQ(runtime->Stats().state_keys, 0u);
  auto engine = Open(runtime);
  EXPECT_TRUE(engine->FlowIds().empty());
}

}  // namespace
}  // namespace flowkit
