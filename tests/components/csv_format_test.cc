#include "components/csv/csv_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace flowkit::components::csv {
namespace {

using ::testing::ElementsAre;

TEST(CsvFormat, ParsesRecordsAndDropsOneTrailingLineEnding) {
  EXPECT_THAT(ParseCsv("Name,Points\nJiří,43"),
              ElementsAre(ElementsAre("Name", "Points"), ElementsAre("Jiří", "43")));
  EXPECT_THAT(ParseCsv("a,b\n1,2\n"), ElementsAre(ElementsAre("a", "b"), ElementsAre("1", "2")));
  // Only the last line ending is free: an empty line inside (or a second ending) is a record.
  EXPECT_THAT(ParseCsv("a\n\nb\n"), ElementsAre(ElementsAre("a"), ElementsAre(""), ElementsAre("b")));
  EXPECT_THAT(ParseCsv("a\n\n"), ElementsAre(ElementsAre("a"), ElementsAre("")));
  EXPECT_TRUE(ParseCsv("").empty());
}

TEST(CsvFormat, AcceptsCrLfLfAndLoneCr) {
  EXPECT_THAT(ParseCsv("a,b\r\nc,d\re,f\ng,h\r\n"),
              ElementsAre(ElementsAre("a", "b"), ElementsAre("c", "d"), ElementsAre("e", "f"),
                          ElementsAre("g", "h")));
}

TEST(CsvFormat, KeepsEmptyFields) {
  EXPECT_THAT(ParseCsv(",a,,\n"), ElementsAre(ElementsAre("", "a", "", "")));
  EXPECT_THAT(ParseCsv("a,"), ElementsAre(ElementsAre("a", "")));
}

TEST(CsvFormat, UnquotesFieldsWithDelimitersQuotesAndNewlines) {
  EXPECT_THAT(ParseCsv("\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\"\nx,y"),
              ElementsAre(ElementsAre("a,b", "say \"hi\"", "two\r\nlines"), ElementsAre("x", "y")));
  EXPECT_THAT(ParseCsv("\"\",\"\"\n"), ElementsAre(ElementsAre("", "")));
}

TEST(CsvFormat, QuoteInsideAnUnquotedFieldIsLiteral) {
  EXPECT_THAT(ParseCsv("ab\"c,5\" tall\n"), ElementsAre(ElementsAre("ab\"c", "5\" tall")));
  // Text after a closing quote is kept, as csv-reader does.
  EXPECT_THAT(ParseCsv("\"ab\"cd,e"), ElementsAre(ElementsAre("abcd", "e")));
}

TEST(CsvFormat, UnterminatedQuoteRunsToTheEnd) {
  EXPECT_THAT(ParseCsv("a,\"b\nc"), ElementsAre(ElementsAre("a", "b\nc")));
}

TEST(CsvFormat, OtherDelimiters) {
  EXPECT_THAT(ParseCsv("a;b,c;\"d;e\"\n", ";"), ElementsAre(ElementsAre("a", "b,c", "d;e")));
  EXPECT_THAT(ParseCsv("a\tb\n", "\t"), ElementsAre(ElementsAre("a", "b")));
  EXPECT_THAT(ParseCsv("a||b|c\n", "||"), ElementsAre(ElementsAre("a", "b|c")));
  EXPECT_THAT(ParseCsv("a§b\n", "§"), ElementsAre(ElementsAre("a", "b")));
  EXPECT_THAT(ParseCsv("a,b\n", ""), ElementsAre(ElementsAre("a", "b")));
}

TEST(CsvFormat, SkipsUtf8Bom) {
  EXPECT_THAT(ParseCsv("\xEF\xBB\xBFName,Points\n"), ElementsAre(ElementsAre("Name", "Points")));
}

TEST(CsvFormat, StopsAfterMaxRecords) {
  EXPECT_THAT(ParseCsv("a,b\nc,d\ne", ",", 1), ElementsAre(ElementsAre("a", "b")));
  EXPECT_THAT(ParseCsv("a,b", ",", 1), ElementsAre(ElementsAre("a", "b")));
}

TEST(CsvFormat, CellValueParsesNumbersAndBooleansAfterTrimming) {
  CellOptions both;
  EXPECT_EQ(CellValue("43", both), Json(43));
  EXPECT_TRUE(CellValue("43", both).IsInteger());
  EXPECT_EQ(CellValue(" 1.5 ", both), Json(1.5));
  EXPECT_EQ(CellValue("-2", both), Json(-2));
  EXPECT_EQ(CellValue("+3", both), Json(3));
  EXPECT_EQ(CellValue(".5", both), Json(0.5));
  EXPECT_EQ(CellValue("5.", both), Json(5));
  EXPECT_EQ(CellValue("1e+3", both), Json(1000));
  EXPECT_EQ(CellValue("007", both), Json(7));
  EXPECT_EQ(CellValue("true", both), Json(true));
  EXPECT_EQ(CellValue(" false\t", both), Json(false));
  // Not numbers or booleans: kept as trimmed text.
  EXPECT_EQ(CellValue("True", both), Json("True"));
  EXPECT_EQ(CellValue("0x1F", both), Json("0x1F"));
  EXPECT_EQ(CellValue("1,5", both), Json("1,5"));
  EXPECT_EQ(CellValue("1e", both), Json("1e"));
  EXPECT_EQ(CellValue("-", both), Json("-"));
  EXPECT_EQ(CellValue(".", both), Json("."));
  EXPECT_EQ(CellValue("Infinity", both), Json("Infinity"));
  EXPECT_EQ(CellValue("1e999", both), Json("1e999"));
  EXPECT_EQ(CellValue("", both), Json(""));
  EXPECT_EQ(CellValue("  Jiří \xC2\xA0", both), Json("Jiří"));
}

TEST(CsvFormat, CellValueHonoursTheOptions) {
  CellOptions none{.parse_numbers = false, .parse_booleans = false};
  EXPECT_EQ(CellValue(" 43 ", none), Json("43"));
  EXPECT_EQ(CellValue("true", none), Json("true"));
  CellOptions numbers_only{.parse_numbers = true, .parse_booleans = false};
  EXPECT_EQ(CellValue("true", numbers_only), Json("true"));
  EXPECT_EQ(CellValue("4", numbers_only), Json(4));
}

TEST(CsvFormat, TrimSpace) {
  EXPECT_EQ(TrimSpace(" \t a b \r\n"), "a b");
  EXPECT_EQ(TrimSpace("\xC2\xA0x\xEF\xBB\xBF"), "x");
  EXPECT_EQ(TrimSpace("   "), "");
}

TEST(CsvFormat, CellTextFollowsArrayJoin) {
  EXPECT_EQ(CellText(Json("a")), "a");
  EXPECT_EQ(CellText(Json(100)), "100");
  EXPECT_EQ(CellText(Json(1.5)), "1.5");
  EXPECT_EQ(CellText(Json(true)), "true");
  EXPECT_EQ(CellText(Json()), "");
  EXPECT_EQ(CellText(Json::Undefined()), "");
  EXPECT_EQ(CellText(Json::MakeArray({1, 2})), "1,2");
  EXPECT_EQ(CellText(Json::MakeObject({{"a", 1}})), "[object Object]");
}

TEST(CsvFormat, WritesBareFieldsAndQuotesOnlyWhenNeeded) {
  std::string out;
  std::vector<std::string> plain = {"Jiří", "100", ""};
  AppendCsvRecord(plain, ",", &out);
  EXPECT_EQ(out, "Jiří,100,\n");

  out.clear();
  std::vector<std::string> special = {"a,b", "say \"hi\"", "two\nlines", "cr\r", "x;y"};
  AppendCsvRecord(special, ",", &out);
  EXPECT_EQ(out, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",x;y\n");

  out.clear();
  AppendCsvRecord(special, ";", &out);
  EXPECT_EQ(out, "a,b;\"say \"\"hi\"\"\";\"two\nlines\";\"cr\r\";\"x;y\"\n");
}

TEST(CsvFormat, WrittenRecordsReadBackUnchanged) {
  std::vector<std::vector<std::string>> records = {
      {"Name", "Notes"}, {"Jiří", "likes \"csv\", a lot"}, {"", "multi\r\nline"}, {"solo"}};
  for (std::string delimiter : {",", ";", "\t", "||"}) {
    std::string text;
    for (const auto& record : records) AppendCsvRecord(record, delimiter, &text);
    EXPECT_EQ(ParseCsv(text, delimiter), records) << "delimiter " << delimiter;
  }
}

}  // namespace
}  // namespace flowkit::components::csv
