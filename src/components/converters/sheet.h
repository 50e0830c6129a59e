// A worksheet as Appmixer's converters see one (they go through SheetJS): a sparse grid of
// typed cells, read from an HTML table or an XLSX sheet, written out as JSON rows, CSV or an
// HTML table with SheetJS's rules (sheet_to_json, sheet_to_csv, the "General" number format).
//
// Threading: values; pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::components::converters {

// Excel's own limits; a table or workbook past them is refused rather than expanded.
inline constexpr uint32_t kMaxSheetRows = 1u << 20;     // 1 048 576
inline constexpr uint32_t kMaxSheetColumns = 1u << 14;  // 16 384

struct SheetCell {
  uint32_t column = 0;
  Json value;           // a string, a number or a boolean
  bool error = false;   // an error value such as "#DIV/0!" (value holds its text)
  uint16_t format = 0;  // Sheet::format(format) is the number format; 0 = General
};

// Rows and columns from 0, both ends included.
struct SheetRange {
  uint32_t first_row = 0;
  uint32_t first_column = 0;
  uint32_t last_row = 0;
  uint32_t last_column = 0;
};

class Sheet {
 public:
  // Sets the cell at (row, column), replacing what was there. REQUIRES: row < kMaxSheetRows,
  // column < kMaxSheetColumns, and `value` a string, number or boolean.
  void Set(uint32_t row, uint32_t column, Json value, bool error = false, uint16_t format = 0);
  // Like Set, but kTooLarge past Excel's limits instead of a precondition.
  Status SetChecked(uint64_t row, uint64_t column, Json value, bool error = false,
                    uint16_t format = 0);

  // Number formats (an XLSX cell's style): the index of `code`, added once; format(0) is "".
  uint16_t AddFormat(std::string_view code);
  const std::string& format(uint16_t index) const { return formats_[index]; }
  // Dates count days from 1904 rather than 1900 (an XLSX workbookPr date1904).
  void set_date1904(bool date1904) { date1904_ = date1904; }
  bool date1904() const { return date1904_; }

  // Merged cells (HTML colspan/rowspan, XLSX mergeCells): the value sits in the first cell.
  void AddMerge(const SheetRange& range) { merges_.push_back(range); }
  const std::vector<SheetRange>& merges() const { return merges_; }

  // The box the file declares (an XLSX <dimension>), which SheetJS uses instead of the cells'
  // bounding box, empty rows and columns included.
  void SetBox(const SheetRange& box) { box_ = box; }

  bool empty() const { return !box_.has_value() && rows_.empty(); }
  // The declared box, else the bounding box of the cells (SheetJS's !ref). REQUIRES: !empty().
  SheetRange box() const;

  // The cells of `row` in column order; nullptr when the row has none.
  const std::vector<SheetCell>* Row(uint32_t row) const;
  const std::map<uint32_t, std::vector<SheetCell>>& rows() const { return rows_; }

 private:
  std::map<uint32_t, std::vector<SheetCell>> rows_;
  uint32_t first_column_ = UINT32_MAX;
  uint32_t last_column_ = 0;
  std::vector<SheetRange> merges_;
  std::optional<SheetRange> box_;
  std::vector<std::string> formats_{std::string()};
  bool date1904_ = false;
};

// The text a cell shows: a number in its format (number_format.h), else FormatGeneral.
std::string DisplayText(const Sheet& sheet, const SheetCell& cell);

// "A1" for row 0, column 0; "XFD1048576" for the last cell Excel has.
std::string CellAddress(uint32_t row, uint32_t column);

// SheetJS's fuzzynum: JavaScript Number(text), else the same after dropping thousands
// separators between digits, "$" signs and "%" signs (each dividing by 100), else with
// "(...)" meaning negative. NaN when none of those is a finite number.
double FuzzyNumber(std::string_view text);

// The value SheetJS gives the text of an HTML table cell: a string when `type_hint` (the
// cell's data-t attribute) is "s" or the text is blank; true/false for exactly "TRUE"/"FALSE";
// a number when FuzzyNumber reads one; else the string. flowkit also honours data-t="b"
// (true/false in any case) and "n", which its own HTML writer emits. SheetJS also turns
// date-like text into date serial numbers; flowkit keeps such text as it is.
Json CellValueFromText(std::string_view text, std::string_view type_hint);

// Whether CellValueFromText would read `text` (without a hint) as something else than the
// string itself — what a writer must mark with data-t="s" to keep it a string.
bool TextReadsAsNonString(std::string_view text);

// Excel's "General" format as SheetJS renders it: strings as they are, TRUE/FALSE, integers in
// full, other numbers in at most 11 characters (exponent form "1.23457E+14" past that).
std::string FormatGeneral(const Json& value);

// sheet_to_json with its defaults: the first row of the sheet's box names the keys (their
// DisplayText;
// an empty header cell is "__EMPTY", repeats get "_1", "_2", ...); every later row with at
// least one cell becomes an object of its cells' raw values, empty and error cells left out.
Json SheetToJson(const Sheet& sheet);

// sheet_to_csv with its defaults: every row of the box, every column, fields' DisplayText
// joined with ",", rows joined with "\n" (no final line break), fields holding a comma,
// a quote or a line break quoted ("ID" too, as Excel would take the file for SYLK). kTooLarge
// when the text would pass `max_bytes` (a wide, sparse sheet repeats its commas on every row).
Result<std::string> SheetToCsv(const Sheet& sheet, size_t max_bytes);

// json_to_sheet: a header row with every key in the order the objects first use it, then one
// row per object; numbers, booleans and strings as they are, objects and arrays as JSON text,
// null and missing keys as empty cells. REQUIRES: each item an object. kTooLarge past Excel's
// limits.
Result<Sheet> SheetFromObjects(std::span<const Json* const> items);

// SheetJS's CSV reader: the delimiter is the most frequent of , tab ; | outside quotes in the
// first 1024 characters (ties in that order) unless a first line "sep=X" names it; each
// non-empty field becomes a value by CellValueFromText. (SheetJS also reads "=..." fields as
// formulas and date-like text as dates; flowkit keeps both as text.)
Result<Sheet> SheetFromCsv(std::string_view text);

}  // namespace flowkit::components::converters
