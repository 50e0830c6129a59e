// appmixer.utils.converters CSV2JSON and JSON2CSV: file-to-file conversions in the user's file
// store, with the CSV reader and writer of the csv components.
//
// CSV2JSON reads like Appmixer's (csv-parse with a header row, trimmed fields, "true"/"false"
// and decimal numbers cast, rows shorter or longer than the header allowed). JSON2CSV writes a
// header from the first object's keys and looks every row's values up by those keys; fields
// holding the delimiter, a quote or a line break are quoted (Appmixer's writer only wraps
// fields containing the delimiter and ends the file with a stray "]"; flowkit writes valid CSV).
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "components/builtin_registry.h"
#include "components/csv/csv_format.h"
#include "components/input_util.h"

namespace flowkit::components {
namespace converters {
namespace {

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
  if (!file_id.IsString() || file_id.StringView().empty()) return Status::InvalidArgument("fileId is required");
  FLOWKIT_ASSIGN_OR_RETURN(FileInfo info, ctx.files().Info(file_id.StringView()));
  FLOWKIT_ASSIGN_OR_RETURN(*content, ctx.files().Read(file_id.StringView()));
  return info;
}

Status SendSaved(Context& ctx, const FileInfo& saved) {
  return ctx.Send("out", Json::MakeObject({{"fileId", saved.file_id}, {"fileName", saved.filename}}));
}

class Csv2Json final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    std::vector<csv::CsvRecord> records = csv::ParseCsv(text);
    Json rows = Json::MakeArray();
    if (!records.empty()) {
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
    }
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo saved,
                             ctx.files().Save(Stem(source.filename) + ".json", rows.DumpPretty(4), "application/json"));
    return SendSaved(ctx, saved);
  }
};

class Json2Csv final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    std::string text;
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo source, Source(ctx, &text));
    Result<Json> parsed = Json::Parse(text);
    if (!parsed.ok()) {
      return Status::InvalidArgument("file '" + source.filename + "' is not JSON: " + parsed.status().message());
    }
    // The elements of the top-level array, or the values of the top-level object (JSONStream's '*').
    std::vector<const Json*> items;
    if (parsed->IsArray()) {
      for (const Json& item : parsed->array()) items.push_back(&item);
    } else if (parsed->IsObject()) {
      for (const JsonMember& member : parsed->object()) items.push_back(&member.value);
    } else {
      return Status::InvalidArgument("file '" + source.filename + "' holds " + parsed->Dump() +
                                     ", not an array or object of objects");
    }
    std::vector<std::string> header;
    std::string out;
    for (const Json* item : items) {
      if (!item->IsObject()) {
        return Status::InvalidArgument("file '" + source.filename + "': every element must be an object, got " +
                                       item->Dump());
      }
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
    }
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo saved, ctx.files().Save(Stem(source.filename) + ".csv", out, "text/csv"));
    return SendSaved(ctx, saved);
  }
};

}  // namespace
}  // namespace converters

Status RegisterConvertersComponents(ComponentRegistry& registry) {
  constexpr ComponentOptions kConcurrent{.concurrent = true};
  const std::array<BuiltinComponent, 2> table = {{
      {"appmixer.utils.converters.CSV2JSON", [] { return std::make_unique<converters::Csv2Json>(); }, kConcurrent},
      {"appmixer.utils.converters.JSON2CSV", [] { return std::make_unique<converters::Json2Csv>(); }, kConcurrent},
  }};
  return RegisterBuiltinTable(registry, table);
}

}  // namespace flowkit::components
