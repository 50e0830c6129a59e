#include "components/timers/cron.h"

#include <date/tz.h>

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace flowkit::components::timers {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kWeekdayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // value names, or nullptr
  int names_count;
  int names_base;  // the value of names[0]
  bool question_mark;  // '?' allowed as '*'
};

constexpr FieldSpec kMinuteField{"minute", 0, 59, nullptr, 0, 0, false};
constexpr FieldSpec kHourField{"hour", 0, 23, nullptr, 0, 0, false};
constexpr FieldSpec kDayOfMonthField{"day of month", 1, 31, nullptr, 0, 0, true};
constexpr FieldSpec kMonthField{"month", 1, 12, kMonthNames, 12, 1, false};
constexpr FieldSpec kDayOfWeekField{"day of week", 0, 7, kWeekdayNames, 7, 0, true};

class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, std::string_view text) : spec_(spec), text_(text) {}

  // The set of values as bits (bit v = value v).
  Result<uint64_t> Parse() {
    if (text_.empty()) return Error("is empty");
    for (char c : text_) {
      if (IsBlank(c)) return Error("contains a space");
    }
    uint64_t bits = 0;
    std::string_view rest = text_;
    while (true) {
      const size_t comma = rest.find(',');
      FLOWKIT_ASSIGN_OR_RETURN(uint64_t item, ParseItem(rest.substr(0, comma)));
      bits |= item;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return bits;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("invalid cron " + std::string(spec_.name) + " \"" + std::string(text_) +
                                   "\": " + what);
  }

  std::string Range() const {
    std::string range = std::to_string(spec_.min) + "-" + std::to_string(spec_.max);
    if (spec_.names != nullptr) {
      range += " or " + std::string(spec_.names[0]) + "-" + spec_.names[spec_.names_count - 1];
    }
    return range;
  }

  Result<int> ParseValue(std::string_view token) const {
    if (token.empty()) return Error("a value is missing");
    if (token[0] >= '0' && token[0] <= '9') {
      int64_t v = 0;
      for (char c : token) {
        if (c < '0' || c > '9') return Error("\"" + std::string(token) + "\" is not a number");
        v = v * 10 + (c - '0');
        if (v > 1000) break;
      }
      if (v < spec_.min || v > spec_.max) {
        return Error(std::string(token) + " is out of range " + Range());
      }
      return static_cast<int>(v);
    }
    for (int i = 0; i < spec_.names_count; ++i) {
      if (EqualsIgnoreCase(token, spec_.names[i])) return spec_.names_base + i;
    }
    return Error("\"" + std::string(token) + "\" is not a value (allowed: " + Range() + ")");
  }

  Result<uint64_t> ParseItem(std::string_view item) const {
    if (item.empty()) return Error("has an empty list item");
    std::string_view base = item;
    int step = 1;
    bool has_step = false;
    if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
      base = item.substr(0, slash);
      std::string_view step_text = item.substr(slash + 1);
      if (step_text.empty()) return Error("the step after '/' is missing");
      int64_t s = 0;
      for (char c : step_text) {
        if (c < '0' || c > '9') return Error("step \"" + std::string(step_text) + "\" is not a number");
        s = s * 10 + (c - '0');
        if (s > 1000) break;
      }
      if (s == 0) return Error("step must be at least 1");
      if (s > spec_.max) return Error("step " + std::string(step_text) + " is larger than " + std::to_string(spec_.max));
      step = static_cast<int>(s);
      has_step = true;
    }
    int lo = 0, hi = 0;
    if (base == "*" || (spec_.question_mark && base == "?")) {
      lo = spec_.min;
      hi = spec_.max;
    } else if (const size_t dash = base.find('-'); dash != std::string_view::npos) {
      FLOWKIT_ASSIGN_OR_RETURN(lo, ParseValue(base.substr(0, dash)));
      FLOWKIT_ASSIGN_OR_RETURN(hi, ParseValue(base.substr(dash + 1)));
      if (lo > hi) {
        return Error("range " + std::string(base) + " runs backwards");
      }
    } else {
      FLOWKIT_ASSIGN_OR_RETURN(lo, ParseValue(base));
      hi = has_step ? spec_.max : lo;
    }
    uint64_t bits = 0;
    for (int v = lo; v <= hi; v += step) bits |= uint64_t{1} << v;
    return bits;
  }

  const FieldSpec& spec_;
  std::string_view text_;
};

bool StartsWithStar(std::string_view field, bool question_mark) {
  return !field.empty() && (field[0] == '*' || (question_mark && field[0] == '?'));
}

// Years 1..9999: the instants a schedule is asked about (JavaScript dates reach a little
// further, but nothing schedules there).
constexpr int64_t kMinInstantMs = -62135596800000;
constexpr int64_t kMaxInstantMs = 253402300799999;
// The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks): a day
// pattern that matches no date in that span matches none ever.
constexpr int kHorizonDays = 146097 + 3;

int64_t ToMillis(date::sys_seconds t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

Result<TimeZone> TimeZone::Find(std::string_view name) {
  std::string wanted = name.empty() ? std::string("UTC") : std::string(name);
  try {
    const date::time_zone* zone = nullptr;
    try {
      zone = date::locate_zone(wanted);
    } catch (const std::runtime_error&) {
      zone = nullptr;
    }
    if (zone == nullptr) {
      // moment-timezone looks names up case-insensitively ("europe/prague" works there). The
      // system database lists links ("US/Eastern") as zones of their own.
      const date::tzdb& db = date::get_tzdb();
      for (const date::time_zone& z : db.zones) {
        if (EqualsIgnoreCase(z.name(), wanted)) {
          zone = &z;
          break;
        }
      }
    }
    if (zone == nullptr) {
      return Status::InvalidArgument("unknown time zone \"" + std::string(name) +
                                     "\" (use an IANA name such as Europe/Prague)");
    }
    return TimeZone(zone, std::string(zone->name()));
  } catch (const std::exception& e) {
    return Status::InvalidArgument("time zone \"" + std::string(name) + "\": " + e.what());
  }
}

LocalTime TimeZone::ToLocal(int64_t ms) const {
  const int64_t local = LocalMillis(ms);
  const date::local_days day = std::chrono::floor<date::days>(date::local_time<milliseconds>{milliseconds{local}});
  const date::year_month_day ymd{day};
  const int64_t in_day = local - std::chrono::duration_cast<milliseconds>(day.time_since_epoch()).count();
  LocalTime t;
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  t.hour = static_cast<int>(in_day / 3600000);
  t.minute = static_cast<int>(in_day / 60000 % 60);
  t.second = static_cast<int>(in_day / 1000 % 60);
  t.millisecond = static_cast<int>(in_day % 1000);
  t.weekday = static_cast<int>(date::weekday{day}.c_encoding());
  return t;
}

int64_t TimeZone::LocalMillis(int64_t ms) const {
  const auto local = zone_->to_local(date::sys_time<milliseconds>{milliseconds{ms}});
  return local.time_since_epoch().count();
}

int64_t TimeZone::FromLocal(int64_t local_ms) const {
  const date::local_time<milliseconds> local{milliseconds{local_ms}};
  // `first` is the only offset for a unique time, the earlier one for a repeated time, and the
  // one in force before the jump for a skipped time.
  const date::local_info info = zone_->get_info(local);
  return local_ms - std::chrono::duration_cast<milliseconds>(info.first.offset).count();
}

Result<CronSchedule> CronSchedule::Parse(std::string_view expression) {
  std::vector<std::string_view> fields;
  std::string_view rest = expression;
  while (true) {
    while (!rest.empty() && IsBlank(rest.front())) rest.remove_prefix(1);
    if (rest.empty()) break;
    size_t end = 0;
    while (end < rest.size() && !IsBlank(rest[end])) ++end;
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  if (fields.size() != 5) {
    return Status::InvalidArgument("cron expression \"" + std::string(expression) + "\" has " +
                                   std::to_string(fields.size()) +
                                   " fields; expected 5 (minute hour day-of-month month day-of-week)");
  }
  return FromFields(fields[0], fields[1], fields[2], fields[3], fields[4]);
}

Result<CronSchedule> CronSchedule::FromFields(std::string_view minute, std::string_view hour,
                                              std::string_view day_of_month, std::string_view month,
                                              std::string_view day_of_week) {
  minute = TrimBlanks(minute);
  hour = TrimBlanks(hour);
  day_of_month = TrimBlanks(day_of_month);
  month = TrimBlanks(month);
  day_of_week = TrimBlanks(day_of_week);
  CronSchedule cron;
  FLOWKIT_ASSIGN_OR_RETURN(cron.minutes_, FieldParser(kMinuteField, minute).Parse());
  FLOWKIT_ASSIGN_OR_RETURN(uint64_t hours, FieldParser(kHourField, hour).Parse());
  FLOWKIT_ASSIGN_OR_RETURN(uint64_t days, FieldParser(kDayOfMonthField, day_of_month).Parse());
  FLOWKIT_ASSIGN_OR_RETURN(uint64_t months, FieldParser(kMonthField, month).Parse());
  FLOWKIT_ASSIGN_OR_RETURN(uint64_t weekdays, FieldParser(kDayOfWeekField, day_of_week).Parse());
  cron.hours_ = static_cast<uint32_t>(hours);
  cron.days_ = static_cast<uint32_t>(days);
  cron.months_ = static_cast<uint16_t>(months);
  // 7 is another name for Sunday.
  cron.weekdays_ = static_cast<uint8_t>((weekdays | (weekdays >> 7)) & 0x7f);
  cron.day_of_month_star_ = StartsWithStar(day_of_month, true);
  cron.day_of_week_star_ = StartsWithStar(day_of_week, true);
  cron.wall_clock_ = StartsWithStar(minute, false) || StartsWithStar(hour, false);
  return cron;
}

bool CronSchedule::DayMatches(int month, int day, int weekday) const {
  if ((months_ >> month & 1) == 0) return false;
  const bool day_of_month = (days_ >> day & 1) != 0;
  const bool day_of_week = (weekdays_ >> weekday & 1) != 0;
  if (day_of_month_star_ || day_of_week_star_) return day_of_month && day_of_week;
  return day_of_month || day_of_week;
}

std::optional<int64_t> CronSchedule::Next(int64_t after_ms, const TimeZone& zone) const {
  if (after_ms < kMinInstantMs || after_ms > kMaxInstantMs) return std::nullopt;
  const date::time_zone* tz = zone.zone_;
  const date::local_seconds after_local =
      std::chrono::floor<seconds>(tz->to_local(date::sys_time<milliseconds>{milliseconds{after_ms}}));
  std::optional<int64_t> best;
  auto consider = [&](int64_t instant) {
    if (instant > after_ms && (!best || instant < *best)) best = instant;
  };

  // Start a day early: around a change of offset, a wall time of the day before can still lie
  // after `after_ms`.
  date::local_days day = std::chrono::floor<date::days>(after_local) - date::days{1};
  int found_at = -1;
  for (int i = 0; i < kHorizonDays; ++i, day += date::days{1}) {
    // Offsets move by less than a day, so two more days cannot hold an earlier firing.
    if (found_at >= 0 && i > found_at + 2) break;
    const date::year_month_day ymd{day};
    const int month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    const int day_of_month = static_cast<int>(static_cast<unsigned>(ymd.day()));
    if (!DayMatches(month, day_of_month, static_cast<int>(date::weekday{day}.c_encoding()))) continue;

    const date::local_info at_start = tz->get_info(date::local_seconds{day});
    const date::local_info at_end = tz->get_info(date::local_seconds{day + date::days{1}});
    const bool steady = at_start.result == date::local_info::unique &&
                        at_end.result == date::local_info::unique &&
                        at_start.first.begin == at_end.first.begin;
    for (int h = 0; h < 24; ++h) {
      if ((hours_ >> h & 1) == 0) continue;
      for (int m = 0; m < 60; ++m) {
        if ((minutes_ >> m & 1) == 0) continue;
        const date::local_seconds wall = date::local_seconds{day} + std::chrono::hours{h} + minutes{m};
        if (steady) {
          consider(ToMillis(date::sys_seconds{wall.time_since_epoch()} - at_start.first.offset));
          continue;
        }
        const date::local_info info = tz->get_info(wall);
        switch (info.result) {
          case date::local_info::unique:
            consider(ToMillis(date::sys_seconds{wall.time_since_epoch()} - info.first.offset));
            break;
          case date::local_info::nonexistent:
            // Skipped by the clock: a fixed-time schedule fires when the clock jumps.
            if (!wall_clock_) consider(ToMillis(info.second.begin));
            break;
          case date::local_info::ambiguous:
            consider(ToMillis(date::sys_seconds{wall.time_since_epoch()} - info.first.offset));
            if (wall_clock_) consider(ToMillis(date::sys_seconds{wall.time_since_epoch()} - info.second.offset));
            break;
        }
      }
    }
    if (best && found_at < 0) found_at = i;
  }
  return best;
}

}  // namespace flowkit::components::timers
