// appmixer.utils.timers.SchedulerTrigger ("Scheduler"): fires on a calendar schedule in a time
// zone (default GMT) — every n minutes/hours/days/weeks ('custom'), daily at a time ('days'),
// on chosen weekdays ('weeks') or chosen days of the month ('months', including "last day of
// the month") — optionally from `start` to `end` ('YYYY-MM-DD HH:mm' in the zone). Each firing
// sends {previousDate, nextDateGMT, nextDateLocal, timezone} and arms a timer for the next one;
// the first firing, at flow start, sends only when `immediate` is set.
//
// Where this differs from Appmixer's JavaScript (on purpose):
// * 'months' fires on every selected day; the JavaScript honours only the smallest selected
//   day, or only the last day when that option is among them.
// * The firing at the last scheduled time before `end` sends its message (nextDateGMT and
//   nextDateLocal null); the JavaScript drops it.
// * The timer is armed for the next time as an instant (next - now, not next - previous), and
//   times missed while the engine was down are skipped, so the schedule never drifts or
//   replays a backlog.
// * Settings the JavaScript would turn into a busy loop or a crash (a custom interval below 1,
//   no weekday or day of month, a time of day that is not HH:mm) fail the flow's start.
#include <date/date.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "components/timers/cron.h"
#include "components/timers/timers.h"
#include "flowkit/json.h"
#include "util/js.h"

namespace flowkit::components::timers {
namespace {

constexpr int64_t kMsPerMinute = 60'000;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr std::string_view kLastDayOfMonth = "last day of the month";

enum class ScheduleType { kCustom, kDays, kWeeks, kMonths };
enum class IntervalUnit { kMinutes, kHours, kDays, kWeeks };

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a civil date.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  return date::sys_days{date::year{static_cast<int>(year)} / date::month{static_cast<unsigned>(month)} /
                        date::day{static_cast<unsigned>(day)}}
      .time_since_epoch()
      .count();
}

int DaysInMonth(int64_t year, int month) {
  return static_cast<int>(static_cast<unsigned>(
      (date::year{static_cast<int>(year)} / date::month{static_cast<unsigned>(month)} / date::last).day()));
}

struct Schedule {
  ScheduleType type = ScheduleType::kCustom;
  IntervalUnit unit = IntervalUnit::kMinutes;
  int64_t interval = 0;          // custom: units between firings
  int64_t time_of_day_ms = 0;    // days, weeks, months: the wall time of day
  std::vector<int> weekdays;     // weeks: 0 = Sunday .. 6 = Saturday
  std::vector<int> month_days;   // months: 1..31
  bool last_day_of_month = false;
  std::optional<int64_t> start;  // instants
  std::optional<int64_t> end;
};

Result<int> ParseWeekday(const Json& value) {
  static constexpr const char* kNames[] = {"sunday", "monday", "tuesday", "wednesday",
                                           "thursday", "friday", "saturday"};
  const std::string name = Lower(js::Trim(js::ToString(value)));
  for (int i = 0; i < 7; ++i) {
    const std::string_view full = kNames[i];
    if (name == full || (name.size() == 3 && full.substr(0, 3) == name)) return i;
  }
  return Status::InvalidArgument("daysOfWeek: \"" + js::ToString(value) + "\" is not a day of the week");
}

Result<int64_t> ParseTimeOfDay(const Json& value) {
  const std::string text = value.IsNullish() ? std::string("00:00") : js::ToString(value);
  const size_t colon = text.find(':');
  // parseInt(part) || 0, as the JavaScript reads it, then a range check it lacks.
  const double hour = js::ParseFloatString(text.substr(0, colon));
  const double minute = colon == std::string::npos ? 0 : js::ParseFloatString(text.substr(colon + 1));
  const int h = std::isnan(hour) ? 0 : static_cast<int>(hour);
  const int m = std::isnan(minute) ? 0 : static_cast<int>(minute);
  if (h < 0 || h > 23 || m < 0 || m > 59) {
    return Status::InvalidArgument("time \"" + text + "\" is not a time of day (HH:mm)");
  }
  return h * kMsPerHour + m * kMsPerMinute;
}

Result<std::optional<int64_t>> ParseBound(const Json& value, std::string_view name, const TimeZone& zone,
                                          int64_t now) {
  if (!js::Truthy(value)) return std::optional<int64_t>();
  const std::string text = js::ToString(value);
  Result<int64_t> ms = js::ParseDateWithFormat(text, "YYYY-MM-DD HH:mm", zone.name(), now);
  if (!ms.ok()) {
    return Status::InvalidArgument(std::string(name) + " \"" + text + "\" is not a date (YYYY-MM-DD HH:mm)");
  }
  return std::optional<int64_t>(*ms);
}

Result<Schedule> ReadSchedule(const Json& props, const TimeZone& zone, int64_t now) {
  Schedule s;
  const Json& type = props.Get("scheduleType");
  const std::string type_name = js::Truthy(type) ? js::ToString(type) : "custom";
  if (type_name == "custom") {
    s.type = ScheduleType::kCustom;
    const std::string unit = Lower(js::ToString(props.Get("customIntervalUnit")));
    if (unit == "minutes" || unit == "minute") {
      s.unit = IntervalUnit::kMinutes;
    } else if (unit == "hours" || unit == "hour") {
      s.unit = IntervalUnit::kHours;
    } else if (unit == "days" || unit == "day") {
      s.unit = IntervalUnit::kDays;
    } else if (unit == "weeks" || unit == "week") {
      s.unit = IntervalUnit::kWeeks;
    } else {
      return Status::InvalidArgument("customIntervalUnit must be minutes, hours, days or weeks");
    }
    const double value = js::ToNumber(props.Get("customIntervalValue"));
    if (!(value >= 1) || value != static_cast<double>(static_cast<int64_t>(value)) || value > 1e7) {
      return Status::InvalidArgument("customIntervalValue must be a whole number of at least 1");
    }
    s.interval = static_cast<int64_t>(value);
  } else if (type_name == "days") {
    s.type = ScheduleType::kDays;
  } else if (type_name == "weeks") {
    s.type = ScheduleType::kWeeks;
    for (const Json& day : props.Get("daysOfWeek").array()) {
      FLOWKIT_ASSIGN_OR_RETURN(int weekday, ParseWeekday(day));
      s.weekdays.push_back(weekday);
    }
    if (s.weekdays.empty()) return Status::InvalidArgument("daysOfWeek must name at least one day");
  } else if (type_name == "months") {
    s.type = ScheduleType::kMonths;
    for (const Json& day : props.Get("daysOfMonth").array()) {
      if (day.IsString() && js::Trim(day.StringView()) == kLastDayOfMonth) {
        s.last_day_of_month = true;
        continue;
      }
      const double n = js::ToNumber(day);
      if (!(n >= 1 && n <= 31) || n != static_cast<double>(static_cast<int>(n))) {
        return Status::InvalidArgument("daysOfMonth: \"" + js::ToString(day) +
                                       "\" is neither a day 1-31 nor \"last day of the month\"");
      }
      s.month_days.push_back(static_cast<int>(n));
    }
    if (s.month_days.empty() && !s.last_day_of_month) {
      return Status::InvalidArgument("daysOfMonth must name at least one day");
    }
    std::sort(s.month_days.begin(), s.month_days.end());
  } else {
    return Status::InvalidArgument("Unsupported scheduleType: " + type_name);
  }
  if (s.type != ScheduleType::kCustom) {
    FLOWKIT_ASSIGN_OR_RETURN(s.time_of_day_ms, ParseTimeOfDay(props.Get("time")));
  }
  FLOWKIT_ASSIGN_OR_RETURN(s.start, ParseBound(props.Get("start"), "start", zone, now));
  FLOWKIT_ASSIGN_OR_RETURN(s.end, ParseBound(props.Get("end"), "end", zone, now));
  return s;
}

// The wall time `time_of_day_ms` on the local day `day` (days since 1970-01-01), as an instant.
int64_t AtTimeOfDay(const TimeZone& zone, int64_t day, int64_t time_of_day_ms) {
  return zone.FromLocal(day * kMsPerDay + time_of_day_ms);
}

// The first scheduled time after `base` (the previous firing, else `start`, else now); a
// custom schedule's first firing is `start` itself.
int64_t NextRun(const Schedule& s, const TimeZone& zone, int64_t base, bool has_previous) {
  const int64_t local = zone.LocalMillis(base);
  const int64_t day = FloorDiv(local, kMsPerDay);
  switch (s.type) {
    case ScheduleType::kCustom:
      if (s.start && !has_previous) return *s.start;
      switch (s.unit) {
        case IntervalUnit::kMinutes:
          return base + s.interval * kMsPerMinute;
        case IntervalUnit::kHours:
          return base + s.interval * kMsPerHour;
        case IntervalUnit::kDays:
          // Calendar days: the same wall time, whatever the clock changes in between.
          return zone.FromLocal(local + s.interval * kMsPerDay);
        case IntervalUnit::kWeeks:
          return zone.FromLocal(local + s.interval * 7 * kMsPerDay);
      }
      break;
    case ScheduleType::kDays: {
      const int64_t today = AtTimeOfDay(zone, day, s.time_of_day_ms);
      return today > base ? today : AtTimeOfDay(zone, day + 1, s.time_of_day_ms);
    }
    case ScheduleType::kWeeks: {
      // moment's day(name) moves within the Sunday-based week of the base.
      const int64_t sunday = day - zone.ToLocal(base).weekday;
      std::optional<int64_t> best;
      for (int weekday : s.weekdays) {
        for (int64_t week : {0, 7}) {
          const int64_t at = AtTimeOfDay(zone, sunday + week + weekday, s.time_of_day_ms);
          if (at > base && (!best || at < *best)) best = at;
        }
      }
      return *best;  // the same weekday a week later is always after base
    }
    case ScheduleType::kMonths: {
      const LocalTime t = zone.ToLocal(base);
      int64_t year = t.year;
      int month = t.month;
      // Days 1-28 and the last day exist in every month; a 29th-31st can take two months.
      for (int i = 0; i < 14; ++i) {
        const int last = DaysInMonth(year, month);
        std::vector<int> days;
        for (int d : s.month_days) {
          if (d <= last) days.push_back(d);
        }
        if (s.last_day_of_month) days.push_back(last);
        std::sort(days.begin(), days.end());
        for (int d : days) {
          const int64_t at = AtTimeOfDay(zone, DaysFromCivil(year, month, d), s.time_of_day_ms);
          if (at > base) return at;
        }
        if (++month > 12) {
          month = 1;
          ++year;
        }
      }
      break;
    }
  }
  return base + kMsPerDay;  // unreachable: every schedule type returns above
}

class SchedulerTrigger final : public Behaviour {
 public:
  Status Start(Context& ctx) override { return Fire(ctx, nullptr); }

  Status Receive(Context& ctx) override {
    const Message* timeout = ctx.Input(kTimeoutPort);
    if (timeout == nullptr) return Status::OK();
    return Fire(ctx, timeout);
  }

 private:
  static Status Fire(Context& ctx, const Message* timeout) {
    const Json& props = ctx.properties();
    const Json& zone_property = props.Get("timezone");
    FLOWKIT_ASSIGN_OR_RETURN(TimeZone zone, ZoneProperty(zone_property, "GMT"));
    const std::string zone_label = js::Truthy(zone_property) ? js::ToString(zone_property) : "GMT";
    const int64_t now = ctx.clock().NowMillis();
    FLOWKIT_ASSIGN_OR_RETURN(Schedule schedule, ReadSchedule(props, zone, now));

    const bool first = timeout == nullptr;
    Json previous(nullptr);
    std::optional<int64_t> previous_ms;
    if (!first) {
      previous = timeout->Content().Get("previousDate");
      if (previous.IsUndefined()) previous = nullptr;
      previous_ms = js::ParseDate(previous);
    }
    if (first && schedule.start && *schedule.start < now) {
      return Status::InvalidArgument("Start date (" + js::FormatIso(*schedule.start) +
                                     ") cannot be in the past (now: " + js::FormatIso(now) + ").");
    }
    if (first && schedule.start && schedule.end && *schedule.start > *schedule.end) {
      return Status::InvalidArgument("Start date (" + js::FormatIso(*schedule.start) +
                                     ") cannot be after end: " + js::FormatIso(*schedule.end) + ".");
    }

    int64_t base = previous_ms.value_or(schedule.start.value_or(now));
    int64_t next = NextRun(schedule, zone, base, previous_ms.has_value());
    // Times missed while the engine was down are skipped, not replayed.
    while (next < now) {
      if (schedule.type == ScheduleType::kCustom &&
          (schedule.unit == IntervalUnit::kMinutes || schedule.unit == IntervalUnit::kHours)) {
        const int64_t step = schedule.interval * (schedule.unit == IntervalUnit::kMinutes ? kMsPerMinute : kMsPerHour);
        next += (now - next + step - 1) / step * step;
        break;
      }
      next = NextRun(schedule, zone, next, true);
    }
    std::optional<int64_t> due = next;
    if (schedule.end && next > *schedule.end) due.reset();

    auto send = [&]() -> Status {
      if (first && !js::Truthy(props.Get("immediate"))) return Status::OK();
      Json local(nullptr);
      if (due) {
        FLOWKIT_ASSIGN_OR_RETURN(std::string text, js::FormatDate(*due, "YYYY-MM-DDTHH:mm:ss.SSS", zone.name()));
        local = std::move(text);
      }
      return ctx.Send("out", Json::MakeObject({{"previousDate", previous},
                                               {"nextDateGMT", due ? Json(js::FormatIso(*due)) : Json(nullptr)},
                                               {"nextDateLocal", std::move(local)},
                                               {"timezone", zone_label}}));
    };
    auto arm = [&]() -> Result<std::string> {
      if (!due) {
        ctx.Log(Json::MakeObject({{"step", "end"}, {"nextDate", nullptr}, {"end", props.Get("end")}}));
        return std::string();
      }
      return ctx.SetTimeout(Json::MakeObject({{"previousDate", js::FormatIso(*due)}, {"firstTime", false}}),
                            *due - now);
    };
    return FireOnce(ctx, timeout, send, arm);
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewSchedulerTrigger() { return std::make_unique<SchedulerTrigger>(); }

}  // namespace flowkit::components::timers
