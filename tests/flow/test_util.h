// Helpers shared by the manifest, registry and flow tests.
#pragma once

#include <fstream>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/diagnostics.h"
#include "flowkit/json.h"
#include "flowkit/modifier.h"

namespace flowkit::test {

inline std::string FixturePath(std::string_view relative) {
  return std::string(FLOWKIT_TEST_FIXTURES) + "/" + std::string(relative);
}

// The file's text, or "" when it cannot be read (the test then fails on the parse).
inline std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string ReadFixture(std::string_view relative) { return ReadText(FixturePath(relative)); }

// The fixture parsed; Undefined when it is missing or malformed.
inline Json LoadFixture(std::string_view relative) {
  Result<Json> doc = Json::Parse(ReadFixture(relative));
  return doc.ok() ? std::move(doc).value() : Json::Undefined();
}

inline std::string DiagnosticsText(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags.items()) {
    out += d.severity == Diagnostic::Severity::kError ? "  error " : "  warning ";
    out += d.ToString();
    out += "\n";
  }
  return out;
}

// Whether a diagnostic of `severity` sits exactly at `pointer` and its message contains `text`.
inline bool HasDiagnostic(const Diagnostics& diags, Diagnostic::Severity severity,
                          std::string_view pointer, std::string_view text) {
  for (const Diagnostic& d : diags.items()) {
    if (d.severity == severity && d.pointer == pointer &&
        d.message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

inline size_t WarningCount(const Diagnostics& diags) {
  return diags.items().size() - diags.error_count();
}

// Registers each name as a modifier that returns its input unchanged (validation needs only
// the names); names already present are left alone.
inline void RegisterPassThroughModifiers(ModifierRegistry& registry,
                                         const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (registry.Find(name) != nullptr) continue;
    ModifierInfo info;
    info.name = name;
    info.variable_arguments = true;
    (void)registry.Register(std::move(info),
                            [](const ModifierCall& call) -> Result<Json> { return call.value; });
  }
}

// Calls `visit` with a copy of `doc` in which one value (each in turn, at every depth) is
// replaced by `replacement`; used to check that wrong types anywhere never crash a parser.
inline void ForEachMutation(const Json& doc, const Json& replacement,
                            const std::function<void(const Json&)>& visit) {
  std::function<void(Json&, const std::function<void()>&)> walk =
      [&](Json& node, const std::function<void()>& emit) {
        if (node.IsObject()) {
          for (JsonMember& member : node.MutableObject()) {
            Json saved = member.value;
            member.value = replacement;
            emit();
            member.value = saved;
            walk(member.value, emit);
          }
        } else if (node.IsArray()) {
          for (Json& item : node.MutableArray()) {
            Json saved = item;
            item = replacement;
            emit();
            item = saved;
            walk(item, emit);
          }
        }
      };
  Json copy = doc;
  walk(copy, [&] { visit(copy); });
}

}  // namespace flowkit::test
