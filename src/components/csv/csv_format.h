// A small RFC 4180 CSV reader and writer with the reading rules of Appmixer's csv components
// (which use the csv-reader package): fields may be quoted with '"' ("" inside quotes is one
// quote, and quoted fields may span lines); CRLF, LF and lone CR end a record; one line ending
// at the very end of the text adds no empty record; a leading UTF-8 BOM is skipped. Reading
// never fails: an unterminated quote runs to the end of the text, as csv-reader does.
//
// Threading: pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/json.h"

namespace flowkit::components::csv {

// One record's fields, unquoted and unescaped but otherwise as written (not trimmed).
using CsvRecord = std::vector<std::string>;

// Splits `text` into records, stopping after `max_records`. `delimiter` may be longer than one
// byte (a multi-byte UTF-8 character, or "||"); empty means ",".
std::vector<CsvRecord> ParseCsv(std::string_view text, std::string_view delimiter = ",",
                                size_t max_records = SIZE_MAX);

struct CellOptions {
  bool parse_numbers = true;   // "43" → 43
  bool parse_booleans = true;  // exactly "true" / "false" → true / false
};

// The value a component sees for a field: trimmed of surrounding white space, then a boolean
// or a number when the options ask for it and the text is one, else the trimmed text.
// Numbers are decimals: an optional sign, digits with an optional fraction (or a fraction
// alone), an optional exponent; "0x1F", "1,5" and "" stay text. csv-reader also turns
// "Infinity" and "NaN" into numbers; JSON cannot carry those, so they stay text here.
Json CellValue(std::string_view field, const CellOptions& options);

// `text` without the surrounding white space that CellValue trims.
std::string_view TrimSpace(std::string_view text);

// The text a value is written as: JavaScript's Array.prototype.join rule, so null and
// undefined become "", strings stay as they are, numbers use JavaScript's formatting.
std::string CellText(const Json& value);

// Appends one record and "\n". Appmixer writes `row.join(delimiter)` without quoting, and its
// expected outputs depend on that, so fields are written bare; a field containing the
// delimiter, a quote, CR or LF is quoted (quotes doubled), since writing it bare would corrupt
// the file.
void AppendCsvRecord(std::span<const std::string> fields, std::string_view delimiter,
                     std::string* out);

}  // namespace flowkit::components::csv
