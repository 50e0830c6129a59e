#include "components/filters/compare.h"

#include <cmath>
#include <optional>

#include "util/js.h"

namespace flowkit::components {
namespace {

// Both sides as numbers when Number() accepts both (filter-commons isNumber).
bool BothNumbers(const Json& a, const Json& b, double* x, double* y) {
  *x = js::ToNumber(a);
  *y = js::ToNumber(b);
  return !std::isnan(*x) && !std::isnan(*y);
}

// Both sides as epoch ms when moment() accepts both.
bool BothDates(const Json& a, const Json& b, int64_t now_ms, int64_t* x, int64_t* y) {
  std::optional<int64_t> da = js::MomentMillis(a, now_ms);
  if (!da) return false;
  std::optional<int64_t> db = js::MomentMillis(b, now_ms);
  if (!db) return false;
  *x = *da;
  *y = *db;
  return true;
}

}  // namespace

bool IsGreaterThan(const Json& a, const Json& b, bool exclusive, int64_t now_ms) {
  double x, y;
  if (BothNumbers(a, b, &x, &y)) return x > y || (!exclusive && x == y);
  int64_t dx, dy;
  if (BothDates(a, b, now_ms, &dx, &dy)) return dx > dy || (!exclusive && dx == dy);
  return false;
}

bool IsLessThan(const Json& a, const Json& b, bool exclusive, int64_t now_ms) {
  double x, y;
  if (BothNumbers(a, b, &x, &y)) return x < y || (!exclusive && x == y);
  int64_t dx, dy;
  if (BothDates(a, b, now_ms, &dx, &dy)) return dx < dy || (!exclusive && dx == dy);
  return false;
}

bool IsInRange(const Json& x, const Json& min, const Json& max, bool exclusive_min,
               bool exclusive_max, int64_t now_ms) {
  double v = js::ToNumber(x);
  double lo = js::ToNumber(min);
  double hi = js::ToNumber(max);
  if (!std::isnan(v) && !std::isnan(lo) && !std::isnan(hi)) {
    return (v > lo || (!exclusive_min && v == lo)) && (v < hi || (!exclusive_max && v == hi));
  }
  std::optional<int64_t> d = js::MomentMillis(x, now_ms);
  std::optional<int64_t> d_min = js::MomentMillis(min, now_ms);
  std::optional<int64_t> d_max = js::MomentMillis(max, now_ms);
  if (!d || !d_min || !d_max) return false;
  // `*d == *d_max` on the lower bound is Appmixer's (isSame(max)); flows depend on the result.
  return (*d > *d_min || (!exclusive_min && *d == *d_max)) &&
         (*d < *d_max || (!exclusive_max && *d == *d_max));
}

}  // namespace flowkit::components
