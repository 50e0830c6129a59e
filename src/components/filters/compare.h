// The comparisons Appmixer's filters share with Condition and Switch5 (filter-commons.js and its
// copies in those components): numbers when both sides convert with Number(), else dates when
// moment() accepts both, else the test fails.
//
// Threading: pure functions, thread-safe.
#pragma once

#include <cstdint>

#include "flowkit/json.h"

namespace flowkit::components {

// a > b, or a >= b when !exclusive. `now_ms` is what an undefined side means as a date
// (moment(undefined) is now).
bool IsGreaterThan(const Json& a, const Json& b, bool exclusive, int64_t now_ms);
// a < b, or a <= b when !exclusive.
bool IsLessThan(const Json& a, const Json& b, bool exclusive, int64_t now_ms);

// min <= x <= max, each bound exclusive on request. For dates this keeps Appmixer's bug: the
// lower bound's equality test compares with `max`, so x == min passes only when min == max.
bool IsInRange(const Json& x, const Json& min, const Json& max, bool exclusive_min,
               bool exclusive_max, int64_t now_ms);

}  // namespace flowkit::components
