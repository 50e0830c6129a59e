// appmixer.utils.timers.Wait and Timer in the component harness (appmixer-utils.md §2.4).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "components/builtin_registry.h"
#include "flowkit/json.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::HarnessOptions;

constexpr int64_t kStart = 1700000000000;  // 2023-11-14T22:13:20Z, the harness default
constexpr int64_t kMinute = 60'000;

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

class Timers : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(components::RegisterTimersComponents(registry_).ok()); }

  std::unique_ptr<ComponentHarness> Make(std::string_view type, HarnessOptions options = {}) {
    auto h = ComponentHarness::Create(registry_, type, std::move(options));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(h).value() : nullptr;
  }

  // The due time of the only pending timer.
  static int64_t DueOfOnlyTimer(const ComponentHarness& h) {
    EXPECT_EQ(h.pending_timeouts().size(), 1u);
    return h.pending_timeouts().empty() ? -1 : h.pending_timeouts().begin()->second;
  }

  ComponentRegistry registry_;
};

// ---- Wait

TEST_F(Timers, WaitHoldsTheMessageForTheInterval) {
  auto h = Make("appmixer.utils.timers.Wait");
  ASSERT_TRUE(h->Receive("in", J(R"({"interval": "5m"})")).ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(DueOfOnlyTimer(*h), kStart + 5 * kMinute);

  ASSERT_TRUE(h->AdvanceClock(5 * kMinute - 1).ok());
  EXPECT_TRUE(h->sent().empty());
  ASSERT_TRUE(h->AdvanceClock(1).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, J(R"({"interval": "5m"})"));
  EXPECT_TRUE(h->pending_timeouts().empty());
}

TEST_F(Timers, WaitUnderstandsEveryUnit) {
  struct Case {
    const char* interval;
    int64_t delay_ms;
  };
  // From 2023-11-14T22:13:20Z: months and years follow the calendar.
  const Case cases[] = {
      {"1m", kMinute},
      {"2h", 120 * kMinute},
      {"3d", 3 * 1440 * kMinute},
      {"1w", 7 * 1440 * kMinute},
      {"1M", 30LL * 1440 * kMinute},   // Nov 14 → Dec 14
      {"2M", 61LL * 1440 * kMinute},   // → Jan 14
      {"1y", 366LL * 1440 * kMinute},  // → 2024-11-14 (2024 is a leap year)
      {"0m", 0},
  };
  for (const Case& c : cases) {
    auto h = Make("appmixer.utils.timers.Wait");
    ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"interval", c.interval}})).ok()) << c.interval;
    EXPECT_EQ(DueOfOnlyTimer(*h), kStart + c.delay_ms) << c.interval;
  }
}

TEST_F(Timers, WaitClampsMonthsToTheirLastDay) {
  HarnessOptions options;
  options.start_time_ms = 1706659200000;  // 2024-01-31T00:00:00Z
  auto h = Make("appmixer.utils.timers.Wait", options);
  ASSERT_TRUE(h->Receive("in", J(R"({"interval": "1M"})")).ok());
  EXPECT_EQ(DueOfOnlyTimer(*h), 1709164800000);  // 2024-02-29T00:00:00Z
}

TEST_F(Timers, WaitUntilADate) {
  auto h = Make("appmixer.utils.timers.Wait");
  ASSERT_TRUE(h->Receive("in", J(R"({"until": "2023-11-15T00:00:00Z"})")).ok());
  EXPECT_EQ(DueOfOnlyTimer(*h), 1700006400000);
  ASSERT_TRUE(h->AdvanceClock(1700006400000 - kStart).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"until": "2023-11-15T00:00:00Z"})"));
}

TEST_F(Timers, WaitUntilThePastSendsAtOnce) {
  auto h = Make("appmixer.utils.timers.Wait");
  ASSERT_TRUE(h->Receive("in", J(R"({"until": "2020-01-01T00:00:00Z"})")).ok());
  EXPECT_EQ(DueOfOnlyTimer(*h), kStart);
  ASSERT_TRUE(h->AdvanceClock(0).ok());
  EXPECT_EQ(h->sent().size(), 1u);
}

TEST_F(Timers, WaitRejectsWhatItsSchemaRejects) {
  auto h = Make("appmixer.utils.timers.Wait");
  EXPECT_FALSE(h->Receive("in", J(R"({"interval": "5x"})")).ok());
  EXPECT_FALSE(h->Receive("in", J(R"({"interval": "5m", "extra": 1})")).ok());
  EXPECT_TRUE(h->pending_timeouts().empty());
}

TEST_F(Timers, WaitKeepsEachMessageApart) {
  auto h = Make("appmixer.utils.timers.Wait");
  ASSERT_TRUE(h->Receive("in", J(R"({"interval": "2m"})")).ok());
  ASSERT_TRUE(h->Receive("in", J(R"({"interval": "1m"})")).ok());
  ASSERT_TRUE(h->AdvanceClock(2 * kMinute).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].content["interval"].AsString(), "1m");
  EXPECT_EQ(h->sent()[1].content["interval"].AsString(), "2m");
}

// ---- Timer

HarnessOptions TimerOptions(int minutes) {
  HarnessOptions options{.component_id = "timer"};
  options.properties = Json::MakeObject({{"interval", minutes}});
  return options;
}

TEST_F(Timers, TimerSendsAtStartThenEveryInterval) {
  auto h = Make("appmixer.utils.timers.Timer", TimerOptions(5));
  ASSERT_TRUE(h->Start().ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"now": "2023-11-14T22:13:20.000Z"})"));
  EXPECT_EQ(DueOfOnlyTimer(*h), kStart + 5 * kMinute);

  ASSERT_TRUE(h->AdvanceClock(5 * kMinute).ok());
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[1].content, J(R"({"lastTick": "2023-11-14T22:13:20.000Z",
                                        "now": "2023-11-14T22:18:20.000Z", "elapsed": 300000})"));
  ASSERT_EQ(h->pending_timeouts().size(), 1u);
  const auto [next_id, next_due] = *h->pending_timeouts().begin();
  EXPECT_EQ(next_due, kStart + 10 * kMinute);
  EXPECT_EQ(h->state(), Json::MakeObject({{"state", "timeoutSet"}, {"timeoutId", next_id}}));

  ASSERT_TRUE(h->AdvanceClock(10 * kMinute).ok());
  ASSERT_EQ(h->sent().size(), 4u);
  EXPECT_EQ(h->sent()[3].content["lastTick"].AsString(), "2023-11-14T22:23:20.000Z");
  EXPECT_EQ(h->sent()[3].content["elapsed"], Json(300000));
}

TEST_F(Timers, TimerIgnoresATimerThatIsNotTheRecordedOne) {
  auto h = Make("appmixer.utils.timers.Timer", TimerOptions(5));
  ASSERT_TRUE(h->Start().ok());
  // A crash after arming a follow-up but before it was recorded leaves two timers; the state
  // names the one that counts.
  h->state() = J(R"({"state": "timeoutSet", "timeoutId": "the-other-timer"})");
  ASSERT_TRUE(h->AdvanceClock(5 * kMinute).ok());
  EXPECT_EQ(h->sent().size(), 1u);
  EXPECT_TRUE(h->pending_timeouts().empty());
}

TEST_F(Timers, TimerResumesAnInterruptedTickWithoutSendingTwice) {
  auto h = Make("appmixer.utils.timers.Timer", TimerOptions(5));
  ASSERT_TRUE(h->Start().ok());
  const std::string first = h->pending_timeouts().begin()->first;
  // The tick had sent its message when it stopped; only the re-arming is left.
  h->state() = Json::MakeObject({{"state", "JsonSent"}, {"timeoutId", first}});
  ASSERT_TRUE(h->AdvanceClock(5 * kMinute).ok());
  EXPECT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->state()["state"].AsString(), "timeoutSet");
  EXPECT_EQ(DueOfOnlyTimer(*h), kStart + 10 * kMinute);

  // Stopped while sending: the message goes (again) and the timer is re-armed.
  const std::string second = h->pending_timeouts().begin()->first;
  h->state() = Json::MakeObject({{"state", "sendingJson"}, {"timeoutId", second}});
  ASSERT_TRUE(h->AdvanceClock(5 * kMinute).ok());
  EXPECT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->state()["state"].AsString(), "timeoutSet");
  EXPECT_EQ(DueOfOnlyTimer(*h), kStart + 15 * kMinute);
}

TEST_F(Timers, TimerNeedsAnInterval) {
  auto h = Make("appmixer.utils.timers.Timer");
  EXPECT_EQ(h->Start().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(h->sent().empty());
}

}  // namespace
}  // namespace flowkit
