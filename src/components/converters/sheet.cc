#include "components/converters/sheet.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "components/converters/number_format.h"
#include "components/csv/csv_format.h"
#include "util/js.h"

namespace flowkit::components::converters {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Doubles that are whole and exact become integers, so that 36 reads back as 36, not 36.0.
Json NumberJson(double v) {
  if (std::trunc(v) == v && std::fabs(v) < 9007199254740992.0) return Json(static_cast<int64_t>(v));
  return Json(v);
}

std::string Printf(const char* format, int digits, double v) {
  int n = std::snprintf(nullptr, 0, format, digits, v);
  std::string out(static_cast<size_t>(n), '\0');
  std::snprintf(out.data(), out.size() + 1, format, digits, v);
  return out;
}

// Number.prototype.toFixed: String(v) from 1e21 up. printf rounds exact ties to even where
// JavaScript rounds them up; at the 10-12 decimals used here a double is never an exact tie.
std::string ToFixed(double v, int digits) {
  if (std::fabs(v) >= 1e21) return js::NumberToString(v);
  return Printf("%.*f", digits, v);
}

// Number.prototype.toPrecision, with the exponent written as printf does ("e+07"): the
// General format pads it to two digits anyway.
std::string ToPrecision(double v, int precision) {
  std::string e_form = Printf("%.*e", precision - 1, v);
  const int exponent = std::atoi(e_form.c_str() + e_form.find('e') + 1);
  if (exponent < -6 || exponent >= precision) return e_form;
  return Printf("%.*f", precision - 1 - exponent, v);
}

// SSF's strip_decimal: "1.500" → "1.5", "2.000" → "2" (only when the fraction ends the text).
std::string StripDecimal(std::string o) {
  const size_t dot = o.find('.');
  if (dot == std::string::npos) return o;
  if (!std::all_of(o.begin() + dot + 1, o.end(), IsAsciiDigit)) return o;
  size_t end = o.size();
  while (end > dot + 1 && o[end - 1] == '0') --end;
  o.resize(end == dot + 1 ? dot : end);
  return o;
}

// SSF's normalize_exp: "1.50000E+10" → "1.5E+10", "E+7" → "E+07".
std::string NormalizeExponent(const std::string& o) {
  const size_t e = o.find('E');
  if (e == std::string::npos) return o;
  std::string out = StripDecimal(o.substr(0, e));
  std::string exponent = o.substr(e);  // "E+7"
  if (exponent.size() == 3 && (exponent[1] == '+' || exponent[1] == '-')) exponent.insert(2, "0");
  return out + exponent;
}

std::string SmallExponent(double v) {
  const size_t width = v < 0 ? 12 : 11;
  std::string o = StripDecimal(ToFixed(v, 12));
  if (o.size() <= width) return o;
  o = ToPrecision(v, 10);
  if (o.size() <= width) return o;
  return Printf("%.*e", 5, v);
}

std::string LargeExponent(double v) {
  std::string o = StripDecimal(ToFixed(v, 11));
  if (o.size() > (v < 0 ? 12u : 11u) || o == "0" || o == "-0") return ToPrecision(v, 6);
  return o;
}

std::string GeneralNumber(double v) {
  if (std::isnan(v)) return "#NUM!";
  if (std::isinf(v)) return "#DIV/0!";
  if (std::trunc(v) == v && v >= -2147483648.0 && v <= 2147483647.0) {
    return std::to_string(static_cast<int64_t>(v));  // (v|0) === v: also prints -0 as "0"
  }
  constexpr double kLog10E = 0.4342944819032518;  // Math.LOG10E
  const double magnitude = std::floor(std::log(std::fabs(v)) * kLog10E);
  std::string o;
  if (magnitude >= -4 && magnitude <= -1) {
    o = ToPrecision(v, 10 + static_cast<int>(magnitude));
  } else if (std::fabs(magnitude) <= 9) {
    o = SmallExponent(v);
  } else if (magnitude == 10) {
    o = ToFixed(v, 10).substr(0, 12);
  } else {
    o = LargeExponent(v);
  }
  for (char& c : o) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return StripDecimal(NormalizeExponent(o));
}

// Removes "," between two digits the way JavaScript's s.replace(/(\d),(\d)/g, "$1$2") does:
// matches do not overlap, so "1,2,3" keeps its second comma.
std::string DropThousandsSeparators(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (i + 2 < s.size() && IsAsciiDigit(s[i]) && s[i + 1] == ',' && IsAsciiDigit(s[i + 2])) {
      out.push_back(s[i]);
      out.push_back(s[i + 2]);
      i += 3;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

bool IsLineTerminator(char c) { return c == '\n' || c == '\r'; }

// s.replace(/[(](.*)[)]/, "$1"): the first "(" that has a ")" after it on the same line, up to
// the last such ")". False when nothing matched.
bool UnwrapParentheses(std::string* s) {
  for (size_t open = s->find('('); open != std::string::npos; open = s->find('(', open + 1)) {
    size_t line_end = open + 1;
    while (line_end < s->size() && !IsLineTerminator((*s)[line_end])) ++line_end;
    const size_t close = s->rfind(')', line_end - 1);
    if (close == std::string::npos || close <= open) continue;
    s->erase(close, 1);
    s->erase(open, 1);
    return true;
  }
  return false;
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); });
}

}  // namespace

void Sheet::Set(uint32_t row, uint32_t column, Json value, bool error, uint16_t format) {
  std::vector<SheetCell>& cells = rows_[row];
  auto it = std::lower_bound(cells.begin(), cells.end(), column,
                             [](const SheetCell& cell, uint32_t c) { return cell.column < c; });
  if (it != cells.end() && it->column == column) {
    it->value = std::move(value);
    it->error = error;
    it->format = format;
  } else {
    cells.insert(it, SheetCell{column, std::move(value), error, format});
  }
  first_column_ = std::min(first_column_, column);
  last_column_ = std::max(last_column_, column);
}

Status Sheet::SetChecked(uint64_t row, uint64_t column, Json value, bool error, uint16_t format) {
  if (row >= kMaxSheetRows) {
    return Status::TooLarge("more than " + std::to_string(kMaxSheetRows) + " rows (Excel's limit)");
  }
  if (column >= kMaxSheetColumns) {
    return Status::TooLarge("more than " + std::to_string(kMaxSheetColumns) +
                            " columns (Excel's limit)");
  }
  Set(static_cast<uint32_t>(row), static_cast<uint32_t>(column), std::move(value), error, format);
  return Status::OK();
}

uint16_t Sheet::AddFormat(std::string_view code) {
  for (size_t i = 1; i < formats_.size(); ++i) {
    if (formats_[i] == code) return static_cast<uint16_t>(i);
  }
  if (formats_.size() > UINT16_MAX) return 0;  // more distinct formats than a workbook has
  formats_.emplace_back(code);
  return static_cast<uint16_t>(formats_.size() - 1);
}

std::string DisplayText(const Sheet& sheet, const SheetCell& cell) {
  if (cell.format != 0 && cell.value.IsNumber()) {
    return FormatNumber(cell.value.AsDouble(), sheet.format(cell.format), sheet.date1904());
  }
  return FormatGeneral(cell.value);
}

SheetRange Sheet::box() const {
  if (box_.has_value()) return *box_;
  return SheetRange{rows_.begin()->first, first_column_, rows_.rbegin()->first, last_column_};
}

std::string CellAddress(uint32_t row, uint32_t column) {
  std::string letters;
  for (uint64_t n = uint64_t{column} + 1; n > 0; n = (n - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return letters + std::to_string(uint64_t{row} + 1);
}

const std::vector<SheetCell>* Sheet::Row(uint32_t row) const {
  auto it = rows_.find(row);
  return it == rows_.end() ? nullptr : &it->second;
}

double FuzzyNumber(std::string_view text) {
  double v = js::StringToNumber(text);
  if (!std::isnan(v)) return std::isfinite(v) ? v : kNaN;
  if (std::none_of(text.begin(), text.end(), IsAsciiDigit)) return kNaN;
  double weight = 1;
  std::string s;
  for (char c : DropThousandsSeparators(text)) {
    if (c == '$') continue;
    if (c == '%') {
      weight *= 100;
      continue;
    }
    s.push_back(c);
  }
  v = js::StringToNumber(s);
  if (std::isnan(v) && UnwrapParentheses(&s)) {
    weight = -weight;
    v = js::StringToNumber(s);
  }
  v /= weight;
  return std::isfinite(v) ? v : kNaN;
}

Json CellValueFromText(std::string_view text, std::string_view type_hint) {
  if (type_hint == "s" || IsBlank(text)) return Json(text);
  if (type_hint == "b") {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "true" || lower == "false") return Json(lower == "true");
  }
  if (text == "TRUE") return Json(true);
  if (text == "FALSE") return Json(false);
  const double number = FuzzyNumber(text);
  if (!std::isnan(number)) return NumberJson(number);
  return Json(text);
}

bool TextReadsAsNonString(std::string_view text) { return !CellValueFromText(text, "").IsString(); }

std::string FormatGeneral(const Json& value) {
  if (value.IsString()) return value.AsString();
  if (value.IsBool()) return value.AsBool() ? "TRUE" : "FALSE";
  if (value.IsNumber()) return GeneralNumber(value.AsDouble());
  return {};
}

Json SheetToJson(const Sheet& sheet) {
  Json out = Json::MakeArray();
  if (sheet.empty()) return out;
  const SheetRange box = sheet.box();
  std::vector<std::string> keys(box.last_column - box.first_column + 1);
  const std::vector<SheetCell>* header = sheet.Row(box.first_row);
  std::unordered_set<std::string> taken;
  auto next = header != nullptr ? header->begin() : std::vector<SheetCell>::const_iterator();
  for (uint32_t c = box.first_column; c <= box.last_column; ++c) {
    std::string base = "__EMPTY";
    while (header != nullptr && next != header->end() && next->column < c) ++next;
    if (header != nullptr && next != header->end() && next->column == c)
      base = DisplayText(sheet, *next);
    // SheetJS compares with each earlier key once, in order, which can still repeat a key
    // ("a_1", "a", "a" → "a_1", "a", "a_1"); looking the whole set up keeps keys unique.
    std::string key = base;
    for (int counter = 1; taken.contains(key); ++counter)
      key = base + "_" + std::to_string(counter);
    taken.insert(key);
    keys[c - box.first_column] = std::move(key);
  }
  for (auto it = sheet.rows().upper_bound(box.first_row);
       it != sheet.rows().end() && it->first <= box.last_row; ++it) {
    Json row = Json::MakeObject();
    for (const SheetCell& cell : it->second) {
      // Error cells are left out, as sheet_to_json leaves out all but #NULL!.
      if (cell.error || cell.column < box.first_column || cell.column > box.last_column) continue;
      row.Set(keys[cell.column - box.first_column], cell.value);
    }
    if (!row.empty()) out.Push(std::move(row));
  }
  return out;
}

Result<std::string> SheetToCsv(const Sheet& sheet, size_t max_bytes) {
  std::string out;
  if (sheet.empty()) return out;
  const SheetRange box = sheet.box();
  for (uint32_t r = box.first_row; r <= box.last_row; ++r) {
    if (r > box.first_row) out.push_back('\n');
    const std::vector<SheetCell>* cells = sheet.Row(r);
    auto next = cells != nullptr ? cells->begin() : std::vector<SheetCell>::const_iterator();
    for (uint32_t c = box.first_column; c <= box.last_column; ++c) {
      if (c > box.first_column) out.push_back(',');
      while (cells != nullptr && next != cells->end() && next->column < c) ++next;
      if (cells == nullptr || next == cells->end() || next->column != c) continue;
      const std::string text = DisplayText(sheet, *next);
      if (text.find_first_of(",\"\r\n") != std::string::npos || text == "ID") {
        out.push_back('"');
        for (char ch : text) {
          if (ch == '"') out.push_back('"');
          out.push_back(ch);
        }
        out.push_back('"');
      } else {
        out.append(text);
      }
    }
    if (out.size() > max_bytes) {
      return Status::TooLarge("the CSV text would pass " + std::to_string(max_bytes) + " bytes (" +
                              std::to_string(box.last_row - box.first_row + 1) + " rows × " +
                              std::to_string(box.last_column - box.first_column + 1) + " columns)");
    }
  }
  return out;
}

Result<Sheet> SheetFromObjects(std::span<const Json* const> items) {
  Sheet sheet;
  std::vector<std::string> header;
  std::unordered_map<std::string, uint32_t> column_of;
  for (size_t i = 0; i < items.size(); ++i) {
    for (const JsonMember& member : items[i]->object()) {
      auto [it, added] = column_of.emplace(member.key, static_cast<uint32_t>(header.size()));
      if (added) {
        FLOWKIT_RETURN_IF_ERROR(sheet.SetChecked(0, header.size(), Json(member.key)));
        header.push_back(member.key);
      }
      const Json& value = member.value;
      if (value.IsNullish()) continue;
      Json cell = value.IsObject() || value.IsArray() ? Json(value.Dump()) : value;
      FLOWKIT_RETURN_IF_ERROR(sheet.SetChecked(uint64_t{i} + 1, it->second, std::move(cell)));
    }
  }
  return sheet;
}

namespace {

// SheetJS's guess_sep over the first 1024 characters.
std::string_view GuessDelimiter(std::string_view text) {
  constexpr std::string_view kCandidates = ",\t;|";  // also the tie order
  size_t counts[4] = {0, 0, 0, 0};
  bool quoted = false;
  for (char c : text.substr(0, 1024)) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted) {
      const size_t at = kCandidates.find(c);
      if (at != std::string_view::npos) ++counts[at];
    }
  }
  size_t best = 0;
  for (size_t i = 1; i < 4; ++i) {
    if (counts[i] > counts[best]) best = i;
  }
  return kCandidates.substr(best, 1);
}

}  // namespace

Result<Sheet> SheetFromCsv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::string delimiter;
  // Excel's "sep=;" first line.
  if (text.size() >= 5 && text.substr(0, 4) == "sep=" &&
      (text.size() == 5 || text[5] == '\n' || text[5] == '\r')) {
    delimiter = std::string(1, text[4]);
    text.remove_prefix(
        std::min(text.find('\n') == std::string_view::npos ? text.size() : text.find('\n') + 1,
                 text.size()));
  } else {
    delimiter = GuessDelimiter(text);
  }
  Sheet sheet;
  const std::vector<csv::CsvRecord> records = csv::ParseCsv(text, delimiter);
  for (size_t r = 0; r < records.size(); ++r) {
    for (size_t c = 0; c < records[r].size(); ++c) {
      const std::string& field = records[r][c];
      if (field.empty()) continue;
      FLOWKIT_RETURN_IF_ERROR(sheet.SetChecked(r, c, CellValueFromText(field, "")));
    }
  }
  return sheet;
}

}  // namespace flowkit::components::converters
