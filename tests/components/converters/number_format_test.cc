// Excel number formats as SheetJS's SSF renders them (the text XLSX2CSV and XLSX2HTML show).
#include "components/converters/number_format.h"

#include <gtest/gtest.h>

namespace flowkit::components::converters {
namespace {

TEST(ConverterNumberFormat, DatesAndTimes) {
  const double jan31 = 45322;                         // 2024-01-31, a Wednesday
  const double jan31_1307 = 45322 + 47220.0 / 86400;  // 13:07:00
  EXPECT_EQ(FormatNumber(jan31, BuiltinNumberFormat(14), false), "1/31/24");
  EXPECT_EQ(FormatNumber(jan31, BuiltinNumberFormat(15), false), "31-Jan-24");
  EXPECT_EQ(FormatNumber(jan31_1307, BuiltinNumberFormat(22), false), "1/31/24 13:07");
  EXPECT_EQ(FormatNumber(jan31_1307, BuiltinNumberFormat(18), false), "1:07 PM");
  EXPECT_EQ(FormatNumber(jan31_1307, BuiltinNumberFormat(19), false), "1:07:00 PM");
  EXPECT_EQ(FormatNumber(jan31, "yyyy-mm-dd", false), "2024-01-31");
  EXPECT_EQ(FormatNumber(jan31_1307, "dd/mm/yyyy hh:mm:ss", false), "31/01/2024 13:07:00");
  EXPECT_EQ(FormatNumber(jan31, "dddd, mmmm d, yyyy", false), "Wednesday, January 31, 2024");
  EXPECT_EQ(FormatNumber(jan31, "[$-409]d mmm yyyy;@", false), "31 Jan 2024");
  // Excel's 1900 calendar has a 29 February; 1904 workbooks count from 1 January 1904.
  EXPECT_EQ(FormatNumber(1, "m/d/yy", false), "1/1/00");
  EXPECT_EQ(FormatNumber(59, "m/d/yy", false), "2/28/00");
  EXPECT_EQ(FormatNumber(60, "m/d/yy", false), "2/29/00");
  EXPECT_EQ(FormatNumber(61, "m/d/yy", false), "3/1/00");
  EXPECT_EQ(FormatNumber(0, "m/d/yyyy", true), "1/1/1904");
  EXPECT_EQ(FormatNumber(1.5, BuiltinNumberFormat(46), false), "36:00:00");
  EXPECT_EQ(FormatNumber(61.0 / 86400, BuiltinNumberFormat(45), false), "01:01");
}

TEST(ConverterNumberFormat, NumbersWithPlaceholders) {
  EXPECT_EQ(FormatNumber(2.5, "0", false), "3");
  EXPECT_EQ(FormatNumber(1234.567, "0.00", false), "1234.57");
  EXPECT_EQ(FormatNumber(1234567.8, "#,##0", false), "1,234,568");
  EXPECT_EQ(FormatNumber(-1234.5, "#,##0.00", false), "-1,234.50");
  EXPECT_EQ(FormatNumber(0.256, "0%", false), "26%");
  EXPECT_EQ(FormatNumber(0.25, "0.00%", false), "25.00%");
  EXPECT_EQ(FormatNumber(12345, "0.00E+00", false), "1.23E+04");
  EXPECT_EQ(FormatNumber(5, "$#,##0.00", false), "$5.00");
  EXPECT_EQ(FormatNumber(3, "\"USD\" 0.0", false), "USD 3.0");
  EXPECT_EQ(FormatNumber(-5, BuiltinNumberFormat(37), false), "(5)");
  EXPECT_EQ(FormatNumber(1, "[Red]0.00", false), "1.00");
  EXPECT_EQ(FormatNumber(0, "0;-0;\"zero\"", false), "zero");
  EXPECT_EQ(FormatNumber(0.5, "#.##", false), ".5");
  // What it does not read falls back to General.
  EXPECT_EQ(FormatNumber(0.5, "General", false), "0.5");
  EXPECT_EQ(FormatNumber(7, "@", false), "7");
  EXPECT_EQ(FormatNumber(0.5, "# ?/?", false), "0.5");
  EXPECT_EQ(BuiltinNumberFormat(0), "");
}

}  // namespace
}  // namespace flowkit::components::converters
