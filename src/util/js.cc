#include "util/js.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "util/number_format.h"

namespace flowkit::js {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMsPerDay = 86'400'000;

// The byte length of the JavaScript white space or line terminator at `s[i]`, or 0. Covers ASCII
// space and controls, NBSP, BOM, LS, PS and the Unicode space separators.
size_t WhiteSpaceAt(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= 0x09 && c <= 0x0d)) return 1;
  auto at = [&](size_t k) -> unsigned char {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0;
  };
  if (c == 0xc2 && at(1) == 0xa0) return 2;                   // U+00A0
  if (c == 0xef && at(1) == 0xbb && at(2) == 0xbf) return 3;  // U+FEFF
  if (c == 0xe1 && at(1) == 0x9a && at(2) == 0x80) return 3;  // U+1680
  if (c == 0xe2 && at(1) == 0x80 &&
      (at(2) <= 0x8a || at(2) == 0xa8 || at(2) == 0xa9 || at(2) == 0xaf) && at(2) >= 0x80) {
    return 3;  // U+2000..U+200A, U+2028, U+2029, U+202F
  }
  if (c == 0xe2 && at(1) == 0x81 && at(2) == 0x9f) return 3;  // U+205F
  if (c == 0xe3 && at(1) == 0x80 && at(2) == 0x80) return 3;  // U+3000
  return 0;
}

std::string_view TrimStartJs(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t n = WhiteSpaceAt(s, i);
    if (n == 0) break;
    i += n;
  }
  return s.substr(i);
}

std::string_view TrimJs(std::string_view s) {
  s = TrimStartJs(s);
  // Trailing white space: step back over ASCII or the multi-byte forms above.
  while (!s.empty()) {
    size_t end = s.size();
    bool trimmed = false;
    for (size_t len = 1; len <= 3 && len <= end; ++len) {
      if (WhiteSpaceAt(s, end - len) == len) {
        s = s.substr(0, end - len);
        trimmed = true;
        break;
      }
    }
    if (!trimmed) break;
  }
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Length of the longest StrDecimalLiteral ([+-]? (Infinity | digits [. digits] | . digits)
// [eE [+-] digits]) at the start of `s`; 0 when there is none.
size_t DecimalLiteralLength(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (s.substr(i, 8) == "Infinity") return i + 8;
  size_t int_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && IsDigit(s[j])) ++j, ++frac_digits;
    if (int_digits > 0 || frac_digits > 0) i = j;
  }
  if (int_digits == 0 && frac_digits == 0) return 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    size_t exp_digits = 0;
    while (j < s.size() && IsDigit(s[j])) ++j, ++exp_digits;
    if (exp_digits > 0) i = j;
  }
  return i;
}

// Converts a literal DecimalLiteralLength accepted in full.
double DecimalLiteralValue(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "Infinity") return negative ? -kInf : kInf;
  double value = 0;
  auto [ptr, ec] =
      std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves the value unset: decide between overflow and underflow from the
    // decimal exponent of the first significant digit.
    int64_t lead = 0;
    bool seen_point = false;
    bool seen_nonzero = false;
    size_t i = 0;
    for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
      if (s[i] == '.') {
        seen_point = true;
      } else if (!seen_nonzero) {
        if (s[i] != '0') {
          seen_nonzero = true;
          if (!seen_point) lead = 1;
        } else if (seen_point) {
          --lead;
        }
      } else if (!seen_point) {
        ++lead;
      }
    }
    int64_t exponent = 0;
    if (i < s.size()) {
      std::string_view e = s.substr(i + 1);
      bool neg_e = !e.empty() && e[0] == '-';
      if (!e.empty() && (e[0] == '+' || e[0] == '-')) e.remove_prefix(1);
      for (char c : e) exponent = std::min<int64_t>(exponent * 10 + (c - '0'), 1'000'000);
      if (neg_e) exponent = -exponent;
    }
    value = (lead + exponent > 0) ? kInf : 0.0;
  } else if (ec != std::errc()) {
    return kNaN;
  }
  (void)ptr;
  return negative ? -value : value;
}

double RadixValue(std::string_view digits, int radix) {
  if (digits.empty()) return kNaN;
  double value = 0;
  for (char c : digits) {
    int d;
    if (IsDigit(c)) {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = c - 'A' + 10;
    } else {
      return kNaN;
    }
    if (d >= radix) return kNaN;
    value = value * radix + d;
  }
  return value;
}

void AppendJoined(const Json& value, std::string* out);

void AppendString(const Json& value, std::string* out) {
  switch (value.type()) {
    case Json::Type::kUndefined:
      out->append("undefined");
      return;
    case Json::Type::kNull:
      out->append("null");
      return;
    case Json::Type::kBool:
      out->append(value.AsBool() ? "true" : "false");
      return;
    case Json::Type::kNumber:
      if (value.IsInteger()) {
        out->append(std::to_string(value.AsInt()));
      } else {
        internal::AppendJsNumber(value.AsDouble(), out);
      }
      return;
    case Json::Type::kString:
      out->append(value.StringView());
      return;
    case Json::Type::kArray:
      AppendJoined(value, out);
      return;
    case Json::Type::kObject:
      out->append("[object Object]");
      return;
  }
}

// Array.prototype.join(","): null and undefined elements are empty.
void AppendJoined(const Json& value, std::string* out) {
  bool first = true;
  for (const Json& item : value.array()) {
    if (!first) out->push_back(',');
    first = false;
    if (!item.IsNullish()) AppendString(item, out);
  }
}

// ToPrimitive for the operators: arrays and objects become their string form.
Json ToPrimitive(const Json& value) {
  if (value.IsArray() || value.IsObject()) return Json(ToString(value));
  return value;
}

// <0, 0, >0 for a < b, a == b, a > b under the relational operators; nullopt when undefined
// (a NaN is involved).
std::optional<int> RelationalCompare(const Json& a, const Json& b) {
  Json pa = ToPrimitive(a);
  Json pb = ToPrimitive(b);
  if (pa.IsString() && pb.IsString()) {
    int c = pa.StringView().compare(pb.StringView());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  double x = ToNumber(pa);
  double y = ToNumber(pb);
  if (std::isnan(x) || std::isnan(y)) return std::nullopt;
  return x < y ? -1 : (x > y ? 1 : 0);
}

std::string JsonText(const Json& value) {
  if (value.IsString()) return std::string(value.StringView());
  return value.Dump();
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

// ---- dates ----

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<std::string_view, 7> kDayNames = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  return date::sys_days(date::year{static_cast<int>(y)} / date::month{m} / date::day{d})
      .time_since_epoch()
      .count();
}

bool ValidCivil(int64_t y, int64_t m, int64_t d) {
  if (y < -271820 || y > 275759 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  date::year_month_day ymd{date::year{static_cast<int>(y)}, date::month{static_cast<unsigned>(m)},
                           date::day{static_cast<unsigned>(d)}};
  return ymd.ok();
}

// Epoch ms for a wall-clock time with the given offset east of UTC; nullopt for an invalid
// calendar date or time. Hour 24 is allowed only as 24:00:00.000 (ISO 8601 end of day).
std::optional<int64_t> CivilToMs(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s,
                                 int64_t ms, int64_t offset_minutes) {
  if (!ValidCivil(y, mo, d)) return std::nullopt;
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0 || ms > 999)
    return std::nullopt;
  if (h == 24 && (mi != 0 || s != 0 || ms != 0)) return std::nullopt;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * kMsPerDay + ((h * 60 + mi) * 60 + s) * 1000 + ms - offset_minutes * 60'000;
}

struct Fields {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
  unsigned hour, minute, second, millisecond;
  unsigned weekday;      // 0 = Sunday
  unsigned day_of_year;  // 1..366
};

Fields FieldsOf(int64_t local_ms) {
  int64_t days = FloorDiv(local_ms, kMsPerDay);
  int64_t rem = local_ms - days * kMsPerDay;
  date::sys_days sd{date::days{days}};
  date::year_month_day ymd{sd};
  Fields f{};
  f.year = static_cast<int>(ymd.year());
  f.month = static_cast<unsigned>(ymd.month());
  f.day = static_cast<unsigned>(ymd.day());
  f.hour = static_cast<unsigned>(rem / 3'600'000);
  f.minute = static_cast<unsigned>(rem / 60'000 % 60);
  f.second = static_cast<unsigned>(rem / 1000 % 60);
  f.millisecond = static_cast<unsigned>(rem % 1000);
  f.weekday = date::weekday{sd}.c_encoding();
  f.day_of_year = static_cast<unsigned>(days - DaysFromCivil(f.year, 1, 1) + 1);
  return f;
}

// A small cursor for the hand-written date grammars.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  size_t pos() const { return i_; }
  void set_pos(size_t p) { i_ = p; }
  char peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool Eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // Exactly n digits.
  std::optional<int64_t> Digits(size_t n) {
    if (i_ + n > s_.size()) return std::nullopt;
    int64_t v = 0;
    for (size_t k = 0; k < n; ++k) {
      if (!IsDigit(s_[i_ + k])) return std::nullopt;
      v = v * 10 + (s_[i_ + k] - '0');
    }
    i_ += n;
    return v;
  }
  // Between lo and hi digits (greedy); the count read goes to *count.
  std::optional<int64_t> DigitRun(size_t lo, size_t hi, size_t* count = nullptr) {
    size_t n = 0;
    int64_t v = 0;
    while (n < hi && i_ + n < s_.size() && IsDigit(s_[i_ + n])) {
      v = v * 10 + (s_[i_ + n] - '0');
      ++n;
    }
    if (n < lo) return std::nullopt;
    i_ += n;
    if (count) *count = n;
    return v;
  }
  std::string_view Word() {
    size_t start = i_;
    while (i_ < s_.size() && IsAlpha(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  void SkipSpaces() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  std::string_view rest() const { return s_.substr(std::min(i_, s_.size())); }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// Fraction digits after '.' or ',' → milliseconds (truncated, as moment does).
int64_t FractionToMs(Cursor& c) {
  int64_t ms = 0;
  size_t n = 0;
  while (IsDigit(c.peek())) {
    if (n < 3) ms = ms * 10 + (c.peek() - '0');
    ++n;
    c.Eat(c.peek());
  }
  for (size_t k = n; k < 3; ++k) ms *= 10;
  return ms;
}

// [+-]HH[:]mm, [+-]HH, or Z (after optional spaces). Returns minutes east of UTC.
std::optional<int64_t> ParseIsoOffset(Cursor& c) {
  size_t save = c.pos();
  c.SkipSpaces();
  if (c.Eat('Z') || c.Eat('z')) return 0;
  c.set_pos(save);
  char sign = c.peek();
  if (sign != '+' && sign != '-') return std::nullopt;
  c.Eat(sign);
  auto hh = c.Digits(2);
  if (!hh) return std::nullopt;
  int64_t mm = 0;
  size_t before = c.pos();
  bool colon = c.Eat(':');
  if (auto m = c.Digits(2)) {
    mm = *m;
  } else if (colon) {
    return std::nullopt;
  } else {
    c.set_pos(before);
  }
  if (*hh > 23 || mm > 59) return std::nullopt;
  int64_t minutes = *hh * 60 + mm;
  return sign == '-' ? -minutes : minutes;
}

// ISO 8601 as moment accepts it (extended and basic forms).
std::optional<int64_t> ParseIso(std::string_view text) {
  Cursor c(text);
  int64_t year;
  if (c.peek() == '+' || c.peek() == '-') {
    char sign = c.peek();
    c.Eat(sign);
    auto y = c.Digits(6);
    if (!y) return std::nullopt;
    year = sign == '-' ? -*y : *y;
  } else {
    auto y = c.Digits(4);
    if (!y) return std::nullopt;
    year = *y;
  }
  int64_t month = 1, day = 1;
  std::optional<int64_t> ordinal;
  std::optional<std::pair<int64_t, int64_t>> week;  // week, weekday (1 = Monday)
  bool extended = c.Eat('-');
  if (extended) {
    if (c.Eat('W')) {
      auto w = c.Digits(2);
      if (!w) return std::nullopt;
      int64_t wd = 1;
      if (c.Eat('-')) {
        auto e = c.Digits(1);
        if (!e) return std::nullopt;
        wd = *e;
      }
      week = {*w, wd};
    } else {
      size_t count = 0;
      auto v = c.DigitRun(2, 3, &count);
      if (!v) return std::nullopt;
      if (count == 3) {
        ordinal = *v;
      } else {
        month = *v;
        if (c.Eat('-')) {
          auto d = c.Digits(2);
          if (!d) return std::nullopt;
          day = *d;
        }
      }
    }
  } else if (c.Eat('W')) {
    auto w = c.Digits(2);
    if (!w) return std::nullopt;
    int64_t wd = 1;
    if (auto e = c.Digits(1)) wd = *e;
    week = {*w, wd};
  } else {
    // Basic: YYYYMMDD, YYYYDDD, YYYYMM (moment's list), or YYYY alone.
    size_t count = 0;
    size_t save = c.pos();
    auto v = c.DigitRun(0, 4, &count);
    if (count == 4) {
      month = *v / 100;
      day = *v % 100;
    } else if (count == 3) {
      ordinal = *v;
    } else if (count == 2) {
      month = *v;
    } else if (count != 0) {
      c.set_pos(save);
      return std::nullopt;
    }
  }

  int64_t h = 0, mi = 0, s = 0, ms = 0, offset = 0;
  bool has_time = false;
  if (c.peek() == 'T' || c.peek() == 't' || c.peek() == ' ') {
    c.Eat(c.peek());
    has_time = true;
    auto hh = c.Digits(2);
    if (!hh) return std::nullopt;
    h = *hh;
    bool colon = c.Eat(':');
    if (auto m = c.Digits(2)) {
      mi = *m;
      if (colon ? c.Eat(':') : IsDigit(c.peek())) {
        auto sec = c.Digits(2);
        if (!sec) return std::nullopt;
        s = *sec;
        if (c.peek() == '.' || c.peek() == ',') {
          c.Eat(c.peek());
          if (!IsDigit(c.peek())) return std::nullopt;
          ms = FractionToMs(c);
        }
      }
    } else if (colon) {
      return std::nullopt;
    }
    if (!c.done()) {
      auto off = ParseIsoOffset(c);
      if (!off) return std::nullopt;
      offset = *off;
    }
  }
  if (!c.done()) return std::nullopt;
  (void)has_time;

  int64_t days_base;
  if (ordinal) {
    int64_t days_in_year = date::year{static_cast<int>(year)}.is_leap() ? 366 : 365;
    if (*ordinal < 1 || *ordinal > days_in_year || year < -271820 || year > 275759)
      return std::nullopt;
    days_base = DaysFromCivil(year, 1, 1) + *ordinal - 1;
  } else if (week) {
    auto [w, wd] = *week;
    if (w < 1 || w > 53 || wd < 1 || wd > 7 || year < -271820 || year > 275759) return std::nullopt;
    // ISO week 1 holds January 4th; weeks start on Monday.
    int64_t jan4 = DaysFromCivil(year, 1, 4);
    int64_t jan4_wd = (date::weekday{date::sys_days{date::days{jan4}}}.iso_encoding());
    days_base = jan4 - (jan4_wd - 1) + (w - 1) * 7 + (wd - 1);
  } else {
    auto r = CivilToMs(year, month, day, h, mi, s, ms, offset);
    return r;
  }
  auto r = CivilToMs(1970, 1, 1, h, mi, s, ms, offset);
  if (!r) return std::nullopt;
  return days_base * kMsPerDay + *r;
}

std::optional<int> MonthFromName(std::string_view word) {
  if (word.size() < 3) return std::nullopt;
  for (size_t i = 0; i < kMonthNames.size(); ++i) {
    std::string_view name = kMonthNames[i];
    if (word.size() > name.size()) continue;
    if (word.size() != 3 && word.size() != name.size() &&
        !(word.size() == 4 && EqualsIgnoreCase(word, "sept"))) {
      continue;
    }
    if (EqualsIgnoreCase(word.substr(0, std::min<size_t>(word.size(), 3)), name.substr(0, 3)) &&
        (word.size() == 3 || EqualsIgnoreCase(word, name) || EqualsIgnoreCase(word, "sept"))) {
      return static_cast<int>(i) + 1;
    }
  }
  return std::nullopt;
}

bool IsDayName(std::string_view word) {
  if (word.size() < 3) return false;
  for (std::string_view name : kDayNames) {
    if (EqualsIgnoreCase(word, name.substr(0, 3)) || EqualsIgnoreCase(word, name)) return true;
  }
  return false;
}

// Named zones of RFC 2822 and JavaScript's Date parser; minutes east of UTC.
std::optional<int64_t> NamedZoneOffset(std::string_view word) {
  struct Zone {
    std::string_view name;
    int64_t minutes;
  };
  static constexpr Zone kZones[] = {{"UT", 0},        {"UTC", 0},       {"GMT", 0},
                                    {"Z", 0},         {"EST", -5 * 60}, {"EDT", -4 * 60},
                                    {"CST", -6 * 60}, {"CDT", -5 * 60}, {"MST", -7 * 60},
                                    {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60}};
  for (const auto& z : kZones) {
    if (EqualsIgnoreCase(word, z.name)) return z.minutes;
  }
  return std::nullopt;
}

// Removes parenthesised comments and folds white space to single spaces (RFC 2822 CFWS).
std::string StripComments(std::string_view text) {
  std::string out;
  int depth = 0;
  for (char ch : text) {
    if (ch == '(') {
      ++depth;
    } else if (ch == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      bool space = ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
      if (space) {
        if (!out.empty() && out.back() != ' ') out.push_back(' ');
      } else {
        out.push_back(ch);
      }
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// RFC 2822 as moment's regex accepts it: [ddd, ]D MMM YY[YY] HH:mm[:ss] zone.
std::optional<int64_t> ParseRfc2822(std::string_view text) {
  std::string cleaned = StripComments(text);
  Cursor c(cleaned);
  size_t save = c.pos();
  std::string_view dayname = c.Word();
  if (!dayname.empty()) {
    if (dayname.size() != 3 || !IsDayName(dayname)) return std::nullopt;
    c.Eat(',');
    if (!c.Eat(' ')) return std::nullopt;
  } else {
    c.set_pos(save);
  }
  auto d = c.DigitRun(1, 2);
  if (!d || !c.Eat(' ')) return std::nullopt;
  std::string_view mon = c.Word();
  auto month = mon.size() == 3 ? MonthFromName(mon) : std::nullopt;
  if (!month || !c.Eat(' ')) return std::nullopt;
  size_t ylen = 0;
  auto y = c.DigitRun(2, 4, &ylen);
  if (!y || !c.Eat(' ')) return std::nullopt;
  int64_t year = *y;
  if (ylen <= 2)
    year += (year <= 49) ? 2000 : 1900;
  else if (ylen == 3)
    year += 1900;
  auto h = c.Digits(2);
  if (!h || !c.Eat(':')) return std::nullopt;
  auto mi = c.Digits(2);
  if (!mi) return std::nullopt;
  int64_t s = 0;
  if (c.Eat(':')) {
    auto sec = c.Digits(2);
    if (!sec) return std::nullopt;
    s = *sec;
  }
  if (!c.Eat(' ')) return std::nullopt;
  int64_t offset;
  if (c.peek() == '+' || c.peek() == '-') {
    char sign = c.peek();
    c.Eat(sign);
    auto hhmm = c.Digits(4);
    if (!hhmm) return std::nullopt;
    offset = (*hhmm / 100) * 60 + *hhmm % 100;
    if (sign == '-') offset = -offset;
  } else {
    std::string_view zone = c.Word();
    auto z = NamedZoneOffset(zone);
    if (!z) {
      // Military zones: moment treats every single letter as UTC.
      if (zone.size() != 1) return std::nullopt;
      z = 0;
    }
    offset = *z;
  }
  if (!c.done()) return std::nullopt;
  if (dayname.size() == 3) {
    // moment rejects a weekday that does not match the date.
    auto ms = CivilToMs(year, *month, *d, 0, 0, 0, 0, 0);
    if (!ms) return std::nullopt;
    unsigned wd = FieldsOf(*ms).weekday;
    if (!EqualsIgnoreCase(dayname, kDayNames[wd].substr(0, 3))) return std::nullopt;
  }
  return CivilToMs(year, *month, *d, *h, *mi, s, 0, offset);
}

// The common non-ISO forms JavaScript's Date parser accepts: words for months, days, AM/PM and
// zones; numbers for the date (Y/M/D when the first has 3+ digits, else M/D/Y) and h:m[:s[.f]];
// "+hhmm" / "GMT+hh:mm" offsets; parenthesised text ignored.
std::optional<int64_t> ParseLegacy(std::string_view text) {
  std::string cleaned = StripComments(text);
  Cursor c(cleaned);
  std::vector<std::pair<int64_t, size_t>> numbers;  // value, digit count
  std::optional<int> month_name;
  int64_t h = -1, mi = 0, s = 0, ms = 0;
  std::optional<int64_t> offset;
  int ampm = 0;  // 1 = AM, 2 = PM
  bool has_time = false;
  while (!c.done()) {
    char ch = c.peek();
    if (ch == ' ' || ch == ',' || ch == '/' || ch == '.') {
      c.Eat(ch);
      continue;
    }
    if (ch == '-') {
      // A '-' right after a time or zone word starts an offset; otherwise it separates.
      if ((has_time || offset) && IsDigit(c.peek(1))) {
        // handled below as an offset
      } else {
        c.Eat(ch);
        continue;
      }
    }
    if (ch == '+' || ch == '-') {
      c.Eat(ch);
      size_t n = 0;
      auto v = c.DigitRun(1, 4, &n);
      if (!v) return std::nullopt;
      int64_t minutes;
      if (c.Eat(':')) {
        auto m = c.Digits(2);
        if (!m) return std::nullopt;
        minutes = *v * 60 + *m;
      } else {
        minutes = n <= 2 ? *v * 60 : (*v / 100) * 60 + *v % 100;
      }
      offset = ch == '-' ? -minutes : minutes;
      continue;
    }
    if (IsDigit(ch)) {
      size_t n = 0;
      auto v = c.DigitRun(1, 9, &n);
      if (c.peek() == ':') {
        if (has_time) return std::nullopt;
        has_time = true;
        h = *v;
        c.Eat(':');
        auto m = c.DigitRun(1, 2);
        if (!m) return std::nullopt;
        mi = *m;
        if (c.Eat(':')) {
          auto sec = c.DigitRun(1, 2);
          if (!sec) return std::nullopt;
          s = *sec;
          if (c.Eat('.')) ms = FractionToMs(c);
        }
        continue;
      }
      if (IsAlpha(c.peek())) {
        // Ordinal suffixes ("7th") are not part of JavaScript's grammar but harmless to skip.
        size_t save = c.pos();
        std::string_view suffix = c.Word();
        if (!(EqualsIgnoreCase(suffix, "st") || EqualsIgnoreCase(suffix, "nd") ||
              EqualsIgnoreCase(suffix, "rd") || EqualsIgnoreCase(suffix, "th"))) {
          c.set_pos(save);
        }
      }
      numbers.emplace_back(*v, n);
      if (numbers.size() > 3) return std::nullopt;
      continue;
    }
    if (IsAlpha(ch)) {
      std::string_view word = c.Word();
      if (auto m = MonthFromName(word)) {
        if (month_name) return std::nullopt;
        month_name = *m;
      } else if (IsDayName(word)) {
        // ignored, as JavaScript does
      } else if (EqualsIgnoreCase(word, "am") || EqualsIgnoreCase(word, "a")) {
        ampm = 1;
      } else if (EqualsIgnoreCase(word, "pm") || EqualsIgnoreCase(word, "p")) {
        ampm = 2;
      } else if (auto z = NamedZoneOffset(word)) {
        offset = *z;
      } else if (EqualsIgnoreCase(word, "T") && !numbers.empty()) {
        // date/time separator
      } else {
        return std::nullopt;
      }
      continue;
    }
    return std::nullopt;
  }

  int64_t year, month, day;
  auto two_digit = [](std::pair<int64_t, size_t> y) {
    if (y.second <= 2) return y.first + (y.first < 50 ? 2000 : 1900);
    return y.first;
  };
  if (month_name) {
    if (numbers.size() != 2) return std::nullopt;
    month = *month_name;
    // "Mar 7 2020" / "7 Mar 2020" / "2020 Mar 7".
    if (numbers[0].second >= 3 || numbers[0].first > 31) {
      year = numbers[0].first;
      day = numbers[1].first;
    } else {
      day = numbers[0].first;
      year = two_digit(numbers[1]);
    }
  } else {
    if (numbers.size() != 3) return std::nullopt;
    if (numbers[0].second >= 3) {
      year = numbers[0].first;
      month = numbers[1].first;
      day = numbers[2].first;
    } else {
      month = numbers[0].first;
      day = numbers[1].first;
      year = two_digit(numbers[2]);
    }
  }
  if (!has_time) h = 0;
  if (ampm != 0) {
    if (h < 1 || h > 12) return std::nullopt;
    if (ampm == 1 && h == 12) h = 0;
    if (ampm == 2 && h != 12) h += 12;
  }
  return CivilToMs(year, month, day, h, mi, s, ms, offset.value_or(0));
}

// A resolved time zone: a fixed offset, or an IANA zone from the system tzdb.
struct Zone {
  const date::time_zone* tz = nullptr;
  int fixed_minutes = 0;
};

Result<Zone> ResolveZone(std::string_view name) {
  Zone zone;
  if (name.empty() || EqualsIgnoreCase(name, "UTC") || name == "Z" ||
      EqualsIgnoreCase(name, "GMT")) {
    return zone;
  }
  if (name[0] == '+' || name[0] == '-') {
    Cursor c(name);
    auto off = ParseIsoOffset(c);
    if (!off || !c.done()) {
      return Status::InvalidArgument("invalid UTC offset \"" + std::string(name) +
                                     "\" (use +HH:mm)");
    }
    zone.fixed_minutes = static_cast<int>(*off);
    return zone;
  }
  try {
    zone.tz = date::locate_zone(name);
  } catch (const std::exception&) {
    zone.tz = nullptr;
  }
  if (zone.tz == nullptr) {
    return Status::InvalidArgument(
        "unknown time zone \"" + std::string(name) +
        "\" (use an IANA name such as Europe/Prague, or an offset like +02:00)");
  }
  return zone;
}

struct ZoneInfo {
  int offset_minutes;
  std::string abbrev;
};

ZoneInfo InfoAt(const Zone& zone, int64_t ms) {
  if (zone.tz == nullptr) {
    if (zone.fixed_minutes == 0) return {0, "UTC"};
    return {zone.fixed_minutes, ""};
  }
  try {
    auto info =
        zone.tz->get_info(date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{ms}});
    return {static_cast<int>(info.offset.count() / 60), info.abbrev};
  } catch (const std::exception&) {
    return {0, "UTC"};
  }
}

std::string Pad(int64_t v, int width) {
  bool negative = v < 0;
  std::string digits = std::to_string(negative ? -v : v);
  if (static_cast<int>(digits.size()) < width) digits.insert(0, width - digits.size(), '0');
  return negative ? "-" + digits : digits;
}

std::string Ordinal(int64_t n) {
  int64_t b = n % 10;
  const char* suffix = (n % 100 / 10 == 1) ? "th"
                       : b == 1            ? "st"
                       : b == 2            ? "nd"
                       : b == 3            ? "rd"
                                           : "th";
  return std::to_string(n) + suffix;
}

std::string OffsetText(int minutes, bool colon) {
  char sign = minutes < 0 ? '-' : '+';
  int m = std::abs(minutes);
  return std::string(1, sign) + Pad(m / 60, 2) + (colon ? ":" : "") + Pad(m % 60, 2);
}

int64_t DaysInYear(int64_t y) { return date::year{static_cast<int>(y)}.is_leap() ? 366 : 365; }

// moment's weekOfYear(dow, doy): dow = first day of week, doy = dow + 7 - the January day that
// must fall in week 1. Locale "en": dow 0, doy 6; ISO: dow 1, doy 4.
int64_t FirstWeekOffset(int64_t year, int dow, int doy) {
  int64_t fwd = 7 + dow - doy;
  int64_t jan_fwd = DaysFromCivil(year, 1, static_cast<unsigned>(fwd));
  int64_t fwdlw = (7 + date::weekday{date::sys_days{date::days{jan_fwd}}}.c_encoding() - dow) % 7;
  return -fwdlw + fwd - 1;
}
int64_t WeeksInYear(int64_t year, int dow, int doy) {
  return (DaysInYear(year) - FirstWeekOffset(year, dow, doy) +
          FirstWeekOffset(year + 1, dow, doy)) /
         7;
}
std::pair<int64_t, int64_t> WeekOfYear(const Fields& f, int dow, int doy) {
  int64_t offset = FirstWeekOffset(f.year, dow, doy);
  int64_t week = FloorDiv(static_cast<int64_t>(f.day_of_year) - offset - 1, 7) + 1;
  if (week < 1) return {f.year - 1, week + WeeksInYear(f.year - 1, dow, doy)};
  int64_t in_year = WeeksInYear(f.year, dow, doy);
  if (week > in_year) return {f.year + 1, week - in_year};
  return {f.year, week};
}

std::string_view LocalizedFormat(std::string_view token) {
  if (token == "LTS") return "h:mm:ss A";
  if (token == "LT") return "h:mm A";
  if (token == "L") return "MM/DD/YYYY";
  if (token == "LL") return "MMMM D, YYYY";
  if (token == "LLL") return "MMMM D, YYYY h:mm A";
  if (token == "LLLL") return "dddd, MMMM D, YYYY h:mm A";
  if (token == "l") return "M/D/YYYY";
  if (token == "ll") return "MMM D, YYYY";
  if (token == "lll") return "MMM D, YYYY h:mm A";
  if (token == "llll") return "ddd, MMM D, YYYY h:mm A";
  return {};
}

// Format tokens in the order moment's tokenizer tries them (first match wins).
constexpr std::string_view kFormatTokens[] = {
    "Hmmss", "Hmm",  "hmmss", "hmm",   "Mo",     "MMMM",      "MMM",      "MM",      "Do",
    "DDDo",  "DDDD", "DDD",   "DD",    "dddd",   "ddd",       "dd",       "do",      "wo",
    "ww",    "Wo",   "WW",    "Qo",    "YYYYYY", "YYYYY",     "YYYY",     "YY",      "yyyy",
    "yyy",   "yy",   "yo",    "ggggg", "gggg",   "gg",        "GGGGG",    "GGGG",    "GG",
    "hh",    "HH",   "kk",    "mm",    "ss",     "SSSSSSSSS", "SSSSSSSS", "SSSSSSS", "SSSSSS",
    "SSSSS", "SSSS", "SSS",   "SS",    "zz",     "ZZ"};
constexpr std::string_view kSingleTokens = "MDdwWQYygGeEaAhHkmsSxXzZ";

// Expands the localized tokens (L, LL, LT, ...) outside [brackets], as moment does first.
std::string ExpandLocalized(std::string_view format) {
  std::string out;
  size_t i = 0;
  while (i < format.size()) {
    char ch = format[i];
    if (ch == '[') {
      size_t close = format.find(']', i);
      if (close != std::string_view::npos) {
        out.append(format.substr(i, close - i + 1));
        i = close + 1;
        continue;
      }
    }
    if (ch == '\\' && i + 1 < format.size()) {
      out.append(format.substr(i, 2));
      i += 2;
      continue;
    }
    if (ch == 'L' || ch == 'l') {
      size_t n = 1;
      while (i + n < format.size() && format[i + n] == ch && n < 4) ++n;
      std::string_view candidate = format.substr(i, n);
      if (ch == 'L' && format.substr(i, 3) == "LTS")
        candidate = "LTS";
      else if (ch == 'L' && format.substr(i, 2) == "LT")
        candidate = "LT";
      std::string_view expansion = LocalizedFormat(candidate);
      if (!expansion.empty()) {
        out.append(expansion);
        i += candidate.size();
        continue;
      }
    }
    out.push_back(ch);
    ++i;
  }
  return out;
}

std::string FormatToken(std::string_view t, int64_t ms, const Fields& f, const ZoneInfo& zone) {
  auto h12 = [&] { return f.hour % 12 == 0 ? 12 : f.hour % 12; };
  int64_t quarter = (f.month - 1) / 3 + 1;
  if (t == "YYYYYY") return (f.year < 0 ? "-" : "+") + Pad(std::abs(f.year), 6);
  if (t == "YYYYY") return Pad(f.year, 5);
  if (t == "YYYY" || t == "yyyy") return f.year >= 0 ? Pad(f.year, 4) : "-" + Pad(-f.year, 6);
  if (t == "Y") return f.year <= 9999 ? Pad(f.year, 4) : "+" + std::to_string(f.year);
  if (t == "YY" || t == "yy") return Pad(((f.year % 100) + 100) % 100, 2);
  if (t == "y" || t == "yyy") return std::to_string(f.year);
  if (t == "yo") return Ordinal(f.year);
  if (t == "Q") return std::to_string(quarter);
  if (t == "Qo") return Ordinal(quarter);
  if (t == "M") return std::to_string(f.month);
  if (t == "Mo") return Ordinal(f.month);
  if (t == "MM") return Pad(f.month, 2);
  if (t == "MMM") return std::string(kMonthNames[f.month - 1].substr(0, 3));
  if (t == "MMMM") return std::string(kMonthNames[f.month - 1]);
  if (t == "D") return std::to_string(f.day);
  if (t == "Do") return Ordinal(f.day);
  if (t == "DD") return Pad(f.day, 2);
  if (t == "DDD") return std::to_string(f.day_of_year);
  if (t == "DDDo") return Ordinal(f.day_of_year);
  if (t == "DDDD") return Pad(f.day_of_year, 3);
  if (t == "d" || t == "e") return std::to_string(f.weekday);
  if (t == "do") return Ordinal(f.weekday);
  if (t == "dd") return std::string(kDayNames[f.weekday].substr(0, 2));
  if (t == "ddd") return std::string(kDayNames[f.weekday].substr(0, 3));
  if (t == "dddd") return std::string(kDayNames[f.weekday]);
  if (t == "E") return std::to_string(f.weekday == 0 ? 7 : f.weekday);
  if (t == "w" || t == "ww" || t == "wo" || t == "g" || t == "gg" || t == "gggg" || t == "ggggg") {
    auto [wy, w] = WeekOfYear(f, 0, 6);
    if (t == "w") return std::to_string(w);
    if (t == "ww") return Pad(w, 2);
    if (t == "wo") return Ordinal(w);
    if (t == "gg") return Pad(((wy % 100) + 100) % 100, 2);
    return Pad(wy, t == "ggggg" ? 5 : 4);
  }
  if (t == "W" || t == "WW" || t == "Wo" || t == "G" || t == "GG" || t == "GGGG" || t == "GGGGG") {
    auto [wy, w] = WeekOfYear(f, 1, 4);
    if (t == "W") return std::to_string(w);
    if (t == "WW") return Pad(w, 2);
    if (t == "Wo") return Ordinal(w);
    if (t == "GG") return Pad(((wy % 100) + 100) % 100, 2);
    return Pad(wy, t == "GGGGG" ? 5 : 4);
  }
  if (t == "H") return std::to_string(f.hour);
  if (t == "HH") return Pad(f.hour, 2);
  if (t == "h") return std::to_string(h12());
  if (t == "hh") return Pad(h12(), 2);
  if (t == "k") return std::to_string(f.hour == 0 ? 24 : f.hour);
  if (t == "kk") return Pad(f.hour == 0 ? 24 : f.hour, 2);
  if (t == "Hmm") return std::to_string(f.hour) + Pad(f.minute, 2);
  if (t == "Hmmss") return std::to_string(f.hour) + Pad(f.minute, 2) + Pad(f.second, 2);
  if (t == "hmm") return std::to_string(h12()) + Pad(f.minute, 2);
  if (t == "hmmss") return std::to_string(h12()) + Pad(f.minute, 2) + Pad(f.second, 2);
  if (t == "m") return std::to_string(f.minute);
  if (t == "mm") return Pad(f.minute, 2);
  if (t == "s") return std::to_string(f.second);
  if (t == "ss") return Pad(f.second, 2);
  if (t[0] == 'S') {
    std::string digits = Pad(f.millisecond, 3);
    if (t.size() <= 3) return digits.substr(0, t.size());
    return digits + std::string(t.size() - 3, '0');
  }
  if (t == "a") return f.hour < 12 ? "am" : "pm";
  if (t == "A") return f.hour < 12 ? "AM" : "PM";
  if (t == "Z") return OffsetText(zone.offset_minutes, true);
  if (t == "ZZ") return OffsetText(zone.offset_minutes, false);
  if (t == "z" || t == "zz")
    return zone.abbrev.empty() ? OffsetText(zone.offset_minutes, true) : zone.abbrev;
  if (t == "X") return std::to_string(FloorDiv(ms, 1000));
  if (t == "x") return std::to_string(ms);
  return std::string(t);
}

}  // namespace

double NumberValue(const Json& value) noexcept {
  if (value.IsInteger()) return static_cast<double>(value.AsInt());
  if (value.IsNumber()) return value.AsDouble();
  return kNaN;
}

double StringToNumber(std::string_view text) {
  std::string_view s = TrimJs(text);
  if (s.empty()) return 0;
  if (s.size() > 2 && s[0] == '0') {
    char p = Lower(s[1]);
    if (p == 'x') return RadixValue(s.substr(2), 16);
    if (p == 'o') return RadixValue(s.substr(2), 8);
    if (p == 'b') return RadixValue(s.substr(2), 2);
  }
  if (DecimalLiteralLength(s) != s.size()) return kNaN;
  return DecimalLiteralValue(s);
}

double ToNumber(const Json& value) {
  switch (value.type()) {
    case Json::Type::kUndefined:
      return kNaN;
    case Json::Type::kNull:
      return 0;
    case Json::Type::kBool:
      return value.AsBool() ? 1 : 0;
    case Json::Type::kNumber:
      return NumberValue(value);
    case Json::Type::kString:
      return StringToNumber(value.StringView());
    case Json::Type::kArray:
      return StringToNumber(ToString(value));
    case Json::Type::kObject:
      return kNaN;
  }
  return kNaN;
}

double ParseFloatString(std::string_view text) {
  std::string_view s = TrimStartJs(text);
  size_t n = DecimalLiteralLength(s);
  if (n == 0) return kNaN;
  return DecimalLiteralValue(s.substr(0, n));
}

double ParseFloat(const Json& value) {
  if (value.IsNumber()) return NumberValue(value);
  if (value.IsString()) return ParseFloatString(value.StringView());
  return ParseFloatString(ToString(value));
}

std::string ToString(const Json& value) {
  std::string out;
  AppendString(value, &out);
  return out;
}

std::string_view Trim(std::string_view text) { return TrimJs(text); }

std::string EncodeUriComponent(std::string_view text, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        keep.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}
std::string_view TrimStart(std::string_view text) { return TrimStartJs(text); }
std::string_view TrimEnd(std::string_view text) {
  std::string_view both = TrimJs(text);
  if (both.empty()) return {};
  // TrimJs removed leading white space too; put it back.
  size_t lead = static_cast<size_t>(both.data() - text.data());
  return text.substr(0, lead + both.size());
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

namespace {

// The code point of the UTF-8 sequence at s[i] and its length; length 0 when the bytes there
// are not valid UTF-8 (bad lead or continuation byte, truncated, overlong, surrogate, past
// U+10FFFF).
std::pair<char32_t, size_t> DecodeUtf8At(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80           ? 1
               : (c >> 5) == 0x6  ? 2
               : (c >> 4) == 0xe  ? 3
               : (c >> 3) == 0x1e ? 4
                                  : 0;
  char32_t cp = len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : len == 4 ? (c & 0x07) : c;
  bool ok = len != 0 && i + len <= s.size();
  for (size_t k = 1; ok && k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) ok = false;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
             cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) {
    ok = false;
  }
  return {cp, ok ? len : 0};
}

}  // namespace

std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto [cp, len] = DecodeUtf8At(s, i);
    if (len == 0) {
      out.push_back(0xfffd);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void AppendSanitizedUtf8(std::string_view text, std::string* out) {
  size_t i = 0;
  while (i < text.size()) {
    size_t valid = i;
    for (size_t len; valid < text.size() && (len = DecodeUtf8At(text, valid).second) != 0;) valid += len;
    out->append(text.substr(i, valid - i));
    if (valid == text.size()) break;
    out->append("\xEF\xBF\xBD");  // U+FFFD
    i = valid + 1;
  }
}

std::string EncodeUtf8(std::u32string_view code_points) {
  std::string out;
  out.reserve(code_points.size());
  for (char32_t cp : code_points) AppendUtf8(cp, &out);
  return out;
}

size_t Utf16Length(std::string_view text) {
  size_t n = 0;
  for (char32_t cp : DecodeUtf8(text)) n += cp >= 0x10000 ? 2 : 1;
  return n;
}

std::string NumberToString(double d) { return internal::FormatJsNumber(d); }

std::string_view TypeOf(const Json& value) noexcept {
  switch (value.type()) {
    case Json::Type::kUndefined:
      return "undefined";
    case Json::Type::kBool:
      return "boolean";
    case Json::Type::kNumber:
      return "number";
    case Json::Type::kString:
      return "string";
    default:
      return "object";
  }
}

bool StrictEquals(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.IsNumber()) return NumberValue(a) == NumberValue(b);  // NaN !== NaN
  return a == b;
}

bool LooseEquals(const Json& a, const Json& b) {
  if (a.type() == b.type()) return StrictEquals(a, b);
  if (a.IsNullish() || b.IsNullish()) return a.IsNullish() && b.IsNullish();
  if (a.IsNumber() && b.IsString()) return NumberValue(a) == StringToNumber(b.StringView());
  if (a.IsString() && b.IsNumber()) return StringToNumber(a.StringView()) == NumberValue(b);
  if (a.IsBool()) return LooseEquals(Json(a.AsBool() ? 1 : 0), b);
  if (b.IsBool()) return LooseEquals(a, Json(b.AsBool() ? 1 : 0));
  bool a_object = a.IsArray() || a.IsObject();
  bool b_object = b.IsArray() || b.IsObject();
  if (a_object && !b_object) return LooseEquals(ToPrimitive(a), b);
  if (b_object && !a_object) return LooseEquals(a, ToPrimitive(b));
  return false;
}

bool LessThan(const Json& a, const Json& b) {
  auto c = RelationalCompare(a, b);
  return c && *c < 0;
}
bool LessOrEqual(const Json& a, const Json& b) {
  auto c = RelationalCompare(a, b);
  return c && *c <= 0;
}
bool GreaterThan(const Json& a, const Json& b) {
  auto c = RelationalCompare(a, b);
  return c && *c > 0;
}
bool GreaterOrEqual(const Json& a, const Json& b) {
  auto c = RelationalCompare(a, b);
  return c && *c >= 0;
}

bool IsEmpty(const Json& value) {
  switch (value.type()) {
    case Json::Type::kString:
    case Json::Type::kArray:
    case Json::Type::kObject:
      return value.size() == 0;
    default:
      return true;
  }
}

bool IsNotEmpty(const Json& value) { return !IsEmpty(value) || value.IsNumber() || value.IsBool(); }

bool Truthy(const Json& value) {
  switch (value.type()) {
    case Json::Type::kUndefined:
    case Json::Type::kNull:
      return false;
    case Json::Type::kBool:
      return value.AsBool();
    case Json::Type::kNumber: {
      double d = NumberValue(value);
      return d != 0 && !std::isnan(d);
    }
    case Json::Type::kString:
      return !value.StringView().empty();
    default:
      return true;
  }
}

bool Contains(const Json& haystack, const Json& needle) {
  if (haystack.IsUndefined() || needle.IsUndefined()) return false;
  std::string h = LowerAscii(JsonText(haystack));
  std::string n = LowerAscii(JsonText(needle));
  return h.find(n) != std::string::npos;
}

std::optional<int64_t> ParseDateString(std::string_view text) {
  std::string_view s = TrimJs(text);
  if (s.empty()) return std::nullopt;
  if (auto ms = ParseIso(s)) return ms;
  if (auto ms = ParseRfc2822(s)) return ms;
  return ParseLegacy(s);
}

std::optional<int64_t> ParseDate(const Json& value) {
  // JavaScript dates span ±8.64e15 ms.
  constexpr double kMaxMs = 8.64e15;
  if (value.IsNumber()) {
    double d = NumberValue(value);
    if (std::isnan(d) || std::abs(d) > kMaxMs) return std::nullopt;
    return static_cast<int64_t>(std::trunc(d));
  }
  if (value.IsString()) return ParseDateString(value.StringView());
  if (value.IsArray()) {
    // moment([y, M0, d, h, m, s, ms]).
    const auto& a = value.array();
    if (a.empty() || a.size() > 7) return std::nullopt;
    int64_t parts[7] = {0, 0, 1, 0, 0, 0, 0};
    for (size_t i = 0; i < a.size(); ++i) {
      double d = ToNumber(a[i]);
      if (std::isnan(d) || d != std::trunc(d)) return std::nullopt;
      parts[i] = static_cast<int64_t>(d);
    }
    return CivilToMs(parts[0], parts[1] + 1, parts[2], parts[3], parts[4], parts[5], parts[6], 0);
  }
  return std::nullopt;
}

bool IsDate(const Json& value) { return value.IsUndefined() || ParseDate(value).has_value(); }

std::optional<int64_t> MomentMillis(const Json& value, int64_t now_ms) {
  if (value.IsUndefined()) return now_ms;
  return ParseDate(value);
}

std::optional<int64_t> MomentAdd(int64_t ms, double amount, std::string_view unit) {
  // moment's normalizeUnits: short keys are case-sensitive (m = minute, M = month), long names
  // are not and may be plural.
  enum class Unit { kMs, kSecond, kMinute, kHour, kDay, kWeek, kMonth, kQuarter, kYear };
  static constexpr std::pair<std::string_view, Unit> kShort[] = {
      {"ms", Unit::kMs},   {"s", Unit::kSecond},  {"m", Unit::kMinute},
      {"h", Unit::kHour},  {"d", Unit::kDay},     {"w", Unit::kWeek},
      {"M", Unit::kMonth}, {"Q", Unit::kQuarter}, {"y", Unit::kYear}};
  static constexpr std::pair<std::string_view, Unit> kLong[] = {
      {"millisecond", Unit::kMs}, {"second", Unit::kSecond},   {"minute", Unit::kMinute},
      {"hour", Unit::kHour},      {"day", Unit::kDay},         {"week", Unit::kWeek},
      {"month", Unit::kMonth},    {"quarter", Unit::kQuarter}, {"year", Unit::kYear}};
  std::optional<Unit> u;
  for (const auto& [key, value] : kShort) {
    if (unit == key) u = value;
  }
  if (!u) {
    std::string lower = LowerAscii(unit);
    if (lower.size() > 1 && lower.back() == 's') lower.pop_back();
    for (const auto& [key, value] : kLong) {
      if (lower == key) u = value;
    }
  }
  if (!u || !std::isfinite(amount)) return std::nullopt;

  // Math.round of the magnitude with the sign kept (moment's absRound).
  auto abs_round = [](double x) { return x < 0 ? -std::round(-x) : std::round(x); };
  double result = 0;
  switch (*u) {
    case Unit::kMs:
    case Unit::kSecond:
    case Unit::kMinute:
    case Unit::kHour: {
      constexpr double kUnitMs[] = {1, 1000, 60'000, 3'600'000};
      result = static_cast<double>(ms) + amount * kUnitMs[static_cast<int>(*u)];
      break;
    }
    case Unit::kDay:
    case Unit::kWeek:
      result =
          static_cast<double>(ms) + abs_round(amount * (*u == Unit::kWeek ? 7 : 1)) * kMsPerDay;
      break;
    case Unit::kMonth:
    case Unit::kQuarter:
    case Unit::kYear: {
      const double months = abs_round(amount * (*u == Unit::kYear      ? 12
                                                : *u == Unit::kQuarter ? 3
                                                                       : 1));
      if (std::fabs(months) > 12.0 * 600'000) return std::nullopt;
      const Fields f = FieldsOf(ms);
      const int64_t index = f.year * 12 + (f.month - 1) + static_cast<int64_t>(months);
      const int64_t year = FloorDiv(index, 12);
      const unsigned month = static_cast<unsigned>(index - year * 12 + 1);
      if (year < -271820 || year > 275759) return std::nullopt;
      const unsigned last = static_cast<unsigned>(
          (date::year{static_cast<int>(year)} / date::month{month} / date::last).day());
      std::optional<int64_t> moved = CivilToMs(year, month, std::min(f.day, last), f.hour, f.minute,
                                               f.second, f.millisecond, 0);
      if (!moved) return std::nullopt;
      result = static_cast<double>(*moved);
      break;
    }
  }
  // JavaScript dates reach ±8.64e15 ms; setTime truncates toward zero.
  if (!(std::fabs(result) <= 8.64e15)) return std::nullopt;
  return static_cast<int64_t>(std::trunc(result));
}

Result<int64_t> ParseDateWithFormat(std::string_view text, std::string_view format,
                                    std::string_view tz_name, int64_t now_ms) {
  FLOWKIT_ASSIGN_OR_RETURN(Zone zone, ResolveZone(tz_name));
  std::string expanded = ExpandLocalized(format);
  std::string_view fmt = expanded;
  auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("\"" + std::string(text) +
                                   "\" does not match the date format \"" + std::string(format) +
                                   "\": " + std::string(why));
  };
  std::optional<int64_t> year, month, day, day_of_year, offset, epoch_ms;
  int64_t hour = 0, minute = 0, second = 0, millis = 0;
  int meridiem = 0;  // 1 am, 2 pm
  size_t pos = 0;

  // Moves to the first place where `accept` holds (moment searches each token's pattern
  // anywhere in the rest of the input); false when there is none.
  auto seek = [&](auto accept) {
    while (pos < text.size() && !accept(pos)) ++pos;
    return pos < text.size();
  };
  auto digits = [&](size_t max, bool signed_ok) -> std::optional<int64_t> {
    if (!seek([&](size_t p) {
          return IsDigit(text[p]) || (signed_ok && (text[p] == '-' || text[p] == '+') &&
                                      p + 1 < text.size() && IsDigit(text[p + 1]));
        })) {
      return std::nullopt;
    }
    bool negative = false;
    if (text[pos] == '-' || text[pos] == '+') negative = text[pos++] == '-';
    int64_t v = 0;
    size_t n = 0;
    while (pos < text.size() && IsDigit(text[pos]) && n < max) {
      v = v * 10 + (text[pos++] - '0');
      ++n;
    }
    return negative ? -v : v;
  };
  auto word = [&]() -> std::string_view {
    if (!seek([&](size_t p) { return IsAlpha(text[p]); })) return {};
    size_t start = pos;
    while (pos < text.size() && IsAlpha(text[pos])) ++pos;
    return text.substr(start, pos - start);
  };

  size_t i = 0;
  while (i < fmt.size()) {
    char ch = fmt[i];
    if (ch == '[') {
      size_t close = fmt.find(']', i);
      if (close != std::string_view::npos) {
        std::string_view lit = fmt.substr(i + 1, close - i - 1);
        if (text.substr(pos, lit.size()) == lit) pos += lit.size();
        i = close + 1;
        continue;
      }
    }
    std::string_view token;
    for (std::string_view candidate : kFormatTokens) {
      if (fmt.substr(i, candidate.size()) == candidate) {
        token = candidate;
        break;
      }
    }
    if (token.empty() && kSingleTokens.find(ch) != std::string_view::npos) token = fmt.substr(i, 1);
    if (token.empty()) {
      if (pos < text.size() && text[pos] == ch) ++pos;
      ++i;
      continue;
    }
    i += token.size();
    std::optional<int64_t> v;
    if (token == "YYYY" || token == "yyyy") {
      v = digits(4, false);
      if (v) year = v;
    } else if (token == "YYYYY" || token == "YYYYYY" || token == "Y") {
      v = digits(token == "Y" ? 9 : 6, true);
      if (v) year = v;
    } else if (token == "YY" || token == "yy") {
      v = digits(2, false);
      if (v) year = *v + (*v > 68 ? 1900 : 2000);
    } else if (token == "M" || token == "MM") {
      v = digits(2, false);
      if (v) month = v;
    } else if (token == "MMM" || token == "MMMM") {
      std::string_view w = word();
      auto m = MonthFromName(w);
      if (!m) return fail("expected a month name");
      month = *m;
      v = *m;
    } else if (token == "D" || token == "DD" || token == "Do") {
      v = digits(2, false);
      if (v) day = v;
      if (token == "Do" && pos + 1 < text.size() && IsAlpha(text[pos]) && IsAlpha(text[pos + 1]))
        pos += 2;
    } else if (token == "DDD" || token == "DDDD") {
      v = digits(3, false);
      if (v) day_of_year = v;
    } else if (token == "d" || token == "dd" || token == "ddd" || token == "dddd" || token == "E" ||
               token == "e") {
      if (token.size() >= 2) {
        if (word().empty()) return fail("expected a day name");
      } else {
        digits(1, false);
      }
      continue;
    } else if (token == "H" || token == "HH" || token == "h" || token == "hh" || token == "k" ||
               token == "kk") {
      v = digits(2, false);
      if (v) hour = (token[0] == 'k' && *v == 24) ? 0 : *v;
    } else if (token == "m" || token == "mm") {
      v = digits(2, false);
      if (v) minute = *v;
    } else if (token == "s" || token == "ss") {
      v = digits(2, false);
      if (v) second = *v;
    } else if (token[0] == 'S') {
      if (!seek([&](size_t p) { return IsDigit(text[p]); }))
        return fail("expected fractional seconds");
      size_t start = pos;
      size_t max = token.size() <= 3 ? 3 : std::string_view::npos;
      while (pos < text.size() && IsDigit(text[pos]) && pos - start < max) ++pos;
      Cursor c(text.substr(start, pos - start));
      millis = FractionToMs(c);
      v = millis;
    } else if (token == "A" || token == "a") {
      std::string_view w = word();
      if (!w.empty() && (Lower(w[0]) == 'a' || Lower(w[0]) == 'p')) {
        meridiem = Lower(w[0]) == 'a' ? 1 : 2;
        v = meridiem;
      } else {
        return fail("expected AM or PM");
      }
    } else if (token == "Z" || token == "ZZ") {
      if (!seek([&](size_t p) {
            return text[p] == 'Z' || text[p] == 'z' ||
                   ((text[p] == '+' || text[p] == '-') && p + 2 < text.size() &&
                    IsDigit(text[p + 1]) && IsDigit(text[p + 2]));
          })) {
        return fail("expected a UTC offset");
      }
      Cursor c(text.substr(pos));
      auto off = ParseIsoOffset(c);
      if (!off) return fail("expected a UTC offset");
      pos += c.pos();
      offset = off;
      v = *off;
    } else if (token == "X" || token == "x") {
      v = digits(18, true);
      if (!v) return fail("expected a timestamp");
      int64_t value = *v;
      if (token == "X") {
        int64_t frac = 0;
        if (pos < text.size() && text[pos] == '.') {
          ++pos;
          Cursor c(text.substr(pos));
          frac = FractionToMs(c);
          pos += c.pos();
        }
        epoch_ms = value * 1000 + (value < 0 ? -frac : frac);
      } else {
        epoch_ms = value;
      }
    } else {
      continue;  // tokens that carry nothing parseable (week numbers, quarters, zone names)
    }
    if (!v) return fail("expected a number for " + std::string(token));
  }
  if (epoch_ms) return *epoch_ms;
  if (!year && !month && !day && !day_of_year) {
    int now_offset = InfoAt(zone, now_ms).offset_minutes;
    Fields now = FieldsOf(now_ms + int64_t{now_offset} * 60'000);
    year = now.year;
    month = now.month;
    day = now.day;
  } else if (!year) {
    int now_offset = InfoAt(zone, now_ms).offset_minutes;
    year = FieldsOf(now_ms + int64_t{now_offset} * 60'000).year;
  }
  if (meridiem == 2 && hour < 12) hour += 12;
  if (meridiem == 1 && hour == 12) hour = 0;
  int64_t m = month.value_or(1);
  int64_t d = day.value_or(1);
  if (day_of_year && !month && !day) {
    if (*day_of_year < 1 || *day_of_year > DaysInYear(*year))
      return fail("day of year out of range");
    int64_t days = DaysFromCivil(*year, 1, 1) + *day_of_year - 1;
    Fields f = FieldsOf(days * kMsPerDay);
    m = f.month;
    d = f.day;
  }
  auto wall = CivilToMs(*year, m, d, hour, minute, second, millis, 0);
  if (!wall) return fail("no such date or time");
  if (offset) return *wall - *offset * 60'000;
  if (zone.tz == nullptr) return *wall - int64_t{zone.fixed_minutes} * 60'000;
  try {
    auto local = date::local_time<std::chrono::milliseconds>{std::chrono::milliseconds{*wall}};
    auto sys = zone.tz->to_sys(local, date::choose::earliest);
    return static_cast<int64_t>(sys.time_since_epoch().count());
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

std::string FormatIso(int64_t ms) {
  Fields f = FieldsOf(ms);
  std::string out;
  if (f.year < 0 || f.year > 9999) {
    out = (f.year < 0 ? "-" : "+") + Pad(std::abs(f.year), 6);
  } else {
    out = Pad(f.year, 4);
  }
  out += "-" + Pad(f.month, 2) + "-" + Pad(f.day, 2) + "T" + Pad(f.hour, 2) + ":" +
         Pad(f.minute, 2) + ":" + Pad(f.second, 2) + "." + Pad(f.millisecond, 3) + "Z";
  return out;
}

Result<int> ZoneOffsetMinutes(int64_t ms, std::string_view tz_name) {
  FLOWKIT_ASSIGN_OR_RETURN(Zone zone, ResolveZone(tz_name));
  return InfoAt(zone, ms).offset_minutes;
}

Result<std::string> FormatDate(int64_t ms, std::string_view format, std::string_view tz_name) {
  FLOWKIT_ASSIGN_OR_RETURN(Zone zone, ResolveZone(tz_name));
  ZoneInfo info = InfoAt(zone, ms);
  Fields f = FieldsOf(ms + int64_t{info.offset_minutes} * 60'000);
  std::string expanded;
  if (format.empty()) {
    expanded = info.offset_minutes == 0 ? "YYYY-MM-DDTHH:mm:ss[Z]" : "YYYY-MM-DDTHH:mm:ssZ";
  } else {
    expanded = ExpandLocalized(format);
  }
  std::string_view fmt = expanded;
  std::string out;
  size_t i = 0;
  while (i < fmt.size()) {
    char ch = fmt[i];
    if (ch == '[') {
      size_t close = fmt.find(']', i);
      if (close != std::string_view::npos) {
        out.append(fmt.substr(i + 1, close - i - 1));
        i = close + 1;
        continue;
      }
    }
    if (ch == '\\' && i + 1 < fmt.size()) {
      out.push_back(fmt[i + 1]);
      i += 2;
      continue;
    }
    std::string_view token;
    for (std::string_view candidate : kFormatTokens) {
      if (fmt.substr(i, candidate.size()) == candidate) {
        token = candidate;
        break;
      }
    }
    if (token.empty() && kSingleTokens.find(ch) != std::string_view::npos) token = fmt.substr(i, 1);
    if (token.empty()) {
      out.push_back(ch);
      ++i;
      continue;
    }
    out.append(FormatToken(token, ms, f, info));
    i += token.size();
  }
  return out;
}

}  // namespace flowkit::js
