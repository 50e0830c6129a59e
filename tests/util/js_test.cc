#include "util/js.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace flowkit::js {
namespace {

Json Arr(std::initializer_list<Json> items) { return Json::MakeArray(items); }

TEST(JsToNumber, ConvertsStringsLikeNumberConstructor) {
  EXPECT_EQ(StringToNumber(""), 0);
  EXPECT_EQ(StringToNumber("   \t\n"), 0);
  EXPECT_EQ(StringToNumber("  42  "), 42);
  EXPECT_EQ(StringToNumber("-3.5"), -3.5);
  EXPECT_EQ(StringToNumber("+7"), 7);
  EXPECT_EQ(StringToNumber(".5"), 0.5);
  EXPECT_EQ(StringToNumber("5."), 5);
  EXPECT_EQ(StringToNumber("1e3"), 1000);
  EXPECT_EQ(StringToNumber("1E-2"), 0.01);
  EXPECT_EQ(StringToNumber("0x1F"), 31);
  EXPECT_EQ(StringToNumber("0b101"), 5);
  EXPECT_EQ(StringToNumber("0o17"), 15);
  EXPECT_EQ(StringToNumber("Infinity"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(StringToNumber("-Infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(StringToNumber("1e400"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(StringToNumber("1e-400"), 0);
  EXPECT_EQ(StringToNumber("\xc2\xa0"
                           "8"),
            8);  // NBSP is white space
}

TEST(JsToNumber, RejectsWhatNumberConstructorRejects) {
  for (const char* text : {"abc", "12px", "1,5", "0x", "-0x10", "inf", "nan", "NaN", "1e", ".", "+",
                           "1 2", "0xZZ", "infinity"}) {
    EXPECT_TRUE(std::isnan(StringToNumber(text))) << text;
  }
}

TEST(JsToNumber, ConvertsOtherTypes) {
  EXPECT_EQ(ToNumber(Json(nullptr)), 0);
  EXPECT_TRUE(std::isnan(ToNumber(Json::Undefined())));
  EXPECT_EQ(ToNumber(Json(true)), 1);
  EXPECT_EQ(ToNumber(Json(false)), 0);
  EXPECT_EQ(ToNumber(Json(2.5)), 2.5);
  EXPECT_EQ(ToNumber(Json("12")), 12);
  EXPECT_EQ(ToNumber(Arr({})), 0);
  EXPECT_EQ(ToNumber(Arr({5})), 5);
  EXPECT_EQ(ToNumber(Arr({"7"})), 7);
  EXPECT_TRUE(std::isnan(ToNumber(Arr({1, 2}))));
  EXPECT_TRUE(std::isnan(ToNumber(Json::MakeObject())));
}

TEST(JsParseFloat, TakesTheLeadingNumber) {
  EXPECT_EQ(ParseFloatString("3.14abc"), 3.14);
  EXPECT_EQ(ParseFloatString("  -2e2x"), -200);
  EXPECT_EQ(ParseFloatString("0x10"), 0);
  EXPECT_EQ(ParseFloatString("1e"), 1);
  EXPECT_EQ(ParseFloatString("Infinityx"), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(ParseFloatString("")));
  EXPECT_TRUE(std::isnan(ParseFloatString("abc")));
  EXPECT_EQ(ParseFloat(Json(7)), 7);
  EXPECT_TRUE(std::isnan(ParseFloat(Json(nullptr))));
  EXPECT_EQ(ParseFloat(Arr({"4.5", 1})), 4.5);  // "4.5,1"
}

TEST(JsToString, MatchesStringConstructor) {
  EXPECT_EQ(ToString(Json::Undefined()), "undefined");
  EXPECT_EQ(ToString(Json(nullptr)), "null");
  EXPECT_EQ(ToString(Json(true)), "true");
  EXPECT_EQ(ToString(Json(100)), "100");
  EXPECT_EQ(ToString(Json(0.1)), "0.1");
  EXPECT_EQ(ToString(Json(1e21)), "1e+21");
  EXPECT_EQ(ToString(Json(-1.5)), "-1.5");
  EXPECT_EQ(ToString(Json("x")), "x");
  EXPECT_EQ(ToString(Arr({1, "a", nullptr, Json::Undefined(), Arr({2, 3})})), "1,a,,,2,3");
  EXPECT_EQ(ToString(Json::MakeObject({{"a", 1}})), "[object Object]");
  EXPECT_EQ(ToString(Json(std::nan(""))), "NaN");
}

TEST(JsLooseEquals, FollowsAbstractEquality) {
  EXPECT_TRUE(LooseEquals(Json(nullptr), Json::Undefined()));
  EXPECT_FALSE(LooseEquals(Json(nullptr), Json(0)));
  EXPECT_FALSE(LooseEquals(Json::Undefined(), Json("")));
  EXPECT_TRUE(LooseEquals(Json(1), Json("1")));
  EXPECT_TRUE(LooseEquals(Json(""), Json(0)));
  EXPECT_TRUE(LooseEquals(Json("1.0"), Json(1)));
  EXPECT_TRUE(LooseEquals(Json(true), Json(1)));
  EXPECT_TRUE(LooseEquals(Json(true), Json("1")));
  EXPECT_FALSE(LooseEquals(Json(true), Json("true")));
  EXPECT_TRUE(LooseEquals(Arr({1, 2}), Json("1,2")));
  EXPECT_TRUE(LooseEquals(Json::MakeObject(), Json("[object Object]")));
  EXPECT_FALSE(LooseEquals(Json("a"), Json("b")));
  EXPECT_FALSE(LooseEquals(Json(std::nan("")), Json(std::nan(""))));
  EXPECT_TRUE(LooseEquals(Arr({1}), Arr({1})));  // by value: flowkit values have no identity
}

TEST(JsStrictEquals, RequiresSameType) {
  EXPECT_TRUE(StrictEquals(Json(1), Json(1.0)));
  EXPECT_FALSE(StrictEquals(Json(1), Json("1")));
  EXPECT_FALSE(StrictEquals(Json(nullptr), Json::Undefined()));
  EXPECT_TRUE(StrictEquals(Json::Undefined(), Json::Undefined()));
  EXPECT_FALSE(StrictEquals(Json(std::nan("")), Json(std::nan(""))));
}

TEST(JsRelational, ComparesStringsAsTextAndOthersAsNumbers) {
  EXPECT_TRUE(GreaterThan(Json("150"), Json("100")));
  EXPECT_TRUE(GreaterThan(Json("9"), Json("100")));  // two strings: text order
  EXPECT_FALSE(GreaterThan(Json(9), Json("100")));   // one number: numeric
  EXPECT_TRUE(LessThan(Json(nullptr), Json(1)));
  EXPECT_FALSE(GreaterThan(Json("abc"), Json(1)));  // NaN
  EXPECT_FALSE(LessThan(Json("abc"), Json(1)));
  EXPECT_TRUE(GreaterOrEqual(Json(2), Json(2)));
  EXPECT_TRUE(LessOrEqual(Json(nullptr), Json(0)));
  EXPECT_FALSE(LessOrEqual(Json::Undefined(), Json(0)));
}

TEST(JsEmptiness, FollowsLodashAndAppmixer) {
  EXPECT_TRUE(IsEmpty(Json::Undefined()));
  EXPECT_TRUE(IsEmpty(Json(nullptr)));
  EXPECT_TRUE(IsEmpty(Json("")));
  EXPECT_TRUE(IsEmpty(Arr({})));
  EXPECT_TRUE(IsEmpty(Json::MakeObject()));
  EXPECT_TRUE(IsEmpty(Json(5)));
  EXPECT_TRUE(IsEmpty(Json(true)));
  EXPECT_FALSE(IsEmpty(Json(" ")));
  EXPECT_FALSE(IsEmpty(Arr({nullptr})));
  EXPECT_TRUE(IsNotEmpty(Json(0)));
  EXPECT_TRUE(IsNotEmpty(Json(false)));
  EXPECT_TRUE(IsNotEmpty(Json("a")));
  EXPECT_FALSE(IsNotEmpty(Json("")));
  EXPECT_FALSE(IsNotEmpty(Json(nullptr)));
}

TEST(JsTruthy, MatchesJavaScript) {
  EXPECT_FALSE(Truthy(Json::Undefined()));
  EXPECT_FALSE(Truthy(Json(nullptr)));
  EXPECT_FALSE(Truthy(Json(0)));
  EXPECT_FALSE(Truthy(Json(std::nan(""))));
  EXPECT_FALSE(Truthy(Json("")));
  EXPECT_TRUE(Truthy(Json("0")));
  EXPECT_TRUE(Truthy(Json("false")));
  EXPECT_TRUE(Truthy(Arr({})));
  EXPECT_TRUE(Truthy(Json::MakeObject()));
  EXPECT_TRUE(Truthy(Json(-1)));
}

TEST(JsContains, IsCaseInsensitiveOverJsonText) {
  EXPECT_TRUE(Contains(Json("Hello World"), Json("WORLD")));
  EXPECT_FALSE(Contains(Json("Hello"), Json("bye")));
  EXPECT_TRUE(Contains(Arr({"a", "Bc"}), Json("\"bc\"")));
  EXPECT_TRUE(Contains(Json::MakeObject({{"k", 15}}), Json(15)));
  EXPECT_TRUE(Contains(Json(12345), Json("234")));
  EXPECT_FALSE(Contains(Json::Undefined(), Json("a")));
  EXPECT_FALSE(Contains(Json("a"), Json::Undefined()));
}

int64_t Ms(std::string_view text) {
  auto r = ParseDateString(text);
  EXPECT_TRUE(r.has_value()) << text;
  return r.value_or(-1);
}

TEST(JsParseDate, AcceptsIso8601Forms) {
  EXPECT_EQ(Ms("2026-11-23T18:23:11.000Z"), 1795458191000);
  EXPECT_EQ(Ms("2026-11-23T18:23:11Z"), 1795458191000);
  EXPECT_EQ(Ms("2026-11-23T19:23:11+01:00"), 1795458191000);
  EXPECT_EQ(Ms("2026-11-23T19:23:11+0100"), 1795458191000);
  EXPECT_EQ(Ms("2026-11-23T20:23:11+02"), 1795458191000);
  EXPECT_EQ(Ms("2026-11-23 18:23:11"), 1795458191000);
  EXPECT_EQ(Ms("2026-11-23 18:23"), 1795458180000);
  EXPECT_EQ(Ms("2026-11-23T18:23:11.5Z"), 1795458191500);
  EXPECT_EQ(Ms("2026-11-23T18:23:11,123456Z"), 1795458191123);
  EXPECT_EQ(Ms("2026-11-23"), 1795392000000);
  EXPECT_EQ(Ms("20261123"), 1795392000000);
  EXPECT_EQ(Ms("20261123T182311Z"), 1795458191000);
  EXPECT_EQ(Ms("2026-11"), Ms("2026-11-01"));
  EXPECT_EQ(Ms("2026"), Ms("2026-01-01"));
  EXPECT_EQ(Ms("2026-327"), 1795392000000);    // ordinal day
  EXPECT_EQ(Ms("2026-W48-1"), 1795392000000);  // ISO week date: Monday of week 48
  EXPECT_EQ(Ms("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(Ms("  2026-11-23  "), 1795392000000);
}

TEST(JsParseDate, AcceptsRfc2822AndJavaScriptForms) {
  EXPECT_EQ(Ms("Mon, 23 Nov 2026 18:23:11 +0000"), 1795458191000);
  EXPECT_EQ(Ms("23 Nov 2026 19:23:11 +0100"), 1795458191000);
  EXPECT_EQ(Ms("Mon, 23 Nov 2026 18:23:11 GMT"), 1795458191000);
  EXPECT_EQ(Ms("Mon, 23 Nov 2026 13:23:11 EST"), 1795458191000);
  EXPECT_EQ(Ms("Mon Nov 23 2026 19:23:11 GMT+0100 (Central European Standard Time)"),
            1795458191000);
  EXPECT_EQ(Ms("Nov 23, 2026"), 1795392000000);
  EXPECT_EQ(Ms("November 23, 2026 6:23 PM"), 1795458180000);
  EXPECT_EQ(Ms("2026/11/23"), 1795392000000);
  EXPECT_EQ(Ms("11/23/2026"), 1795392000000);
  EXPECT_EQ(Ms("23 November 2026"), 1795392000000);
}

TEST(JsParseDate, RejectsNonDates) {
  for (const char* text : {"", "hello", "2026-13-01", "2026-02-30", "2026-11-23T25:00",
                           "2026-11-23T18:61", "12", "2026-11-23X", "abc 2026", "1/2"}) {
    EXPECT_FALSE(ParseDateString(text).has_value()) << text;
  }
  EXPECT_FALSE(ParseDate(Json(nullptr)).has_value());
  EXPECT_FALSE(ParseDate(Json(true)).has_value());
  EXPECT_FALSE(ParseDate(Json::MakeObject()).has_value());
  EXPECT_FALSE(ParseDate(Json::Undefined()).has_value());
}

TEST(JsParseDate, TakesNumbersAsEpochMillisAndArraysAsParts) {
  EXPECT_EQ(ParseDate(Json(1795458191000)).value(), 1795458191000);
  EXPECT_EQ(ParseDate(Json(0)).value(), 0);
  EXPECT_EQ(ParseDate(Json::MakeArray({2026, 10, 23})).value(), 1795392000000);  // months from 0
  EXPECT_FALSE(ParseDate(Json(1e300)).has_value());
}

TEST(JsIsDate, TreatsUndefinedAsNowLikeMoment) {
  EXPECT_TRUE(IsDate(Json::Undefined()));
  EXPECT_TRUE(IsDate(Json("2026-11-23")));
  EXPECT_FALSE(IsDate(Json(nullptr)));
  EXPECT_FALSE(IsDate(Json("soon")));
}

TEST(JsFormatIso, MatchesDateToIsoString) {
  EXPECT_EQ(FormatIso(1795458191000), "2026-11-23T18:23:11.000Z");
  EXPECT_EQ(FormatIso(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso(253402300800000), "+010000-01-01T00:00:00.000Z");
}

std::string Fmt(int64_t ms, std::string_view format, std::string_view tz = {}) {
  auto r = FormatDate(ms, format, tz);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "";
}

constexpr int64_t kMonday = 1795458191123;  // 2026-11-23T18:23:11.123Z, a Monday

TEST(JsFormatDate, FormatsMomentTokens) {
  EXPECT_EQ(Fmt(kMonday, "YYYY-MM-DD HH:mm:ss.SSS"), "2026-11-23 18:23:11.123");
  EXPECT_EQ(Fmt(kMonday, "YY M D H m s S SS"), "26 11 23 18 23 11 1 12");
  EXPECT_EQ(Fmt(kMonday, "MMM MMMM Do"), "Nov November 23rd");
  EXPECT_EQ(Fmt(kMonday, "d dd ddd dddd"), "1 Mo Mon Monday");
  EXPECT_EQ(Fmt(kMonday, "h hh A a"), "6 06 PM pm");
  EXPECT_EQ(Fmt(kMonday, "Z ZZ"), "+00:00 +0000");
  EXPECT_EQ(Fmt(kMonday, "X x"), "1795458191 1795458191123");
  EXPECT_EQ(Fmt(kMonday, "[Today is] dddd"), "Today is Monday");
  EXPECT_EQ(Fmt(kMonday, "DDD DDDD Q W w"), "327 327 4 48 48");
  EXPECT_EQ(Fmt(kMonday, "L LT"), "11/23/2026 6:23 PM");
  EXPECT_EQ(Fmt(kMonday, "LLLL"), "Monday, November 23, 2026 6:23 PM");
  EXPECT_EQ(Fmt(kMonday, ""), "2026-11-23T18:23:11Z");
  EXPECT_EQ(Fmt(0, "h:mm a k"), "12:00 am 24");
  EXPECT_EQ(Fmt(kMonday, "Do [of] MMMM, YYYY!"), "23rd of November, 2026!");
  EXPECT_EQ(Fmt(kMonday, "YYYY-MM-DD|T|t"), "2026-11-23|T|t");  // non-token letters copy through
}

TEST(JsFormatDate, AppliesTimeZones) {
  EXPECT_EQ(Fmt(kMonday, "YYYY-MM-DD HH:mm Z z", "Europe/Prague"), "2026-11-23 19:23 +01:00 CET");
  EXPECT_EQ(Fmt(1783000000000, "HH:mm Z", "Europe/Prague"), "15:46 +02:00");  // summer time
  EXPECT_EQ(Fmt(kMonday, "YYYY-MM-DD HH:mm", "America/New_York"), "2026-11-23 13:23");
  EXPECT_EQ(Fmt(kMonday, "HH:mm Z", "+05:30"), "23:53 +05:30");
  EXPECT_EQ(Fmt(kMonday, "HH:mm", "UTC"), "18:23");
  EXPECT_EQ(Fmt(kMonday, "", "Asia/Tokyo"), "2026-11-24T03:23:11+09:00");
}

TEST(JsFormatDate, RejectsUnknownZones) {
  auto r = FormatDate(kMonday, "YYYY", "Mars/Olympus");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("Mars/Olympus"), std::string::npos);
  EXPECT_FALSE(FormatDate(kMonday, "YYYY", "+99:00").ok());
}

}  // namespace
}  // namespace flowkit::js
