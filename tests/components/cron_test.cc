// The cron schedule and time zones behind timers.Scheduler, SchedulerTrigger and Digest.
#include "components/timers/cron.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "util/js.h"

namespace flowkit::components::timers {
namespace {

int64_t Ms(std::string_view iso) {
  std::optional<int64_t> ms = js::ParseDateString(iso);
  EXPECT_TRUE(ms.has_value()) << iso;
  return ms.value_or(0);
}

TimeZone Zone(std::string_view name) {
  Result<TimeZone> zone = TimeZone::Find(name);
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  return zone.ok() ? std::move(zone).value() : *TimeZone::Find("");
}

CronSchedule Cron(std::string_view expression) {
  Result<CronSchedule> cron = CronSchedule::Parse(expression);
  EXPECT_TRUE(cron.ok()) << expression << ": " << cron.status().ToString();
  return cron.ok() ? std::move(cron).value() : *CronSchedule::Parse("0 0 1 1 *");
}

// The next `count` firings after `after` as ISO texts (UTC).
std::vector<std::string> Firings(std::string_view expression, std::string_view after, int count,
                                 std::string_view zone = "UTC") {
  const CronSchedule cron = Cron(expression);
  const TimeZone tz = Zone(zone);
  std::vector<std::string> out;
  int64_t t = Ms(after);
  for (int i = 0; i < count; ++i) {
    std::optional<int64_t> next = cron.Next(t, tz);
    if (!next) {
      out.push_back("never");
      break;
    }
    out.push_back(js::FormatIso(*next));
    t = *next;
  }
  return out;
}

using V = std::vector<std::string>;

TEST(TimeZone, FindsZonesAndLinksCaseInsensitively) {
  EXPECT_EQ(Zone("Europe/Prague").name(), "Europe/Prague");
  EXPECT_EQ(Zone("europe/PRAGUE").name(), "Europe/Prague");
  EXPECT_TRUE(TimeZone::Find("GMT").ok());
  EXPECT_TRUE(TimeZone::Find("US/Eastern").ok());
  EXPECT_TRUE(TimeZone::Find("").ok());  // UTC
  Result<TimeZone> bad = TimeZone::Find("Mars/Olympus_Mons");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("Mars/Olympus_Mons"), std::string::npos);
}

TEST(TimeZone, ConvertsBetweenInstantsAndWallTime) {
  const TimeZone prague = Zone("Europe/Prague");
  const LocalTime t = prague.ToLocal(Ms("2024-07-01T10:15:30.250Z"));
  EXPECT_EQ(t.year, 2024);
  EXPECT_EQ(t.month, 7);
  EXPECT_EQ(t.day, 1);
  EXPECT_EQ(t.hour, 12);  // CEST, +02:00
  EXPECT_EQ(t.minute, 15);
  EXPECT_EQ(t.second, 30);
  EXPECT_EQ(t.millisecond, 250);
  EXPECT_EQ(t.weekday, 1);  // Monday
  // A wall time the clock skips (02:30 on 2024-03-31) reads with the offset before the jump.
  EXPECT_EQ(prague.FromLocal(Ms("2024-03-31T02:30:00Z")), Ms("2024-03-31T01:30:00Z"));
  // A repeated wall time (02:30 on 2024-10-27) is its first occurrence (CEST).
  EXPECT_EQ(prague.FromLocal(Ms("2024-10-27T02:30:00Z")), Ms("2024-10-27T00:30:00Z"));
  EXPECT_EQ(prague.LocalMillis(Ms("2024-01-10T23:30:00Z")), Ms("2024-01-11T00:30:00Z"));
}

TEST(Cron, EveryMinuteFiresAtTheNextWholeMinuteStrictlyAfter) {
  EXPECT_EQ(Firings("* * * * *", "2024-05-01T10:00:00Z", 2),
            (V{"2024-05-01T10:01:00.000Z", "2024-05-01T10:02:00.000Z"}));
  EXPECT_EQ(Firings("* * * * *", "2024-05-01T10:00:59.999Z", 1), (V{"2024-05-01T10:01:00.000Z"}));
  EXPECT_EQ(Firings("* * * * *", "2024-05-01T10:00:00.001Z", 1), (V{"2024-05-01T10:01:00.000Z"}));
}

TEST(Cron, ListsRangesAndSteps) {
  EXPECT_EQ(Firings("5,20,40 * * * *", "2024-05-01T10:10:00Z", 4),
            (V{"2024-05-01T10:20:00.000Z", "2024-05-01T10:40:00.000Z", "2024-05-01T11:05:00.000Z",
               "2024-05-01T11:20:00.000Z"}));
  EXPECT_EQ(Firings("10-12 9 * * *", "2024-05-01T09:11:00Z", 3),
            (V{"2024-05-01T09:12:00.000Z", "2024-05-02T09:10:00.000Z", "2024-05-02T09:11:00.000Z"}));
  EXPECT_EQ(Firings("*/15 * * * *", "2024-05-01T10:01:00Z", 3),
            (V{"2024-05-01T10:15:00.000Z", "2024-05-01T10:30:00.000Z", "2024-05-01T10:45:00.000Z"}));
  EXPECT_EQ(Firings("0-20/10 8 * * *", "2024-05-01T08:15:00Z", 2),
            (V{"2024-05-01T08:20:00.000Z", "2024-05-02T08:00:00.000Z"}));
  // a/n runs from a to the end of the range.
  EXPECT_EQ(Firings("50/5 * * * *", "2024-05-01T10:00:00Z", 3),
            (V{"2024-05-01T10:50:00.000Z", "2024-05-01T10:55:00.000Z", "2024-05-01T11:50:00.000Z"}));
  EXPECT_EQ(Firings("0 */6 * * *", "2024-05-01T07:00:00Z", 2),
            (V{"2024-05-01T12:00:00.000Z", "2024-05-01T18:00:00.000Z"}));
  EXPECT_EQ(Firings("0 0 * */4 *", "2024-05-01T07:00:00Z", 2),  // months 1, 5, 9
            (V{"2024-05-02T00:00:00.000Z", "2024-05-03T00:00:00.000Z"}));
}

TEST(Cron, MonthAndWeekdayNames) {
  // 2024-05-01 is a Wednesday.
  EXPECT_EQ(Firings("0 9 * * mon-FRI", "2024-05-03T10:00:00Z", 2),
            (V{"2024-05-06T09:00:00.000Z", "2024-05-07T09:00:00.000Z"}));
  EXPECT_EQ(Firings("0 0 1 JAN,jul *", "2024-05-01T00:00:00Z", 2),
            (V{"2024-07-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"}));
  // 0 and 7 are both Sunday; '?' is '*' in a day field.
  EXPECT_EQ(Firings("0 12 ? * 7", "2024-05-01T00:00:00Z", 1), (V{"2024-05-05T12:00:00.000Z"}));
  EXPECT_EQ(Firings("0 12 * * 0", "2024-05-01T00:00:00Z", 1), (V{"2024-05-05T12:00:00.000Z"}));
  EXPECT_EQ(Firings("0 12 * * 5-7", "2024-05-04T13:00:00Z", 2),  // Sat 13:00 → Sun, Fri
            (V{"2024-05-05T12:00:00.000Z", "2024-05-10T12:00:00.000Z"}));
}

TEST(Cron, RestrictedDayFieldsMatchEitherOneOtherwiseBoth) {
  // Both restricted: the 13th or any Friday.
  EXPECT_EQ(Firings("0 0 13 * 5", "2024-05-01T00:00:00Z", 3),
            (V{"2024-05-03T00:00:00.000Z", "2024-05-10T00:00:00.000Z", "2024-05-13T00:00:00.000Z"}));
  // The day of week is '*': only the 13th.
  EXPECT_EQ(Firings("0 0 13 * *", "2024-05-01T00:00:00Z", 2),
            (V{"2024-05-13T00:00:00.000Z", "2024-06-13T00:00:00.000Z"}));
  // A day field starting with '*' counts as unrestricted (Vixie cron): odd days that are Fridays.
  EXPECT_EQ(Firings("0 0 */2 * 5", "2024-05-01T00:00:00Z", 2),
            (V{"2024-05-03T00:00:00.000Z", "2024-05-17T00:00:00.000Z"}));
}

TEST(Cron, LeapYearsEndsOfMonthsAndImpossibleDates) {
  EXPECT_EQ(Firings("0 0 29 2 *", "2023-03-01T00:00:00Z", 2),
            (V{"2024-02-29T00:00:00.000Z", "2028-02-29T00:00:00.000Z"}));
  // 2100 is not a leap year.
  EXPECT_EQ(Firings("0 0 29 2 *", "2096-03-01T00:00:00Z", 1), (V{"2104-02-29T00:00:00.000Z"}));
  EXPECT_EQ(Firings("0 0 31 * *", "2024-01-31T00:00:00Z", 3),
            (V{"2024-03-31T00:00:00.000Z", "2024-05-31T00:00:00.000Z", "2024-07-31T00:00:00.000Z"}));
  EXPECT_EQ(Firings("0 0 30 * *", "2024-01-30T00:00:00Z", 1), (V{"2024-03-30T00:00:00.000Z"}));
  EXPECT_EQ(Firings("0 0 30 2 *", "2024-01-01T00:00:00Z", 1), (V{"never"}));
  EXPECT_EQ(Firings("0 0 31 4,6,9,11 *", "2024-01-01T00:00:00Z", 1), (V{"never"}));
  EXPECT_EQ(Firings("59 23 31 12 *", "2024-12-31T23:59:00Z", 1), (V{"2025-12-31T23:59:00.000Z"}));
}

TEST(Cron, EvaluatesInTheZone) {
  // 09:00 in Prague is 08:00Z in winter and 07:00Z in summer.
  EXPECT_EQ(Firings("0 9 * * *", "2024-03-29T12:00:00Z", 3, "Europe/Prague"),
            (V{"2024-03-30T08:00:00.000Z", "2024-03-31T07:00:00.000Z", "2024-04-01T07:00:00.000Z"}));
  // Midnight in New York falls on the previous UTC evening's date boundary.
  EXPECT_EQ(Firings("0 0 1 * *", "2024-05-15T00:00:00Z", 2, "America/New_York"),
            (V{"2024-06-01T04:00:00.000Z", "2024-07-01T04:00:00.000Z"}));
  // Weekdays are the zone's: Monday 01:00 in Tokyo is Sunday 16:00Z.
  EXPECT_EQ(Firings("0 1 * * 1", "2024-05-01T00:00:00Z", 1, "Asia/Tokyo"), (V{"2024-05-05T16:00:00.000Z"}));
}

TEST(Cron, SpringForwardInPrague) {
  // 2024-03-31: 02:00 CET → 03:00 CEST (01:00Z). A fixed time in the gap fires at the jump.
  EXPECT_EQ(Firings("30 2 * * *", "2024-03-30T12:00:00Z", 3, "Europe/Prague"),
            (V{"2024-03-31T01:00:00.000Z", "2024-04-01T00:30:00.000Z", "2024-04-02T00:30:00.000Z"}));
  // Wall-clock schedules skip the missing hour.
  EXPECT_EQ(Firings("*/30 * * * *", "2024-03-31T00:15:00Z", 3, "Europe/Prague"),
            (V{"2024-03-31T00:30:00.000Z", "2024-03-31T01:00:00.000Z", "2024-03-31T01:30:00.000Z"}));
  EXPECT_EQ(Firings("0 * * * *", "2024-03-30T23:30:00Z", 3, "Europe/Prague"),
            (V{"2024-03-31T00:00:00.000Z", "2024-03-31T01:00:00.000Z", "2024-03-31T02:00:00.000Z"}));
}

TEST(Cron, FallBackInPrague) {
  // 2024-10-27: 03:00 CEST → 02:00 CET (01:00Z); 02:00-02:59 happens twice.
  // A fixed time fires once, at its first occurrence.
  EXPECT_EQ(Firings("30 2 * * *", "2024-10-26T12:00:00Z", 2, "Europe/Prague"),
            (V{"2024-10-27T00:30:00.000Z", "2024-10-28T01:30:00.000Z"}));
  // Asked from inside the repeated hour (02:10 CET), the fixed 02:30 is already done.
  EXPECT_EQ(Firings("30 2 * * *", "2024-10-27T01:10:00Z", 1, "Europe/Prague"), (V{"2024-10-28T01:30:00.000Z"}));
  // Wall-clock schedules fire in both passes.
  EXPECT_EQ(Firings("0 * * * *", "2024-10-26T23:30:00Z", 4, "Europe/Prague"),
            (V{"2024-10-27T00:00:00.000Z", "2024-10-27T01:00:00.000Z", "2024-10-27T02:00:00.000Z",
               "2024-10-27T03:00:00.000Z"}));
  EXPECT_EQ(Firings("30 * * * *", "2024-10-27T00:10:00Z", 3, "Europe/Prague"),
            (V{"2024-10-27T00:30:00.000Z", "2024-10-27T01:30:00.000Z", "2024-10-27T02:30:00.000Z"}));
}

TEST(Cron, DaylightSavingInNewYork) {
  // 2024-03-10: 02:00 EST → 03:00 EDT (07:00Z).
  EXPECT_EQ(Firings("15 2 * * *", "2024-03-09T12:00:00Z", 2, "America/New_York"),
            (V{"2024-03-10T07:00:00.000Z", "2024-03-11T06:15:00.000Z"}));
  EXPECT_EQ(Firings("0 9 * * *", "2024-03-09T12:00:00Z", 2, "America/New_York"),
            (V{"2024-03-09T14:00:00.000Z", "2024-03-10T13:00:00.000Z"}));
  // 2024-11-03: 02:00 EDT → 01:00 EST (06:00Z); 01:30 happens twice, fires once.
  EXPECT_EQ(Firings("30 1 * * *", "2024-11-02T12:00:00Z", 2, "America/New_York"),
            (V{"2024-11-03T05:30:00.000Z", "2024-11-04T06:30:00.000Z"}));
  EXPECT_EQ(Firings("30 * * * *", "2024-11-03T05:00:00Z", 3, "America/New_York"),
            (V{"2024-11-03T05:30:00.000Z", "2024-11-03T06:30:00.000Z", "2024-11-03T07:30:00.000Z"}));
}

TEST(Cron, InvalidExpressionsNameTheField) {
  struct Case {
    const char* expression;
    const char* mentions;
  };
  const Case cases[] = {
      {"60 * * * *", "minute \"60\": 60 is out of range 0-59"},
      {"* 24 * * *", "hour \"24\": 24 is out of range 0-23"},
      {"* * 0 * *", "day of month \"0\": 0 is out of range 1-31"},
      {"* * 32 * *", "day of month"},
      {"* * * 13 *", "month \"13\""},
      {"* * * FOO *", "month \"FOO\": \"FOO\" is not a value (allowed: 1-12 or jan-dec)"},
      {"* * * * 8", "day of week \"8\": 8 is out of range 0-7"},
      {"* * * * MONDAY", "day of week"},
      {"5-1 * * * *", "minute \"5-1\": range 5-1 runs backwards"},
      {"*/0 * * * *", "minute \"*/0\": step must be at least 1"},
      {"*/x * * * *", "minute \"*/x\": step \"x\" is not a number"},
      {"*/ * * * *", "the step after '/' is missing"},
      {"1,,2 * * * *", "minute \"1,,2\": has an empty list item"},
      {"1- * * * *", "minute \"1-\": a value is missing"},
      {"1a * * * *", "\"1a\" is not a number"},
      {"? * * * *", "minute \"?\""},
      {"L * * * *", "minute \"L\""},
      {"* * * *", "has 4 fields; expected 5"},
      {"* * * * * *", "has 6 fields"},
      {"", "has 0 fields"},
  };
  for (const Case& c : cases) {
    Result<CronSchedule> cron = CronSchedule::Parse(c.expression);
    ASSERT_FALSE(cron.ok()) << c.expression;
    EXPECT_EQ(cron.status().code(), StatusCode::kInvalidArgument) << c.expression;
    EXPECT_NE(cron.status().message().find(c.mentions), std::string::npos)
        << c.expression << " → " << cron.status().message();
  }
  Result<CronSchedule> spaced = CronSchedule::FromFields("1, 2", "*", "*", "*", "*");
  ASSERT_FALSE(spaced.ok());
  EXPECT_NE(spaced.status().message().find("minute \"1, 2\": contains a space"), std::string::npos);
  Result<CronSchedule> empty = CronSchedule::FromFields("0", "", "*", "*", "*");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("hour \"\": is empty"), std::string::npos);
  EXPECT_TRUE(CronSchedule::FromFields(" 5 ", "*", "*", "*", "*").ok());  // outer blanks trimmed
}

}  // namespace
}  // namespace flowkit::components::timers
