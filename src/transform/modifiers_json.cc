// JSON / object modifiers and the path lookup shared with g_map and g_customFields.
#include <cmath>
#include <string>
#include <vector>

#include "transform/modifiers_internal.h"
#include "util/js.h"

namespace flowkit::modifiers {
namespace {

struct Step {
  std::string key;
  bool wildcard = false;
};

Result<std::vector<Step>> ParsePath(std::string_view path) {
  std::vector<Step> steps;
  size_t i = 0;
  auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("invalid path \"" + std::string(path) + "\" at character " +
                                   std::to_string(i + 1) + ": " + std::string(why));
  };
  path = js::Trim(path);
  if (!path.empty() && path[0] == '$') {
    i = 1;
    if (i < path.size() && path[i] != '.' && path[i] != '[')
      return fail("expected '.' or '[' after '$'");
  }
  bool expect_key = i == 0;  // a bare path starts with a key
  while (i < path.size()) {
    char c = path[i];
    if (c == '.') {
      ++i;
      if (i < path.size() && path[i] == '.') return fail("recursive descent '..' is not supported");
      if (i < path.size() && path[i] == '[') continue;  // a.[0] form
      expect_key = true;
      continue;
    }
    if (c == '[') {
      size_t close;
      if (i + 1 < path.size() && (path[i + 1] == '\'' || path[i + 1] == '"')) {
        char quote = path[i + 1];
        close = path.find(quote, i + 2);
        if (close == std::string_view::npos || close + 1 >= path.size() || path[close + 1] != ']') {
          return fail("unterminated quoted key");
        }
        steps.push_back({std::string(path.substr(i + 2, close - i - 2)), false});
        i = close + 2;
      } else {
        close = path.find(']', i);
        if (close == std::string_view::npos) return fail("missing ']'");
        std::string_view inner = js::Trim(path.substr(i + 1, close - i - 1));
        if (inner.empty()) return fail("empty brackets");
        steps.push_back({std::string(inner), inner == "*"});
        i = close + 1;
      }
      expect_key = false;
      continue;
    }
    if (!expect_key && !steps.empty()) return fail("expected '.' or '['");
    size_t end = i;
    while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
    std::string_view key = path.substr(i, end - i);
    steps.push_back({std::string(key), key == "*"});
    i = end;
    expect_key = false;
  }
  return steps;
}

const Json* Child(const Json& node, const std::string& key) {
  if (node.IsObject()) return node.Find(key);
  if (node.IsArray()) {
    if (key.empty() || key.size() > 18) return nullptr;
    for (char c : key) {
      if (c < '0' || c > '9') return nullptr;
    }
    size_t index = std::stoull(key);
    return index < node.size() ? &node.array()[index] : nullptr;
  }
  if (node.IsString() && key == "length") return nullptr;  // handled by g_length
  return nullptr;
}

void Walk(const Json& node, const std::vector<Step>& steps, size_t at, bool collecting, Json* out,
          bool* found) {
  if (at == steps.size()) {
    if (collecting) {
      out->Push(node);
    } else {
      *out = node;
      *found = true;
    }
    return;
  }
  const Step& step = steps[at];
  if (step.wildcard) {
    if (node.IsArray()) {
      for (const Json& item : node.array()) Walk(item, steps, at + 1, true, out, found);
    } else if (node.IsObject()) {
      for (const auto& member : node.object()) Walk(member.value, steps, at + 1, true, out, found);
    }
    return;
  }
  if (const Json* child = Child(node, step.key))
    Walk(*child, steps, at + 1, collecting, out, found);
}

Result<Json> JsonPath(const ModifierCall& call) {
  const Json& path_arg = HashOrParam(call, "path", 0);
  std::string path = path_arg.IsNullish() ? "" : js::ToString(path_arg);
  const Json* root = &call.value;
  Json parsed;
  // A JSON document held as text (e.g. an HTTP body) is read as its value.
  if (call.value.IsString()) {
    std::string_view t = js::Trim(call.value.StringView());
    if (!t.empty() && (t[0] == '{' || t[0] == '[')) {
      auto r = Json::Parse(t);
      if (r.ok()) {
        parsed = std::move(*r);
        root = &parsed;
      }
    }
  }
  auto got = GetPath(*root, path);
  if (!got.ok()) return Error("g_jsonPath", got.status().message());
  return got;
}

Result<Json> Stringify(const ModifierCall& call) {
  if (call.value.IsUndefined()) return Json::Undefined();  // JSON.stringify(undefined)
  const Json& space_arg = HashOrParam(call, "space", 0);
  int indent = 0;
  if (!space_arg.IsNullish() && !(space_arg.IsString() && space_arg.StringView().empty())) {
    double d = js::ToNumber(space_arg);
    if (std::isnan(d))
      return Error("g_stringify", "space must be a number, got " + Describe(space_arg));
    indent = static_cast<int>(std::clamp(d, 0.0, 10.0));  // JSON.stringify caps at 10
  }
  return Json(indent > 0 ? call.value.DumpPretty(indent) : call.value.Dump());
}

Result<Json> Parse(const ModifierCall& call) {
  if (call.value.IsUndefined() || call.value.IsArray() || call.value.IsObject()) return call.value;
  std::string text = js::ToString(call.value);
  auto r = Json::Parse(text);
  if (!r.ok()) return Error("g_parse", r.status().message());
  return r;
}

Result<Json> Keys(const ModifierCall& call) {
  Json out = Json::MakeArray();
  if (call.value.IsObject()) {
    for (const auto& member : call.value.object()) out.Push(Json(member.key));
  } else if (call.value.IsArray()) {
    for (size_t i = 0; i < call.value.size(); ++i) out.Push(Json(std::to_string(i)));
  }
  return out;
}

Result<Json> Values(const ModifierCall& call) {
  if (call.value.IsArray()) return call.value;
  Json out = Json::MakeArray();
  if (call.value.IsObject()) {
    for (const auto& member : call.value.object()) out.Push(member.value);
  }
  return out;
}

}  // namespace

Result<Json> GetPath(const Json& root, std::string_view path) {
  FLOWKIT_ASSIGN_OR_RETURN(auto steps, ParsePath(path));
  bool wildcard = false;
  for (const auto& s : steps) wildcard = wildcard || s.wildcard;
  Json out = wildcard ? Json::MakeArray() : Json::Undefined();
  bool found = false;
  Walk(root, steps, 0, false, &out, &found);
  return out;
}

std::vector<Builtin> JsonModifiers() {
  const std::vector<std::string> kObject = {"object"};
  std::vector<Builtin> table = {
      {Info("g_jsonPath", "JSON path", {"object", "list"},
            "The value at a path: a.b, $.a.b, $[0].id, a[0].b, a['key'], with * collecting a list.",
            {Arg("path", "string")}, "any"),
       JsonPath},
      {Info("g_stringify", "Stringify", {"object", "list"},
            "Convert an object or list to a JSON string.", {HashArg("space", "number")}, "string"),
       Stringify},
      {Info("g_parse", "Parse JSON", {"object", "text"}, "Read JSON text into a value.", {}, "any"),
       Parse},
      {Info("g_keys", "Keys", kObject, "The keys of an object.", {}, "array"), Keys},
      {Info("g_values", "Values", kObject, "The values of an object.", {}, "array"), Values},
  };
  return table;
}

}  // namespace flowkit::modifiers
