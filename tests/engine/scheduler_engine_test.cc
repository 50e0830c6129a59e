// The schedulers in a running engine whose clock the test moves: every firing arms the next
// through the engine's timers, and the chain keeps going.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "flowkit/builtins.h"
#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "util/js.h"

namespace flowkit {
namespace {

struct Seen {
  std::mutex mu;
  std::vector<Json> contents;
  std::vector<Json> Get() {
    std::lock_guard<std::mutex> lock(mu);
    return contents;
  }
};

class Collect : public Behaviour {
 public:
  explicit Collect(Seen* seen) : seen_(seen) {}
  Status Receive(Context& ctx) override {
    std::lock_guard<std::mutex> lock(seen_->mu);
    seen_->contents.push_back(ctx.Input("in")->Content());
    return Status::OK();
  }

 private:
  Seen* seen_;
};

int64_t Ms(std::string_view iso) { return js::ParseDateString(iso).value_or(0); }

class SchedulerEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = std::make_shared<ComponentRegistry>();
    ASSERT_TRUE(RegisterBuiltinComponents(*registry).ok());
    Result<Manifest> collect = Manifest::Parse(R"({"name":"test.sched.Collect","inPorts":["in"]})");
    ASSERT_TRUE(collect.ok());
    Seen* seen = &seen_;
    ASSERT_TRUE(registry->Register(std::move(collect).value(), [seen] { return std::make_unique<Collect>(seen); }).ok());
    auto modifiers = std::make_shared<ModifierRegistry>();
    ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers).ok());
    registry_ = registry;
    modifiers_ = modifiers;

    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.workers = 2;
    options.clock = &clock_;
    auto engine = Engine::Open(std::move(options));
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
  }

  std::string Start(const std::string& scheduler_node) {
    auto flow = Flow::Parse(R"({"name":"schedule","flow":{"s":)" + scheduler_node +
                                R"(,"c":{"type":"test.sched.Collect","source":{"in":{"s":["out"]}}}}})",
                            *registry_, *modifiers_);
    EXPECT_TRUE(flow.ok()) << flow.status().ToString();
    if (!flow.ok()) return "";
    auto id = engine_->LoadFlow(*flow);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_TRUE(engine_->StartFlow(*id).ok());
    EXPECT_TRUE(engine_->WaitIdle(1000, 10000));
    return *id;
  }

  // Moves the clock to `iso` and waits until the firings due by then are done.
  void AdvanceTo(std::string_view iso) {
    clock_.Set(Ms(iso));
    ASSERT_TRUE(engine_->WaitIdle(1000, 10000));
  }

  ManualClock clock_{Ms("2024-03-30T20:20:00Z")};
  Seen seen_;
  std::shared_ptr<ComponentRegistry> registry_;
  std::shared_ptr<ModifierRegistry> modifiers_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(SchedulerEngineTest, CronSchedulerFiresHourByHourThroughTheSpringForward) {
  // Every hour at :00 in Prague; the night of 2024-03-31 has no 02:00.
  Start(R"({"type":"appmixer.utils.timers.Scheduler","config":{"properties":{
      "minute":"0","hour":"*","dayMonth":"*","dayWeek":"*","immediate":true,"timezone":"Europe/Prague"}}})");
  ASSERT_EQ(seen_.Get().size(), 1u);
  EXPECT_EQ(seen_.Get()[0]["nextDate"].AsString(), "2024-03-30T21:00:00.000Z");
  for (const char* at : {"2024-03-30T21:00:00Z", "2024-03-30T22:00:00Z", "2024-03-30T23:00:00Z",
                         "2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z"}) {
    AdvanceTo(at);
  }
  std::vector<Json> got = seen_.Get();
  ASSERT_EQ(got.size(), 6u);
  std::vector<std::string> now, next;
  for (size_t i = 1; i < got.size(); ++i) {
    now.push_back(got[i]["now"].AsString());
    next.push_back(got[i]["nextDate"].AsString());
    EXPECT_EQ(got[i]["previousDate"], got[i - 1]["now"]) << i;
  }
  EXPECT_EQ(now, (std::vector<std::string>{"2024-03-30T21:00:00.000Z", "2024-03-30T22:00:00.000Z",
                                           "2024-03-30T23:00:00.000Z", "2024-03-31T00:00:00.000Z",
                                           "2024-03-31T01:00:00.000Z"}));
  // 01:00 CET (00:00Z) is followed by 03:00 CEST (01:00Z), then 04:00 CEST.
  EXPECT_EQ(next.back(), "2024-03-31T02:00:00.000Z");
  EXPECT_EQ(engine_->Stats().timers_pending, 1u);
}

TEST_F(SchedulerEngineTest, SchedulerTriggerStopsAtTheEnd) {
  Start(R"({"type":"appmixer.utils.timers.SchedulerTrigger","config":{"properties":{
      "scheduleType":"days","time":"08:00","end":"2024-04-02 09:00"}}})");
  EXPECT_TRUE(seen_.Get().empty());
  for (const char* at : {"2024-03-31T08:00:00Z", "2024-04-01T08:00:00Z", "2024-04-02T08:00:00Z",
                         "2024-04-05T00:00:00Z"}) {
    AdvanceTo(at);
  }
  std::vector<Json> got = seen_.Get();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]["previousDate"].AsString(), "2024-03-31T08:00:00.000Z");
  EXPECT_EQ(got[1]["nextDateGMT"].AsString(), "2024-04-02T08:00:00.000Z");
  EXPECT_TRUE(got[2]["nextDateGMT"].IsNull());
  EXPECT_EQ(engine_->Stats().timers_pending, 0u);
}

}  // namespace
}  // namespace flowkit
