// XLSX workbooks for the converters: reading the first worksheet (libzip + libxml2's streaming
// reader) and writing a one-sheet workbook (libxlsxwriter).
//
// Threading: pure functions, safe from any thread (WriteXlsx uses a temporary file of its own).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "components/converters/sheet.h"
#include "flowkit/status.h"

namespace flowkit::components::converters {

// The parts ReadXlsx unpacks (workbook, relationships, shared strings, styles, the sheet) may hold
// at most this many bytes together: a small archive can unpack to gigabytes (a zip bomb).
inline constexpr size_t kMaxXlsxUnpackedBytes = size_t{64} << 20;

// The first worksheet of the workbook (the first <sheet> of xl/workbook.xml, as SheetJS's
// SheetNames[0]): shared and inline strings, numbers, booleans, formula results (their cached
// values), error values, merged cells, the <dimension> box, and each number's format from its
// cell style (styles.xml; the text CSV and HTML show, JSON keeping the raw value) with the
// workbook's 1900 or 1904 date system. kInvalidArgument when the bytes are not an XLSX
// workbook, saying why; kTooLarge when the parts would unpack to more than
// `max_unpacked_bytes` or the sheet passes Excel's limits.
Result<Sheet> ReadXlsx(std::string_view bytes, size_t max_unpacked_bytes = kMaxXlsxUnpackedBytes);

// A workbook with one sheet, "Sheet1", holding the sheet's cells (strings, numbers, booleans;
// error cells as their text) and merges that do not overlap an earlier one.
// kInvalidArgument for a string longer than Excel's 32 767 characters.
Result<std::string> WriteXlsx(const Sheet& sheet);

}  // namespace flowkit::components::converters
