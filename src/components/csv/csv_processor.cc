#include "components/csv/csv_processor.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <utility>

#include "util/js.h"
#include "util/regex.h"

namespace flowkit::components::csv {
namespace {

// Header names are object keys in Appmixer, so a header read as a number (2020) is "2020".
std::string HeaderName(const Json& value) { return js::ToString(value); }

// JavaScript parseInt(text, 10) for non-negative results: leading white space, an optional
// '+', then digits; nullopt for NaN (and for values past int64, which select nothing anyway).
std::optional<uint64_t> ParseIntPrefix(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || (text[i] >= '\t' && text[i] <= '\r'))) ++i;
  if (i < text.size() && text[i] == '+') ++i;
  uint64_t value = 0;
  size_t digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  return value;
}

// One part of an index expression. A range is the digits around the first '-' (Appmixer
// matches /([0-9]*)-([0-9]*)/ anywhere in the part); a missing bound selects nothing.
bool PartSelects(size_t index, std::string_view part) {
  size_t dash = part.find('-');
  if (dash == std::string_view::npos) {
    std::optional<uint64_t> n = ParseIntPrefix(part);
    return n && *n == index;
  }
  size_t lo_begin = dash;
  while (lo_begin > 0 && part[lo_begin - 1] >= '0' && part[lo_begin - 1] <= '9') --lo_begin;
  size_t hi_end = dash + 1;
  while (hi_end < part.size() && part[hi_end] >= '0' && part[hi_end] <= '9') ++hi_end;
  std::optional<uint64_t> lo = ParseIntPrefix(part.substr(lo_begin, dash - lo_begin));
  std::optional<uint64_t> hi = ParseIntPrefix(part.substr(dash + 1, hi_end - dash - 1));
  return lo && hi && index >= *lo && index <= *hi;
}

Result<FilterClause> ReadClause(const Json& clause) {
  if (!clause.IsObject()) return Status::InvalidArgument("filter clause must be an object: " + clause.Dump());
  FilterClause c;
  const Json& column = clause["column"];
  c.column = column.IsNullish() ? std::string() : js::ToString(column);
  c.op = js::ToString(clause["operator"]);
  c.value = clause["value"];
  return c;
}

Status AppendClauses(const Json& clauses, std::vector<FilterClause>* group) {
  if (!clauses.IsArray()) return Status::InvalidArgument("filter clauses must be an array: " + clauses.Dump());
  for (const Json& clause : clauses.array()) {
    FLOWKIT_ASSIGN_OR_RETURN(FilterClause c, ReadClause(clause));
    group->push_back(std::move(c));
  }
  return Status::OK();
}

Result<bool> ClauseHolds(const Json& mapped_row, const FilterClause& clause) {
  const Json& cell = mapped_row[clause.column];
  const std::string& op = clause.op;
  if (op == "=") return js::LooseEquals(cell, clause.value);
  if (op == "!=") return !js::LooseEquals(cell, clause.value);
  if (op == ">") return js::GreaterThan(cell, clause.value);
  if (op == ">=") return js::GreaterOrEqual(cell, clause.value);
  if (op == "<") return js::LessThan(cell, clause.value);
  if (op == "<=") return js::LessOrEqual(cell, clause.value);
  if (op == "regex") {
    // Appmixer calls cell.match(), which throws for a missing or non-string cell; a missing
    // cell simply does not match here, and numbers are matched as text.
    if (cell.IsNullish()) return false;
    FLOWKIT_ASSIGN_OR_RETURN(std::shared_ptr<const Regex> re,
                             RegexCache::Default().Get(js::ToString(clause.value)));
    return re->Test(js::ToString(cell));
  }
  return false;
}

int64_t LockTtlMs(const Json& config) {
  // Appmixer: parseInt(config.lockTTL) || 60000.
  const Json& ttl = config["lockTTL"];
  double ms = ttl.IsString() ? js::ParseFloat(ttl) : js::NumberValue(ttl);
  return ms >= 1 ? static_cast<int64_t>(ms) : 60000;
}

}  // namespace

CsvOptions CsvOptions::From(const Json& content, const Json& with_headers) {
  CsvOptions options;
  options.with_headers = with_headers.IsBool() ? with_headers.AsBool() : true;
  const Json& delimiter = content["delimiter"];
  if (js::Truthy(delimiter)) options.delimiter = js::ToString(delimiter);
  const Json& numbers = content["parseNumbers"];
  if (numbers.IsBool()) options.cells.parse_numbers = numbers.AsBool();
  const Json& booleans = content["parseBooleans"];
  if (booleans.IsBool()) options.cells.parse_booleans = booleans.AsBool();
  return options;
}

CsvTable CsvTable::Parse(std::string_view text, const CsvOptions& options) {
  CsvTable table;
  table.options_ = options;
  std::vector<CsvRecord> records = ParseCsv(text, options.delimiter);
  table.rows_.reserve(records.size());
  for (CsvRecord& record : records) {
    Row row;
    row.reserve(record.size());
    for (std::string& field : record) {
      Json value = CellValue(field, options.cells);
      row.push_back(Cell{std::move(value), std::move(field)});
    }
    table.rows_.push_back(std::move(row));
  }
  return table;
}

Result<std::vector<std::string>> CsvTable::Headers() const {
  if (!options_.with_headers) {
    return Status::FailedPrecondition("the file was declared to have no column headers");
  }
  std::vector<std::string> names;
  if (rows_.empty()) return names;
  names.reserve(rows_[0].size());
  for (const Cell& cell : rows_[0]) names.push_back(HeaderName(cell.value));
  return names;
}

Result<size_t> CsvTable::HeaderIndex(std::string_view name) const {
  FLOWKIT_ASSIGN_OR_RETURN(std::vector<std::string> names, Headers());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  return Status::InvalidArgument("The " + std::string(name) + " header was not found");
}

Json CsvTable::MapRow(size_t i) const {
  Json mapped = Json::MakeObject();
  if (!options_.with_headers || rows_.empty() || i >= rows_.size()) return mapped;
  const Row& row = rows_[i];
  const Row& header = rows_[0];
  for (size_t col = 0; col < header.size(); ++col) {
    std::string name = HeaderName(header[col].value);
    // A repeated header maps to its first column, as Appmixer's findIndex does.
    if (mapped.Contains(name)) continue;
    mapped.Set(name, col < row.size() ? row[col].value : Json::Undefined());
  }
  return mapped;
}

Json CsvTable::RowValues(size_t i) const {
  Json values = Json::MakeArray();
  if (i >= rows_.size()) return values;
  for (const Cell& cell : rows_[i]) values.Push(cell.value);
  return values;
}

std::string CsvTable::Serialize() const {
  std::string out;
  std::vector<std::string> texts;
  for (const Row& row : rows_) {
    texts.clear();
    for (const Cell& cell : row) texts.push_back(cell.Text());
    AppendCsvRecord(texts, options_.delimiter, &out);
  }
  return out;
}

Result<RowFilter> ParseRowFilter(const Json& filters) {
  if (filters.IsNullish()) return Status::InvalidArgument("filters are required");
  Json parsed;
  const Json* expression = &filters;
  if (filters.IsString()) {
    // A variable may carry the expression as JSON text.
    Result<Json> from_text = Json::Parse(filters.StringView());
    if (!from_text.ok()) return Status::InvalidArgument("filters: " + from_text.status().message());
    parsed = std::move(from_text).value();
    expression = &parsed;
  }
  if (!expression->IsObject()) return Status::InvalidArgument("filters must be an object: " + expression->Dump());
  RowFilter filter;
  for (const JsonMember& member : expression->object()) {
    if (member.key == "OR") {
      if (!member.value.IsArray()) return Status::InvalidArgument("filters.OR must be an array");
      for (const Json& and_object : member.value.array()) {
        std::vector<FilterClause> group;
        for (const JsonMember& level : and_object.object()) {
          FLOWKIT_RETURN_IF_ERROR(AppendClauses(level.value, &group));
        }
        filter.push_back(std::move(group));
      }
    } else if (member.key == "AND") {
      std::vector<FilterClause> group;
      FLOWKIT_RETURN_IF_ERROR(AppendClauses(member.value, &group));
      filter.push_back(std::move(group));
    } else {
      return Status::InvalidArgument("filters: unexpected key '" + member.key + "'");
    }
  }
  return filter;
}

Result<bool> PassesFilter(const Json& mapped_row, const RowFilter& filter) {
  if (filter.empty()) return true;
  for (const std::vector<FilterClause>& group : filter) {
    bool all = true;
    for (const FilterClause& clause : group) {
      FLOWKIT_ASSIGN_OR_RETURN(bool holds, ClauseHolds(mapped_row, clause));
      if (!holds) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

Json ColumnValues(const Json& values) {
  Json map = Json::MakeObject();
  auto add = [&map](const Json& pair) {
    if (!pair.IsObject()) return;
    const Json& column = pair["column"];
    map.Set(column.IsNullish() ? std::string() : js::ToString(column), pair["value"]);
  };
  for (const JsonMember& level : values.object()) {
    for (const Json& item : level.value.array()) {
      if (level.key == "OR") {
        // Appmixer nests {AND: [...]} groups under OR; their pairs are taken in order.
        for (const JsonMember& inner : item.object()) {
          for (const Json& pair : inner.value.array()) add(pair);
        }
      } else {
        add(item);
      }
    }
  }
  return map;
}

bool IndexSelected(size_t index, const Json& expression) {
  // Appmixer: (expression + '').split(','), so undefined is "undefined" and selects nothing.
  std::string text = js::ToString(expression);
  std::string_view rest = text;
  while (true) {
    size_t comma = rest.find(',');
    if (PartSelects(index, rest.substr(0, comma))) return true;
    if (comma == std::string_view::npos) return false;
    rest.remove_prefix(comma + 1);
  }
}

Result<CsvTable> LoadCsv(Context& ctx, std::string_view file_id, const CsvOptions& options) {
  FLOWKIT_ASSIGN_OR_RETURN(std::string text, ctx.files().Read(file_id));
  return CsvTable::Parse(text, options);
}

Result<FileInfo> EditCsv(Context& ctx, std::string_view file_id, const CsvOptions& options,
                         const std::function<Status(CsvTable&)>& edit) {
  FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<LockHandle> lock, ctx.Lock(file_id));
  FLOWKIT_ASSIGN_OR_RETURN(CsvTable table, LoadCsv(ctx, file_id, options));
  FLOWKIT_RETURN_IF_ERROR(edit(table));
  Result<FileInfo> replaced = ctx.files().Replace(file_id, table.Serialize());
  lock->Unlock();
  return replaced;
}

Result<FileInfo> AppendCsvRows(Context& ctx, std::string_view file_id, const CsvOptions& options,
                               const Json& rows) {
  if (!rows.IsArray()) return Status::InvalidArgument("rows must be an array: " + rows.Dump());
  LockOptions lock_options;
  lock_options.ttl_ms = LockTtlMs(ctx.config());
  FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<LockHandle> lock, ctx.Lock(file_id, lock_options));
  FLOWKIT_ASSIGN_OR_RETURN(std::string text, ctx.files().Read(file_id));

  std::vector<std::string> headers;
  if (options.with_headers) {
    std::vector<CsvRecord> first = ParseCsv(text, options.delimiter, 1);
    if (first.empty()) return Status::InvalidArgument("the file has no header row to map the row columns to");
    for (const std::string& field : first[0]) headers.push_back(HeaderName(CellValue(field, options.cells)));
  }

  // Appmixer appends "\n" only when the last line lacks one; an empty file needs none.
  if (!text.empty() && text.back() != '\n') text.push_back('\n');
  bool all_empty = true;
  std::vector<std::string> fields;
  for (const Json& row : rows.array()) {
    fields.clear();
    if (options.with_headers) {
      // Appmixer writes `row[header] || ''`, which also blanks 0 and false; only missing and
      // null members are blank here.
      for (const std::string& header : headers) fields.push_back(CellText(row[header]));
    } else {
      if (!row.IsArray()) return Status::InvalidArgument("Unexpected row data format: " + row.Dump());
      for (const Json& cell : row.array()) fields.push_back(CellText(cell));
    }
    for (const std::string& field : fields) all_empty = all_empty && field.empty();
    AppendCsvRecord(fields, options.delimiter, &text);
  }
  if (all_empty) {
    ctx.Log(Json::MakeObject({{"warning", "Empty rows added"},
                              {"details", "every added cell is empty; check the row data and the delimiter"}}),
            LogLevel::kWarning);
  }
  Result<FileInfo> replaced = ctx.files().Replace(file_id, text);
  lock->Unlock();
  return replaced;
}

Result<std::string> RequireFileId(const Json& content) {
  const Json& file_id = content["fileId"];
  if (file_id.IsNullish() || (file_id.IsString() && file_id.empty())) {
    return Status::InvalidArgument("fileId is required");
  }
  return file_id.IsString() ? file_id.AsString() : js::ToString(file_id);
}

}  // namespace flowkit::components::csv
