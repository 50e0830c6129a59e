// Control modifiers: conditions and defaults. g_condition's operators follow the Condition
// component (appmixer-utils.md §2.1) so a modifier and a Condition clause agree.
#include <cmath>
#include <string>

#include "transform/modifiers_internal.h"
#include "util/js.h"
#include "util/regex.h"

namespace flowkit::modifiers {
namespace {

// Condition's ordering operators: numeric when both sides are numbers, else dates when both
// are dates, else false. `accept` receives the comparison (-1, 0, 1).
template <typename Accept>
bool Ordered(const Json& x, const Json& v, Accept accept) {
  double a = js::ToNumber(x);
  double b = js::ToNumber(v);
  if (!std::isnan(a) && !std::isnan(b)) return accept(a < b ? -1 : (a > b ? 1 : 0));
  if (js::IsDate(x) && js::IsDate(v)) {
    auto da = js::ParseDate(x);
    auto db = js::ParseDate(v);
    if (!da || !db)
      return false;  // undefined (now) is only reachable with a clock; treat as unordered
    return accept(*da < *db ? -1 : (*da > *db ? 1 : 0));
  }
  return false;
}

// Condition stringifies a boolean left side before ==.
Json LeftForEquality(const Json& x) { return x.IsBool() ? Json(x.AsBool() ? "true" : "false") : x; }

Result<bool> Evaluate(std::string_view op, const Json& x, const Json& v) {
  if (op == "=" || op == "==") return js::LooseEquals(LeftForEquality(x), v);
  if (op == "!=") return !js::LooseEquals(LeftForEquality(x), v);
  if (op == ">") return Ordered(x, v, [](int c) { return c > 0; });
  if (op == ">=") return Ordered(x, v, [](int c) { return c >= 0; });
  if (op == "<") return Ordered(x, v, [](int c) { return c < 0; });
  if (op == "<=") return Ordered(x, v, [](int c) { return c <= 0; });
  if (op == "contains") return js::Contains(x, v);
  if (op == "notContains") return !js::Contains(x, v);
  if (op == "empty") return !js::IsNotEmpty(x);
  if (op == "notEmpty") return js::IsNotEmpty(x);
  if (op == "%") {
    double a = js::ToNumber(x), b = js::ToNumber(v);
    return !std::isnan(a) && !std::isnan(b) && b != 0 && std::fmod(a, b) == 0;
  }
  if (op == "regex") {
    auto re = RegexCache::Default().Get(js::ToString(v));
    if (!re.ok()) return re.status();
    return (*re)->Test(js::ToString(x));
  }
  return Status::InvalidArgument(
      "unsupported operator \"" + std::string(op) +
      "\" (use = != > >= < <= contains notContains empty notEmpty regex %)");
}

Result<Json> Condition(const ModifierCall& call) {
  const Json& op_arg = HashOrParam(call, "operator", 0);
  std::string op = op_arg.IsNullish() ? "=" : std::string(js::Trim(js::ToString(op_arg)));
  if (op.empty()) op = "=";
  const Json& compare_with = HashOrParam(call, "value", 1);
  auto result = Evaluate(op, call.value, compare_with);
  if (!result.ok()) return Error("g_condition", result.status().message());
  const Json* then_v = HashAt(call, "then");
  const Json* else_v = HashAt(call, "else");
  if (then_v == nullptr && call.params.size() > 2 && !call.params[2].IsUndefined())
    then_v = &call.params[2];
  if (else_v == nullptr && call.params.size() > 3 && !call.params[3].IsUndefined())
    else_v = &call.params[3];
  if (then_v == nullptr && else_v == nullptr) return Json(*result);
  // With only one branch given, the other passes the value through.
  if (*result) return then_v ? *then_v : call.value;
  return else_v ? *else_v : call.value;
}

Result<Json> If(const ModifierCall& call) {
  return js::Truthy(call.value) ? HashOrParam(call, "then", 0) : HashOrParam(call, "else", 1);
}

Result<Json> Default(const ModifierCall& call) {
  bool missing =
      call.value.IsNullish() || (call.value.IsString() && call.value.StringView().empty());
  return missing ? HashOrParam(call, "default", 0) : call.value;
}

Result<Json> Equals(const ModifierCall& call) {
  const Json& other = HashOrParam(call, "value", 0);
  if (BoolOption(HashAt(call, "strict"), false)) return Json(js::StrictEquals(call.value, other));
  return Json(js::LooseEquals(call.value, other));
}

}  // namespace

std::vector<Builtin> ControlModifiers() {
  const std::vector<std::string> kControl = {"control"};
  std::vector<Builtin> table = {
      {Info("g_condition", "Condition", kControl,
            "Test the value with an operator (= != > >= < <= contains notContains empty notEmpty "
            "regex %); "
            "returns the test result, or then/else when given.",
            {HashArg("operator", "string"), HashArg("value", "any"), HashArg("then", "any"),
             HashArg("else", "any")},
            "any"),
       Condition},
      {Info("g_if", "If", kControl,
            "The first parameter when the value is truthy, else the second.",
            {Arg("then", "any"), Arg("else", "any")}, "any"),
       If},
      {Info("g_default", "Default value", kControl,
            "The parameter when the value is missing, null or empty text.", {Arg("default", "any")},
            "any"),
       Default},
      {Info("g_not", "Not", kControl, "The boolean opposite of the value's truthiness.", {},
            "boolean"),
       [](const ModifierCall& call) -> Result<Json> { return Json(!js::Truthy(call.value)); }},
      {Info("g_equals", "Equals", kControl,
            "Whether the value equals the parameter (JavaScript ==, or === with strict).",
            {Arg("value", "any"), HashArg("strict", "boolean")}, "boolean"),
       Equals},
  };
  return table;
}

}  // namespace flowkit::modifiers
