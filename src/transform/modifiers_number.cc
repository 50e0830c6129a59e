// Number modifiers. The value and parameters go through JavaScript's Number(x) (inspector
// parameters arrive as text such as "100"); anything that is not a number is an error naming
// the modifier, rather than a NaN that would travel on silently.
#include <sodium.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <string>

#include "transform/modifiers_internal.h"
#include "util/js.h"

namespace flowkit::modifiers {
namespace {

// A double result; integral values come out as integers.
Json NumberJson(double d) { return Json(d); }

using BinaryOp = Result<double> (*)(std::string_view name, double a, double b);

ModifierFunction Binary(std::string name, std::string operand, BinaryOp op) {
  return [name = std::move(name), operand = std::move(operand),
          op](const ModifierCall& call) -> Result<Json> {
    FLOWKIT_ASSIGN_OR_RETURN(double a, RequireNumber(name, "the value", call.value));
    const Json& arg = HashOrParam(call, operand, 0);
    if (arg.IsUndefined()) return Error(name, "needs the " + operand);
    FLOWKIT_ASSIGN_OR_RETURN(double b, RequireNumber(name, "the " + operand, arg));
    FLOWKIT_ASSIGN_OR_RETURN(double r, op(name, a, b));
    return NumberJson(r);
  };
}

// g_add and g_mul take any number of operands.
ModifierFunction Fold(std::string name, double (*op)(double, double)) {
  return [name = std::move(name), op](const ModifierCall& call) -> Result<Json> {
    FLOWKIT_ASSIGN_OR_RETURN(double acc, RequireNumber(name, "the value", call.value));
    if (call.params.empty()) return Error(name, "needs a number");
    for (size_t i = 0; i < call.params.size(); ++i) {
      FLOWKIT_ASSIGN_OR_RETURN(
          double b, RequireNumber(name, "parameter " + std::to_string(i + 1), call.params[i]));
      acc = op(acc, b);
    }
    return NumberJson(acc);
  };
}

ModifierFunction Unary(std::string name, double (*op)(double)) {
  return [name = std::move(name), op](const ModifierCall& call) -> Result<Json> {
    FLOWKIT_ASSIGN_OR_RETURN(double a, RequireNumber(name, "the value", call.value));
    return NumberJson(op(a));
  };
}

// JavaScript's Math.round: halves go toward +Infinity.
double JsRound(double x) {
  if (!std::isfinite(x)) return x;
  double r = std::floor(x);
  return (x - r >= 0.5) ? r + 1 : r;
}

// x·10^exp computed through the decimal text (lodash's round), so 1.005 rounds to 1.01.
double ShiftDecimal(double x, int exp) {
  std::string text = js::NumberToString(x);
  int base_exp = 0;
  size_t e = text.find('e');
  if (e != std::string::npos) {
    base_exp = std::stoi(text.substr(e + 1));
    text.resize(e);
  }
  return js::StringToNumber(text + "e" + std::to_string(base_exp + exp));
}

Result<Json> Round(const ModifierCall& call) {
  FLOWKIT_ASSIGN_OR_RETURN(double x, RequireNumber("g_round", "the value", call.value));
  const Json& digits_arg = HashOrParam(call, "decimals", 0);
  if (digits_arg.IsNullish() || (digits_arg.IsString() && digits_arg.StringView().empty())) {
    return NumberJson(JsRound(x));
  }
  FLOWKIT_ASSIGN_OR_RETURN(double digits, RequireNumber("g_round", "decimals", digits_arg));
  if (digits != std::floor(digits) || digits < -20 || digits > 20) {
    return Error("g_round", "decimals must be a whole number from -20 to 20");
  }
  if (!std::isfinite(x)) return NumberJson(x);
  int d = static_cast<int>(digits);
  return NumberJson(ShiftDecimal(JsRound(ShiftDecimal(x, d)), -d));
}

// The numbers g_min/g_max look at: the items of a list value, or the value itself, plus every
// parameter (a list parameter contributes its items). null/undefined/"" items are skipped.
Result<std::vector<double>> Collect(std::string_view name, const ModifierCall& call) {
  std::vector<double> numbers;
  auto add = [&](const Json& v) -> Status {
    auto one = [&](const Json& item) -> Status {
      if (item.IsNullish() || (item.IsString() && js::Trim(item.StringView()).empty()))
        return Status::OK();
      auto n = RequireNumber(name, "every item", item);
      if (!n.ok()) return n.status();
      numbers.push_back(*n);
      return Status::OK();
    };
    if (v.IsArray()) {
      for (const Json& item : v.array()) FLOWKIT_RETURN_IF_ERROR(one(item));
      return Status::OK();
    }
    return one(v);
  };
  FLOWKIT_RETURN_IF_ERROR(add(call.value));
  for (const Json& p : call.params) FLOWKIT_RETURN_IF_ERROR(add(p));
  return numbers;
}

ModifierFunction Extreme(std::string name, bool max) {
  return [name = std::move(name), max](const ModifierCall& call) -> Result<Json> {
    FLOWKIT_ASSIGN_OR_RETURN(auto numbers, Collect(name, call));
    if (numbers.empty()) return Json::Undefined();
    double best = numbers[0];
    for (double d : numbers) best = max ? std::max(best, d) : std::min(best, d);
    return NumberJson(best);
  };
}

// Both sides numbers (Number(x) not NaN, and not null/undefined) → numeric; else JavaScript's
// relational operator (two strings compare as text).
ModifierFunction Compare(std::string name, bool greater) {
  return [name = std::move(name), greater](const ModifierCall& call) -> Result<Json> {
    const Json& other = HashOrParam(call, "value", 0);
    if (other.IsUndefined()) return Error(name, "needs a value to compare with");
    double a = js::ToNumber(call.value);
    double b = js::ToNumber(other);
    if (!call.value.IsNullish() && !other.IsNullish() && !std::isnan(a) && !std::isnan(b)) {
      return Json(greater ? a > b : a < b);
    }
    return Json(greater ? js::GreaterThan(call.value, other) : js::LessThan(call.value, other));
  };
}

}  // namespace

double RandomUnit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness source: nothing safe to do
  });
  uint64_t bits = 0;
  randombytes_buf(&bits, sizeof(bits));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

std::vector<Builtin> NumberModifiers() {
  const std::vector<std::string> kNumber = {"number"};
  Builtin sub{
      Info("g_sub", "Subtract", kNumber, "Subtract a number.", {Arg("number", "number")}, "number"),
      Binary("g_sub", "number",
             [](std::string_view, double a, double b) -> Result<double> { return a - b; })};
  Builtin mul{Variadic(Info("g_mul", "Multiply", kNumber, "Multiply by the numbers.",
                            {Arg("number", "number")}, "number")),
              Fold("g_mul", [](double a, double b) { return a * b; })};
  Builtin div{
      Info("g_div", "Divide", kNumber, "Divide by a number (not zero).", {Arg("divisor", "number")},
           "number"),
      Binary("g_div", "divisor", [](std::string_view name, double a, double b) -> Result<double> {
        if (b == 0) return Error(name, "division by zero");
        return a / b;
      })};
  std::vector<Builtin> table = {
      {Variadic(
           Info("g_add", "Add", kNumber, "Add the numbers.", {Arg("number", "number")}, "number")),
       Fold("g_add", [](double a, double b) { return a + b; })},
      sub,
      Alias(sub, "g_subtract"),
      mul,
      Alias(mul, "g_multiply"),
      div,
      Alias(div, "g_divide"),
      {Info("g_mod", "Modulo", kNumber, "The remainder after dividing by a number (not zero).",
            {Arg("divisor", "number")}, "number"),
       Binary("g_mod", "divisor",
              [](std::string_view name, double a, double b) -> Result<double> {
                if (b == 0) return Error(name, "division by zero");
                return std::fmod(a, b);
              })},
      {Info("g_pow", "Power", kNumber, "Raise to a power.", {Arg("exponent", "number")}, "number"),
       Binary(
           "g_pow", "exponent",
           [](std::string_view, double a, double b) -> Result<double> { return std::pow(a, b); })},
      {Info("g_floor", "Floor", kNumber, "Round down to a whole number.", {}, "number"),
       Unary("g_floor", [](double x) { return std::floor(x); })},
      {Info("g_ceil", "Ceil", kNumber, "Round up to a whole number.", {}, "number"),
       Unary("g_ceil", [](double x) { return std::ceil(x); })},
      {Info("g_abs", "Absolute value", kNumber, "Drop the sign.", {}, "number"),
       Unary("g_abs", [](double x) { return std::fabs(x); })},
      {Info("g_round", "Round", kNumber,
            "Round to the nearest whole number, or to a number of decimals.",
            {Arg("decimals", "number")}, "number"),
       Round},
      {Variadic(Info("g_min", "Minimum", {"number", "list"},
                     "The smallest of the list items and parameters.", {Arg("number", "number")},
                     "number")),
       Extreme("g_min", false)},
      {Variadic(Info("g_max", "Maximum", {"number", "list"},
                     "The largest of the list items and parameters.", {Arg("number", "number")},
                     "number")),
       Extreme("g_max", true)},
      {Info("g_toNumber", "To number", kNumber, "Convert to a number (null when it is not one).",
            {}, "number"),
       [](const ModifierCall& call) -> Result<Json> {
         double d = js::ToNumber(call.value);
         return std::isnan(d) ? Json(nullptr) : NumberJson(d);
       }},
      {Info("g_greaterThan", "Greater than", {"number", "control"},
            "Whether the value is greater than the parameter.", {Arg("value", "number")},
            "boolean"),
       Compare("g_greaterThan", true)},
      {Info("g_lessThan", "Less than", {"number", "control"},
            "Whether the value is less than the parameter.", {Arg("value", "number")}, "boolean"),
       Compare("g_lessThan", false)},
  };
  return table;
}

}  // namespace flowkit::modifiers
