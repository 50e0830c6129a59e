// CreateCSV, AddRow, AddRows, UpdateRows, DeleteRows: create a file, append rows, rewrite rows.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "components/csv/csv.h"
#include "components/csv/csv_processor.h"
#include "components/input_util.h"
#include "util/js.h"

namespace flowkit::components::csv {
namespace {

Json FileIdOutput(const FileInfo& info) { return Json::MakeObject({{"fileId", info.file_id}}); }

// String.prototype.split with a non-empty separator.
Json SplitText(std::string_view text, std::string_view separator) {
  Json parts = Json::MakeArray();
  while (true) {
    size_t at = text.find(separator);
    parts.Push(Json(text.substr(0, at)));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + separator.size());
  }
}

// A column index written as Appmixer's row[key] = value uses it: a canonical non-negative
// integer, as a number or as text.
Result<size_t> ColumnIndex(std::string_view key) {
  bool canonical = !key.empty() && key.size() <= 9 && (key == "0" || key[0] != '0');
  for (char c : key) canonical = canonical && c >= '0' && c <= '9';
  if (!canonical) return Status::InvalidArgument("column '" + std::string(key) + "' is not a column index");
  return static_cast<size_t>(std::stoul(std::string(key)));
}

class CreateCsv final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    const Json& initial = content["initialContent"];
    std::string text = js::Truthy(initial) ? js::ToString(initial) : std::string();
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo info,
                             ctx.files().Save(js::ToString(content["filename"]), text, "text/csv"));
    // Appmixer reads the headers with the default "," whatever the delimiter given; the given
    // delimiter is used here, so "a;b" with ";" yields headers a and b.
    CsvOptions options = CsvOptions::From(content, Json(true));
    Json out = FileIdOutput(info);
    std::vector<CsvRecord> first = ParseCsv(text, options.delimiter, 1);
    if (!first.empty()) {
      for (const std::string& field : first[0]) {
        Json header = CellValue(field, options.cells);
        std::string name = js::ToString(header);
        // A header named "fileId" would replace the id in Appmixer's spread; the id wins here.
        if (!out.Contains(name)) out.Set(name, std::move(header));
      }
    }
    return ctx.Send("out", std::move(out));
  }
};

class AddRow final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    CsvOptions options = CsvOptions::From(content, ctx.properties()["withHeaders"]);
    Json rows = Json::MakeArray();
    if (options.with_headers) {
      rows.Push(ColumnValues(content["rowWithColumns"]));
    } else {
      const Json& row = content["row"];
      if (row.IsArray()) {
        rows.Push(row);
      } else if (row.IsString()) {
        rows.Push(SplitText(row.StringView(), options.delimiter));
      } else {
        return Status::InvalidArgument("row must be an array or text");
      }
    }
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo info, AppendCsvRows(ctx, file_id, options, rows));
    return ctx.Send("fileId", FileIdOutput(info));
  }
};

class AddRows final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    Json rows = content["rows"];
    if (rows.IsString()) {
      Result<Json> parsed = Json::Parse(rows.StringView());
      if (!parsed.ok()) {
        return Status::Cancelled(
            "rows must be an array or the JSON text of an array (split CSV text into an array "
            "first): " +
            parsed.status().message());
      }
      rows = std::move(parsed).value();
    }
    if (!rows.IsArray()) return Status::InvalidArgument("rows must be an array: " + rows.Dump());
    // Rows of objects are mapped through the file's header row; rows of arrays are written as
    // they are (Appmixer decides by the first row).
    bool with_headers = !rows[0].IsArray();
    CsvOptions options = CsvOptions::From(content, Json(with_headers));
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo info, AppendCsvRows(ctx, file_id, options, rows));
    return ctx.Send("fileId", FileIdOutput(info));
  }
};

class UpdateRows final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    CsvOptions options = CsvOptions::From(content, ctx.properties()["withHeaders"]);
    std::function<Status(CsvTable&)> edit;
    RowFilter filter;
    if (options.with_headers) {
      FLOWKIT_ASSIGN_OR_RETURN(filter, ParseRowFilter(content["filters"]));
      Json values = ColumnValues(content["values"]);
      edit = [&filter, values](CsvTable& table) { return UpdateByFilter(table, filter, values); };
    } else {
      Json values = ColumnValues(content["indexedValues"]);
      edit = [&content, values](CsvTable& table) {
        return UpdateByIndex(table, content["indexes"], values);
      };
    }
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo info, EditCsv(ctx, file_id, options, edit));
    return ctx.Send("fileId", FileIdOutput(info));
  }

 private:
  static Status UpdateByFilter(CsvTable& table, const RowFilter& filter, const Json& values) {
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<std::string> headers, table.Headers());
    std::vector<std::pair<size_t, Json>> updates;
    for (const JsonMember& member : values.object()) {
      FLOWKIT_ASSIGN_OR_RETURN(size_t column, table.HeaderIndex(member.key));
      updates.emplace_back(column, member.value);
    }
    // Row 0 is the header row: Appmixer also tests it against the filter (so an empty filter
    // rewrites the header names); it is never updated here.
    for (size_t i = 1; i < table.rows().size(); ++i) {
      FLOWKIT_ASSIGN_OR_RETURN(bool passes, PassesFilter(table.MapRow(i), filter));
      if (!passes) continue;
      // An updated row has exactly one cell per header, as Appmixer rebuilds it from the
      // mapped row.
      Row& row = table.rows()[i];
      row.resize(headers.size(), Cell{Json(""), std::string()});
      for (const auto& [column, value] : updates) row[column].Set(value);
    }
    return Status::OK();
  }

  static Status UpdateByIndex(CsvTable& table, const Json& indexes, const Json& values) {
    std::vector<std::pair<size_t, Json>> updates;
    for (const JsonMember& member : values.object()) {
      FLOWKIT_ASSIGN_OR_RETURN(size_t column, ColumnIndex(member.key));
      updates.emplace_back(column, member.value);
    }
    for (size_t i = 0; i < table.rows().size(); ++i) {
      if (!IndexSelected(i, indexes)) continue;
      Row& row = table.rows()[i];
      for (const auto& [column, value] : updates) {
        if (column >= row.size()) row.resize(column + 1, Cell{Json(""), std::string()});
        row[column].Set(value);
      }
    }
    return Status::OK();
  }
};

class DeleteRows final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    CsvOptions options = CsvOptions::From(content, ctx.properties()["withHeaders"]);
    RowFilter filter;
    if (options.with_headers) {
      FLOWKIT_ASSIGN_OR_RETURN(filter, ParseRowFilter(content["filters"]));
    }
    auto edit = [&](CsvTable& table) -> Status {
      std::vector<Row>& rows = table.rows();
      // Decide every row before moving any: the filter reads the header row.
      std::vector<bool> remove(rows.size(), false);
      for (size_t i = 0; i < rows.size(); ++i) {
        if (!options.with_headers) {
          remove[i] = IndexSelected(i, content["indexes"]);
        } else if (i > 0) {  // the header row is never deleted
          FLOWKIT_ASSIGN_OR_RETURN(remove[i], PassesFilter(table.MapRow(i), filter));
        }
      }
      std::vector<Row> kept;
      kept.reserve(rows.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        if (!remove[i]) kept.push_back(std::move(rows[i]));
      }
      rows = std::move(kept);
      return Status::OK();
    };
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo info, EditCsv(ctx, file_id, options, edit));
    return ctx.Send("fileId", FileIdOutput(info));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewCreateCsv() { return std::make_unique<CreateCsv>(); }
std::unique_ptr<Behaviour> NewAddRow() { return std::make_unique<AddRow>(); }
std::unique_ptr<Behaviour> NewAddRows() { return std::make_unique<AddRows>(); }
std::unique_ptr<Behaviour> NewUpdateRows() { return std::make_unique<UpdateRows>(); }
std::unique_ptr<Behaviour> NewDeleteRows() { return std::make_unique<DeleteRows>(); }

}  // namespace flowkit::components::csv
