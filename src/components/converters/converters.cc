// appmixer.utils.converters: file-to-file conversions in the user's file store. Each reads
// the file `fileId` names and sends {fileId, fileName} of the new file, named like the source
// with the new extension ("report.csv" → "report.json").
//
// CSV2JSON reads like Appmixer's (csv-parse with a header row, trimmed fields, "true"/"false"
// and decimal numbers cast, rows shorter or longer than the header allowed). JSON2CSV writes a
// header from the first object's keys and looks every row's values up by those keys; fields
// holding the delimiter, a quote or a line break are quoted (Appmixer's writer only wraps
// fields containing the delimiter and ends the file with a stray "]"; flowkit writes valid CSV).
//
// JSON2HTML and CSV2HTML write Appmixer's "table" transformer output (html_table.h): the
// header from the first row's keys, then one row per object (JSON: the top-level array's
// elements or object's values; CSV: the rows CSV2JSON makes). Values are escaped, where
// Appmixer pastes them in raw, and looked up by the header's keys, where Appmixer takes each
// row's values in its own key order. The module config JSON2HTML_TRANSFORMER /
// CSV2HTML_TRANSFORMER may only name "table" (Appmixer's one built-in transformer).
//
// HTML2JSON and HTML2CSV read the first <table> the way Appmixer's SheetJS does (sheet.h):
// JSON is sheet_to_json's array of row objects keyed by the first row; CSV is sheet_to_csv's
// text with the UTF-8 byte order mark SheetJS's CSV writer puts first.
//
// The XLSX converters go through the same Sheet (xlsx.h): JSON2XLSX, CSV2XLSX and HTML2XLSX
// write a one-sheet workbook ("Sheet1"; JSON with SheetJS's json_to_sheet, CSV with its CSV
// reader, HTML with its table reader, merges kept); XLSX2JSON, XLSX2CSV and XLSX2HTML read the
// workbook's first sheet (Appmixer's components have no sheet option) and write what
// HTML2JSON / HTML2CSV write, or SheetJS's sheet_to_html; cells' number formats (dates,
// percentages, ...) shape the CSV and HTML text, JSON keeps the raw numbers, as SheetJS does.
// Every output stops at 64 MiB (kTooLarge), what the default file stores take.
#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "components/builtin_registry.h"
#include "components/converters/html_table.h"
#include "components/converters/sheet.h"
#include "components/converters/xlsx.h"
#include "components/csv/csv_format.h"
#include "components/input_util.h"
#include "util/js.h"

namespace flowkit::components {
namespace converters {
namespace {

// What the default file stores take (MemoryDocumentOptions::max_file_bytes): an output past it
// is refused while it is being built, not after, so a converter never holds much more.
constexpr size_t kMaxOutputBytes = size_t{64} << 20;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// "report.csv" → "report" (Node's path.parse(name).name).
std::string Stem(const std::string& filename) {
  const size_t slash = filename.find_last_of('/');
  std::string base = slash == std::string::npos ? filename : filename.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  if (dot != std::string::npos && dot > 0) base.resize(dot);
  return base;
}

Result<FileInfo> Source(Context& ctx, std::string* content) {
  FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
  const Json& file_id = in->Content()["fileId"];
  if (!file_id.IsString() || file_id.StringView().empty())
    return Status::InvalidArgument("fileId is required");
  FLOWKIT_ASSIGN_OR_RETURN(FileInfo info, ctx.files().Info(file_id.StringView()));
  FLOWKIT_ASSIGN_OR_RETURN(*content, ctx.files().Read(file_id.StringView()));
  return info;
}

Status SendSaved(Context& ctx, const FileInfo& saved) {
  return ctx.Send("out",
                  Json::MakeObject({{"fileId", saved.file_id}, {"fileName", saved.filename}}));
}

Status CheckOutputSize(const FileInfo& source, size_t size) {
  if (size <= kMaxOutputBytes) return Status::OK();
  return Status::TooLarge("converting file '" + source.filename +
                          "' would make a file of more than " + std::to_string(kMaxOutputBytes) +
                          " bytes");
}

// CSV text as CSV2JSON's rows: one object per record, keyed by the trimmed header fields.
Json CsvRows(std::string_view text) {
  std::vector<csv::CsvRecord> records = csv::ParseCsv(text);
  Json rows = Json::MakeArray();
  if (records.empty()) return rows;
  std::vector<std::string> header;
  for (const std::string& name : records[0]) header.emplace_back(csv::TrimSpace(name));
  const csv::CellOptions cast;
  for (size_t r = 1; r < records.size(); ++r) {
    const csv::CsvRecord& record = records[r];
    if (record.size() == 1 && csv::TrimSpace(record[0]).empty()) continue;  // blank line
    Json row = Json::MakeObject();
    for (size_t c = 0; c < record.size() && c < header.size(); ++c) {
      row.Set(header[c], csv::CellValue(record[c], cast));
    }
    rows.Push(std::move(row));
  }
  return rows;
}

Result<Json> ParseJsonFile(const FileInfo& source, std::string_view text) {
  Result<Json> parsed = Json::Parse(text);
  if (!parsed.ok()) {
    return Status::InvalidArgument("file '" + source.filename +
                                   "' is not JSON: " + parsed.status().message());
  }
  return parsed;
}

// A value for an error message: its JSON text, cut short.
std::string Preview(const Json& value) {
  std::string text = value.Dump();
  if (text.size() > 100) {
    size_t cut = 100;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    text = text.substr(0, cut) + "…";
  }
  return text;
}

// The elements of the top-level array, or the values of the top-level object (JSONStream's
// '*'); each must be an object.
Result<std::vector<const Json*>> ObjectItems(const FileInfo& source, const Json& parsed) {
  std::vector<const Json*> items;
  if (parsed.IsArray()) {
    for (const Json& item : parsed.array()) items.push_back(&item);
  } else if (parsed.IsObject()) {
    for (const JsonMember& member : parsed.object()) items.push_back(&member.value);
  } else {
    return Status::InvalidArgument("file '" + source.filename + "' holds " + Preview(parsed) +
                                   ", not an array or object of objects");
  }
  for (const Json* item : items) {
    if (!item->IsObject()) {
      return Status::InvalidArgument("file '" + source.filename +
                                     "': every element must be an object, got " + Preview(*item));
    }
  }
  return items;
}

// Appmixer's module config picks the HTML transformer; "table" is the only one it defines.
Status CheckHtmlTransformer(const Context& ctx, std::string_view key) {
  const Json& name = ctx.config()[key];
  if (name.IsUndefined() || (name.IsString() && name.StringView() == "table")) return Status::OK();
  return Status::Cancelled("HTML transformer '" + js::ToString(name) +
                           "' is not defined. Available transformers: table");
}

// Objects to convert, with what holds them.
struct Rows {
  Json holder;
  std::vector<const Json*> items;
};

Result<Rows> JsonRows(const FileInfo& source, std::string_view text) {
  Rows rows;
  FLOWKIT_ASSIGN_OR_RETURN(rows.holder, ParseJsonFile(source, text));
  FLOWKIT_ASSIGN_OR_RETURN(rows.items, ObjectItems(source, rows.holder));
  return rows;
}

Rows CsvRowsOf(std::string_view text) {
  Rows rows{CsvRows(text), {}};
  for (const Json& row : rows.holder.array()) rows.items.push_back(&row);
  return rows;
}

// The message of a failure to read or build the sheet, naming the file.
Status AboutFile(const FileInfo& source, std::string_view what, const Status& status) {
  return Status(status.code(),
                "file '" + source.filename + "'" + std::string(what) + status.message());
}

Result<Sheet> ReadHtmlFile(const FileInfo& source, std::string_view text) {
  Result<Sheet> sheet = ReadHtmlTable(text);
  if (!sheet.ok()) return AboutFile(source, " is not an HTML table: ", sheet.status());
  return sheet;
}

Result<Sheet> ReadXlsxFile(const FileInfo& source, std::string_view bytes) {
  Result<Sheet> sheet = ReadXlsx(bytes);
  if (!sheet.ok()) return AboutFile(source, " is not a readable XLSX workbook: ", sheet.status());
  return sheet;
}

Result<std::string> RowsToCsv(const FileInfo& source, std::span<const Json* const> items) {
  std::vector<std::string> header;
  std::string out;
  for (const Json* item : items) {
    if (header.empty()) {
      for (const JsonMember& member : item->object()) header.push_back(member.key);
      csv::AppendCsvRecord(header, ",", &out);
    }
    std::vector<std::string> fields;
    fields.reserve(header.size());
    for (const std::string& key : header) {
      const Json& value = (*item)[key];
      fields.push_back(value.IsObject() || value.IsArray() ? value.Dump() : csv::CellText(value));
    }
    csv::AppendCsvRecord(fields, ",", &out);
    FLOWKIT_RETURN_IF_ERROR(CheckOutputSize(source, out.size()));
  }
  return out;
}

Result<std::string> RowsToHtml(const FileInfo& source, std::span<const Json* const> items) {
  HtmlTableWriter html;
  std::vector<std::string> header;
  std::vector<Json> values;
  for (const Json* item : items) {
    if (header.empty()) {
      for (const JsonMember& member : item->object()) header.push_back(member.key);
      html.AddHeader(header);
    }
    values.clear();
    for (const std::string& key : header) values.push_back((*item)[key]);
    html.AddRow(values);
    FLOWKIT_RETURN_IF_ERROR(CheckOutputSize(source, html.size()));
  }
  return std::move(html).Finish();
}

Result<std::string> SheetCsvFile(const FileInfo& source, const Sheet& sheet) {
  Result<std::string> csv = SheetToCsv(sheet, kMaxOutputBytes);
  if (!csv.ok()) return AboutFile(source, ": ", csv.status());
  return std::string(kUtf8Bom) + *csv;
}

Result<std::string> SheetHtmlFile(const FileInfo& source, const Sheet& sheet) {
  Result<std::string> html = SheetToHtml(sheet, kMaxOutputBytes);
  if (!html.ok()) return AboutFile(source, ": ", html.status());
  return html;
}

Result<std::string> SheetXlsxFile(const FileInfo& source, const Result<Sheet>& sheet) {
  if (!sheet.ok()) return AboutFile(source, " does not fit a worksheet: ", sheet.status());
  Result<std::string> xlsx = WriteXlsx(*sheet);
  if (!xlsx.ok()) return AboutFile(source, " does not fit a worksheet: ", xlsx.status());
  return xlsx;
}

// --- the conversions: the source file's bytes in, the new file's content out

Result<std::string> CsvToJson(const Context&, const FileInfo&, std::string_view text) {
  return CsvRows(text).DumpPretty(4);
}

Result<std::string> JsonToCsv(const Context&, const FileInfo& source, std::string_view text) {
  FLOWKIT_ASSIGN_OR_RETURN(Rows rows, JsonRows(source, text));
  return RowsToCsv(source, rows.items);
}

Result<std::string> JsonToHtml(const Context& ctx, const FileInfo& source, std::string_view text) {
  FLOWKIT_RETURN_IF_ERROR(CheckHtmlTransformer(ctx, "JSON2HTML_TRANSFORMER"));
  FLOWKIT_ASSIGN_OR_RETURN(Rows rows, JsonRows(source, text));
  return RowsToHtml(source, rows.items);
}

Result<std::string> CsvToHtml(const Context& ctx, const FileInfo& source, std::string_view text) {
  FLOWKIT_RETURN_IF_ERROR(CheckHtmlTransformer(ctx, "CSV2HTML_TRANSFORMER"));
  return RowsToHtml(source, CsvRowsOf(text).items);
}

Result<std::string> HtmlToJson(const Context&, const FileInfo& source, std::string_view text) {
  FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadHtmlFile(source, text));
  return SheetToJson(sheet).DumpPretty(4);
}

Result<std::string> HtmlToCsv(const Context&, const FileInfo& source, std::string_view text) {
  FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadHtmlFile(source, text));
  return SheetCsvFile(source, sheet);
}

Result<std::string> JsonToXlsx(const Context&, const FileInfo& source, std::string_view text) {
  FLOWKIT_ASSIGN_OR_RETURN(Rows rows, JsonRows(source, text));
  return SheetXlsxFile(source, SheetFromObjects(rows.items));
}

Result<std::string> CsvToXlsx(const Context&, const FileInfo& source, std::string_view text) {
  return SheetXlsxFile(source, SheetFromCsv(text));
}

Result<std::string> HtmlToXlsx(const Context&, const FileInfo& source, std::string_view text) {
  return SheetXlsxFile(source, ReadHtmlFile(source, text));
}

Result<std::string> XlsxToJson(const Context&, const FileInfo& source, std::string_view bytes) {
  FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadXlsxFile(source, bytes));
  return SheetToJson(sheet).DumpPretty(4);
}

Result<std::string> XlsxToCsv(const Context&, const FileInfo& source, std::string_view bytes) {
  FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadXlsxFile(source, bytes));
  return SheetCsvFile(source, sheet);
}

Result<std::string> XlsxToHtml(const Context&, const FileInfo& source, std::string_view bytes) {
  FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadXlsxFile(source, bytes));
  return SheetHtmlFile(source, sheet);
}

struct Conversion {
  std::string_view type;          // "appmixer.utils.converters.CSV2JSON"
  std::string_view extension;     // of the new file: ".json"
  std::string_view content_type;  // of the new file
  Result<std::string> (*convert)(const Context& ctx, const FileInfo& source,
                                 std::string_view bytes);
};

constexpr std::string_view kJsonType = "application/json";
constexpr std::string_view kCsvType = "text/csv";
constexpr std::string_view kHtmlType = "text/html";

constexpr std::array<Conversion, 12> kConversions = {{
    {"appmixer.utils.converters.CSV2JSON", ".json", kJsonType, CsvToJson},
    {"appmixer.utils.converters.JSON2CSV", ".csv", kCsvType, JsonToCsv},
    {"appmixer.utils.converters.JSON2HTML", ".html", kHtmlType, JsonToHtml},
    {"appmixer.utils.converters.CSV2HTML", ".html", kHtmlType, CsvToHtml},
    {"appmixer.utils.converters.HTML2JSON", ".json", kJsonType, HtmlToJson},
    {"appmixer.utils.converters.HTML2CSV", ".csv", kCsvType, HtmlToCsv},
    {"appmixer.utils.converters.JSON2XLSX", ".xlsx", kXlsxType, JsonToXlsx},
    {"appmixer.utils.converters.CSV2XLSX", ".xlsx", kXlsxType, CsvToXlsx},
    {"appmixer.utils.converters.HTML2XLSX", ".xlsx", kXlsxType, HtmlToXlsx},
    {"appmixer.utils.converters.XLSX2JSON", ".json", kJsonType, XlsxToJson},
    {"appmixer.utils.converters.XLSX2CSV", ".csv", kCsvType, XlsxToCsv},
    {"appmixer.utils.converters.XLSX2HTML", ".html", kHtmlType, XlsxToHtml},
}};

// Every converter: read the file `fileId` names, convert, save the new file, send its id.
class Converter final : public Behaviour {
 public:
  explicit Converter(const Conversion& conversion) : conversion_(conversion) {}

  Status Receive(Context& ctx) override {
    std::string bytes;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &bytes));
    FLOWKIT_ASSIGN_OR_RETURN(std::string content, conversion_.convert(ctx, source, bytes));
    FLOWKIT_RETURN_IF_ERROR(CheckOutputSize(source, content.size()));
    FLOWKIT_ASSIGN_OR_RETURN(
        FileInfo saved, ctx.files().Save(Stem(source.filename) + std::string(conversion_.extension),
                                         content, conversion_.content_type));
    return SendSaved(ctx, saved);
  }

 private:
  const Conversion& conversion_;  // an element of kConversions
};

}  // namespace
}  // namespace converters

Status RegisterConvertersComponents(ComponentRegistry& registry) {
  constexpr ComponentOptions kConcurrent{.concurrent = true};
  std::vector<BuiltinComponent> table;
  for (const converters::Conversion& conversion : converters::kConversions) {
    table.push_back({conversion.type,
                     [&conversion] { return std::make_unique<converters::Converter>(conversion); },
                     kConcurrent});
  }
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
