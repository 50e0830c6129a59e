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
// HTML2JSON / HTML2CSV write, or SheetJS's sheet_to_html.
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

// The elements of the top-level array, or the values of the top-level object (JSONStream's
// '*'); each must be an object.
Result<std::vector<const Json*>> ObjectItems(const FileInfo& source, const Json& parsed) {
  std::vector<const Json*> items;
  if (parsed.IsArray()) {
    for (const Json& item : parsed.array()) items.push_back(&item);
  } else if (parsed.IsObject()) {
    for (const JsonMember& member : parsed.object()) items.push_back(&member.value);
  } else {
    return Status::InvalidArgument("file '" + source.filename + "' holds " + parsed.Dump() +
                                   ", not an array or object of objects");
  }
  for (const Json* item : items) {
    if (!item->IsObject()) {
      return Status::InvalidArgument("file '" + source.filename +
                                     "': every element must be an object, got " + item->Dump());
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

Result<Sheet> ReadHtmlFile(const FileInfo& source, std::string_view text) {
  Result<Sheet> sheet = ReadHtmlTable(text);
  if (!sheet.ok()) {
    return Status(sheet.status().code(), "file '" + source.filename +
                                             "' is not an HTML table: " + sheet.status().message());
  }
  return sheet;
}

Status SaveAndSend(Context& ctx, const FileInfo& source, std::string_view extension,
                   std::string_view content, std::string_view content_type) {
  FLOWKIT_RETURN_IF_ERROR(CheckOutputSize(source, content.size()));
  FLOWKIT_ASSIGN_OR_RETURN(
      FileInfo saved,
      ctx.files().Save(Stem(source.filename) + std::string(extension), content, content_type));
  return SendSaved(ctx, saved);
}

class Csv2Json final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    return SaveAndSend(ctx, source, ".json", CsvRows(text).DumpPretty(4), "application/json");
  }
};

class Json2Csv final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    FLOWKIT_ASSIGN_OR_RETURN(Json parsed, ParseJsonFile(source, text));
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<const Json*> items, ObjectItems(source, parsed));
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
    return SaveAndSend(ctx, source, ".csv", out, "text/csv");
  }
};

class Json2Html final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_RETURN_IF_ERROR(CheckHtmlTransformer(ctx, "JSON2HTML_TRANSFORMER"));
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    FLOWKIT_ASSIGN_OR_RETURN(Json parsed, ParseJsonFile(source, text));
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<const Json*> items, ObjectItems(source, parsed));
    FLOWKIT_ASSIGN_OR_RETURN(std::string html, RowsToHtml(source, items));
    return SaveAndSend(ctx, source, ".html", html, "text/html");
  }
};

class Csv2Html final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_RETURN_IF_ERROR(CheckHtmlTransformer(ctx, "CSV2HTML_TRANSFORMER"));
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    const Json rows = CsvRows(text);
    std::vector<const Json*> items;
    for (const Json& row : rows.array()) items.push_back(&row);
    FLOWKIT_ASSIGN_OR_RETURN(std::string html, RowsToHtml(source, items));
    return SaveAndSend(ctx, source, ".html", html, "text/html");
  }
};

class Html2Json final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadHtmlFile(source, text));
    return SaveAndSend(ctx, source, ".json", SheetToJson(sheet).DumpPretty(4), "application/json");
  }
};

// The message of a failure to read or build the sheet, naming the file.
Status AboutFile(const FileInfo& source, std::string_view what, const Status& status) {
  return Status(status.code(),
                "file '" + source.filename + "'" + std::string(what) + status.message());
}

Result<Sheet> ReadXlsxFile(const FileInfo& source, std::string_view bytes) {
  Result<Sheet> sheet = ReadXlsx(bytes);
  if (!sheet.ok()) return AboutFile(source, " is not a readable XLSX workbook: ", sheet.status());
  return sheet;
}

Status SendCsv(Context& ctx, const FileInfo& source, const Sheet& sheet) {
  Result<std::string> csv = SheetToCsv(sheet, kMaxOutputBytes);
  if (!csv.ok()) return AboutFile(source, ": ", csv.status());
  return SaveAndSend(ctx, source, ".csv", std::string(kUtf8Bom) + *csv, "text/csv");
}

Status SendXlsx(Context& ctx, const FileInfo& source, const Result<Sheet>& sheet) {
  if (!sheet.ok()) return AboutFile(source, " does not fit a worksheet: ", sheet.status());
  Result<std::string> xlsx = WriteXlsx(*sheet);
  if (!xlsx.ok()) return AboutFile(source, " does not fit a worksheet: ", xlsx.status());
  return SaveAndSend(ctx, source, ".xlsx", *xlsx, kXlsxType);
}

class Html2Csv final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadHtmlFile(source, text));
    return SendCsv(ctx, source, sheet);
  }
};

class Json2Xlsx final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    FLOWKIT_ASSIGN_OR_RETURN(Json parsed, ParseJsonFile(source, text));
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<const Json*> items, ObjectItems(source, parsed));
    return SendXlsx(ctx, source, SheetFromObjects(items));
  }
};

class Csv2Xlsx final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    return SendXlsx(ctx, source, SheetFromCsv(text));
  }
};

class Html2Xlsx final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadHtmlFile(source, text));
    return SendXlsx(ctx, source, std::move(sheet));
  }
};

class Xlsx2Json final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string bytes;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &bytes));
    FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadXlsxFile(source, bytes));
    return SaveAndSend(ctx, source, ".json", SheetToJson(sheet).DumpPretty(4), "application/json");
  }
};

class Xlsx2Csv final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string bytes;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &bytes));
    FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadXlsxFile(source, bytes));
    return SendCsv(ctx, source, sheet);
  }
};

class Xlsx2Html final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string bytes;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &bytes));
    FLOWKIT_ASSIGN_OR_RETURN(Sheet sheet, ReadXlsxFile(source, bytes));
    Result<std::string> html = SheetToHtml(sheet, kMaxOutputBytes);
    if (!html.ok()) return AboutFile(source, ": ", html.status());
    return SaveAndSend(ctx, source, ".html", *html, "text/html");
  }
};

}  // namespace
}  // namespace converters

Status RegisterConvertersComponents(ComponentRegistry& registry) {
  constexpr ComponentOptions kConcurrent{.concurrent = true};
  const std::array<BuiltinComponent, 12> table = {{
      {"appmixer.utils.converters.CSV2JSON",
       [] { return std::make_unique<converters::Csv2Json>(); }, kConcurrent},
      {"appmixer.utils.converters.JSON2CSV",
       [] { return std::make_unique<converters::Json2Csv>(); }, kConcurrent},
      {"appmixer.utils.converters.JSON2HTML",
       [] { return std::make_unique<converters::Json2Html>(); }, kConcurrent},
      {"appmixer.utils.converters.CSV2HTML",
       [] { return std::make_unique<converters::Csv2Html>(); }, kConcurrent},
      {"appmixer.utils.converters.HTML2JSON",
       [] { return std::make_unique<converters::Html2Json>(); }, kConcurrent},
      {"appmixer.utils.converters.HTML2CSV",
       [] { return std::make_unique<converters::Html2Csv>(); }, kConcurrent},
      {"appmixer.utils.converters.JSON2XLSX",
       [] { return std::make_unique<converters::Json2Xlsx>(); }, kConcurrent},
      {"appmixer.utils.converters.CSV2XLSX",
       [] { return std::make_unique<converters::Csv2Xlsx>(); }, kConcurrent},
      {"appmixer.utils.converters.HTML2XLSX",
       [] { return std::make_unique<converters::Html2Xlsx>(); }, kConcurrent},
      {"appmixer.utils.converters.XLSX2JSON",
       [] { return std::make_unique<converters::Xlsx2Json>(); }, kConcurrent},
      {"appmixer.utils.converters.XLSX2CSV",
       [] { return std::make_unique<converters::Xlsx2Csv>(); }, kConcurrent},
      {"appmixer.utils.converters.XLSX2HTML",
       [] { return std::make_unique<converters::Xlsx2Html>(); }, kConcurrent},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
