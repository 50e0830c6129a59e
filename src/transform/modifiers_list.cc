// List modifiers. Strings count as lists of characters where JavaScript's indexing would
// (g_first, g_last, g_at, g_slice, g_reverse); anything else is an empty list.
#include <algorithm>
#include <cmath>
#include <string>

#include "transform/modifiers_internal.h"
#include "util/js.h"

namespace flowkit::modifiers {
namespace {

Json CharAt(const std::u32string& cps, size_t i) {
  return Json(js::EncodeUtf8(std::u32string_view(cps).substr(i, 1)));
}

// A relative index as Array.prototype.at / slice resolve it; nullopt when out of range for at().
std::optional<size_t> ResolveAt(double d, size_t length) {
  if (std::isnan(d)) d = 0;
  d = std::trunc(d);
  if (d < 0) d += static_cast<double>(length);
  if (d < 0 || d >= static_cast<double>(length)) return std::nullopt;
  return static_cast<size_t>(d);
}

size_t ResolveSlice(double d, size_t length) {
  if (std::isnan(d)) return 0;
  d = std::trunc(d);
  if (d < 0) d = std::max(0.0, d + static_cast<double>(length));
  return static_cast<size_t>(std::min(d, static_cast<double>(length)));
}

Result<Json> ElementAt(const ModifierCall& call, std::string_view name, double index) {
  if (call.value.IsArray()) {
    auto i = ResolveAt(index, call.value.size());
    return i ? call.value.At(*i) : Json::Undefined();
  }
  if (call.value.IsString()) {
    std::u32string cps = js::DecodeUtf8(call.value.StringView());
    auto i = ResolveAt(index, cps.size());
    return i ? CharAt(cps, *i) : Json::Undefined();
  }
  (void)name;
  return Json::Undefined();
}

Result<Json> At(const ModifierCall& call) {
  const Json& arg = HashOrParam(call, "index", 0);
  if (arg.IsUndefined()) return Error("g_at", "needs an index");
  FLOWKIT_ASSIGN_OR_RETURN(double index, RequireNumber("g_at", "index", arg));
  return ElementAt(call, "g_at", index);
}

Result<Json> Slice(const ModifierCall& call) {
  const Json& start_arg = HashOrParam(call, "start", 0);
  const Json& end_arg = HashOrParam(call, "end", 1);
  auto bounds = [&](size_t length) -> Result<std::pair<size_t, size_t>> {
    double start = 0, end = static_cast<double>(length);
    if (!start_arg.IsNullish()) {
      FLOWKIT_ASSIGN_OR_RETURN(start, RequireNumber("g_slice", "start", start_arg));
    }
    if (!end_arg.IsNullish() && !(end_arg.IsString() && end_arg.StringView().empty())) {
      FLOWKIT_ASSIGN_OR_RETURN(end, RequireNumber("g_slice", "end", end_arg));
    }
    size_t a = ResolveSlice(start, length), b = ResolveSlice(end, length);
    return std::make_pair(a, std::max(a, b));
  };
  if (call.value.IsArray()) {
    FLOWKIT_ASSIGN_OR_RETURN(auto ab, bounds(call.value.size()));
    const auto& items = call.value.array();
    return Json(Json::Array(items.begin() + static_cast<ptrdiff_t>(ab.first),
                            items.begin() + static_cast<ptrdiff_t>(ab.second)));
  }
  if (call.value.IsString()) {
    std::u32string cps = js::DecodeUtf8(call.value.StringView());
    FLOWKIT_ASSIGN_OR_RETURN(auto ab, bounds(cps.size()));
    return Json(js::EncodeUtf8(std::u32string_view(cps).substr(ab.first, ab.second - ab.first)));
  }
  if (call.value.IsNullish()) return call.value;
  return Error("g_slice", "expects a list or text, got " + Describe(call.value));
}

Result<Json> Reverse(const ModifierCall& call) {
  if (call.value.IsArray()) {
    Json::Array items = call.value.array();
    std::reverse(items.begin(), items.end());
    return Json(std::move(items));
  }
  if (call.value.IsString()) {
    std::u32string cps = js::DecodeUtf8(call.value.StringView());
    std::reverse(cps.begin(), cps.end());
    return Json(js::EncodeUtf8(cps));
  }
  return call.value;
}

// Sort order across types: numbers, then strings, then booleans, then everything else;
// null/undefined last (as JavaScript's sort puts undefined last).
int Rank(const Json& v) {
  switch (v.type()) {
    case Json::Type::kNumber:
      return 0;
    case Json::Type::kString:
      return 1;
    case Json::Type::kBool:
      return 2;
    case Json::Type::kArray:
    case Json::Type::kObject:
      return 3;
    default:
      return 4;
  }
}

bool Before(const Json& a, const Json& b) {
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra < rb;
  if (a.IsNumber()) return js::NumberValue(a) < js::NumberValue(b);
  if (a.IsString()) return a.StringView() < b.StringView();
  if (a.IsBool()) return !a.AsBool() && b.AsBool();
  if (ra == 3) return a.Dump() < b.Dump();
  return false;
}

Result<Json> Sort(const ModifierCall& call) {
  if (!call.value.IsArray()) return call.value;
  const Json& path_arg = HashOrParam(call, "path", 0);
  const Json& order_arg = HashOrParam(call, "order", 1);
  std::string path = path_arg.IsNullish() ? "" : js::ToString(path_arg);
  std::string order = order_arg.IsNullish() ? "asc" : js::ToString(order_arg);
  if (order != "asc" && order != "desc" && !order.empty()) {
    return Error("g_sort", "order must be asc or desc, got \"" + order + "\"");
  }
  bool descending = order == "desc";
  struct Keyed {
    Json key;
    const Json* item;
  };
  std::vector<Keyed> keyed;
  for (const Json& item : call.value.array()) {
    if (path.empty()) {
      keyed.push_back({item, &item});
    } else {
      auto key = GetPath(item, path);
      if (!key.ok()) return Error("g_sort", key.status().message());
      keyed.push_back({std::move(*key), &item});
    }
  }
  std::stable_sort(keyed.begin(), keyed.end(), [descending](const Keyed& a, const Keyed& b) {
    // Missing keys stay last in either order.
    if (a.key.IsNullish() != b.key.IsNullish()) return b.key.IsNullish();
    return descending ? Before(b.key, a.key) : Before(a.key, b.key);
  });
  Json::Array out;
  out.reserve(keyed.size());
  for (const auto& k : keyed) out.push_back(*k.item);
  return Json(std::move(out));
}

Result<Json> Unique(const ModifierCall& call) {
  if (!call.value.IsArray()) return call.value;
  Json::Array out;
  for (const Json& item : call.value.array()) {
    // SameValueZero, with arrays and objects compared by value.
    bool seen = std::any_of(out.begin(), out.end(), [&](const Json& o) {
      if (item.IsNumber() && o.IsNumber() && std::isnan(js::NumberValue(item)) &&
          std::isnan(js::NumberValue(o))) {
        return true;
      }
      return js::StrictEquals(item, o);
    });
    if (!seen) out.push_back(item);
  }
  return Json(std::move(out));
}

void FlattenInto(const Json& items, double depth, Json::Array* out) {
  for (const Json& item : items.array()) {
    if (item.IsArray() && depth >= 1) {
      FlattenInto(item, depth - 1, out);
    } else {
      out->push_back(item);
    }
  }
}

Result<Json> Flatten(const ModifierCall& call) {
  if (!call.value.IsArray()) return call.value;
  const Json& depth_arg = HashOrParam(call, "depth", 0);
  double depth = 1;
  if (!depth_arg.IsNullish() && !(depth_arg.IsString() && depth_arg.StringView().empty())) {
    FLOWKIT_ASSIGN_OR_RETURN(depth, RequireNumber("g_flatten", "depth", depth_arg));
  }
  Json::Array out;
  FlattenInto(call.value, std::min(depth, 1000.0), &out);
  return Json(std::move(out));
}

Result<Json> Map(const ModifierCall& call) {
  const Json& path_arg = HashOrParam(call, "path", 0);
  if (path_arg.IsNullish()) return Error("g_map", "needs the path to take from each item");
  std::string path = js::ToString(path_arg);
  if (call.value.IsNullish()) return Json::MakeArray();
  Json::Array out;
  auto take = [&](const Json& item) -> Status {
    auto v = GetPath(item, path);
    if (!v.ok()) return Error("g_map", v.status().message());
    // Missing values become null so the list keeps one entry per item (JSON has no undefined).
    out.push_back(v->IsUndefined() ? Json(nullptr) : std::move(*v));
    return Status::OK();
  };
  if (call.value.IsArray()) {
    for (const Json& item : call.value.array()) FLOWKIT_RETURN_IF_ERROR(take(item));
  } else {
    FLOWKIT_RETURN_IF_ERROR(take(call.value));
  }
  return Json(std::move(out));
}

Result<Json> FilterEmpty(const ModifierCall& call) {
  if (!call.value.IsArray()) return call.value;
  Json::Array out;
  for (const Json& item : call.value.array()) {
    if (js::IsNotEmpty(item)) out.push_back(item);
  }
  return Json(std::move(out));
}

}  // namespace

std::vector<Builtin> ListModifiers() {
  const std::vector<std::string> kList = {"list"};
  std::vector<Builtin> table = {
      {Info("g_first", "First", kList, "The first item of a list (or character of a text).", {},
            "any"),
       [](const ModifierCall& call) { return ElementAt(call, "g_first", 0); }},
      {Info("g_last", "Last", kList, "The last item of a list (or character of a text).", {},
            "any"),
       [](const ModifierCall& call) { return ElementAt(call, "g_last", -1); }},
      {Info("g_at", "Item at", kList, "The item at an index; negative counts from the end.",
            {Arg("index", "number")}, "any"),
       At},
      {Info("g_slice", "Slice", {"list", "text"}, "The items from start up to (not including) end.",
            {Arg("start", "number"), Arg("end", "number")}, "array"),
       Slice},
      {Info("g_reverse", "Reverse", {"list", "text"}, "The items in reverse order.", {}, "array"),
       Reverse},
      {Info("g_sort", "Sort", kList,
            "Sort numbers numerically and texts alphabetically, optionally by a path in each item.",
            {Arg("path", "string"), Arg("order", "string")}, "array"),
       Sort},
      {Info("g_unique", "Unique", kList, "Drop repeated items (compared by value).", {}, "array"),
       Unique},
      {Info("g_flatten", "Flatten", kList,
            "Spread nested lists into the list (depth 1 by default).", {Arg("depth", "number")},
            "array"),
       Flatten},
      {Info("g_map", "Map", kList, "Take the value at a path from each item.",
            {Arg("path", "string")}, "array"),
       Map},
      {Info("g_filterEmpty", "Remove empty", kList,
            "Drop null, empty text, empty lists and empty objects.", {}, "array"),
       FilterEmpty},
  };
  return table;
}

}  // namespace flowkit::modifiers
