// appmixer.utils.test.Assert: evaluates the clauses of its `expression` (level AND) and reports
// {componentId, componentName, success: [...], error: [...]}. A failing clause is reported,
// never an error of the call. Messages follow the JavaScript component (chai's wording).
#include <cctype>
#include <memory>
#include <optional>
#include <string>

#include "components/test/e2e.h"
#include "flowkit/json.h"
#include "util/js.h"
#include "util/regex.h"

namespace flowkit::components::e2e {
namespace {

// chai's rendering of a value in assertion messages (objDisplay over loupe's inspect): strings
// quoted, arrays "[ 1, 2 ]", objects "{ a: 1 }", and long arrays/objects abbreviated.
constexpr size_t kChaiTruncateThreshold = 40;

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    bool ok = c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string QuoteSingle(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string Inspect(const Json& value) {
  if (value.IsString()) return QuoteSingle(value.StringView());
  if (value.IsArray()) {
    if (value.empty()) return "[]";
    std::string out = "[ ";
    for (size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + Inspect(value.At(i));
    return out + " ]";
  }
  if (value.IsObject()) {
    if (value.empty()) return "{}";
    std::string out = "{ ";
    bool first = true;
    for (const JsonMember& m : value.object()) {
      out += (first ? "" : ", ") + (IsIdentifier(m.key) ? m.key : QuoteSingle(m.key)) + ": " +
             Inspect(m.value);
      first = false;
    }
    return out + " }";
  }
  return js::ToString(value);
}

std::string ChaiDisplay(const Json& value) {
  std::string text = Inspect(value);
  if (text.size() < kChaiTruncateThreshold) return text;
  if (value.IsArray()) return "[ Array(" + std::to_string(value.size()) + ") ]";
  if (value.IsObject()) {
    std::string keys;
    size_t n = 0;
    for (const JsonMember& m : value.object()) {
      if (n == 2) {
        keys += ", ...";
        break;
      }
      keys += (n ? ", " : "") + m.key;
      ++n;
    }
    return "{ Object (" + keys + ") }";
  }
  return text;
}

// type-detect, as chai's `a(type)` uses it: arrays and null get their own names.
std::string_view ChaiType(const Json& value) {
  if (value.IsArray()) return "array";
  if (value.IsNull()) return "null";
  return js::TypeOf(value);
}

// RegExp.prototype.source: an empty pattern reads "(?:)" and a bare "/" is escaped.
std::string RegexSource(std::string_view pattern) {
  if (pattern.empty()) return "(?:)";
  std::string out;
  bool escaped = false;
  for (char c : pattern) {
    if (c == '/' && !escaped) out += '\\';
    out += c;
    escaped = !escaped && c == '\\';
  }
  return out;
}

// Evaluates one clause; returns the error text of the first failing check, or appends the
// success lines.
std::optional<std::string> Check(const Json& clause, Json& success) {
  Json field = clause.Get("field");
  const std::string assertion = js::ToString(clause.Get("assertion"));
  if (assertion == "notEmpty") {
    if (field.IsNullish()) return "expected " + ChaiDisplay(field) + " to exist";
    success.Push(js::ToString(field) + " is not empty");
  } else if (assertion == "equal") {
    // Expected values come from text inputs, so a boolean compares as its text.
    if (field.IsBool()) field = Json(field.AsBool() ? "true" : "false");
    const Json& expected = clause.Get("expected");
    if (!js::LooseEquals(field, expected)) {
      return "expected " + js::ToString(expected) + " to equal " + js::ToString(field);
    }
    success.Push(js::ToString(field) + " equals " + js::ToString(expected));
  } else if (assertion == "regex") {
    const Json& regex = clause.Get("regex");
    // new RegExp(undefined) is the empty pattern.
    const std::string pattern = regex.IsUndefined() ? std::string() : js::ToString(regex);
    Result<std::shared_ptr<const Regex>> compiled = RegexCache::Default().Get(pattern);
    if (!compiled.ok()) {
      return "Invalid regular expression: /" + pattern + "/: " + compiled.status().message();
    }
    Result<bool> matched = (*compiled)->Test(js::ToString(field));
    if (!matched.ok()) return matched.status().message();
    if (!*matched)
      return "expected " + ChaiDisplay(field) + " to match /" + RegexSource(pattern) + "/";
    success.Push(js::ToString(field) + " matches regex " + js::ToString(regex));
  } else {
    return "Unsupported assertion: " + js::ToString(clause.Get("assertion"));
  }

  const Json& type = clause.Get("type");
  if (js::Truthy(type)) {
    std::string wanted = js::ToString(type);
    for (char& c : wanted) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ChaiType(field) != wanted) {
      const char first = wanted.empty() ? ' ' : wanted[0];
      const bool vowel =
          first == 'a' || first == 'e' || first == 'i' || first == 'o' || first == 'u';
      return "expected " + ChaiDisplay(field) + " to be " + (vowel ? "an " : "a ") + wanted;
    }
    success.Push(js::ToString(field) + " is type of " + js::ToString(type));
  }
  return std::nullopt;
}

class Assert final : public Behaviour {
 public:
  Status Receive(Context& ctx) override {
    const Message* in = ctx.Input("in");
    if (in == nullptr) return Status::OK();
    const Json& expression = in->Content().Get("expression");
    if (expression.IsNullish()) {
      return Status::InvalidArgument("Assert: the input has no 'expression'");
    }

    Json result = Json::MakeObject({{"componentId", ctx.component_id()}});
    const Json& label = ctx.flow_descriptor().Get(ctx.component_id()).Get("label");
    if (!label.IsUndefined()) result.Set("componentName", label);
    Json success = Json::MakeArray();
    Json errors = Json::MakeArray();

    // lodash _.each: array elements, or the values of an object.
    const Json& clauses = expression.Get("AND");
    auto check = [&](const Json& clause) {
      if (std::optional<std::string> error = Check(clause, success)) errors.Push(std::move(*error));
    };
    if (clauses.IsArray()) {
      for (const Json& clause : clauses.array()) check(clause);
    } else if (clauses.IsObject()) {
      for (const JsonMember& m : clauses.object()) check(m.value);
    }

    result.Set("success", std::move(success));
    result.Set("error", std::move(errors));
    return ctx.Send("out", std::move(result));
  }
};

}  // namespace

std::unique_ptr<Behaviour> NewAssert() { return std::make_unique<Assert>(); }

}  // namespace flowkit::components::e2e
