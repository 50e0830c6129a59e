#include "components/csv/csv_format.h"

#include <charconv>
#include <cmath>

#include "util/js.h"

namespace flowkit::components::csv {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The length of the white space at s[i] that csv-reader's trim (a JavaScript \s) removes:
// ASCII white space, NBSP and the BOM; 0 when there is none.
size_t SpaceAt(std::string_view s, size_t i) {
  char c = s[i];
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (s.substr(i, 2) == "\xC2\xA0") return 2;
  if (s.substr(i, 3) == kBom) return 3;
  return 0;
}

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  size_t begin = 0;
  while (begin < s.size()) {
    size_t n = SpaceAt(s, begin);
    if (n == 0) break;
    begin += n;
  }
  s.remove_prefix(begin);
  while (!s.empty()) {
    size_t n = 0;
    for (size_t width = 1; width <= 3 && width <= s.size(); ++width) {
      if (SpaceAt(s, s.size() - width) == width) {
        n = width;
        break;
      }
    }
    if (n == 0) break;
    s.remove_suffix(n);
  }
  return s;
}

namespace {

// Whether `s` is a whole decimal literal: [+-]? (D+ (. D*)? | . D+) ([eE] [+-]? D+)?
bool IsDecimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

bool NeedsQuotes(std::string_view field, std::string_view delimiter) {
  return field.find_first_of("\"\r\n") != std::string_view::npos ||
         field.find(delimiter) != std::string_view::npos;
}

}  // namespace

std::vector<CsvRecord> ParseCsv(std::string_view text, std::string_view delimiter,
                                size_t max_records) {
  if (delimiter.empty()) delimiter = ",";
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());

  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  bool quoted = false;
  size_t i = 0;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
  };
  while (i < text.size() && records.size() < max_records) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
        } else {
          quoted = false;
          ++i;
        }
      } else {
        field += c;
        ++i;
      }
      continue;
    }
    if (c == '\r' || c == '\n') {
      // Every line ending closes a record, an empty line included; only what follows the
      // last line ending must be non-empty to count as a record.
      end_field();
      records.push_back(std::move(record));
      record.clear();
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
    } else if (text.substr(i, delimiter.size()) == delimiter) {
      end_field();
      i += delimiter.size();
    } else if (c == '"' && field.empty()) {
      // A quote opens a quoted field only at the field's start; elsewhere it is literal.
      quoted = true;
      ++i;
    } else {
      field += c;
      ++i;
    }
  }
  if (records.size() < max_records && (!record.empty() || !field.empty())) {
    end_field();
    records.push_back(std::move(record));
  }
  return records;
}

Json CellValue(std::string_view field, const CellOptions& options) {
  std::string_view text = TrimSpace(field);
  if (options.parse_booleans) {
    if (text == "true") return Json(true);
    if (text == "false") return Json(false);
  }
  if (options.parse_numbers && IsDecimal(text)) {
    std::string_view digits = text;
    if (digits.starts_with('+')) digits.remove_prefix(1);  // from_chars takes no '+'
    double value = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    // Out of range ("1e999") is Infinity in JavaScript, which JSON cannot carry: keep the text.
    if (ec == std::errc() && ptr == digits.data() + digits.size() && std::isfinite(value)) {
      return Json(value);
    }
  }
  return Json(std::string(text));
}

std::string CellText(const Json& value) {
  if (value.IsNullish()) return {};
  if (value.IsString()) return value.AsString();
  return js::ToString(value);
}

void AppendCsvRecord(std::span<const std::string> fields, std::string_view delimiter,
                     std::string* out) {
  if (delimiter.empty()) delimiter = ",";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->append(delimiter);
    const std::string& field = fields[i];
    if (!NeedsQuotes(field, delimiter)) {
      out->append(field);
      continue;
    }
    out->push_back('"');
    for (char c : field) {
      if (c == '"') out->push_back('"');
      out->push_back(c);
    }
    out->push_back('"');
  }
  out->push_back('\n');
}

}  // namespace flowkit::components::csv
