// SaveToFile: a data store's records written to a new file, as CSV (json2csv's format, which
// Appmixer uses) or as a JSON array.
#include <algorithm>
#include <string>
#include <vector>

#include "components/csv/csv_format.h"
#include "components/input_util.h"
#include "components/storage/storage.h"
#include "util/js.h"

namespace flowkit::components::storage {
namespace {

// json2csv quotes every string (quotes doubled) and the header names; numbers and booleans
// stay bare; null and missing fields are empty; objects and arrays are their JSON text, quoted.
void AppendCell(const Json& value, std::string* out) {
  if (value.IsNullish()) return;
  std::string text;
  if (value.IsString()) {
    text = std::string(value.StringView());
  } else if (value.IsObject() || value.IsArray()) {
    text = value.Dump();
  } else {
    out->append(csv::CellText(value));
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// json2csv's flatten transform: nested objects become "a.b" fields; arrays stay whole.
void Flatten(const Json& value, const std::string& prefix, Json* out) {
  for (const JsonMember& member : value.object()) {
    std::string name = prefix.empty() ? member.key : prefix + "." + member.key;
    if (member.value.IsObject()) {
      Flatten(member.value, name, out);
    } else {
      out->Set(name, member.value);
    }
  }
}

// A value that is the JSON text of an object or array is read as that object or array.
Json ParsedValue(const Json& value) {
  if (!value.IsString()) return value;
  Result<Json> parsed = Json::Parse(value.StringView());
  if (parsed.ok() && (parsed->IsObject() || parsed->IsArray())) return std::move(parsed).value();
  return value;
}

std::string ToCsv(const std::vector<Json>& rows, const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCell(Json(fields[i]), &out);
  }
  for (const Json& row : rows) {
    out.push_back('\n');
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendCell(row[fields[i]], &out);
    }
  }
  return out;
}

class SaveToFile final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    FLOWKIT_ASSIGN_OR_RETURN(const Message* in, RequireInput(ctx, "in"));
    const Json& content = in->Content();
    const std::string store_id = js::ToString(content["storeId"]);
    if (content["storeId"].IsNullish() || store_id.empty()) return Status::InvalidArgument("storeId is required");
    const std::string file_name =
        content["fileName"].IsNullish() ? "new File" : js::ToString(content["fileName"]);
    FindOptions order;
    if (!content["sortBy"].IsNullish()) order.sort_by = js::ToString(content["sortBy"]);
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<StoreRecord> records,
                             ctx.stores().Find(store_id, Json::MakeObject(), order));

    std::string text;
    std::string content_type;
    if (content["fileType"].IsString() && content["fileType"].StringView() == "csv") {
      content_type = "text/csv";
      std::vector<Json> rows;
      rows.reserve(records.size());
      std::vector<std::string> fields;
      if (js::Truthy(content["flattenValue"])) {
        // Columns come from the first ten records, as Appmixer samples them.
        for (const StoreRecord& record : records) {
          Json row = Json::MakeObject();
          Flatten(Json::MakeObject({{"key", record.key}, {"value", ParsedValue(record.value)}}), "", &row);
          if (rows.size() < 10) {
            for (const JsonMember& member : row.object()) {
              if (std::find(fields.begin(), fields.end(), member.key) == fields.end()) fields.push_back(member.key);
            }
          }
          rows.push_back(std::move(row));
        }
      } else {
        fields = {"key", "value"};
        for (const StoreRecord& record : records) {
          rows.push_back(Json::MakeObject({{"key", record.key}, {"value", record.value}}));
        }
      }
      text = ToCsv(rows, fields);
    } else {
      content_type = "application/json";
      Json list = Json::MakeArray();
      for (const StoreRecord& record : records) list.Push(record.ToJson());
      text = list.Dump();
    }
    FLOWKIT_ASSIGN_OR_RETURN(FileInfo file, ctx.files().Save(file_name, text, content_type));
    return ctx.Send("out", Json::MakeObject({{"fileId", file.file_id},
                                             {"nRecords", static_cast<int64_t>(records.size())}}));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewSaveToFile() { return std::make_unique<SaveToFile>(); }

}  // namespace flowkit::components::storage
