// The expression language of Condition and Switch5 (the inspector's `expression` input with
// levels AND/OR): {"AND": [{"OR": [clause, ...]}, ...]} is true when every AND item has at least
// one OR clause that holds. A clause is {input, operator, value, divisor, rangeMin, rangeMax,
// exclusiveMin, exclusiveMax, regex}; operators = != > >= < <= % empty notEmpty contains range
// regex, with Appmixer's JavaScript semantics (appmixer-utils.md §2.1).
//
// Threading: pure functions, thread-safe.
#pragma once

#include <cstdint>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::components {

// Whether `expression` holds. A missing or empty AND list holds; an AND item with no OR clause
// does not. Every clause is evaluated (no short-circuit), as Appmixer does, so a bad clause fails
// the call even when the result is already known. kCancelled "Unsupported operator: <op>" for an
// unknown operator; kInvalidArgument for a regex that does not compile or runs away.
// `now_ms` is the time an undefined date operand means.
Result<bool> EvaluateExpression(const Json& expression, int64_t now_ms);

// One clause (exposed for tests and for components that evaluate single clauses).
Result<bool> EvaluateClause(const Json& clause, int64_t now_ms);

}  // namespace flowkit::components
