// GetRow, GetRows, GetCell, ExportCSV: read a file's rows, one cell, or its whole text.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "components/csv/csv.h"
#include "components/csv/csv_processor.h"
#include "components/input_util.h"
#include "util/js.h"

namespace flowkit::components::csv {
namespace {

// Which rows of `table` a read selects: with headers the data rows passing `filter` (all of
// them when `filter` is nullopt), without headers the rows `indexes` selects (all when it is
// nullopt); at most one when `first_only`.
Result<std::vector<size_t>> SelectRows(const CsvTable& table, const std::optional<RowFilter>& filter,
                                       const std::optional<Json>& indexes, bool first_only) {
  std::vector<size_t> selected;
  bool headers = table.options().with_headers;
  for (size_t i = headers ? 1 : 0; i < table.rows().size(); ++i) {
    bool take = true;
    if (headers && filter) {
      FLOWKIT_ASSIGN_OR_RETURN(take, PassesFilter(table.MapRow(i), *filter));
    } else if (!headers && indexes) {
      take = IndexSelected(i, *indexes);
    }
    if (!take) continue;
    selected.push_back(i);
    if (first_only) break;
  }
  return selected;
}

// GetRow and GetCell: the first data row matching `filters` (with headers) or `index`.
Result<std::optional<size_t>> FirstMatch(const CsvTable& table, const Json& content) {
  std::optional<RowFilter> filter;
  std::optional<Json> indexes;
  if (table.options().with_headers) {
    FLOWKIT_ASSIGN_OR_RETURN(filter, ParseRowFilter(content["filters"]));
  } else {
    indexes = content["index"];
  }
  FLOWKIT_ASSIGN_OR_RETURN(std::vector<size_t> rows, SelectRows(table, filter, indexes, true));
  if (rows.empty()) return std::optional<size_t>();
  return std::optional<size_t>(rows.front());
}

Json FormatRow(const CsvTable& table, size_t i, const Json& row_format) {
  if (row_format.StringView() == "object" && table.options().with_headers) return table.MapRow(i);
  return table.RowValues(i);
}

class GetRow final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    CsvOptions options = CsvOptions::From(content, ctx.properties()["withHeaders"]);
    FLOWKIT_ASSIGN_OR_RETURN(CsvTable table, LoadCsv(ctx, file_id, options));
    FLOWKIT_ASSIGN_OR_RETURN(std::optional<size_t> match, FirstMatch(table, content));
    Json row = match ? FormatRow(table, *match, content["rowFormat"]) : Json();
    return ctx.Send("out", Json::MakeObject({{"fileId", content["fileId"]}, {"row", std::move(row)}}));
  }
};

class GetRows final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    const Json& properties = ctx.properties();
    CsvOptions options = CsvOptions::From(content, properties["withHeaders"]);
    FLOWKIT_ASSIGN_OR_RETURN(CsvTable table, LoadCsv(ctx, file_id, options));

    std::optional<RowFilter> filter;
    std::optional<Json> indexes;
    if (js::Truthy(properties["filterRows"])) {
      if (options.with_headers) {
        FLOWKIT_ASSIGN_OR_RETURN(filter, ParseRowFilter(content["filters"]));
      } else {
        indexes = content["indexes"];
      }
    }
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<size_t> selected, SelectRows(table, filter, indexes, false));

    // Appmixer accepts allAtOnce as the text "true" too.
    const Json& all_at_once = content["allAtOnce"];
    bool at_once = all_at_once.IsString() ? all_at_once.StringView() == "true" : js::Truthy(all_at_once);
    const Json& row_format = content["rowFormat"];
    if (at_once) {
      Json rows = Json::MakeArray();
      for (size_t i : selected) rows.Push(FormatRow(table, i, row_format));
      return ctx.Send("out", Json::MakeObject({{"fileId", content["fileId"]}, {"rows", std::move(rows)}}));
    }
    for (size_t i : selected) {
      FLOWKIT_RETURN_IF_ERROR(ctx.Send(
          "out", Json::MakeObject({{"fileId", content["fileId"]}, {"rows", FormatRow(table, i, row_format)}})));
    }
    return Status::OK();
  }
};

class GetCell final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    CsvOptions options = CsvOptions::From(content, ctx.properties()["withHeaders"]);
    FLOWKIT_ASSIGN_OR_RETURN(CsvTable table, LoadCsv(ctx, file_id, options));
    FLOWKIT_ASSIGN_OR_RETURN(std::optional<size_t> match, FirstMatch(table, content));

    // As in Appmixer, an unknown column name fails even when no row matched.
    std::optional<size_t> column;
    if (options.with_headers) {
      FLOWKIT_ASSIGN_OR_RETURN(column, table.HeaderIndex(js::ToString(content["column"])));
    } else {
      double n = js::ToNumber(content["columnIndex"]);
      if (n >= 0 && n < 1e9 && n == std::floor(n)) column = static_cast<size_t>(n);
    }

    // null when no row matched; undefined (left out) when the row has no such cell.
    Json cell;
    if (match) {
      const Row& row = table.rows()[*match];
      cell = column && *column < row.size() ? row[*column].value : Json::Undefined();
    }
    return ctx.Send("out", Json::MakeObject({{"fileId", content["fileId"]}, {"cell", std::move(cell)}}));
  }
};

class ExportCsv final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(in->Content()));
    FLOWKIT_ASSIGN_OR_RETURN(std::string text, ctx.files().Read(file_id));
    return ctx.Send("content", Json::MakeObject({{"content", std::move(text)}}));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewGetRow() { return std::make_unique<GetRow>(); }
std::unique_ptr<Behaviour> NewGetRows() { return std::make_unique<GetRows>(); }
std::unique_ptr<Behaviour> NewGetCell() { return std::make_unique<GetCell>(); }
std::unique_ptr<Behaviour> NewExportCsv() { return std::make_unique<ExportCsv>(); }

}  // namespace flowkit::components::csv
