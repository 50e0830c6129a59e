// What the appmixer.utils.csv.* components share (Appmixer's CSVProcessor and helpers): the
// options read from a message, a parsed file (CsvTable), row filters, index expressions, and
// the locked read-modify-replace of a file.
//
// Threading: values and functions here are used within one component call; nothing is shared.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "components/csv/csv_format.h"
#include "flowkit/component.h"
#include "flowkit/json.h"
#include "flowkit/status.h"
#include "flowkit/storage.h"

namespace flowkit::components::csv {

struct CsvOptions {
  bool with_headers = true;
  std::string delimiter = ",";
  CellOptions cells;

  // Appmixer's rules: withHeaders, parseNumbers and parseBooleans count only when they are
  // booleans (default true); a falsy delimiter means ",". `with_headers` is the component's
  // `withHeaders` property.
  static CsvOptions From(const Json& content, const Json& with_headers);
};

// One field of a file: the value components see and, until the value is replaced, the text it
// was read from, so a rewrite leaves untouched fields as they were (Appmixer writes back the
// parsed values, turning "007" into "7"; keeping the text avoids that).
struct Cell {
  Json value;
  std::optional<std::string> source;

  void Set(Json new_value) {
    value = std::move(new_value);
    source.reset();
  }
  std::string Text() const { return source ? *source : CellText(value); }
};
using Row = std::vector<Cell>;

// A parsed CSV file. Row 0 is the header row when the options say the file has headers.
class CsvTable {
 public:
  static CsvTable Parse(std::string_view text, const CsvOptions& options);

  const CsvOptions& options() const { return options_; }
  std::vector<Row>& rows() { return rows_; }
  const std::vector<Row>& rows() const { return rows_; }

  // The header names: the first row's values as JavaScript strings (object keys). Empty when
  // the file is empty. kFailedPrecondition when the options say the file has no headers.
  Result<std::vector<std::string>> Headers() const;
  // The column of header `name` (the first one, when names repeat). kInvalidArgument
  // "The <name> header was not found" as in Appmixer.
  Result<size_t> HeaderIndex(std::string_view name) const;
  // Row `i` as {header: value} (Appmixer's mapRow); a missing cell reads as undefined.
  Json MapRow(size_t i) const;
  // Row `i` as an array of values.
  Json RowValues(size_t i) const;

  // Every row joined with the delimiter, each ended by "\n".
  std::string Serialize() const;

 private:
  CsvOptions options_;
  std::vector<Row> rows_;
};

// Appmixer's row filter: alternatives (OR) of conjunctions (AND) of {column, operator, value}.
struct FilterClause {
  std::string column;
  std::string op;  // = != > >= < <= regex; anything else never matches
  Json value;
};
using RowFilter = std::vector<std::vector<FilterClause>>;

// Reads `{OR: [{AND: [clause...]}...]}` (Appmixer's expression input; a top-level AND list is
// taken as one group). An empty object gives an empty filter, which passes every row.
// kInvalidArgument when `filters` is missing or malformed: Appmixer throws on a missing filter
// rather than matching every row, which matters for UpdateRows and DeleteRows.
Result<RowFilter> ParseRowFilter(const Json& filters);
// Whether the mapped row passes: any group whose clauses all hold (loose == and JavaScript's
// relational operators between the cell and the value; regex tests String(cell)).
Result<bool> PassesFilter(const Json& mapped_row, const RowFilter& filter);

// Appmixer's {AND: [{column, value}...]} as an object column → value (later pairs for the same
// column win). Undefined or an empty object gives {}.
Json ColumnValues(const Json& values);

// Whether row or column `index` is selected by an index expression ("1,3-5"; 0-based, the
// header row is 0). A part that is neither a number nor a range selects nothing; numbers are
// read as JavaScript's parseInt does ("2abc" is 2).
bool IndexSelected(size_t index, const Json& expression);

// Reads and parses a file (no lock: a read returns one consistent version).
Result<CsvTable> LoadCsv(Context& ctx, std::string_view file_id, const CsvOptions& options);

// Rewrites a file under Context::Lock(file_id): reads it, lets `edit` change the table, and
// replaces the content in place (same file id). Returns the replaced file's info.
Result<FileInfo> EditCsv(Context& ctx, std::string_view file_id, const CsvOptions& options,
                         const std::function<Status(CsvTable&)>& edit);

// Appends rows at the end of a file under its lock (Appmixer's addRows). With headers each row
// is an object whose members are written in header order ("" for a missing or null member);
// without, each row must be an array (else kInvalidArgument). A "\n" goes first when the file
// does not end with one. Logs a warning when every added cell is empty, as Appmixer does.
Result<FileInfo> AppendCsvRows(Context& ctx, std::string_view file_id, const CsvOptions& options,
                               const Json& rows);

// The file id from a message, which Appmixer's file pickers give as text.
Result<std::string> RequireFileId(const Json& content);

}  // namespace flowkit::components::csv
