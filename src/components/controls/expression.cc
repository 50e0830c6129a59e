#include "components/controls/expression.h"

#include <cmath>
#include <memory>
#include <string>
#include <string_view>

#include "components/filters/compare.h"
#include "util/js.h"
#include "util/regex.h"

namespace flowkit::components {
namespace {

// Condition.js reads {input, value}; Appmixer's own test flow for it writes {field, expected}
// (appmixer-utils.md §0.1), which the JS sees as undefined and so fails. We follow the flow: the
// legacy name is used when the documented one is null or undefined and the legacy one is set.
// (Plain `input ?? field` would turn an explicit null input into undefined when there is no
// `field`, changing Number(input) from 0 to NaN; keeping the null avoids that.)
const Json& Operand(const Json& clause, std::string_view name, std::string_view legacy) {
  const Json& value = clause.Get(name);
  if (!value.IsNullish()) return value;
  const Json& fallback = clause.Get(legacy);
  return fallback.IsUndefined() ? value : fallback;
}

const Json& Input(const Json& clause) { return Operand(clause, "input", "field"); }
const Json& Value(const Json& clause) { return Operand(clause, "value", "expected"); }

// Condition's `=`: a boolean input is compared as its text, because the designer's value field
// is always a string ("true" must equal true). Filters' Equal does not do this.
bool ConditionEquals(const Json& input, const Json& value) {
  if (input.IsBool()) return js::LooseEquals(Json(input.AsBool() ? "true" : "false"), value);
  return js::LooseEquals(input, value);
}

bool Flag(const Json& clause, std::string_view name) { return js::Truthy(clause.Get(name)); }

Result<bool> MatchesRegex(const Json& clause) {
  // new RegExp(undefined) is the empty pattern, which matches anything.
  const Json& pattern = clause.Get("regex");
  std::string source = pattern.IsUndefined() ? std::string() : js::ToString(pattern);
  FLOWKIT_ASSIGN_OR_RETURN(std::shared_ptr<const Regex> regex, RegexCache::Default().Get(source));
  return regex->Test(js::ToString(Input(clause)));
}

using ClauseFn = Result<bool> (*)(const Json& clause, int64_t now_ms);

struct Operator {
  std::string_view name;
  ClauseFn holds;
};

constexpr Operator kOperators[] = {
    {"=",
     [](const Json& c, int64_t) -> Result<bool> { return ConditionEquals(Input(c), Value(c)); }},
    {"!=",
     [](const Json& c, int64_t) -> Result<bool> { return !ConditionEquals(Input(c), Value(c)); }},
    {">",
     [](const Json& c, int64_t now) -> Result<bool> {
       return IsGreaterThan(Input(c), Value(c), true, now);
     }},
    {">=",
     [](const Json& c, int64_t now) -> Result<bool> {
       return IsGreaterThan(Input(c), Value(c), false, now);
     }},
    {"<",
     [](const Json& c, int64_t now) -> Result<bool> {
       return IsLessThan(Input(c), Value(c), true, now);
     }},
    {"<=",
     [](const Json& c, int64_t now) -> Result<bool> {
       return IsLessThan(Input(c), Value(c), false, now);
     }},
    // JavaScript's `%` is fmod on Number(x); NaN (and so a missing divisor) never equals 0.
    {"%",
     [](const Json& c, int64_t) -> Result<bool> {
       return std::fmod(js::ToNumber(Input(c)), js::ToNumber(c.Get("divisor"))) == 0;
     }},
    {"empty", [](const Json& c, int64_t) -> Result<bool> { return !js::IsNotEmpty(Input(c)); }},
    {"notEmpty", [](const Json& c, int64_t) -> Result<bool> { return js::IsNotEmpty(Input(c)); }},
    {"contains",
     [](const Json& c, int64_t) -> Result<bool> { return js::Contains(Input(c), Value(c)); }},
    {"range",
     [](const Json& c, int64_t now) -> Result<bool> {
       return IsInRange(Input(c), c.Get("rangeMin"), c.Get("rangeMax"), Flag(c, "exclusiveMin"),
                        Flag(c, "exclusiveMax"), now);
     }},
    {"regex", [](const Json& c, int64_t) -> Result<bool> { return MatchesRegex(c); }},
};

// Calls `fn` with what JavaScript's `for (k in v)` visits as v[k]: array elements, object member
// values, the characters of a string (bytes here: only that they are not objects matters), and
// nothing for other values. Stops at the first error.
template <typename Fn>
Status ForInValues(const Json& v, Fn&& fn) {
  if (v.IsArray()) {
    for (const Json& item : v.array()) FLOWKIT_RETURN_IF_ERROR(fn(item));
  } else if (v.IsObject()) {
    for (const JsonMember& member : v.object()) FLOWKIT_RETURN_IF_ERROR(fn(member.value));
  } else if (v.IsString()) {
    for (char c : v.StringView()) FLOWKIT_RETURN_IF_ERROR(fn(Json(std::string(1, c))));
  }
  return Status::OK();
}

}  // namespace

Result<bool> EvaluateClause(const Json& clause, int64_t now_ms) {
  const Json& op = clause.Get("operator");
  if (op.IsString()) {
    for (const Operator& candidate : kOperators) {
      if (candidate.name == op.StringView()) return candidate.holds(clause, now_ms);
    }
  }
  return Status::Cancelled("Unsupported operator: " + js::ToString(op));
}

Result<bool> EvaluateExpression(const Json& expression, int64_t now_ms) {
  bool holds = true;
  Status status = ForInValues(expression.Get("AND"), [&](const Json& and_item) -> Status {
    int ok_count = 0;
    FLOWKIT_RETURN_IF_ERROR(ForInValues(and_item.Get("OR"), [&](const Json& clause) -> Status {
      FLOWKIT_ASSIGN_OR_RETURN(bool clause_holds, EvaluateClause(clause, now_ms));
      if (clause_holds) ++ok_count;
      return Status::OK();
    }));
    if (ok_count == 0) holds = false;
    return Status::OK();
  });
  if (!status.ok()) return status;
  return holds;
}

}  // namespace flowkit::components
