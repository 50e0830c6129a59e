// HTML tables for the converters: reading the first <table> of a document into a Sheet with
// libxml2's HTML parser (which recovers from malformed markup), and writing Appmixer's "table"
// export (the JSON2HTML / CSV2HTML output).
//
// Threading: pure functions and a value type, safe from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "components/converters/sheet.h"
#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::components::converters {

// Initialises libxml2 once per process (its parser wants that before threads use it).
void InitLibxml2();

// The first <table> of `html` (document order; tables nested in it are part of its cells'
// text, not rows of their own), as SheetJS reads one: every <tr> is a row, every <td>/<th> a
// cell; colspan moves the next cell right and rowspan keeps later rows' cells out of the
// covered columns, the value staying in the first cell; a cell's text has its white space
// collapsed and trimmed, <br> as a line break; empty cells are left out; the text becomes a
// string, number or boolean by CellValueFromText (data-t / t attributes honoured).
// The bytes are UTF-8 unless a <meta> charset names another encoding; invalid UTF-8 becomes
// U+FFFD. Memory stays proportional to the table (the parser streams; no DOM is built).
// kInvalidArgument when there is no <table>; kTooLarge past kMaxSheetRows / kMaxSheetColumns
// (colspan is capped at 1000 and rowspan at 65534, as HTML does).
Result<Sheet> ReadHtmlTable(std::string_view html);

// SheetJS's sheet_to_html (the XLSX2HTML output): the export head, one <table>, a row for
// every row of the sheet's box and a <td> for every column, merged cells as rowspan/colspan,
// each cell with data-t (s, n, b, e), data-v (the raw value) and id="sjs-A1"; text in the
// General format. kTooLarge past `max_bytes`.
Result<std::string> SheetToHtml(const Sheet& sheet, size_t max_bytes);

// Appends `text` with &, <, >, " and ' escaped, line breaks (CRLF, CR or LF) as <br/>, C0
// control characters other than tab and invalid UTF-8 as U+FFFD.
void AppendHtmlText(std::string_view text, std::string* out);

// Builds the HTML document Appmixer's "table" transformer writes: SheetJS's export head, one
// <table>, a header row of <th> and rows of <td>. Values are written as text: strings as they
// are, numbers as JavaScript prints them, true/false, objects and arrays as JSON, null and
// undefined as an empty cell. Cells whose text ReadHtmlTable would read back as another type
// carry data-t ("b" for booleans, "s" for strings such as "007" or "TRUE"), so that
// HTML2JSON returns what JSON2HTML was given.
class HtmlTableWriter {
 public:
  HtmlTableWriter();

  void AddHeader(std::span<const std::string> names);
  void AddRow(std::span<const Json> values);

  size_t size() const { return out_.size(); }
  // The document; the writer is spent.
  std::string Finish() &&;

 private:
  void AddCell(std::string_view tag, const Json& value);

  std::string out_;
};

}  // namespace flowkit::components::converters
