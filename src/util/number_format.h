// JavaScript-compatible number formatting (Number.prototype.toString / JSON.stringify).
#pragma once

#include <string>

namespace flowkit::internal {

// Appends the shortest text that round-trips `d`, laid out as JavaScript does: integers below
// 1e21 in full ("100", "1e+21"), decimals without exponent from 1e-6 up ("0.000001"),
// exponent form below ("1e-7"). NaN and ±Infinity append "NaN" / "Infinity" / "-Infinity"
// (callers writing JSON turn them into null first).
void AppendJsNumber(double d, std::string* out);
std::string FormatJsNumber(double d);

}  // namespace flowkit::internal
