#include "util/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <system_error>

namespace flowkit::internal {

void AppendJsNumber(double d, std::string* out) {
  if (std::isnan(d)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(d)) {
    out->append(d > 0 ? "Infinity" : "-Infinity");
    return;
  }
  if (d == 0) {  // covers -0, which JavaScript prints as "0"
    out->push_back('0');
    return;
  }
  // Shortest round-trip digits in scientific form ("-1.2345e+02"), then laid out the way
  // ECMAScript Number::toString does (ECMA-262 §6.1.6.1.20).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  if (res.ec != std::errc()) {
    out->append("NaN");  // unreachable for finite doubles with a 64-byte buffer
    return;
  }
  const char* p = buf;
  const char* end = res.ptr;
  if (*p == '-') {
    out->push_back('-');
    ++p;
  }
  char digits[32];
  int k = 0;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') digits[k++] = *p;
  }
  int exponent = 0;  // p points at 'e'; the buffer is not NUL-terminated, so parse up to `end`
  const char* exp_begin = p + 1;
  if (exp_begin < end && *exp_begin == '+') ++exp_begin;
  std::from_chars(exp_begin, end, exponent);
  const int n = exponent + 1;             // position of the decimal point
  if (k <= n && n <= 21) {
    out->append(digits, k);
    out->append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out->append(digits, n);
    out->push_back('.');
    out->append(digits + n, k - n);
  } else if (-6 < n && n <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-n), '0');
    out->append(digits, k);
  } else {
    out->push_back(digits[0]);
    if (k > 1) {
      out->push_back('.');
      out->append(digits + 1, k - 1);
    }
    out->push_back('e');
    out->push_back(n - 1 >= 0 ? '+' : '-');
    out->append(std::to_string(std::abs(n - 1)));
  }
}

std::string FormatJsNumber(double d) {
  std::string s;
  AppendJsNumber(d, &s);
  return s;
}

}  // namespace flowkit::internal
