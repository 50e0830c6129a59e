// Reading XLSX workbooks built part by part, and writing them (ReadXlsx / WriteXlsx).
#include "components/converters/xlsx.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "components/converters/html_table.h"
#include "components/converters/sheet.h"
#include "components/converters/xlsx_test_util.h"

namespace flowkit::components::converters {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

const std::string kSharedStrings = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
<si><t>Name</t></si>
<si><r><rPr><b/></rPr><t>Q</t></r><r><t>1</t></r></si>
<si><t/></si>
<si><t xml:space="preserve">line_x000D_
break</t><rPh sb="0" eb="1"><t>ignored</t></rPh></si>
</sst>)";

// Column D of row 1 is covered by the merge C1:D1; row 3 is missing; B4 is a styled empty cell.
const std::string kDataSheet = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:E4"/>
<sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Inline &amp; &lt;b&gt;</t></is></c><c r="C1" t="s"><v>1</v></c><c r="E1" t="str"><f>"Form"&amp;"ula"</f><v>Formula</v></c></row>
<row r="2"><c r="A2"><v>36</v></c><c r="B2" t="b"><v>1</v></c><c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D2" t="s"><v>3</v></c><c r="E2"><f>A2*2</f><v>72</v></c></row>
<row r="4"><c t="n"><v>1.5E-3</v></c><c s="1"/><c t="inlineStr"><is><r><t>rich </t></r><r><t xml:space="preserve">text</t></r><rPh><t>ignored</t></rPh></is></c></row>
</sheetData>
<mergeCells count="1"><mergeCell ref="C1:D1"/></mergeCells>
</worksheet>)";

// The workbook lists "Data" (sheet2.xml) before "Other" (sheet1.xml): Data is the first sheet.
Entries Workbook(const std::string& data_sheet) {
  return {
      {"[Content_Types].xml",
       "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"},
      {"_rels/.rels",
       R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>)"},
      {"xl/workbook.xml",
       R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Data" sheetId="2" r:id="rId2"/><sheet name="Other" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
      {"xl/_rels/workbook.xml.rels",
       R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>)"},
      {"xl/sharedStrings.xml", kSharedStrings},
      {"xl/worksheets/sheet1.xml",
       R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>other sheet</t></is></c></row></sheetData></worksheet>)"},
      {"xl/worksheets/sheet2.xml", data_sheet},
  };
}

TEST(ConverterXlsx, ReadsTheFirstSheetsStringsNumbersBooleansAndErrors) {
  Result<Sheet> sheet = ReadXlsx(testing::MakeZip(Workbook(kDataSheet)));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(SheetToJson(*sheet), Json::Parse(R"([
      {"Name": 36, "Inline & <b>": true, "__EMPTY": "line\r\nbreak", "Formula": 72},
      {"Name": 0.0015, "Q1": "rich text"}])")
                                     .value());
  EXPECT_EQ(SheetToCsv(*sheet, 1000).value(),
            "Name,Inline & "
            "<b>,Q1,,Formula\n36,TRUE,#DIV/0!,\"line\r\nbreak\",72\n,,,,\n0.0015,,rich text,,");
  std::string html = SheetToHtml(*sheet, 100000).value();
  EXPECT_NE(
      html.find("<tr><td data-t=\"s\" data-v=\"Name\" id=\"sjs-A1\">Name</td>"
                "<td data-t=\"s\" data-v=\"Inline &amp; &lt;b&gt;\" id=\"sjs-B1\">Inline &amp; "
                "&lt;b&gt;</td>"
                "<td colspan=\"2\" data-t=\"s\" data-v=\"Q1\" id=\"sjs-C1\">Q1</td>"
                "<td data-t=\"s\" data-v=\"Formula\" id=\"sjs-E1\">Formula</td></tr>\n"
                "<tr><td data-t=\"n\" data-v=\"36\" id=\"sjs-A2\">36</td>"
                "<td data-t=\"b\" data-v=\"true\" id=\"sjs-B2\">TRUE</td>"
                "<td data-t=\"e\" id=\"sjs-C2\">#DIV/0!</td>"
                "<td data-t=\"s\" data-v=\"line&#13;&#10;break\" id=\"sjs-D2\">line<br/>break</td>"
                "<td data-t=\"n\" data-v=\"72\" id=\"sjs-E2\">72</td></tr>\n"
                "<tr><td id=\"sjs-A3\"></td><td id=\"sjs-B3\"></td><td id=\"sjs-C3\"></td><td "
                "id=\"sjs-D3\"></td>"
                "<td id=\"sjs-E3\"></td></tr>\n"),
      std::string::npos)
      << html;
}

TEST(ConverterXlsx, NumberFormatsShapeTheTextNotTheValues) {
  Entries entries = Workbook(
      R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Date</t></is></c><c r="B1" t="inlineStr"><is><t>ISO</t></is></c><c r="C1" t="inlineStr"><is><t>Share</t></is></c><c r="D1" t="inlineStr"><is><t>Plain</t></is></c></row>
<row r="2"><c r="A2" s="1"><v>45322</v></c><c r="B2" s="2"><v>45322.5</v></c><c r="C2" s="3"><v>0.25</v></c><c r="D2" s="0"><v>0.1</v></c></row>
</sheetData></worksheet>)");
  entries.push_back(
      {"xl/styles.xml",
       R"(<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd\ hh:mm"/></numFmts>
<cellStyleXfs count="1"><xf numFmtId="3"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="10"/></cellXfs>
</styleSheet>)"});
  Result<Sheet> sheet = ReadXlsx(testing::MakeZip(entries));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  // JSON keeps the raw values (sheet_to_json's raw: true); CSV and HTML show the text.
  EXPECT_EQ(
      SheetToJson(*sheet),
      Json::Parse(R"([{"Date": 45322, "ISO": 45322.5, "Share": 0.25, "Plain": 0.1}])").value());
  EXPECT_EQ(SheetToCsv(*sheet, 1000).value(),
            "Date,ISO,Share,Plain\n1/31/24,2024-01-31 12:00,25.00%,0.1");
  std::string html = SheetToHtml(*sheet, 100000).value();
  EXPECT_NE(
      html.find("<td data-t=\"n\" data-v=\"45322\" data-z=\"m/d/yy\" id=\"sjs-A2\">1/31/24</td>"),
      std::string::npos)
      << html;
  // A 1904 workbook counts days from 1904.
  entries[2].second.insert(entries[2].second.find("<sheets>"), "<workbookPr date1904=\"1\"/>");
  EXPECT_EQ(SheetToCsv(ReadXlsx(testing::MakeZip(entries)).value(), 1000).value(),
            "Date,ISO,Share,Plain\n2/1/28,2028-02-01 12:00,25.00%,0.1");
}

TEST(ConverterXlsx, TheDimensionIsTheBox) {
  // Excel's box may start above the data: the header row is then the empty row 1.
  std::string sheet_xml =
      R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:B3"/><sheetData>
<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c></row>
<row r="3"><c r="B3"><v>1</v></c></row></sheetData></worksheet>)";
  Result<Sheet> sheet = ReadXlsx(testing::MakeZip(Workbook(sheet_xml)));
  ASSERT_TRUE(sheet.ok()) << sheet.status().ToString();
  EXPECT_EQ(SheetToJson(*sheet), Json::Parse(R"([{"__EMPTY": "a"}, {"__EMPTY_1": 1}])").value());
  EXPECT_EQ(SheetToCsv(*sheet, 1000).value(), ",\na,\n,1");
  // Without one, the cells' bounding box.
  std::string no_dimension = sheet_xml;
  no_dimension.erase(no_dimension.find("<dimension"),
                     std::string("<dimension ref=\"A1:B3\"/>").size());
  EXPECT_EQ(SheetToCsv(ReadXlsx(testing::MakeZip(Workbook(no_dimension))).value(), 1000).value(),
            "a,\n,1");
}

TEST(ConverterXlsx, NotAWorkbookSaysWhy) {
  Result<Sheet> sheet = ReadXlsx("name,age\nAda,36\n");
  EXPECT_EQ(sheet.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sheet.status().message().rfind("not a zip archive", 0), 0u) << sheet.status().message();
  sheet = ReadXlsx(testing::MakeZip({{"readme.txt", "hello"}}));
  EXPECT_EQ(sheet.status().message(), "it has no xl/workbook.xml (not an XLSX workbook)");
  Entries no_sheet = Workbook(kDataSheet);
  no_sheet.pop_back();
  sheet = ReadXlsx(testing::MakeZip(no_sheet));
  EXPECT_EQ(sheet.status().message(), "its first sheet, xl/worksheets/sheet2.xml, is missing");
  sheet = ReadXlsx(testing::MakeZip(Workbook("<worksheet><sheetData><row><c>")));
  EXPECT_EQ(sheet.status().message(), "xl/worksheets/sheet2.xml is not well-formed XML");
  Entries bad_index = Workbook(
      R"(<worksheet><sheetData><row><c t="s"><v>99</v></c></row></sheetData></worksheet>)");
  sheet = ReadXlsx(testing::MakeZip(bad_index));
  EXPECT_EQ(sheet.status().message(),
            "xl/worksheets/sheet2.xml: a cell names shared string \"99\", which does not exist");
  sheet = ReadXlsx(testing::MakeZip(Workbook(
      R"(<worksheet><sheetData><row><c r="XFE1"><v>1</v></c></row></sheetData></worksheet>)")));
  EXPECT_EQ(sheet.status().code(), StatusCode::kTooLarge);
}

TEST(ConverterXlsx, UnpackingIsBounded) {
  const std::string bytes = testing::MakeZip(Workbook(kDataSheet));
  EXPECT_TRUE(ReadXlsx(bytes, 4000).ok());
  Result<Sheet> sheet = ReadXlsx(bytes, 1500);  // the sheet is what passes the budget
  EXPECT_EQ(sheet.status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(sheet.status().message(),
            "unpacking xl/worksheets/sheet2.xml would pass the limit of 1500 unpacked bytes (a zip "
            "bomb, or a "
            "workbook too big to convert)");
}

TEST(ConverterXlsx, EntitiesAreNotExpanded) {
  // A "billion laughs" DTD (10^10 "ha"): never expanded. libxml2 2.9 refuses the part outright;
  // a parser that kept the reference unexpanded would leave the cell short.
  std::string laughs = "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY a \"ha\">";
  for (char c = 'b'; c <= 'k'; ++c) {
    laughs += std::string("<!ENTITY ") + c + " \"";
    for (int i = 0; i < 10; ++i) laughs += std::string("&") + static_cast<char>(c - 1) + ";";
    laughs += "\">";
  }
  laughs +=
      R"(]><worksheet><sheetData><row><c t="inlineStr"><is><t>&k;</t></is></c><c><v>1</v></c></row></sheetData></worksheet>)";
  Result<Sheet> sheet = ReadXlsx(testing::MakeZip(Workbook(laughs)));
  if (sheet.ok()) {
    EXPECT_LT(FormatGeneral(sheet->Row(0)->front().value).size(), 1000u);
  } else {
    EXPECT_EQ(sheet.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(ConverterXlsx, WritesWhatItReads) {
  Sheet sheet;
  sheet.Set(0, 0, Json("Name"));
  sheet.Set(0, 1, Json("n"));
  sheet.Set(0, 2, Json("ok"));
  sheet.Set(1, 0, Json("Ada <&> \"q\" \xC5\xBD \xF0\x9F\x98\x80"));
  sheet.Set(1, 1, Json(1.25));
  sheet.Set(1, 2, Json(true));
  sheet.Set(2, 0, Json("007"));
  sheet.Set(2, 1, Json(-3));
  sheet.Set(3, 0, Json("merged"));
  sheet.AddMerge(SheetRange{3, 0, 3, 2});
  sheet.AddMerge(SheetRange{3, 1, 4, 1});  // overlaps the first: dropped
  Result<std::string> bytes = WriteXlsx(sheet);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  Result<Sheet> back = ReadXlsx(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(SheetToJson(*back), SheetToJson(sheet));
  ASSERT_EQ(back->merges().size(), 1u);
  EXPECT_EQ(back->merges()[0].last_column, 2u);

  Sheet long_text;
  long_text.Set(4, 1, Json(std::string(40000, 'x')));
  Result<std::string> refused = WriteXlsx(long_text);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            "cell B5 holds more than 32767 characters, more than an XLSX cell takes");
}

}  // namespace
}  // namespace flowkit::components::converters
