// The SheetJS rules the table converters share: fuzzy numbers, the General format, cell typing,
// sheet_to_json keys and sheet_to_csv layout.
#include "components/converters/sheet.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace flowkit::components::converters {
namespace {

TEST(ConverterSheet, FuzzyNumberReadsWhatSheetJsReads) {
  EXPECT_EQ(FuzzyNumber("36"), 36);
  EXPECT_EQ(FuzzyNumber(" 1.5 "), 1.5);
  EXPECT_EQ(FuzzyNumber("-7e2"), -700);
  EXPECT_EQ(FuzzyNumber("0x1F"), 31);  // JavaScript Number() takes hex
  EXPECT_EQ(FuzzyNumber("1,234"), 1234);
  EXPECT_EQ(FuzzyNumber("1,234,567.5"), 1234567.5);
  EXPECT_EQ(FuzzyNumber("$5"), 5);
  EXPECT_EQ(FuzzyNumber("50%"), 0.5);
  EXPECT_EQ(FuzzyNumber("(5)"), -5);
  EXPECT_EQ(FuzzyNumber("($1,000)"), -1000);
  // The thousands regex does not overlap: "1,2,3" keeps a comma and is no number.
  EXPECT_TRUE(std::isnan(FuzzyNumber("1,2,3")));
  EXPECT_TRUE(std::isnan(FuzzyNumber("12abc")));
  EXPECT_TRUE(std::isnan(FuzzyNumber("abc")));
  EXPECT_TRUE(std::isnan(FuzzyNumber("Infinity")));  // JSON has no Infinity
  EXPECT_TRUE(std::isnan(FuzzyNumber("1e400")));
  EXPECT_TRUE(std::isnan(FuzzyNumber("(1\n2)")));  // "." stops at a line break
}

TEST(ConverterSheet, CellTextBecomesStringNumberOrBoolean) {
  EXPECT_EQ(CellValueFromText("42", ""), Json(42));
  EXPECT_TRUE(CellValueFromText("42", "").IsInteger());
  EXPECT_EQ(CellValueFromText("42", "s"), Json("42"));
  EXPECT_EQ(CellValueFromText("TRUE", ""), Json(true));
  EXPECT_EQ(CellValueFromText("FALSE", ""), Json(false));
  EXPECT_EQ(CellValueFromText("true", ""), Json("true"));  // SheetJS: only upper case
  EXPECT_EQ(CellValueFromText("true", "b"), Json(true));   // flowkit's writer marks booleans
  EXPECT_EQ(CellValueFromText("yes", "b"), Json("yes"));
  EXPECT_EQ(CellValueFromText(" ", ""), Json(" "));
  EXPECT_EQ(CellValueFromText("2024-01-31", ""), Json("2024-01-31"));  // dates stay text
  EXPECT_TRUE(TextReadsAsNonString("007"));
  EXPECT_TRUE(TextReadsAsNonString("TRUE"));
  EXPECT_FALSE(TextReadsAsNonString("Ada"));
}

TEST(ConverterSheet, GeneralFormatFitsElevenCharacters) {
  EXPECT_EQ(FormatGeneral(Json(36)), "36");
  EXPECT_EQ(FormatGeneral(Json(-2147483648.0)), "-2147483648");
  EXPECT_EQ(FormatGeneral(Json(2147483648.0)), "2147483648");
  EXPECT_EQ(FormatGeneral(Json(1.5)), "1.5");
  EXPECT_EQ(FormatGeneral(Json(0.1 + 0.2)), "0.3");
  EXPECT_EQ(FormatGeneral(Json(1.0 / 3)), "0.333333333");
  EXPECT_EQ(FormatGeneral(Json(-1.0 / 3)), "-0.333333333");
  EXPECT_EQ(FormatGeneral(Json(0.000123)), "0.000123");
  EXPECT_EQ(FormatGeneral(Json(0.0000001)), "0.0000001");
  EXPECT_EQ(FormatGeneral(Json(1.23456789e-7)), "1.23457E-07");
  EXPECT_EQ(FormatGeneral(Json(12345678901.5)), "12345678901");
  EXPECT_EQ(FormatGeneral(Json(123456789012.0)), "1.23457E+11");
  EXPECT_EQ(FormatGeneral(Json(1e21)), "1E+21");
  EXPECT_EQ(FormatGeneral(Json(1.5e25)), "1.5E+25");
  EXPECT_EQ(FormatGeneral(Json(true)), "TRUE");
  EXPECT_EQ(FormatGeneral(Json("x")), "x");
}

TEST(ConverterSheet, JsonKeysComeFromTheFirstRowOfTheBox) {
  Sheet sheet;
  // The box starts at row 2, column 1: rows and columns before it are ignored.
  sheet.Set(2, 1, Json("a"));
  sheet.Set(2, 3, Json("a"));
  sheet.Set(2, 4, Json(7));
  sheet.Set(2, 5, Json("a"));
  sheet.Set(3, 1, Json(1));
  sheet.Set(3, 2, Json("no header"));
  sheet.Set(3, 5, Json(true));
  sheet.Set(5, 4, Json("x"));
  EXPECT_EQ(SheetToJson(sheet), Json::Parse(R"([
      {"a": 1, "__EMPTY": "no header", "a_2": true},
      {"7": "x"}])")
                                    .value());
  EXPECT_EQ(SheetToJson(Sheet()), Json::MakeArray());
}

TEST(ConverterSheet, CsvHasEveryRowAndColumnOfTheBox) {
  Sheet sheet;
  sheet.Set(1, 1, Json("name"));
  sheet.Set(1, 2, Json("note"));
  sheet.Set(2, 1, Json("ID"));
  sheet.Set(2, 2, Json("a, \"b\"\nc"));
  sheet.Set(4, 3, Json(0.5));
  Result<std::string> csv = SheetToCsv(sheet, 1000);
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(*csv, "name,note,\n\"ID\",\"a, \"\"b\"\"\nc\",\n,,\n,,0.5");
  EXPECT_EQ(SheetToCsv(Sheet(), 10).value(), "");
  Result<std::string> big = SheetToCsv(sheet, 10);
  EXPECT_EQ(big.status().code(), StatusCode::kTooLarge);
  EXPECT_NE(big.status().message().find("4 rows × 3 columns"), std::string::npos)
      << big.status().message();
}

}  // namespace
}  // namespace flowkit::components::converters
