#include "components/converters/number_format.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "components/converters/sheet.h"

namespace flowkit::components::converters {
namespace {

constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
constexpr std::array<const char*, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// The section of `code` that applies to `*value` (positive;negative;zero;text), with the
// value made positive when the negative section has its own layout.
std::string_view PickSection(std::string_view code, double* value) {
  std::vector<std::string_view> sections;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '\\') {
      ++i;
    } else if (code[i] == '"') {
      quoted = !quoted;
    } else if (code[i] == ';' && !quoted) {
      sections.push_back(code.substr(start, i - start));
      start = i + 1;
    }
  }
  sections.push_back(code.substr(start));
  if (*value < 0 && sections.size() > 1) {
    *value = -*value;
    return sections[1];
  }
  if (*value == 0 && sections.size() > 2) return sections[2];
  return sections[0];
}

// A code split into literal text and format tokens.
struct Token {
  bool literal;
  std::string text;
};

// Splits `code` into tokens: quoted text, \x escapes, [..] brackets (elapsed [h] kept, colours
// and locales dropped), "AM/PM", runs of one letter, and single other characters.
std::vector<Token> Tokenize(std::string_view code) {
  std::vector<Token> tokens;
  for (size_t i = 0; i < code.size();) {
    const char c = code[i];
    if (c == '"') {
      const size_t end = code.find('"', i + 1);
      tokens.push_back(
          {true, std::string(code.substr(
                     i + 1, (end == std::string_view::npos ? code.size() : end) - i - 1))});
      i = end == std::string_view::npos ? code.size() : end + 1;
    } else if (c == '\\' && i + 1 < code.size()) {
      tokens.push_back({true, std::string(1, code[i + 1])});
      i += 2;
    } else if (c == '_' && i + 1 < code.size()) {
      tokens.push_back({true, " "});  // _x: space as wide as x
      i += 2;
    } else if (c == '*' && i + 1 < code.size()) {
      i += 2;  // fill character: no width to fill
    } else if (c == '[') {
      const size_t end = code.find(']', i);
      std::string inside(
          code.substr(i + 1, (end == std::string_view::npos ? code.size() : end) - i - 1));
      std::string lower;
      for (char ch : inside) lower.push_back(Lower(ch));
      if (!lower.empty() && (lower[0] == 'h' || lower[0] == 'm' || lower[0] == 's') &&
          lower.find_first_not_of(lower[0]) == std::string::npos) {
        tokens.push_back({false, "[" + lower + "]"});
      }
      i = end == std::string_view::npos ? code.size() : end + 1;
    } else if (code.substr(i, 5) == "AM/PM" || code.substr(i, 5) == "am/pm") {
      tokens.push_back({false, "AM/PM"});
      i += 5;
    } else if (code.substr(i, 3) == "A/P" || code.substr(i, 3) == "a/p") {
      tokens.push_back({false, "A/P"});
      i += 3;
    } else if (std::isalpha(static_cast<unsigned char>(c)) &&
               std::string_view("yYmMdDhHsSeE").find(c) != std::string_view::npos) {
      size_t end = i;
      while (end < code.size() && Lower(code[end]) == Lower(c)) ++end;
      std::string run;
      for (size_t k = i; k < end; ++k) run.push_back(Lower(code[k]));
      tokens.push_back({false, run});
      i = end;
    } else {
      tokens.push_back(
          {std::string_view("0#?.,%").find(c) == std::string_view::npos, std::string(1, c)});
      ++i;
    }
  }
  return tokens;
}

bool IsDateToken(const Token& t) {
  if (t.literal || t.text.empty()) return false;
  const char c = t.text[0];
  return c == 'y' || c == 'm' || c == 'd' || c == 'h' || c == 's' || c == '[' ||
         t.text == "AM/PM" || t.text == "A/P";
}

std::string Pad2(int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld", static_cast<long long>(n));
  return buf;
}

// Excel's calendar: serial 1 is 1 January 1900 and 60 the 29 February 1900 that never was (or
// serial 0 is 1 January 1904).
void SerialToDate(int64_t days, bool date1904, int* year, int* month, int* day, int* weekday) {
  if (!date1904 && days == 60) {
    *year = 1900, *month = 2, *day = 29, *weekday = 3;
    return;
  }
  // Days since 1970-01-01 (civil_from_days, Howard Hinnant's algorithm).
  int64_t z = date1904 ? days - 24107 : days - 25569 + (days < 60 ? 1 : 0);
  *weekday = static_cast<int>(((z % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = static_cast<int>(yoe + era * 400 + (*month <= 2 ? 1 : 0));
}

std::string FormatDate(double value, const std::vector<Token>& tokens, bool date1904) {
  if (value < 0 || value > 2958465) return FormatGeneral(Json(value));  // past 9999-12-31
  int64_t days = static_cast<int64_t>(std::floor(value));
  int64_t seconds = std::llround((value - std::floor(value)) * 86400);
  if (seconds >= 86400) {
    ++days;
    seconds -= 86400;
  }
  int year, month, day, weekday;
  SerialToDate(days, date1904, &year, &month, &day, &weekday);
  const int64_t hour = seconds / 3600, minute = seconds / 60 % 60, second = seconds % 60;
  const bool twelve_hour = std::any_of(tokens.begin(), tokens.end(), [](const Token& t) {
    return !t.literal && (t.text == "AM/PM" || t.text == "A/P");
  });
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.literal || !IsDateToken(t)) {
      out += t.text;
      continue;
    }
    const size_t n = t.text.size();
    switch (t.text[0]) {
      case 'y':
        out += n <= 2 ? Pad2(year % 100) : std::to_string(year);
        break;
      case 'm': {
        // Minutes right after hours or right before seconds; else the month.
        bool minutes = false;
        for (size_t k = i; k-- > 0;) {
          if (IsDateToken(tokens[k])) {
            minutes = tokens[k].text[0] == 'h' || tokens[k].text == "[h]";
            break;
          }
        }
        for (size_t k = i + 1; !minutes && k < tokens.size(); ++k) {
          if (IsDateToken(tokens[k])) {
            minutes = tokens[k].text[0] == 's' || tokens[k].text.starts_with("[s");
            break;
          }
        }
        if (minutes && n <= 2) {
          out += n == 1 ? std::to_string(minute) : Pad2(minute);
        } else if (n == 1) {
          out += std::to_string(month);
        } else if (n == 2) {
          out += Pad2(month);
        } else if (n == 3) {
          out += std::string(kMonths[month - 1]).substr(0, 3);
        } else if (n == 5) {
          out += kMonths[month - 1][0];
        } else {
          out += kMonths[month - 1];
        }
        break;
      }
      case 'd':
        out += n == 1   ? std::to_string(day)
               : n == 2 ? Pad2(day)
               : n == 3 ? std::string(kDays[weekday]).substr(0, 3)
                        : kDays[weekday];
        break;
      case 'h': {
        int64_t h = hour;
        if (twelve_hour) h = h % 12 == 0 ? 12 : h % 12;
        out += n == 1 ? std::to_string(h) : Pad2(h);
        break;
      }
      case 's':
        out += n == 1 ? std::to_string(second) : Pad2(second);
        break;
      case '[': {
        const int64_t total = days * 86400 + seconds;
        const int64_t elapsed = t.text[1] == 'h'   ? total / 3600
                                : t.text[1] == 'm' ? total / 60
                                                   : total;
        out += t.text.size() > 3 ? Pad2(elapsed) : std::to_string(elapsed);
        break;
      }
      default:  // AM/PM, A/P
        out += t.text == "AM/PM" ? (hour < 12 ? "AM" : "PM") : (hour < 12 ? "A" : "P");
        break;
    }
  }
  return out;
}

std::string GroupThousands(std::string digits) {
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

// Placeholder formats: literal text before and after, 0/# digits, "." decimals, "," grouping,
// "%" scaling, E+00 exponents. Empty when the code has more than that.
std::string FormatDigits(double value, const std::vector<Token>& tokens, bool negative_section) {
  std::string prefix, suffix;
  size_t first = tokens.size(), last = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!tokens[i].literal &&
        std::string_view("0#?.,").find(tokens[i].text[0]) != std::string_view::npos) {
      first = std::min(first, i);
      last = i;
    }
  }
  if (first == tokens.size()) {  // text only ("zero")
    std::string text;
    for (const Token& t : tokens) text += t.text;
    return text;
  }
  int integer_zeros = 0, decimals = 0, required_decimals = 0, percents = 0;
  bool grouping = false, decimal_point = false, exponent = false;
  int exponent_digits = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.literal && (i < first || i > last)) {
      (i < first ? prefix : suffix) += t.text;
      continue;
    }
    if (!t.literal && t.text == "%") {
      ++percents;
      (i < first ? prefix : suffix) += "%";
      continue;
    }
    if (i < first || i > last) {
      if (!t.literal && t.text[0] == 'e') return {};
      (i < first ? prefix : suffix) += t.text;
      continue;
    }
    const char c = t.text[0];
    if (t.literal) {
      if (c != '+' && c != '-') return {};
      continue;
    }
    if (c == 'e') {
      exponent = true;
    } else if (c == '.') {
      decimal_point = true;
    } else if (c == ',') {
      grouping = !decimal_point;
    } else if (exponent) {
      ++exponent_digits;
    } else if (decimal_point) {
      ++decimals;
      if (c == '0') required_decimals = decimals;
    } else if (c == '0') {
      ++integer_zeros;
    } else if (c == '?') {
      return {};  // fractions
    }
  }
  for (int i = 0; i < percents; ++i) value *= 100;
  const bool negative = value < 0 && !negative_section;
  value = std::fabs(value);
  std::string body;
  char buf[400];
  if (exponent) {
    std::snprintf(buf, sizeof buf, "%.*E", decimals, value);
    std::string s = buf;
    const size_t e = s.find('E');
    std::string mantissa = s.substr(0, e);
    const int exp = std::atoi(s.c_str() + e + 1);
    std::string digits = std::to_string(std::abs(exp));
    while (static_cast<int>(digits.size()) < std::min(exponent_digits, 10)) digits.insert(0, "0");
    body = mantissa + "E" + (exp < 0 ? "-" : "+") + digits;
  } else {
    const double scale = std::pow(10.0, decimals);
    const double rounded = std::round(value * scale) / scale;  // half away from zero, as SSF
    std::snprintf(buf, sizeof buf, "%.*f", decimals, rounded);
    std::string s = buf;
    const size_t dot = s.find('.');
    std::string integer = s.substr(0, dot);
    if (integer == "0" && integer_zeros == 0) integer.clear();
    while (static_cast<int>(integer.size()) < integer_zeros) integer.insert(0, "0");
    if (grouping) integer = GroupThousands(integer);
    std::string fraction = dot == std::string::npos ? "" : s.substr(dot);
    // "#" decimals show only when they are not trailing zeros.
    while (fraction.size() > static_cast<size_t>(required_decimals) + 1 && fraction.back() == '0') {
      fraction.pop_back();
    }
    body = integer + fraction;
  }
  return (negative ? "-" : "") + prefix + body + suffix;
}

}  // namespace

std::string_view BuiltinNumberFormat(int id) {
  switch (id) {
    case 1:
      return "0";
    case 2:
      return "0.00";
    case 3:
      return "#,##0";
    case 4:
      return "#,##0.00";
    case 9:
      return "0%";
    case 10:
      return "0.00%";
    case 11:
      return "0.00E+00";
    case 14:
      return "m/d/yy";
    case 15:
      return "d-mmm-yy";
    case 16:
      return "d-mmm";
    case 17:
      return "mmm-yy";
    case 18:
      return "h:mm AM/PM";
    case 19:
      return "h:mm:ss AM/PM";
    case 20:
      return "h:mm";
    case 21:
      return "h:mm:ss";
    case 22:
      return "m/d/yy h:mm";
    case 37:
      return "#,##0 ;(#,##0)";
    case 38:
      return "#,##0 ;[Red](#,##0)";
    case 39:
      return "#,##0.00;(#,##0.00)";
    case 40:
      return "#,##0.00;[Red](#,##0.00)";
    case 45:
      return "mm:ss";
    case 46:
      return "[h]:mm:ss";
    case 48:
      return "##0.0E+0";
    default:
      return {};
  }
}

std::string FormatNumber(double value, std::string_view code, bool date1904) {
  if (!std::isfinite(value)) return FormatGeneral(Json(value));
  const bool has_negative_section = value < 0;
  std::string_view section = PickSection(code, &value);
  const bool negative_section = has_negative_section && value >= 0;
  std::string lower;
  for (char c : section) lower.push_back(Lower(c));
  if (lower.empty() || lower == "general" || lower == "@") {
    return FormatGeneral(Json(negative_section ? -value : value));
  }
  const std::vector<Token> tokens = Tokenize(section);
  if (std::any_of(tokens.begin(), tokens.end(), IsDateToken))
    return FormatDate(value, tokens, date1904);
  std::string text = FormatDigits(value, tokens, negative_section);
  return text.empty() ? FormatGeneral(Json(negative_section ? -value : value)) : text;
}

}  // namespace flowkit::components::converters
