// Date modifiers. A date value is anything js::ParseDate accepts (ISO text, RFC 2822, epoch
// milliseconds); undefined means now, as moment(undefined) does. Arithmetic happens in UTC.
#include <date/date.h>

#include <cmath>
#include <optional>
#include <string>

#include "transform/modifiers_internal.h"
#include "util/js.h"

namespace flowkit::modifiers {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

struct SpanUnit {
  std::string_view names[3];  // plural, singular, short
  enum Kind { kMillis, kDays, kMonths } kind;
  double factor;
};
constexpr SpanUnit kSpanUnits[] = {
    {{"years", "year", "y"}, SpanUnit::kMonths, 12},
    {{"quarters", "quarter", "Q"}, SpanUnit::kMonths, 3},
    {{"months", "month", "M"}, SpanUnit::kMonths, 1},
    {{"weeks", "week", "w"}, SpanUnit::kDays, 7},
    {{"days", "day", "d"}, SpanUnit::kDays, 1},
    {{"hours", "hour", "h"}, SpanUnit::kMillis, 3'600'000},
    {{"minutes", "minute", "m"}, SpanUnit::kMillis, 60'000},
    {{"seconds", "second", "s"}, SpanUnit::kMillis, 1000},
    {{"milliseconds", "millisecond", "ms"}, SpanUnit::kMillis, 1},
};

ModifierFunction TimeSpan(std::string name, int sign) {
  return [name = std::move(name), sign](const ModifierCall& call) -> Result<Json> {
    FLOWKIT_ASSIGN_OR_RETURN(int64_t ms, RequireDate(name, call));
    double millis = 0, days = 0, months = 0;
    for (const auto& [key, value] : call.hash) {
      if (value.IsNullish() || (value.IsString() && js::Trim(value.StringView()).empty())) continue;
      const SpanUnit* unit = nullptr;
      for (const auto& u : kSpanUnits) {
        if (key == u.names[0] || key == u.names[1] || key == u.names[2]) unit = &u;
      }
      if (unit == nullptr) {
        return Error(
            name, "unknown unit \"" + key +
                      "\" (use years, months, weeks, days, hours, minutes, seconds, milliseconds)");
      }
      FLOWKIT_ASSIGN_OR_RETURN(double n, RequireNumber(name, key, value));
      double scaled = n * unit->factor;
      (unit->kind == SpanUnit::kMillis ? millis
       : unit->kind == SpanUnit::kDays ? days
                                       : months) += scaled;
    }
    // Same order as moment's addSubtract: milliseconds, then days, then months.
    std::optional<int64_t> result = js::MomentAdd(ms, sign * millis, "ms");
    if (result) result = js::MomentAdd(*result, sign * days, "d");
    if (result) result = js::MomentAdd(*result, sign * months, "M");
    if (!result) return Error(name, "the result is out of the date range");
    return Json(js::FormatIso(*result));
  };
}

std::string TextArg(const ModifierCall& call, std::string_view key, size_t i) {
  const Json& v = HashOrParam(call, key, i);
  return v.IsNullish() ? std::string() : js::ToString(v);
}

Result<Json> FormatDateFn(const ModifierCall& call) {
  FLOWKIT_ASSIGN_OR_RETURN(int64_t ms, RequireDate("g_formatDate", call));
  auto text = js::FormatDate(ms, TextArg(call, "format", 0), TextArg(call, "timezone", 1));
  if (!text.ok()) return Error("g_formatDate", text.status().message());
  return Json(std::move(*text));
}

Result<Json> ParseDateFn(const ModifierCall& call) {
  if (call.value.IsNullish()) return Error("g_parseDate", "no date to parse");
  std::string format = TextArg(call, "format", 0);
  if (format.empty()) {
    FLOWKIT_ASSIGN_OR_RETURN(int64_t ms, RequireDate("g_parseDate", call));
    return Json(js::FormatIso(ms));
  }
  auto ms = js::ParseDateWithFormat(js::ToString(call.value), format, TextArg(call, "timezone", 1),
                                    NowMillis(call.env));
  if (!ms.ok()) return Error("g_parseDate", ms.status().message());
  return Json(js::FormatIso(*ms));
}

// moment's monthDiff(a, b): whole months from a to b plus the fraction of the month around b.
double MonthDiff(int64_t a, int64_t b) {
  auto day_of = [](int64_t ms) {
    return static_cast<unsigned>(
        date::year_month_day{date::sys_days{date::days{FloorDiv(ms, kMsPerDay)}}}.day());
  };
  if (day_of(a) < day_of(b)) return -MonthDiff(b, a);
  auto ymd = [](int64_t ms) {
    return date::year_month_day{date::sys_days{date::days{FloorDiv(ms, kMsPerDay)}}};
  };
  auto ya = ymd(a), yb = ymd(b);
  int64_t whole = (int64_t{static_cast<int>(yb.year())} - static_cast<int>(ya.year())) * 12 +
                  (int64_t{static_cast<unsigned>(yb.month())} - static_cast<unsigned>(ya.month()));
  auto add_months = [a](int64_t n) {
    return js::MomentAdd(a, static_cast<double>(n), "M").value_or(a);
  };
  int64_t anchor = add_months(whole);
  double adjust;
  if (b - anchor < 0) {
    int64_t anchor2 = add_months(whole - 1);
    adjust = static_cast<double>(b - anchor) / static_cast<double>(anchor - anchor2);
  } else {
    int64_t anchor2 = add_months(whole + 1);
    adjust = static_cast<double>(b - anchor) / static_cast<double>(anchor2 - anchor);
  }
  double r = -(static_cast<double>(whole) + adjust);
  return r == 0 ? 0 : r;
}

Result<Json> DateDiff(const ModifierCall& call) {
  FLOWKIT_ASSIGN_OR_RETURN(int64_t a, RequireDate("g_dateDiff", call));
  const Json& other = HashOrParam(call, "date", 0);
  if (other.IsNullish()) return Error("g_dateDiff", "needs a date to compare with");
  auto b = js::ParseDate(other);
  if (!b) return Error("g_dateDiff", Describe(other) + " is not a date");
  std::string unit = TextArg(call, "unit", 1);
  if (unit.empty()) unit = "milliseconds";
  double diff;
  const SpanUnit* found = nullptr;
  for (const auto& u : kSpanUnits) {
    if (unit == u.names[0] || unit == u.names[1] || unit == u.names[2]) found = &u;
  }
  if (found == nullptr) return Error("g_dateDiff", "unknown unit \"" + unit + "\"");
  if (found->kind == SpanUnit::kMonths) {
    diff = MonthDiff(a, *b) / found->factor;
  } else {
    double per = found->kind == SpanUnit::kDays ? found->factor * kMsPerDay : found->factor;
    diff = static_cast<double>(a - *b) / per;
  }
  if (!BoolOption(HashAt(call, "float"), false)) diff = std::trunc(diff);
  return Json(diff == 0 ? 0.0 : diff);
}

}  // namespace

std::vector<Builtin> DateModifiers() {
  const std::vector<std::string> kDate = {"date"};
  std::vector<ModifierArgument> span_args;
  for (const char* unit : {"years", "months", "weeks", "days", "hours", "minutes", "seconds"}) {
    span_args.push_back(HashArg(unit, "number"));
  }
  std::vector<Builtin> table = {
      {Generator(Info("g_now", "Now", {"date", "flow"}, "The current date and time (ISO 8601).", {},
                      "string")),
       [](const ModifierCall& call) -> Result<Json> {
         return Json(js::FormatIso(NowMillis(call.env)));
       }},
      {Generator(Info("g_timestamp", "Timestamp", {"date", "flow"},
                      "Milliseconds since 1970-01-01 UTC.", {}, "number")),
       [](const ModifierCall& call) -> Result<Json> { return Json(NowMillis(call.env)); }},
      {Info("g_addTimeSpan", "Add time span", kDate,
            "Add years, months, weeks, days, hours, minutes, seconds.", span_args, "string"),
       TimeSpan("g_addTimeSpan", 1)},
      {Info("g_subtractTimeSpan", "Subtract time span", kDate,
            "Subtract years, months, weeks, days, hours, minutes, seconds.", span_args, "string"),
       TimeSpan("g_subtractTimeSpan", -1)},
      {Info("g_formatDate", "Format date", kDate,
            "Format a date with a moment.js format (e.g. YYYY-MM-DD HH:mm), optionally in a time "
            "zone.",
            {Arg("format", "string"), Arg("timezone", "string")}, "string"),
       FormatDateFn},
      {Info("g_parseDate", "Parse date", kDate,
            "Read a date (optionally in a moment.js format) into ISO 8601.",
            {Arg("format", "string"), Arg("timezone", "string")}, "string"),
       ParseDateFn},
      {Info("g_toTimestamp", "To timestamp", kDate, "Milliseconds since 1970-01-01 UTC of a date.",
            {}, "number"),
       [](const ModifierCall& call) -> Result<Json> {
         FLOWKIT_ASSIGN_OR_RETURN(int64_t ms, RequireDate("g_toTimestamp", call));
         return Json(ms);
       }},
      {Info("g_dateDiff", "Date difference", kDate,
            "The date minus another date in a unit (milliseconds by default; years … "
            "milliseconds), truncated.",
            {Arg("date", "string"), Arg("unit", "string"), HashArg("float", "boolean")}, "number"),
       DateDiff},
  };
  return table;
}

}  // namespace flowkit::modifiers
