// Quotas: rule parsing, the limiter's budgets, and the engine holding calls back (durably) until
// their quota allows them.
#include "flowkit/quota.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/quota_limiter.h"
#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/runtime.h"

namespace flowkit {
namespace {

std::vector<QuotaRule> Rules(const std::string& text) {
  Result<Json> json = Json::Parse(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  Result<std::vector<QuotaRule>> rules = ParseQuotaRules(*json);
  EXPECT_TRUE(rules.ok()) << rules.status().ToString();
  return rules.ok() ? std::move(rules).value() : std::vector<QuotaRule>{};
}

Status ParseError(const std::string& text) {
  Result<std::vector<QuotaRule>> rules = ParseQuotaRules(Json::Parse(text).value());
  return rules.status();
}

QuotaSpec Spec(std::string manager, std::vector<std::string> resources) {
  QuotaSpec spec;
  spec.manager = std::move(manager);
  spec.resources = std::move(resources);
  spec.scope = Json::Undefined();
  return spec;
}

TEST(QuotaRules, ReadsQuotaJsRulesWrittenAsJson) {
  std::vector<QuotaRule> rules = Rules(R"({"rules": [
    {"limit": 5000, "window": 3600000, "throttling": "window-sliding", "queueing": "fifo",
     "resource": "requests", "scope": "userId"},
    {"limit": 100, "window": 1000, "resource": "projects.list"},
    {"limit": 125000, "window": 86400000, "throttling": {"type": "window-fixed"}, "resource": "shares"},
    {"limit": 15, "throttling": "limit-concurrency", "queueing": "fifo", "resource": "digest"}]})");
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[0].resource, "requests");
  EXPECT_EQ(rules[0].limit, 5000);
  EXPECT_EQ(rules[0].window_ms, 3600000);
  EXPECT_TRUE(rules[0].fifo);
  EXPECT_TRUE(rules[0].per_user);
  EXPECT_EQ(rules[1].throttling, QuotaThrottling::kWindowSliding) << "sliding is the default";
  EXPECT_FALSE(rules[1].fifo);
  EXPECT_FALSE(rules[1].per_user);
  EXPECT_EQ(rules[2].throttling, QuotaThrottling::kWindowFixed);
  EXPECT_EQ(rules[3].throttling, QuotaThrottling::kConcurrency);
  EXPECT_EQ(rules[3].window_ms, 0);
  EXPECT_EQ(Rules(R"([{"limit": 1, "window": 10, "resource": "r"}])").size(), 1u) << "a bare array works too";
}

TEST(QuotaRules, BadRulesAreRefusedNamingTheRuleAndField) {
  struct Case {
    const char* text;
    const char* expected;
  } cases[] = {
      {R"({"limits": []})", "'rules' is required"},
      {R"({"rules": {}})", "'rules' must be an array"},
      {R"({"rules": [{"limit": 1, "window": 10}]})", "quota rule 0: 'resource' is required"},
      {R"({"rules": [{"limit": 1, "window": 10, "resource": "a"}, {"limit": 0, "window": 1, "resource": "b"}]})",
       "quota rule 1: 'limit' must be a positive integer, got 0"},
      {R"({"rules": [{"limit": 1.5, "window": 10, "resource": "a"}]})", "'limit' must be a positive integer"},
      {R"({"rules": [{"limit": 1, "resource": "a"}]})", "quota rule 0: 'window' is required"},
      {R"({"rules": [{"limit": 1, "window": 5, "resource": "a", "throttling": "leaky-bucket"}]})",
       "'throttling' must be"},
      {R"({"rules": [{"limit": 1, "window": 5, "resource": "a", "queueing": "lifo"}]})", "'queueing' must be \"fifo\""},
      {R"({"rules": [{"limit": 1, "window": 5, "resource": "a", "scope": "flowId"}]})", "'scope' must be \"userId\""},
  };
  for (const Case& c : cases) {
    Status s = ParseError(c.text);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << c.text << " → " << s.message();
  }
}

TEST(QuotaRules, RegistryRefusesDuplicatesAndInvalidRules) {
  QuotaRegistry registry;
  ASSERT_TRUE(RegisterBuiltinQuotas(registry).ok());
  ASSERT_NE(registry.Find("appmixer:utils:csv"), nullptr);
  EXPECT_EQ(registry.Find("appmixer:utils:csv")->at(0).resource, "loadFiles");
  EXPECT_EQ(registry.Find("nobody"), nullptr);
  EXPECT_EQ(registry.Register("appmixer:utils:csv", {}).code(), StatusCode::kAlreadyExists);
  QuotaRule bad;
  bad.resource = "r";
  bad.limit = 3;  // a sliding window without a window
  Status s = registry.Register("acme", {bad});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("quota manager 'acme', rule 0"), std::string::npos) << s.message();
  EXPECT_EQ(registry.Find("acme"), nullptr);
}

std::shared_ptr<QuotaRegistry> Registry(const std::string& manager, const std::string& rules) {
  auto registry = std::make_shared<QuotaRegistry>();
  EXPECT_TRUE(registry->Register(manager, Rules(rules)).ok());
  return registry;
}

TEST(QuotaLimiter, SlidingWindowCountsCallsInAnySpanOfTheWindow) {
  engine::QuotaLimiter limiter(Registry("m", R"([{"limit": 2, "window": 1000, "resource": "r"}])"));
  const QuotaSpec spec = Spec("m", {"r"});
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "a", 0).granted);
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "b", 400).granted);
  engine::QuotaDecision d = limiter.Acquire(spec, "t", "u", "c", 500);
  EXPECT_FALSE(d.granted);
  EXPECT_EQ(d.retry_at_ms, 1000) << "when the first call leaves the window";
  EXPECT_NE(d.reason.find("quota 'm' resource 'r' is exhausted"), std::string::npos) << d.reason;
  EXPECT_TRUE(limiter.WouldWait(spec, "t", "u", 999));
  EXPECT_FALSE(limiter.WouldWait(spec, "t", "u", 1000));
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "c", 1000).granted);
  EXPECT_FALSE(limiter.Acquire(spec, "t", "u", "d", 1399).granted) << "the call at 400 is still inside";
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "d", 1400).granted);
}

TEST(QuotaLimiter, FixedWindowResetsAtTheWindowBoundary) {
  engine::QuotaLimiter limiter(
      Registry("m", R"([{"limit": 2, "window": 1000, "throttling": "window-fixed", "resource": "r"}])"));
  const QuotaSpec spec = Spec("m", {"r"});
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "a", 900).granted);
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "b", 950).granted);
  engine::QuotaDecision d = limiter.Acquire(spec, "t", "u", "c", 990);
  EXPECT_FALSE(d.granted);
  EXPECT_EQ(d.retry_at_ms, 1000);
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "c", 1000).granted) << "a new window, though 900 was 100 ms ago";
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "d", 1001).granted);
  EXPECT_FALSE(limiter.Acquire(spec, "t", "u", "e", 1999).granted);
}

TEST(QuotaLimiter, FixedWindowFollowsAHostDefinedWindowStart) {
  QuotaRule rule;
  rule.resource = "r";
  rule.limit = 1;
  rule.throttling = QuotaThrottling::kWindowFixed;
  rule.start_of_next_window = [](int64_t now) { return (now / 500 + 1) * 500 + 7; };
  auto registry = std::make_shared<QuotaRegistry>();
  ASSERT_TRUE(registry->Register("m", {rule}).ok());
  engine::QuotaLimiter limiter(registry);
  const QuotaSpec spec = Spec("m", {"r"});
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "a", 100).granted);
  engine::QuotaDecision d = limiter.Acquire(spec, "t", "u", "b", 200);
  EXPECT_FALSE(d.granted);
  EXPECT_EQ(d.retry_at_ms, 507);
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "b", 507).granted);
}

TEST(QuotaLimiter, ConcurrencyUnitsComeBackOnRelease) {
  engine::QuotaLimiter limiter(
      Registry("m", R"([{"limit": 1, "throttling": "limit-concurrency", "resource": "r"}])"));
  const QuotaSpec spec = Spec("m", {"r"});
  engine::QuotaDecision a = limiter.Acquire(spec, "t", "u", "a", 0);
  ASSERT_TRUE(a.granted);
  engine::QuotaDecision b = limiter.Acquire(spec, "t", "u", "b", 10);
  EXPECT_FALSE(b.granted);
  EXPECT_EQ(b.retry_at_ms, 10 + engine::QuotaLimiter::kConcurrencyPollMs);
  limiter.Release(a.lease);
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "b", 20).granted);
}

TEST(QuotaLimiter, FifoKeepsArrivalOrderAndDropsAbandonedWaiters) {
  engine::QuotaLimiter limiter(
      Registry("m", R"([{"limit": 1, "window": 1000, "queueing": "fifo", "resource": "r"}])"));
  const QuotaSpec spec = Spec("m", {"r"});
  ASSERT_TRUE(limiter.Acquire(spec, "t", "u", "a", 0).granted);
  ASSERT_FALSE(limiter.Acquire(spec, "t", "u", "b", 10).granted);
  ASSERT_FALSE(limiter.Acquire(spec, "t", "u", "c", 20).granted);
  // The window has room again, but b came first.
  engine::QuotaDecision c = limiter.Acquire(spec, "t", "u", "c", 1000);
  EXPECT_FALSE(c.granted);
  EXPECT_GT(c.retry_at_ms, 1000);
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "b", 1001).granted);
  EXPECT_FALSE(limiter.Acquire(spec, "t", "u", "c", 1500).granted) << "b's call fills the window until 2001";
  // c never comes back (its flow stopped): after the grace period it no longer holds the line.
  const int64_t late = 2001 + engine::QuotaLimiter::kWaiterGraceMs + 10;
  EXPECT_TRUE(limiter.Acquire(spec, "t", "u", "d", late).granted);
}

TEST(QuotaLimiter, ScopesBudgetsPerUserWhenTheRuleOrManifestSaysSo) {
  engine::QuotaLimiter limiter(Registry("m", R"([
      {"limit": 1, "window": 1000, "resource": "mine", "scope": "userId"},
      {"limit": 1, "window": 1000, "resource": "shared"}])"));
  EXPECT_TRUE(limiter.Acquire(Spec("m", {"mine"}), "t", "alice", "1", 0).granted);
  EXPECT_FALSE(limiter.Acquire(Spec("m", {"mine"}), "t", "alice", "2", 0).granted);
  EXPECT_TRUE(limiter.Acquire(Spec("m", {"mine"}), "t", "bob", "3", 0).granted) << "bob has his own budget";

  EXPECT_TRUE(limiter.Acquire(Spec("m", {"shared"}), "t", "alice", "4", 0).granted);
  EXPECT_FALSE(limiter.Acquire(Spec("m", {"shared"}), "t", "bob", "5", 0).granted) << "app-wide";

  QuotaSpec per_user = Spec("m", {"shared"});
  per_user.scope = Json::MakeObject({{"userId", "{{userId}}"}});
  EXPECT_TRUE(limiter.Acquire(per_user, "t", "carol", "6", 0).granted) << "the manifest scopes it per user";
  EXPECT_FALSE(limiter.Acquire(per_user, "t", "carol", "7", 0).granted);
}

TEST(QuotaLimiter, TakesEveryRuleOrNone) {
  engine::QuotaLimiter limiter(Registry("m", R"([
      {"limit": 5, "window": 1000, "resource": "a"},
      {"limit": 1, "window": 1000, "resource": "b"}])"));
  ASSERT_TRUE(limiter.Acquire(Spec("m", {"b"}), "t", "u", "1", 0).granted);
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(limiter.Acquire(Spec("m", {"a", "b"}), "t", "u", "x" + std::to_string(i), 0).granted);
  }
  // Ten refusals took nothing from `a`: it still has all five units.
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Acquire(Spec("m", {"a"}), "t", "u", std::to_string(i), 1).granted);
  EXPECT_FALSE(limiter.Acquire(Spec("m", {"a"}), "t", "u", "6", 1).granted);
}

TEST(QuotaLimiter, UnknownManagersAndUnselectedResourcesAreNotLimited) {
  engine::QuotaLimiter limiter(Registry("m", R"([{"limit": 1, "window": 1000, "resource": "r"}])"));
  EXPECT_FALSE(limiter.Limits(Spec("other", {"r"})));
  EXPECT_FALSE(limiter.Limits(Spec("m", {"s"})));
  EXPECT_TRUE(limiter.Limits(Spec("m", {"s", "r"})));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Acquire(Spec("other", {"r"}), "t", "u", "x", 0).granted);
  QuotaSpec own = Spec("other", {"r"});
  own.concurrency = 1;  // the manifest's own concurrency cap needs no registered rules
  EXPECT_TRUE(limiter.Limits(own));
  engine::QuotaDecision first = limiter.Acquire(own, "acme.crm.core.Sync", "u", "1", 0);
  ASSERT_TRUE(first.granted);
  EXPECT_FALSE(limiter.Acquire(own, "acme.crm.core.Sync", "u", "2", 0).granted);
  EXPECT_TRUE(limiter.Acquire(own, "acme.crm.core.Other", "u", "3", 0).granted) << "per component type";
  limiter.Release(first.lease);
  EXPECT_TRUE(limiter.Acquire(own, "acme.crm.core.Sync", "u", "2", 1).granted);
}

// --- the engine -------------------------------------------------------------------------------

struct Seen {
  std::mutex mu;
  std::vector<int64_t> items;
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  std::vector<int64_t> Items() {
    std::lock_guard<std::mutex> lock(mu);
    return items;
  }
};

class Emit : public Behaviour {
 public:
  Status Start(Context& ctx) override {
    for (int64_t i = 0; i < ctx.properties().Get("count").AsInt(1); ++i) {
      FLOWKIT_RETURN_IF_ERROR(ctx.Send("out", Json::MakeObject({{"i", i}})));
    }
    return Status::OK();
  }
};

// Records the item; holds the call for properties.holdMs of real time so calls can overlap.
class Limited : public Behaviour {
 public:
  explicit Limited(Seen* seen) : seen_(seen) {}
  Status Receive(Context& ctx) override {
    const int now = ++seen_->running;
    int max = seen_->max_running.load();
    while (now > max && !seen_->max_running.compare_exchange_weak(max, now)) {
    }
    const int64_t hold = ctx.properties().Get("holdMs").AsInt(0);
    if (hold > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hold));
    {
      std::lock_guard<std::mutex> lock(seen_->mu);
      const Message* in = ctx.Input("in");
      const Message* hook = ctx.Input(kWebhookPort);
      seen_->items.push_back(in != nullptr ? in->Content()["i"].AsInt() : hook->Content()["data"]["i"].AsInt());
    }
    --seen_->running;
    if (ctx.kind() == InvocationKind::kWebhook) {
      return ctx.Respond(Json::MakeObject({{"ok", true}}), 201);
    }
    return Status::OK();
  }

 private:
  Seen* seen_;
};

class QuotaEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto modifiers = std::make_shared<ModifierRegistry>();
    ASSERT_TRUE(RegisterBuiltinModifiers(*modifiers).ok());
    modifiers_ = modifiers;
    auto reg = std::make_shared<ComponentRegistry>();
    Seen* seen = &seen_;
    auto add = [&](const std::string& manifest, BehaviourFactory f, bool concurrent) {
      Result<Manifest> m = Manifest::Parse(manifest);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      ASSERT_TRUE(reg->Register(std::move(m).value(), std::move(f), ComponentOptions{concurrent}).ok());
    };
    add(R"({"name":"test.q.core.Emit","outPorts":["out"]})", [] { return std::make_unique<Emit>(); }, false);
    add(R"({"name":"test.q.core.Windowed","inPorts":["in"],"webhook":true,
            "quota":{"manager":"test:q","resources":"calls"}})",
        [seen] { return std::make_unique<Limited>(seen); }, true);
    add(R"({"name":"test.q.core.Short","inPorts":["in"],
            "quota":{"manager":"test:q","resources":"calls","maxWait":500}})",
        [seen] { return std::make_unique<Limited>(seen); }, true);
    add(R"({"name":"test.q.core.OneAtATime","inPorts":["in"],
            "quota":{"manager":"test:q","resources":"slots"}})",
        [seen] { return std::make_unique<Limited>(seen); }, true);
    add(R"({"name":"test.q.core.OwnCap","inPorts":["in"],
            "quota":{"manager":"test:none","resources":"x","concurrency":1}})",
        [seen] { return std::make_unique<Limited>(seen); }, true);
        registry_ = reg;
    quotas_ = Registry("test:q", R"([
        {"limit": 2, "window": 1000, "queueing": "fifo", "resource": "calls"},
        {"limit": 1, "throttling": "limit-concurrency", "queueing": "fifo", "resource": "slots"}])");
  }

  std::unique_ptr<Engine> Open(const Clock* clock, size_t workers, std::shared_ptr<Runtime> runtime = nullptr,
                               int max_attempts = 4) {
    EngineOptions options;
    options.components = registry_;
    options.modifiers = modifiers_;
    options.quotas = quotas_;
    options.workers = workers;
    options.clock = clock;
    options.runtime = std::move(runtime);
    options.retry.initial_delay_ms = 1;
    options.retry.max_delay_ms = 4;
    options.retry.max_attempts = max_attempts;
    auto engine = Engine::Open(std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return std::move(engine).value();
  }

  std::string Load(Engine& engine, const std::string& type, int count, const std::string& props = "{}") {
    Diagnostics diags;
    const std::string text = R"({"name":"q","flow":{
        "emit":{"type":"test.q.core.Emit","config":{"properties":{"count":)" +
                             std::to_string(count) + R"(}}},
        "limited":{"type":")" + type + R"(","source":{"in":{"emit":["out"]}},"config":{"properties":)" +
                             props + R"(}}}})";
    auto flow = Flow::Parse(text, *registry_, *modifiers_, &diags);
    EXPECT_TRUE(flow.ok()) << flow.status().ToString();
    auto id = engine.LoadFlow(*flow);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return *id;
  }

  Seen seen_;
  std::shared_ptr<ComponentRegistry> registry_;
  std::shared_ptr<const ModifierRegistry> modifiers_;
  std::shared_ptr<QuotaRegistry> quotas_;
};

TEST_F(QuotaEngineTest, CallsOverAWindowWaitInArrivalOrderInsteadOfFailing) {
  ManualClock clock(1'000'000);
  auto engine = Open(&clock, 1);
  std::string id = Load(*engine, "test.q.core.Windowed", 5);
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(20, 5000));
  EXPECT_EQ(seen_.Items(), (std::vector<int64_t>{0, 1})) << "two calls per second";
  EXPECT_GE(engine->Stats().quota_waits, 3u);
  EXPECT_EQ(engine->Stats().errors, 0u) << "waiting is not failing";
  clock.Advance(1000);
  ASSERT_TRUE(engine->WaitIdle(20, 5000));
  EXPECT_EQ(seen_.Items(), (std::vector<int64_t>{0, 1, 2, 3}));
  clock.Advance(1000);
  ASSERT_TRUE(engine->WaitIdle(20, 5000));
  EXPECT_EQ(seen_.Items(), (std::vector<int64_t>{0, 1, 2, 3, 4})) << "in the order they arrived";
  EXPECT_EQ(engine->Stats().errors, 0u);
  EXPECT_TRUE(engine->DeadLetters().empty());
}

TEST_F(QuotaEngineTest, WaitingLongerThanMaxWaitCountsAsAFailedAttempt) {
  ManualClock clock(1'000'000);
  auto engine = Open(&clock, 1, nullptr, /*max_attempts=*/1);
  std::string id = Load(*engine, "test.q.core.Short", 3);
  ASSERT_TRUE(engine->StartFlow(id).ok());
  ASSERT_TRUE(engine->WaitIdle(20, 5000));
  EXPECT_EQ(seen_.Items().size(), 2u);
  // The third call would have to wait until the window frees (1 s) — longer than maxWait 500.
  std::vector<DeadLetter> dead = engine->DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].error.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(dead[0].error.message().find("maxWait (500 ms)"), std::string::npos) << dead[0].error.message();
}

TEST_F(QuotaEngineTest, ConcurrencyRulesCapCallsRunningAtOnce) {
  for (const char* type : {"test.q.core.OneAtATime", "test.q.core.OwnCap"}) {
    SCOPED_TRACE(type);
    seen_.max_running = 0;
    {
      std::lock_guard<std::mutex> lock(seen_.mu);
      seen_.items.clear();
    }
    auto engine = Open(SystemClock(), 2);
    std::string id = Load(*engine, type, 6, R"({"holdMs": 15})");
    ASSERT_TRUE(engine->StartFlow(id).ok());
    ASSERT_TRUE(engine->WaitIdle(200, 20000));
    EXPECT_EQ(seen_.Items().size(), 6u);
    EXPECT_EQ(seen_.max_running.load(), 1) << "two workers, one unit";
    EXPECT_EQ(engine->Stats().errors, 0u);
  }
}

TEST_F(QuotaEngineTest, AWebhookOverQuotaIsAcceptedWith202AndRunsLater) {
  ManualClock clock(1'000'000);
  auto engine = Open(&clock, 1);
  std::string id = Load(*engine, "test.q.core.Windowed", 0);
  ASSERT_TRUE(engine->StartFlow(id).ok());
  std::vector<int> statuses;
  std::mutex mu;
  for (int i = 0; i < 3; ++i) {
    WebhookRequest request;
    request.data = Json::MakeObject({{"i", i}});
    ASSERT_TRUE(engine
                    ->SubmitWebhook(id, "limited", std::move(request),
                                    [&](WebhookResponse r) {
                                      std::lock_guard<std::mutex> lock(mu);
                                      statuses.push_back(r.status);
                                    })
                    .ok());
    ASSERT_TRUE(engine->WaitIdle(20, 5000));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(statuses, (std::vector<int>{201, 201, 202})) << "the third would wait: accepted, not held open";
  }
  EXPECT_EQ(seen_.Items(), (std::vector<int64_t>{0, 1}));
  clock.Advance(1000);
  ASSERT_TRUE(engine->WaitIdle(20, 5000));
  EXPECT_EQ(seen_.Items(), (std::vector<int64_t>{0, 1, 2})) << "processed once the quota allowed";
}

TEST_F(QuotaEngineTest, WaitingCallsSurviveARestartOnADurableRuntime) {
  char pattern[] = "/tmp/flowkit-quota-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  ManualClock clock(1'000'000);
  {
    LmdbRuntimeOptions ro;
    ro.path = dir;
    ro.sync = false;
    auto runtime = NewLmdbRuntime(ro);
    ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
    auto engine = Open(&clock, 1, std::move(runtime).value());
    std::string id = Load(*engine, "test.q.core.Windowed", 5);
    ASSERT_TRUE(engine->StartFlow(id).ok());
    ASSERT_TRUE(engine->WaitIdle(20, 5000));
    EXPECT_EQ(seen_.Items().size(), 2u);
  }  // the engine goes away with three calls waiting
  {
    LmdbRuntimeOptions ro;
    ro.path = dir;
    ro.sync = false;
    auto runtime = NewLmdbRuntime(ro);
    ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
    auto engine = Open(&clock, 1, std::move(runtime).value());
    ASSERT_TRUE(engine->WaitIdle(20, 5000));
    // Budgets start empty after a restart: two more run at once, the last waits its turn.
    EXPECT_EQ(seen_.Items().size(), 4u);
    clock.Advance(1000);
    ASSERT_TRUE(engine->WaitIdle(20, 5000));
    std::vector<int64_t> items = seen_.Items();
    std::sort(items.begin(), items.end());
    EXPECT_EQ(items, (std::vector<int64_t>{0, 1, 2, 3, 4})) << "every call ran exactly once";
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flowkit
