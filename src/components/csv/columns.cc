// AddColumn, DeleteColumns, RenameColumn: rewrite a file's columns.
#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "components/csv/csv.h"
#include "components/csv/csv_processor.h"
#include "components/input_util.h"
#include "util/js.h"

namespace flowkit::components::csv {
namespace {

Json FileIdOutput(const FileInfo& info) { return Json::MakeObject({{"fileId", info.file_id}}); }

// Appmixer's `x || ''` for optional texts, keeping 0 and false (which it would blank).
Json OrEmpty(const Json& value) { return value.IsNullish() ? Json("") : value; }

class AddColumn final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    CsvOptions options = CsvOptions::From(content, ctx.properties()["withHeaders"]);

    std::string mode = js::Truthy(content["insertMode"]) ? js::ToString(content["insertMode"]) : "afterColumn";
    const Json& positioning_column = content["positioningColumn"];
    bool by_column = mode != "index" && options.with_headers && js::Truthy(positioning_column);
    // Appmixer takes `index` only when truthy, so it cannot insert at 0; any whole number >= 0
    // is a position here.
    double index = js::ToNumber(content["index"]);
    bool by_index = !content["index"].IsNullish() && index >= 0 && index < 1e9 && index == std::floor(index);
    if (!by_column && !by_index) return Status::InvalidArgument("No position specified for the new column");
    const Json& name = content["columnName"];
    if (options.with_headers && !js::Truthy(name)) {
      return Status::InvalidArgument("No name specified for the new column");
    }
    Json header_value = OrEmpty(name);
    Json default_value = OrEmpty(content["defaultValue"]);

    auto edit = [&](CsvTable& table) -> Status {
      size_t at = static_cast<size_t>(index);
      if (by_column) {
        FLOWKIT_ASSIGN_OR_RETURN(size_t column, table.HeaderIndex(js::ToString(positioning_column)));
        at = mode == "beforeColumn" ? column : column + 1;
      }
      std::vector<Row>& rows = table.rows();
      for (size_t i = 0; i < rows.size(); ++i) {
        const Json& value = i == 0 && options.with_headers ? header_value : default_value;
        // Past the end of a short row the cell goes last, as Array.prototype.splice does.
        Row& row = rows[i];
        row.insert(row.begin() + static_cast<std::ptrdiff_t>(std::min(at, row.size())), Cell{value, std::nullopt});
      }
      return Status::OK();
    };
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo info, EditCsv(ctx, file_id, options, edit));
    return ctx.Send("fileId", FileIdOutput(info));
  }
};

class DeleteColumns final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    CsvOptions options = CsvOptions::From(content, ctx.properties()["withHeaders"]);

    // Column names: "a,b" as Appmixer takes them (each name trimmed here, so "a, b" works), or
    // an array of names.
    std::vector<std::string> names;
    const Json& columns = content["columns"];
    if (columns.IsArray()) {
      for (const Json& name : columns.array()) names.push_back(js::ToString(name));
    } else if (js::Truthy(columns)) {
      std::string text = js::ToString(columns);
      std::string_view rest = text;
      while (true) {
        size_t comma = rest.find(',');
        names.emplace_back(TrimSpace(rest.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }

    auto edit = [&](CsvTable& table) -> Status {
      std::vector<bool> drop;
      if (options.with_headers) {
        for (const std::string& name : names) {
          FLOWKIT_ASSIGN_OR_RETURN(size_t column, table.HeaderIndex(name));
          if (drop.size() <= column) drop.resize(column + 1, false);
          drop[column] = true;
        }
      }
      for (Row& row : table.rows()) {
        Row kept;
        kept.reserve(row.size());
        for (size_t i = 0; i < row.size(); ++i) {
          bool remove = options.with_headers ? (i < drop.size() && drop[i])
                                             : IndexSelected(i, content["indexes"]);
          if (!remove) kept.push_back(std::move(row[i]));
        }
        row = std::move(kept);
      }
      return Status::OK();
    };
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo info, EditCsv(ctx, file_id, options, edit));
    return ctx.Send("fileId", FileIdOutput(info));
  }
};

class RenameColumn final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    FLOWKIT_ASSIGN_OR_RETURN(std::string file_id, RequireFileId(content));
    CsvOptions options = CsvOptions::From(content, Json(true));
    auto edit = [&](CsvTable& table) -> Status {
      FLOWKIT_ASSIGN_OR_RETURN(size_t column, table.HeaderIndex(js::ToString(content["columnName"])));
      table.rows()[0][column].Set(content["newColumnName"]);
      return Status::OK();
    };
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo info, EditCsv(ctx, file_id, options, edit));
    return ctx.Send("fileId", FileIdOutput(info));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewAddColumn() { return std::make_unique<AddColumn>(); }
std::unique_ptr<Behaviour> NewDeleteColumns() { return std::make_unique<DeleteColumns>(); }
std::unique_ptr<Behaviour> NewRenameColumn() { return std::make_unique<RenameColumn>(); }

}  // namespace flowkit::components::csv
