// Time zones from the system tz database, and a five-field cron schedule evaluated in them —
// the scheduling behind timers.Scheduler, timers.SchedulerTrigger and controls.Digest.
//
// Threading: TimeZone and CronSchedule are immutable values; every method is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "flowkit/status.h"

namespace date {
class time_zone;
}  // namespace date

namespace flowkit::components::timers {

// A wall-clock time in some zone: the civil fields of a local time.
struct LocalTime {
  int64_t year = 1970;
  int month = 1;   // 1..12
  int day = 1;     // 1..31
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;
  int millisecond = 0;
  int weekday = 4;  // 0 = Sunday .. 6 = Saturday
};

// An IANA zone of the system tz database (Howard Hinnant's date library reads it).
class TimeZone {
 public:
  // The zone named `name` ("Europe/Prague"; links such as "GMT" or "US/Eastern" too), matched
  // case-insensitively as moment-timezone does; empty = UTC. kInvalidArgument for a name the
  // database does not know (or when the database cannot be read).
  static Result<TimeZone> Find(std::string_view name);

  // The database's spelling of the zone's name ("Europe/Prague").
  const std::string& name() const noexcept { return name_; }

  // The wall-clock time at the instant `ms` (epoch milliseconds).
  LocalTime ToLocal(int64_t ms) const;
  // The instant of the wall-clock time `local_ms` (milliseconds since 1970-01-01T00:00 of the
  // local calendar), read as moment-timezone reads it: a time that occurs twice (the clock is
  // set back) is the earlier instant; a time the clock skips (set forward) is read with the
  // offset from before the jump, so it lands as far past the jump as it was into the gap.
  int64_t FromLocal(int64_t local_ms) const;
  // ToLocal(ms) as milliseconds since 1970-01-01T00:00 of the local calendar.
  int64_t LocalMillis(int64_t ms) const;

 private:
  TimeZone(const date::time_zone* zone, std::string name) : zone_(zone), name_(std::move(name)) {}
  friend class CronSchedule;

  const date::time_zone* zone_;  // owned by the date library's database, lives forever
  std::string name_;
};

// A cron schedule: "minute hour day-of-month month day-of-week".
//
// Each field is a comma-separated list of items; an item is `*`, a value, or a range `a-b`,
// optionally followed by a step `/n` (`a/n` means `a-<max>/n`). Ranges: minute 0-59, hour
// 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-7 or SUN-SAT (0 and 7 are
// Sunday); names are case-insensitive; `?` stands for `*` in the two day fields.
//
// Day matching is Vixie cron's: when both day fields are restricted (neither starts with `*`
// or `?`), a day matches if either field does; otherwise both must (an unrestricted one always
// does). A date that no month has (February 30) never fires.
//
// Daylight-saving changes follow Vixie cron too. A schedule with `*` leading its minute or
// hour field runs by the wall clock: wall times the clock skips are skipped and wall times it
// repeats fire again. A schedule at fixed times fires once per wall time: a time inside a
// skipped hour fires at the instant the clock jumps, and a repeated time fires at its first
// occurrence only.
class CronSchedule {
 public:
  // kInvalidArgument naming the field and what is wrong with it. Fields are separated by
  // spaces or tabs; there must be exactly five.
  static Result<CronSchedule> Parse(std::string_view expression);
  // The same, from the five fields one by one (Appmixer's properties minute, hour, dayMonth,
  // month, dayWeek), so a field holding a space is an error of that field.
  static Result<CronSchedule> FromFields(std::string_view minute, std::string_view hour,
                                         std::string_view day_of_month, std::string_view month,
                                         std::string_view day_of_week);

  // The first firing strictly after the instant `after_ms` (epoch milliseconds) in `zone`, at a
  // whole minute; nullopt when the schedule never fires (no date in a 400-year Gregorian cycle
  // matches).
  std::optional<int64_t> Next(int64_t after_ms, const TimeZone& zone) const;

 private:
  CronSchedule() = default;
  bool DayMatches(int month, int day, int weekday) const;

  uint64_t minutes_ = 0;   // bit m: minute m
  uint32_t hours_ = 0;     // bit h
  uint32_t days_ = 0;      // bit d: day of month d (1..31)
  uint16_t months_ = 0;    // bit m: month m (1..12)
  uint8_t weekdays_ = 0;   // bit w: 0 = Sunday .. 6 = Saturday
  bool day_of_month_star_ = false;
  bool day_of_week_star_ = false;
  bool wall_clock_ = false;  // minute or hour starts with '*'
};

}  // namespace flowkit::components::timers
