// appmixer.utils.timers.Scheduler and SchedulerTrigger in the component harness
// (appmixer-utils.md §2.4).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "components/builtin_registry.h"
#include "flowkit/json.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"
#include "util/js.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::HarnessOptions;

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

int64_t Ms(std::string_view iso) {
  std::optional<int64_t> ms = js::ParseDateString(iso);
  EXPECT_TRUE(ms.has_value()) << iso;
  return ms.value_or(0);
}

Json J(std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? std::move(parsed).value() : Json::Undefined();
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(components::RegisterTimersComponents(registry_).ok()); }

  std::unique_ptr<ComponentHarness> Make(std::string_view type, std::string_view properties,
                                         std::string_view now) {
    HarnessOptions options{.component_id = "scheduler"};
    options.properties = J(properties);
    options.start_time_ms = Ms(now);
    auto h = ComponentHarness::Create(registry_, type, std::move(options));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::move(h).value() : nullptr;
  }

  // The due time of the only pending timer, as ISO text ("none" / "several").
  static std::string Due(const ComponentHarness& h) {
    if (h.pending_timeouts().empty()) return "none";
    if (h.pending_timeouts().size() > 1) return "several";
    return js::FormatIso(h.pending_timeouts().begin()->second);
  }

  // Advances the clock to `iso`, delivering the timers due on the way.
  static void AdvanceTo(ComponentHarness& h, std::string_view iso) {
    ASSERT_TRUE(h.AdvanceClock(Ms(iso) - h.clock().NowMillis()).ok());
  }

  ComponentRegistry registry_;
};

constexpr std::string_view kScheduler = "appmixer.utils.timers.Scheduler";
constexpr std::string_view kTrigger = "appmixer.utils.timers.SchedulerTrigger";

// ---- Scheduler (cron)

TEST_F(SchedulerTest, SchedulerWithImmediateSendsAtStartThenOnEveryFiring) {
  auto h = Make(kScheduler, R"({"minute": "0", "hour": "*", "dayMonth": "*", "dayWeek": "*", "immediate": true})",
                "2024-05-01T10:20:00Z");
  ASSERT_TRUE(h->Start().ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, J(R"({"previousDate": null, "now": "2024-05-01T10:20:00.000Z",
                                         "nextDate": "2024-05-01T11:00:00.000Z"})"));
  EXPECT_EQ(Due(*h), "2024-05-01T11:00:00.000Z");

  AdvanceTo(*h, "2024-05-01T12:30:00Z");
  ASSERT_EQ(h->sent().size(), 3u);
  EXPECT_EQ(h->sent()[1].content, J(R"({"previousDate": "2024-05-01T10:20:00.000Z",
                                         "now": "2024-05-01T11:00:00.000Z",
                                         "nextDate": "2024-05-01T12:00:00.000Z"})"));
  EXPECT_EQ(h->sent()[2].content, J(R"({"previousDate": "2024-05-01T11:00:00.000Z",
                                         "now": "2024-05-01T12:00:00.000Z",
                                         "nextDate": "2024-05-01T13:00:00.000Z"})"));
  ASSERT_EQ(Due(*h), "2024-05-01T13:00:00.000Z");
  EXPECT_EQ(h->state(), Json::MakeObject({{"state", "timeoutSet"},
                                          {"timeoutId", h->pending_timeouts().begin()->first}}));
}

TEST_F(SchedulerTest, SchedulerWithoutImmediateWaitsForTheFirstFiring) {
  auto h = Make(kScheduler, R"({"minute": "*/15", "hour": "*", "dayMonth": "*", "dayWeek": "*"})",
                "2024-05-01T10:20:00Z");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(Due(*h), "2024-05-01T10:30:00.000Z");
  AdvanceTo(*h, "2024-05-01T10:30:00Z");
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"previousDate": "2024-05-01T10:20:00.000Z",
                                         "now": "2024-05-01T10:30:00.000Z",
                                         "nextDate": "2024-05-01T10:45:00.000Z"})"));
  EXPECT_EQ(Due(*h), "2024-05-01T10:45:00.000Z");
}

TEST_F(SchedulerTest, SchedulerFollowsTheTimeZoneAcrossDaylightSaving) {
  // 09:00 in Prague: 08:00Z in winter, 07:00Z once summer time starts on 2024-03-31.
  auto h = Make(kScheduler,
                R"({"minute": "0", "hour": "9", "dayMonth": "*", "dayWeek": "*", "timezone": "Europe/Prague"})",
                "2024-03-29T12:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(Due(*h), "2024-03-30T08:00:00.000Z");
  AdvanceTo(*h, "2024-04-01T12:00:00Z");
  ASSERT_EQ(h->sent().size(), 3u);
  EXPECT_EQ(h->sent()[0].content["nextDate"].AsString(), "2024-03-31T07:00:00.000Z");
  EXPECT_EQ(h->sent()[1].content["now"].AsString(), "2024-03-31T07:00:00.000Z");
  EXPECT_EQ(h->sent()[2].content["now"].AsString(), "2024-04-01T07:00:00.000Z");
  EXPECT_EQ(Due(*h), "2024-04-02T07:00:00.000Z");
}

TEST_F(SchedulerTest, SchedulerWeekdaysAndDaysOfMonth) {
  // Both day fields restricted: the 1st of the month or any Sunday, at 06:30 UTC.
  auto h = Make(kScheduler, R"({"minute": "30", "hour": "6", "dayMonth": "1", "dayWeek": "SUN"})",
                "2024-05-28T00:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  AdvanceTo(*h, "2024-06-10T00:00:00Z");
  std::vector<std::string> fired;
  for (const auto& m : h->sent()) fired.push_back(m.content["now"].AsString());
  EXPECT_EQ(fired, (std::vector<std::string>{"2024-06-01T06:30:00.000Z", "2024-06-02T06:30:00.000Z",
                                             "2024-06-09T06:30:00.000Z"}));
}

TEST_F(SchedulerTest, SchedulerIgnoresATimeoutThatIsNotTheRecordedOne) {
  auto h = Make(kScheduler, R"({"minute": "0", "hour": "*", "dayMonth": "*", "dayWeek": "*"})",
                "2024-05-01T10:20:00Z");
  ASSERT_TRUE(h->Start().ok());
  // A crash after arming a follow-up but before recording it leaves two timers; the state names
  // the one that counts, so this one is a stale duplicate.
  h->state() = J(R"({"state": "timeoutSet", "timeoutId": "the-other-timer"})");
  AdvanceTo(*h, "2024-05-01T11:00:00Z");
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(Due(*h), "none");
  EXPECT_EQ(h->state(), J(R"({"state": "timeoutSet", "timeoutId": "the-other-timer"})"));
}

TEST_F(SchedulerTest, SchedulerResumesAnInterruptedFiringWithoutSendingTwice) {
  auto h = Make(kScheduler, R"({"minute": "0", "hour": "*", "dayMonth": "*", "dayWeek": "*"})",
                "2024-05-01T10:20:00Z");
  ASSERT_TRUE(h->Start().ok());
  const std::string first = h->pending_timeouts().begin()->first;
  // It had sent its message when it stopped: only the re-arming is left.
  h->state() = Json::MakeObject({{"state", "JsonSent"}, {"timeoutId", first}});
  AdvanceTo(*h, "2024-05-01T11:00:00Z");
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(Due(*h), "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(h->state()["state"].AsString(), "timeoutSet");
  // Stopped while sending: the message goes (again).
  const std::string second = h->pending_timeouts().begin()->first;
  h->state() = Json::MakeObject({{"state", "sendingJson"}, {"timeoutId", second}});
  AdvanceTo(*h, "2024-05-01T12:00:00Z");
  EXPECT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(Due(*h), "2024-05-01T13:00:00.000Z");
}

TEST_F(SchedulerTest, SchedulerRejectsUnknownZonesAndBadExpressions) {
  auto zone = Make(kScheduler,
                   R"({"minute": "0", "hour": "*", "dayMonth": "*", "dayWeek": "*", "timezone": "Europe/Atlantis"})",
                   "2024-05-01T10:20:00Z");
  Status status = zone->Start();
  EXPECT_EQ(status.code(), StatusCode::kCancelled);
  EXPECT_EQ(status.message(), "Invalid timezone");
  EXPECT_TRUE(zone->pending_timeouts().empty());

  auto cron = Make(kScheduler, R"({"minute": "61", "hour": "*", "dayMonth": "*", "dayWeek": "*"})",
                   "2024-05-01T10:20:00Z");
  status = cron->Start();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("minute \"61\""), std::string::npos) << status.ToString();
  EXPECT_TRUE(cron->pending_timeouts().empty());
}

// ---- SchedulerTrigger

TEST_F(SchedulerTest, TriggerCustomIntervalInMinutes) {
  auto h = Make(kTrigger, R"({"scheduleType": "custom", "customIntervalUnit": "minutes", "customIntervalValue": 15})",
                "2024-05-01T10:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(Due(*h), "2024-05-01T10:15:00.000Z");
  AdvanceTo(*h, "2024-05-01T10:30:00Z");
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"previousDate": "2024-05-01T10:15:00.000Z",
                                         "nextDateGMT": "2024-05-01T10:30:00.000Z",
                                         "nextDateLocal": "2024-05-01T10:30:00.000",
                                         "timezone": "GMT"})"));
  EXPECT_EQ(h->sent()[1].content["previousDate"].AsString(), "2024-05-01T10:30:00.000Z");
  EXPECT_EQ(Due(*h), "2024-05-01T10:45:00.000Z");
}

TEST_F(SchedulerTest, TriggerImmediateSendsAtStart) {
  auto h = Make(kTrigger,
                R"({"scheduleType": "custom", "customIntervalUnit": "hours", "customIntervalValue": 2, "immediate": true})",
                "2024-05-01T10:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"previousDate": null, "nextDateGMT": "2024-05-01T12:00:00.000Z",
                                         "nextDateLocal": "2024-05-01T12:00:00.000", "timezone": "GMT"})"));
  EXPECT_EQ(Due(*h), "2024-05-01T12:00:00.000Z");
}

TEST_F(SchedulerTest, TriggerCustomDaysKeepTheWallTimeAcrossDaylightSaving) {
  auto h = Make(kTrigger,
                R"({"scheduleType": "custom", "customIntervalUnit": "days", "customIntervalValue": 1,
                    "timezone": "America/New_York", "start": "2024-03-09 08:00"})",
                "2024-03-08T12:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(Due(*h), "2024-03-09T13:00:00.000Z");  // the start itself, 08:00 EST
  AdvanceTo(*h, "2024-03-10T13:00:00Z");
  ASSERT_EQ(h->sent().size(), 2u);
  EXPECT_EQ(h->sent()[0].content["nextDateGMT"].AsString(), "2024-03-10T12:00:00.000Z");  // 08:00 EDT
  EXPECT_EQ(h->sent()[0].content["nextDateLocal"].AsString(), "2024-03-10T08:00:00.000");
  EXPECT_EQ(h->sent()[0].content["timezone"].AsString(), "America/New_York");
  EXPECT_EQ(h->sent()[1].content["previousDate"].AsString(), "2024-03-10T12:00:00.000Z");
}

TEST_F(SchedulerTest, TriggerDailyAtATimeInAZone) {
  auto h = Make(kTrigger, R"({"scheduleType": "days", "time": "09:30", "timezone": "Europe/Prague"})",
                "2024-03-29T12:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(Due(*h), "2024-03-30T08:30:00.000Z");
  AdvanceTo(*h, "2024-03-30T08:30:00Z");
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content, J(R"({"previousDate": "2024-03-30T08:30:00.000Z",
                                         "nextDateGMT": "2024-03-31T07:30:00.000Z",
                                         "nextDateLocal": "2024-03-31T09:30:00.000",
                                         "timezone": "Europe/Prague"})"));
  // Today's time already passed: tomorrow.
  auto late = Make(kTrigger, R"({"scheduleType": "days", "time": "09:30"})", "2024-05-01T09:30:00Z");
  ASSERT_TRUE(late->Start().ok());
  EXPECT_EQ(Due(*late), "2024-05-02T09:30:00.000Z");
  // No time: midnight.
  auto midnight = Make(kTrigger, R"({"scheduleType": "days"})", "2024-05-01T09:30:00Z");
  ASSERT_TRUE(midnight->Start().ok());
  EXPECT_EQ(Due(*midnight), "2024-05-02T00:00:00.000Z");
}

TEST_F(SchedulerTest, TriggerOnDaysOfTheWeek) {
  // 2024-05-01 is a Wednesday.
  auto h = Make(kTrigger, R"({"scheduleType": "weeks", "daysOfWeek": ["monday", "friday"], "time": "08:00"})",
                "2024-05-01T10:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(Due(*h), "2024-05-03T08:00:00.000Z");
  AdvanceTo(*h, "2024-05-11T00:00:00Z");
  std::vector<std::string> next;
  for (const auto& m : h->sent()) next.push_back(m.content["nextDateGMT"].AsString());
  EXPECT_EQ(next, (std::vector<std::string>{"2024-05-06T08:00:00.000Z", "2024-05-10T08:00:00.000Z",
                                            "2024-05-13T08:00:00.000Z"}));
  // Only days earlier in the week: next week.
  auto tuesday = Make(kTrigger, R"({"scheduleType": "weeks", "daysOfWeek": ["Tuesday", "sunday"]})",
                      "2024-05-01T10:00:00Z");
  ASSERT_TRUE(tuesday->Start().ok());
  EXPECT_EQ(Due(*tuesday), "2024-05-05T00:00:00.000Z");
  AdvanceTo(*tuesday, "2024-05-05T00:00:00Z");
  EXPECT_EQ(Due(*tuesday), "2024-05-07T00:00:00.000Z");
}

TEST_F(SchedulerTest, TriggerOnDaysOfTheMonthIncludingTheLastDay) {
  auto h = Make(kTrigger,
                R"({"scheduleType": "months", "daysOfMonth": ["last day of the month", "15"], "time": "18:00"})",
                "2024-01-20T00:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(Due(*h), "2024-01-31T18:00:00.000Z");
  AdvanceTo(*h, "2024-05-01T00:00:00Z");
  std::vector<std::string> fired;
  for (const auto& m : h->sent()) fired.push_back(m.content["previousDate"].AsString());
  EXPECT_EQ(fired, (std::vector<std::string>{"2024-01-31T18:00:00.000Z", "2024-02-15T18:00:00.000Z",
                                             "2024-02-29T18:00:00.000Z", "2024-03-15T18:00:00.000Z",
                                             "2024-03-31T18:00:00.000Z", "2024-04-15T18:00:00.000Z",
                                             "2024-04-30T18:00:00.000Z"}));
  // Several plain days all fire.
  auto days = Make(kTrigger, R"({"scheduleType": "months", "daysOfMonth": ["20", "5"]})", "2024-01-10T00:00:00Z");
  ASSERT_TRUE(days->Start().ok());
  EXPECT_EQ(Due(*days), "2024-01-20T00:00:00.000Z");
  AdvanceTo(*days, "2024-01-20T00:00:00Z");
  EXPECT_EQ(Due(*days), "2024-02-05T00:00:00.000Z");
}

TEST_F(SchedulerTest, TriggerRunsFromStartToEnd) {
  // 12:00 to 14:00 in Prague (CEST) is 10:00Z to 12:00Z.
  auto h = Make(kTrigger,
                R"({"scheduleType": "custom", "customIntervalUnit": "hours", "customIntervalValue": 1,
                    "timezone": "Europe/Prague", "start": "2024-05-01 12:00", "end": "2024-05-01 14:00"})",
                "2024-05-01T08:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(Due(*h), "2024-05-01T10:00:00.000Z");
  AdvanceTo(*h, "2024-05-02T00:00:00Z");
  ASSERT_EQ(h->sent().size(), 3u);
  EXPECT_EQ(h->sent()[0].content["previousDate"].AsString(), "2024-05-01T10:00:00.000Z");
  EXPECT_EQ(h->sent()[0].content["nextDateLocal"].AsString(), "2024-05-01T13:00:00.000");
  EXPECT_EQ(h->sent()[1].content["nextDateGMT"].AsString(), "2024-05-01T12:00:00.000Z");  // = end
  // The last firing says there is no next one, and nothing is armed after it.
  EXPECT_EQ(h->sent()[2].content, J(R"({"previousDate": "2024-05-01T12:00:00.000Z", "nextDateGMT": null,
                                         "nextDateLocal": null, "timezone": "Europe/Prague"})"));
  EXPECT_EQ(Due(*h), "none");
  ASSERT_FALSE(h->logs().empty());
  EXPECT_EQ(h->logs().back()["step"].AsString(), "end");
}

TEST_F(SchedulerTest, TriggerRejectsAStartInThePastOrAfterTheEnd) {
  auto past = Make(kTrigger, R"({"scheduleType": "days", "start": "2024-04-30 10:00"})", "2024-05-01T10:00:00Z");
  Status status = past->Start();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("cannot be in the past"), std::string::npos) << status.ToString();
  EXPECT_TRUE(past->pending_timeouts().empty());

  auto inverted = Make(kTrigger, R"({"scheduleType": "days", "start": "2024-06-01 10:00", "end": "2024-05-20 10:00"})",
                       "2024-05-01T10:00:00Z");
  status = inverted->Start();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("cannot be after end"), std::string::npos) << status.ToString();
}

TEST_F(SchedulerTest, TriggerRejectsBadSettings) {
  struct Case {
    const char* properties;
    StatusCode code;
    const char* mentions;
  };
  const Case cases[] = {
      {R"({"scheduleType": "days", "timezone": "Nowhere/Else"})", StatusCode::kCancelled, "Invalid timezone"},
      {R"({"scheduleType": "hourly"})", StatusCode::kInvalidArgument, "Unsupported scheduleType: hourly"},
      {R"({"scheduleType": "custom", "customIntervalUnit": "minutes", "customIntervalValue": 0})",
       StatusCode::kInvalidArgument, "customIntervalValue"},
      {R"({"scheduleType": "custom", "customIntervalUnit": "fortnights", "customIntervalValue": 1})",
       StatusCode::kInvalidArgument, "customIntervalUnit"},
      {R"({"scheduleType": "weeks", "daysOfWeek": []})", StatusCode::kInvalidArgument, "daysOfWeek"},
      {R"({"scheduleType": "weeks", "daysOfWeek": ["someday"]})", StatusCode::kInvalidArgument, "someday"},
      {R"({"scheduleType": "months", "daysOfMonth": ["32"]})", StatusCode::kInvalidArgument, "32"},
      {R"({"scheduleType": "days", "time": "25:00"})", StatusCode::kInvalidArgument, "25:00"},
      {R"({"scheduleType": "days", "start": "soon"})", StatusCode::kInvalidArgument, "start \"soon\""},
  };
  for (const Case& c : cases) {
    auto h = Make(kTrigger, c.properties, "2024-05-01T10:00:00Z");
    Status status = h->Start();
    EXPECT_EQ(status.code(), c.code) << c.properties << " → " << status.ToString();
    EXPECT_NE(status.message().find(c.mentions), std::string::npos) << c.properties << " → " << status.ToString();
    EXPECT_TRUE(h->pending_timeouts().empty()) << c.properties;
  }
}

TEST_F(SchedulerTest, TriggerIgnoresStaleTimeoutsAndSkipsMissedRuns) {
  auto h = Make(kTrigger, R"({"scheduleType": "days", "time": "06:00"})", "2024-05-01T10:00:00Z");
  ASSERT_TRUE(h->Start().ok());
  h->state() = J(R"({"state": "timeoutSet", "timeoutId": "another"})");
  AdvanceTo(*h, "2024-05-02T06:00:00Z");
  EXPECT_TRUE(h->sent().empty());
  EXPECT_EQ(Due(*h), "none");

  // The engine was down for three days: the late timeout fires once, then the schedule resumes
  // at the next time after now instead of replaying the missed days.
  auto late = Make(kTrigger, R"({"scheduleType": "days", "time": "06:00"})", "2024-05-01T10:00:00Z");
  ASSERT_TRUE(late->Start().ok());
  late->clock().Set(Ms("2024-05-05T09:00:00Z"));
  ASSERT_TRUE(late->AdvanceClock(0).ok());
  ASSERT_EQ(late->sent().size(), 1u);
  EXPECT_EQ(late->sent()[0].content["previousDate"].AsString(), "2024-05-02T06:00:00.000Z");
  EXPECT_EQ(late->sent()[0].content["nextDateGMT"].AsString(), "2024-05-06T06:00:00.000Z");
  EXPECT_EQ(Due(*late), "2024-05-06T06:00:00.000Z");
  EXPECT_EQ(late->state()["timeoutId"].AsString(), late->pending_timeouts().begin()->first);
}

}  // namespace
}  // namespace flowkit
