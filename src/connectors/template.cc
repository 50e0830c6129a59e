#include "connectors/template.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "util/js.h"

namespace flowkit::connectors {
namespace {

// One piece of a template string: literal text or a placeholder path.
struct Piece {
  bool placeholder = false;
  std::string text;  // the literal, or the trimmed path "input.a.b"
};

// Splits `text` into pieces; nullopt with `error` set when a placeholder is malformed.
std::optional<std::vector<Piece>> Split(std::string_view text, std::string* error) {
  std::vector<Piece> pieces;
  size_t at = 0;
  while (at < text.size()) {
    size_t open = text.find("{{", at);
    if (open == std::string_view::npos) {
      pieces.push_back({false, std::string(text.substr(at))});
      break;
    }
    if (open > at) pieces.push_back({false, std::string(text.substr(at, open - at))});
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      *error = "'{{' without a closing '}}' in \"" + std::string(text) + "\"";
      return std::nullopt;
    }
    std::string path(js::Trim(text.substr(open + 2, close - open - 2)));
    if (path.empty() || path.front() == '.' || path.back() == '.' || path.find("..") != std::string::npos) {
      *error = "malformed placeholder '{{" + std::string(text.substr(open + 2, close - open - 2)) + "}}'";
      return std::nullopt;
    }
    pieces.push_back({true, std::move(path)});
    at = close + 2;
  }
  return pieces;
}

std::string_view RootOf(std::string_view path) { return path.substr(0, path.find('.')); }

// The value at a dotted path; array elements by decimal index. Undefined when absent.
const Json& Lookup(const Json& data, std::string_view path) {
  const Json* at = &data;
  while (true) {
    size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (at->IsArray() && !key.empty() && key.size() < 10 && std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      at = &at->At(static_cast<size_t>(std::stoull(std::string(key))));
    } else {
      at = &at->Get(key);
    }
    if (dot == std::string_view::npos || at->IsUndefined()) return *at;
    path.remove_prefix(dot + 1);
  }
}

Json EvaluateString(std::string_view text, const Json& data) {
  if (text.find("{{") == std::string_view::npos) return Json(text);
  std::string error;
  std::optional<std::vector<Piece>> pieces = Split(text, &error);
  if (!pieces) return Json(text);  // rejected at load time; kept literal if it ever gets here
  if (pieces->size() == 1 && (*pieces)[0].placeholder) return Lookup(data, (*pieces)[0].text);
  std::string out;
  for (const Piece& piece : *pieces) {
    if (!piece.placeholder) {
      out += piece.text;
      continue;
    }
    const Json& value = Lookup(data, piece.text);
    if (value.IsNullish()) return Json::Undefined();
    out += ValueText(value);
  }
  return Json(std::move(out));
}

}  // namespace

void CheckTemplate(const Json& tmpl, const std::string& pointer, std::span<const std::string_view> roots,
                   Diagnostics* diagnostics) {
  if (tmpl.IsObject()) {
    for (const auto& member : tmpl.object()) {
      CheckTemplate(member.value, JsonPointerAppend(pointer, member.key), roots, diagnostics);
    }
  } else if (tmpl.IsArray()) {
    for (size_t i = 0; i < tmpl.array().size(); ++i) {
      CheckTemplate(tmpl.array()[i], JsonPointerAppend(pointer, i), roots, diagnostics);
    }
  } else if (tmpl.IsString()) {
    std::string error;
    std::optional<std::vector<Piece>> pieces = Split(tmpl.StringView(), &error);
    if (!pieces) {
      diagnostics->Error(pointer, error);
      return;
    }
    for (const Piece& piece : *pieces) {
      if (!piece.placeholder) continue;
      std::string_view root = RootOf(piece.text);
      if (std::find(roots.begin(), roots.end(), root) == roots.end()) {
        std::string known;
        for (std::string_view r : roots) known += (known.empty() ? "" : ", ") + std::string(r);
        diagnostics->Error(pointer, "unknown template root '" + std::string(root) + "' in '{{" + piece.text +
                                        "}}' (known here: " + known + ")");
      }
    }
  }
}

Json Evaluate(const Json& tmpl, const Json& data) {
  if (tmpl.IsString()) return EvaluateString(tmpl.StringView(), data);
  if (tmpl.IsObject()) {
    Json out = Json::MakeObject();
    for (const auto& member : tmpl.object()) {
      Json value = Evaluate(member.value, data);
      if (!value.IsUndefined()) out.MutableObject().Append(member.key, std::move(value));
    }
    return out;
  }
  if (tmpl.IsArray()) {
    Json out = Json::MakeArray();
    for (const Json& item : tmpl.array()) {
      Json value = Evaluate(item, data);
      if (!value.IsUndefined()) out.Push(std::move(value));
    }
    return out;
  }
  return tmpl;
}

Result<std::string> EvaluateUrl(std::string_view tmpl, const Json& data) {
  std::string error;
  std::optional<std::vector<Piece>> pieces = Split(tmpl, &error);
  if (!pieces) return Status::InvalidArgument("url: " + error);
  std::string out;
  for (size_t i = 0; i < pieces->size(); ++i) {
    const Piece& piece = (*pieces)[i];
    if (!piece.placeholder) {
      out += piece.text;
      continue;
    }
    const Json& value = Lookup(data, piece.text);
    if (value.IsNullish()) {
      return Status::InvalidArgument("the request URL needs '" + piece.text + "', which is missing");
    }
    // A placeholder that starts the URL is its base ("{{config.baseUrl}}/pets"): inserted as is.
    out += i == 0 ? ValueText(value) : js::EncodeUriComponent(ValueText(value));
  }
  return out;
}

std::string ValueText(const Json& value) {
  if (value.IsObject() || value.IsArray()) return value.Dump();
  return js::ToString(value);
}

}  // namespace flowkit::connectors
