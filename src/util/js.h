// JavaScript semantics that Appmixer's components and modifiers rely on (appmixer-utils.md §1):
// Number(x), parseFloat, String(x), ==, ===, lodash isEmpty, truthiness, and moment-style date
// parsing and formatting. Internal to flowkit (not a public header).
//
// Threading: every function is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::js {

// The number a Json number holds (integers and doubles alike); NaN for non-numbers.
double NumberValue(const Json& value) noexcept;

// JavaScript Number(x): "" and whitespace → 0, surrounding whitespace trimmed, 0x/0o/0b
// prefixes, [+-]Infinity and exponents accepted, anything else NaN; null → 0, booleans → 0/1,
// undefined → NaN, arrays via their string form ([] → 0, [5] → 5, [1,2] → NaN), objects → NaN.
double ToNumber(const Json& value);
double StringToNumber(std::string_view text);

// JavaScript parseFloat(String(x)): the longest leading decimal literal (after whitespace), else
// NaN. No hex ("0x10" → 0).
double ParseFloat(const Json& value);
double ParseFloatString(std::string_view text);

// JavaScript String(x): arrays join(",") with null/undefined elements as "", objects
// "[object Object]", null "null", undefined "undefined", numbers as Number.prototype.toString.
std::string ToString(const Json& value);
std::string NumberToString(double d);

// encodeURIComponent: every byte of `text` (UTF-8) but ASCII letters, digits and `keep` as %XX.
// Other `keep` sets give the variants of axios ("-_.!~*'():$,[]") and qs / RFC 3986 ("-_.~").
std::string EncodeUriComponent(std::string_view text, std::string_view keep = "-_.!~*'()");

// String.prototype.trim / trimStart / trimEnd (JavaScript's white space set, UTF-8 aware).
std::string_view Trim(std::string_view text);
std::string_view TrimStart(std::string_view text);
std::string_view TrimEnd(std::string_view text);

// UTF-8 helpers for string operations that JavaScript defines on characters. Invalid bytes
// decode to U+FFFD. Length counts UTF-16 code units, as String.prototype.length does.
std::u32string DecodeUtf8(std::string_view text);
std::string EncodeUtf8(std::u32string_view code_points);
// Appends `text` with each invalid byte as U+FFFD (the same text as EncodeUtf8(DecodeUtf8(text)),
// without the detour through UTF-32).
void AppendSanitizedUtf8(std::string_view text, std::string* out);
void AppendUtf8(char32_t code_point, std::string* out);
size_t Utf16Length(std::string_view text);

// typeof x, with "object" for null, arrays and objects.
std::string_view TypeOf(const Json& value) noexcept;

// x == y. Arrays and objects compare by value (deep equality): flowkit values have no identity,
// so where JavaScript would compare references we compare contents.
bool LooseEquals(const Json& a, const Json& b);
// x === y (same value caveat for arrays and objects; NaN !== NaN).
bool StrictEquals(const Json& a, const Json& b);

// JavaScript's relational operators (<, <=, >, >=): both sides become primitives; two strings
// compare by code point, anything else numerically; NaN makes every comparison false.
bool LessThan(const Json& a, const Json& b);
bool LessOrEqual(const Json& a, const Json& b);
bool GreaterThan(const Json& a, const Json& b);
bool GreaterOrEqual(const Json& a, const Json& b);

// lodash isEmpty: null/undefined, "", [], {} are empty, and so are numbers and booleans.
bool IsEmpty(const Json& value);
// Appmixer's isNotEmpty: !isEmpty(x) || isNumber(x) || isBoolean(x).
bool IsNotEmpty(const Json& value);
// JavaScript truthiness: false, 0, NaN, "", null, undefined are falsy.
bool Truthy(const Json& value);

// Appmixer's contains(a, b): non-strings become JSON text, then a case-insensitive substring
// test (ASCII case folding). JavaScript throws when either side is undefined; this answers false.
bool Contains(const Json& haystack, const Json& needle);

// A date as epoch milliseconds, from what moment(x).isValid() accepts in practice: numbers
// (epoch ms); ISO 8601 strings (date, date-time with "T" or space, optional seconds, fraction
// and offset; basic and extended forms; YYYY-DDD ordinal dates); RFC 2822 ("Tue, 01 Nov 2016
// 01:23:45 +0000"); and the common forms JavaScript's Date parser accepts ("Mar 7 2020 10:00",
// "March 7, 2020", "2020/03/07", Date.prototype.toString output); arrays [y, M0, d, h, m, s, ms].
// Times without an offset are taken as UTC (moment would use the server's zone). nullopt for
// anything else, including undefined (see IsDate).
std::optional<int64_t> ParseDate(const Json& value);
std::optional<int64_t> ParseDateString(std::string_view text);
// moment(x).isValid(): ParseDate succeeds, or x is undefined (moment(undefined) is "now").
bool IsDate(const Json& value);
// moment(x).valueOf() for a value IsDate accepts: ParseDate(x), except that undefined is
// `now_ms` (moment(undefined) is the current time). nullopt when !IsDate(x).
std::optional<int64_t> MomentMillis(const Json& value, int64_t now_ms);
// moment(ms).add(amount, unit), in UTC. "ms", "s", "m", "h" add exact time (fractions kept, the
// sum truncated to whole ms); "d" and "w" add Math.round(amount, x7 for weeks) days; "M", "Q"
// and "y" add Math.round(amount, x3 / x12) months, clamping the day to the month's last
// (Jan 31 + 1 M = Feb 28/29). moment's long names ("minutes", "day", ...) work too. nullopt for
// an unknown unit (moment then adds nothing), a non-finite amount, or a result past the years
// JavaScript dates reach.
std::optional<int64_t> MomentAdd(int64_t ms, double amount, std::string_view unit);

// moment(text, format[, tz]) in moment's forgiving mode: format tokens YYYY YY Y M MM MMM MMMM
// D DD Do DDD DDDD H HH h hh k kk m mm s ss S.. A a Z ZZ X x (day names are read and ignored);
// literal text in the format may be missing or differ in the input. Fields the format lacks
// default as moment's do: no date at all → the day of `now_ms` in the zone, otherwise month 1 /
// day 1; time 00:00:00. Times without an offset are wall time in `tz_name` (UTC when empty).
// kInvalidArgument when the text does not fit or the zone is unknown.
Result<int64_t> ParseDateWithFormat(std::string_view text, std::string_view format,
                                    std::string_view tz_name, int64_t now_ms);

// Date.prototype.toISOString: "2026-11-23T18:23:11.000Z" (±YYYYYY outside years 0..9999).
std::string FormatIso(int64_t ms);

// moment(ms).tz(tz_name).format(format). Tokens: YYYY YY Y Q M Mo MM MMM MMMM D Do DD DDD DDDo
// DDDD d do dd ddd dddd E e w ww W WW H HH h hh k kk m mm s ss S SS SSS (up to 9 S) A a Z ZZ z zz
// X x, localized L LL LLL LLLL l ll lll llll LT LTS, and [escaped text]; other characters are
// copied. English names. An empty format gives moment's default "YYYY-MM-DDTHH:mm:ssZ" ("Z" for
// UTC). `tz_name` is an IANA zone ("Europe/Prague"), "UTC"/"Z", an offset ("+02:00", "-0530"),
// or empty for UTC; an unknown zone is kInvalidArgument.
Result<std::string> FormatDate(int64_t ms, std::string_view format, std::string_view tz_name = {});

// The offset from UTC, in minutes, that `tz_name` (as FormatDate takes it) has at `ms`.
Result<int> ZoneOffsetMinutes(int64_t ms, std::string_view tz_name);

}  // namespace flowkit::js
