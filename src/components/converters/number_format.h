// Excel number formats, the common part of what SheetJS's SSF renders: the text XLSX2CSV and
// XLSX2HTML show for a number cell with a style (a date as "1/31/24", a share as "50%").
//
// Threading: pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace flowkit::components::converters {

// The format code of a built-in numFmtId (14 → "m/d/yy"); empty when the id has none (General).
std::string_view BuiltinNumberFormat(int id);

// `value` in the format `code`: dates and times (y, m, d, h, s, AM/PM, elapsed [h] [mm] [ss],
// month and day names; serial days from 1900, with Excel's 29 February 1900, or from 1904),
// and numbers with 0 / # placeholders, decimals, thousands separators, %, E+00 and literal
// text around them; sections for negative numbers and zero. A code it cannot read (fractions,
// conditions, text sections) gives the General format, as does "General" and "@".
std::string FormatNumber(double value, std::string_view code, bool date1904);

}  // namespace flowkit::components::converters
