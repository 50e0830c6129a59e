#include "store/query.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "util/js.h"

namespace flowkit::store {
namespace {

struct OpName {
  std::string_view name;
  QueryOp op;
};
constexpr OpName kOps[] = {
    {"$eq", QueryOp::kEq},   {"$ne", QueryOp::kNe},         {"$gt", QueryOp::kGt},
    {"$gte", QueryOp::kGte}, {"$lt", QueryOp::kLt},         {"$lte", QueryOp::kLte},
    {"$in", QueryOp::kIn},   {"$nin", QueryOp::kNin},       {"$exists", QueryOp::kExists},
    {"$regex", QueryOp::kRegex},
};

std::optional<QueryOp> FindOp(std::string_view name) {
  for (const OpName& entry : kOps) {
    if (entry.name == name) return entry.op;
  }
  return std::nullopt;
}

bool IsTimeField(std::string_view path) { return path == "createdAt" || path == "updatedAt"; }

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> steps;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    steps.emplace_back(path.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return steps;
}

std::optional<size_t> ParseIndex(std::string_view step) {
  size_t index = 0;
  auto [end, ec] = std::from_chars(step.data(), step.data() + step.size(), index);
  if (ec != std::errc() || end != step.data() + step.size() || step.empty()) return std::nullopt;
  return index;
}

const Json* Descend(const Json& root, const std::vector<std::string>& steps, size_t first) {
  const Json* current = &root;
  for (size_t i = first; i < steps.size(); ++i) {
    if (current->IsObject()) {
      current = current->Find(steps[i]);
    } else if (current->IsArray()) {
      std::optional<size_t> index = ParseIndex(steps[i]);
      if (!index || *index >= current->size()) return nullptr;
      current = &current->At(*index);
    } else {
      return nullptr;
    }
    if (current == nullptr || current->IsUndefined()) return nullptr;
  }
  return current;
}

Json FieldBySteps(const StoreRecord& record, const std::vector<std::string>& steps) {
  const std::string& head = steps.front();
  if (head == "key") return steps.size() == 1 ? Json(record.key) : Json::Undefined();
  if (head == "createdAt") return steps.size() == 1 ? Json(record.created_ms) : Json::Undefined();
  if (head == "updatedAt") return steps.size() == 1 ? Json(record.updated_ms) : Json::Undefined();
  if (head == "value") {
    const Json* found = Descend(record.value, steps, 1);
    return found ? *found : Json::Undefined();
  }
  return Json::Undefined();
}

// Operands of time fields may be written as date text; compare them as epoch ms.
Result<Json> NormalizeOperand(std::string_view path, std::string_view op, Json operand) {
  if (!IsTimeField(path) || !operand.IsString()) return operand;
  std::optional<int64_t> ms = js::ParseDateString(operand.StringView());
  if (!ms) {
    return Status::InvalidArgument("query field '" + std::string(path) + "': " + std::string(op) +
                                   " operand \"" + operand.AsString() + "\" is not a date");
  }
  return Json(*ms);
}

int TypeRank(const Json& value) {
  switch (value.type()) {
    case Json::Type::kUndefined:
    case Json::Type::kNull:
      return 0;
    case Json::Type::kNumber:
      return 1;
    case Json::Type::kString:
      return 2;
    case Json::Type::kObject:
      return 3;
    case Json::Type::kArray:
      return 4;
    case Json::Type::kBool:
      return 5;
  }
  return 0;
}

// Ordering for $gt and friends: only numbers with numbers, strings with strings.
std::optional<int> CompareSameKind(const Json& a, const Json& b) {
  if (a.IsNumber() && b.IsNumber()) {
    if (a.IsInteger() && b.IsInteger()) {
      return a.AsInt() < b.AsInt() ? -1 : (a.AsInt() > b.AsInt() ? 1 : 0);
    }
    double x = js::NumberValue(a), y = js::NumberValue(b);
    if (x != x || y != y) return std::nullopt;  // NaN
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.IsString() && b.IsString()) {
    int c = a.StringView().compare(b.StringView());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

Result<QueryCondition> MakeCondition(std::string_view path, std::string_view op_name, QueryOp op,
                                     const Json& raw_operand, const Json* options) {
  QueryCondition condition;
  condition.path = std::string(path);
  condition.steps = SplitPath(path);
  condition.op = op;
  const std::string where = "query field '" + std::string(path) + "': " + std::string(op_name);
  switch (op) {
    case QueryOp::kIn:
    case QueryOp::kNin: {
      if (!raw_operand.IsArray()) return Status::InvalidArgument(where + " needs an array");
      Json list = Json::MakeArray();
      for (const Json& item : raw_operand.array()) {
        FLOWKIT_ASSIGN_OR_RETURN(Json normalized, NormalizeOperand(path, op_name, item));
        list.Push(std::move(normalized));
      }
      condition.operand = std::move(list);
      break;
    }
    case QueryOp::kExists:
      if (!raw_operand.IsBool()) return Status::InvalidArgument(where + " needs true or false");
      condition.operand = raw_operand;
      break;
    case QueryOp::kRegex: {
      if (!raw_operand.IsString()) return Status::InvalidArgument(where + " needs a string pattern");
      std::string flags;
      if (options != nullptr) {
        if (!options->IsString()) return Status::InvalidArgument(where + ": $options must be a string");
        flags = options->AsString();
      }
      // Cached: the same Find runs once per message of a flow.
      auto regex = RegexCache::Default().Get(raw_operand.StringView(), flags);
      if (!regex.ok()) return regex.status().WithPrefix(where);
      condition.regex = *regex;
      condition.operand = raw_operand;
      break;
    }
    case QueryOp::kGt:
    case QueryOp::kGte:
    case QueryOp::kLt:
    case QueryOp::kLte: {
      FLOWKIT_ASSIGN_OR_RETURN(condition.operand, NormalizeOperand(path, op_name, raw_operand));
      if (!condition.operand.IsNumber() && !condition.operand.IsString()) {
        return Status::InvalidArgument(where + " needs a number or a string");
      }
      break;
    }
    case QueryOp::kEq:
    case QueryOp::kNe:
      if (raw_operand.IsUndefined()) return Status::InvalidArgument(where + " needs a value");
      FLOWKIT_ASSIGN_OR_RETURN(condition.operand, NormalizeOperand(path, op_name, raw_operand));
      break;
  }
  return condition;
}

bool IsOperatorObject(const Json& value) {
  if (!value.IsObject() || value.empty()) return false;
  for (const JsonMember& member : value.object()) {
    if (!member.key.empty() && member.key.front() == '$') return true;
  }
  return false;
}

}  // namespace

Status ValidateFieldPath(std::string_view path) {
  if (path == "key" || path == "value" || IsTimeField(path)) return Status::OK();
  if (path.starts_with("value.")) {
    for (const std::string& step : SplitPath(path)) {
      if (step.empty()) {
        return Status::InvalidArgument("field path '" + std::string(path) + "' has an empty step");
      }
    }
    return Status::OK();
  }
  return Status::InvalidArgument("unknown field '" + std::string(path) +
                                 "' (expected key, value, value.<path>, createdAt or updatedAt)");
}

Result<Query> Query::Compile(const Json& query) {
  Query compiled;
  if (query.IsNullish()) return compiled;
  if (!query.IsObject()) return Status::InvalidArgument("query must be an object");
  for (const JsonMember& member : query.object()) {
    const std::string& path = member.key;
    if (path == "$and" || path == "$or") {
      if (!member.value.IsArray() || member.value.empty()) {
        return Status::InvalidArgument("query " + path + " needs a non-empty array of queries");
      }
      std::vector<Query> parts;
      for (const Json& part : member.value.array()) {
        auto sub = Compile(part);
        if (!sub.ok()) return sub.status().WithPrefix("query " + path);
        parts.push_back(std::move(*sub));
      }
      if (path == "$and") {
        for (Query& part : parts) compiled.all_of_.push_back(std::move(part));
      } else {
        compiled.any_of_.push_back(std::move(parts));
      }
      continue;
    }
    if (!path.empty() && path.front() == '$') {
      return Status::InvalidArgument("unknown query operator '" + path + "' at the top level");
    }
    FLOWKIT_RETURN_IF_ERROR(ValidateFieldPath(path));
    if (!IsOperatorObject(member.value)) {
      FLOWKIT_ASSIGN_OR_RETURN(QueryCondition condition,
                               MakeCondition(path, "$eq", QueryOp::kEq, member.value, nullptr));
      compiled.conditions_.push_back(std::move(condition));
      continue;
    }
    const Json* options = member.value.Find("$options");
    if (options != nullptr && member.value.Find("$regex") == nullptr) {
      return Status::InvalidArgument("query field '" + path + "': $options without $regex");
    }
    for (const JsonMember& op_member : member.value.object()) {
      if (op_member.key == "$options") continue;
      std::optional<QueryOp> op = FindOp(op_member.key);
      if (!op) {
        if (op_member.key.empty() || op_member.key.front() != '$') {
          return Status::InvalidArgument("query field '" + path + "' mixes operators with the field '" +
                                         op_member.key + "'");
        }
        return Status::InvalidArgument("query field '" + path + "': unknown operator '" +
                                       op_member.key + "'");
      }
      FLOWKIT_ASSIGN_OR_RETURN(QueryCondition condition,
                               MakeCondition(path, op_member.key, *op, op_member.value, options));
      compiled.conditions_.push_back(std::move(condition));
    }
  }
  return compiled;
}

Result<bool> Query::Matches(const StoreRecord& record) const {
  for (const QueryCondition& condition : conditions_) {
    const Json field = FieldBySteps(record, condition.steps);
    const bool missing = field.IsUndefined();
    bool ok = false;
    switch (condition.op) {
      case QueryOp::kEq:
        ok = !missing && field == condition.operand;
        break;
      case QueryOp::kNe:
        ok = missing || !(field == condition.operand);
        break;
      case QueryOp::kGt:
      case QueryOp::kGte:
      case QueryOp::kLt:
      case QueryOp::kLte: {
        std::optional<int> c = missing ? std::nullopt : CompareSameKind(field, condition.operand);
        if (c) {
          ok = condition.op == QueryOp::kGt    ? *c > 0
               : condition.op == QueryOp::kGte ? *c >= 0
               : condition.op == QueryOp::kLt  ? *c < 0
                                               : *c <= 0;
        }
        break;
      }
      case QueryOp::kIn:
      case QueryOp::kNin: {
        bool found = false;
        if (!missing) {
          const Json::Array& list = condition.operand.array();
          found = std::any_of(list.begin(), list.end(), [&](const Json& v) { return v == field; });
        }
        ok = condition.op == QueryOp::kIn ? found : !found;
        break;
      }
      case QueryOp::kExists:
        ok = missing != condition.operand.AsBool();
        break;
      case QueryOp::kRegex:
        if (field.IsString()) {
          FLOWKIT_ASSIGN_OR_RETURN(ok, condition.regex->Test(field.StringView()));
        }
        break;
    }
    if (!ok) return false;
  }
  for (const Query& part : all_of_) {
    FLOWKIT_ASSIGN_OR_RETURN(bool ok, part.Matches(record));
    if (!ok) return false;
  }
  for (const std::vector<Query>& group : any_of_) {
    bool any = false;
    for (const Query& part : group) {
      FLOWKIT_ASSIGN_OR_RETURN(any, part.Matches(record));
      if (any) break;
    }
    if (!any) return false;
  }
  return true;
}

Json RecordField(const StoreRecord& record, std::string_view path) {
  return FieldBySteps(record, SplitPath(path));
}

int CompareForSort(const Json& a, const Json& b) {
  int ra = TypeRank(a), rb = TypeRank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.type()) {
    case Json::Type::kNumber:
    case Json::Type::kString:
      return CompareSameKind(a, b).value_or(0);
    case Json::Type::kBool:
      return static_cast<int>(a.AsBool()) - static_cast<int>(b.AsBool());
    case Json::Type::kArray:
    case Json::Type::kObject: {
      // No natural order; compare the JSON text so the result is at least deterministic.
      int c = a.Dump().compare(b.Dump());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return 0;
  }
}

Status ApplyFindOptions(const FindOptions& options, std::vector<StoreRecord>* records) {
  if (options.offset < 0) return Status::InvalidArgument("find offset must not be negative");
  if (!options.sort_by.empty()) {
    FLOWKIT_RETURN_IF_ERROR(ValidateFieldPath(options.sort_by).WithPrefix("sort"));
    const std::vector<std::string> steps = SplitPath(options.sort_by);
    std::vector<std::pair<Json, size_t>> keys;
    keys.reserve(records->size());
    for (size_t i = 0; i < records->size(); ++i) keys.emplace_back(FieldBySteps((*records)[i], steps), i);
    std::stable_sort(keys.begin(), keys.end(), [&](const auto& x, const auto& y) {
      int c = CompareForSort(x.first, y.first);
      return options.descending ? c > 0 : c < 0;
    });
    std::vector<StoreRecord> sorted;
    sorted.reserve(records->size());
    for (const auto& entry : keys) sorted.push_back(std::move((*records)[entry.second]));
    *records = std::move(sorted);
  }
  const size_t offset = static_cast<size_t>(options.offset);
  if (offset >= records->size()) {
    records->clear();
    return Status::OK();
  }
  records->erase(records->begin(), records->begin() + static_cast<std::ptrdiff_t>(offset));
  if (options.limit >= 0 && static_cast<size_t>(options.limit) < records->size()) {
    records->resize(static_cast<size_t>(options.limit));
  }
  return Status::OK();
}

}  // namespace flowkit::store
