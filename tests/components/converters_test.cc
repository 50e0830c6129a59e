// appmixer.utils.converters through the harness and its file store: CSV2JSON, JSON2CSV and the
// HTML converters (JSON2HTML, CSV2HTML, HTML2JSON, HTML2CSV) and the XLSX ones (JSON2XLSX,
// CSV2XLSX, HTML2XLSX, XLSX2JSON, XLSX2CSV, XLSX2HTML).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "components/builtin_registry.h"
#include "components/converters/xlsx_test_util.h"
#include "flowkit/testing.h"

namespace flowkit::components {
namespace {

using ::flowkit::testing::ComponentHarness;
using ::flowkit::testing::HarnessOptions;

const ComponentRegistry& Registry() {
  static const ComponentRegistry* registry = [] {
    auto* r = new ComponentRegistry();
    Status s = RegisterConvertersComponents(*r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }();
  return *registry;
}

std::unique_ptr<ComponentHarness> Make(const std::string& type, HarnessOptions options = {}) {
  auto h =
      ComponentHarness::Create(Registry(), "appmixer.utils.converters." + type, std::move(options));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? std::move(h).value() : nullptr;
}

// Runs the converter on a file holding `content`; returns the new file's name and text.
std::pair<std::string, std::string> Convert(ComponentHarness& h, const std::string& name,
                                            const std::string& content) {
  Result<FileInfo> source = h.files().Save(name, content);
  EXPECT_TRUE(source.ok());
  h.ClearSent();
  Status s = h.Receive("in", Json::MakeObject({{"fileId", source->file_id}}));
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok() || h.SentOn("out").size() != 1) return {};
  const Json out = h.SentOn("out")[0].content;
  Result<std::string> text = h.files().Read(out["fileId"].AsString());
  EXPECT_TRUE(text.ok());
  return {out["fileName"].AsString(), text.ok() ? *text : ""};
}

TEST(Converters, Csv2JsonCastsNumbersAndBooleansAndTrims) {
  auto h = Make("CSV2JSON");
  auto [name, text] = Convert(*h, "people.v2.csv",
                              "\xEF\xBB\xBFName, Age ,Admin,Note\n"
                              "Ada, 36,true,\"likes, commas\"\n"
                              "Alan,41.5,FALSE\n"
                              "\n"
                              "Grace,-7,false,x,extra\n");
  EXPECT_EQ(name, "people.v2.json");
  Result<Json> rows = Json::Parse(text);
  ASSERT_TRUE(rows.ok()) << text;
  EXPECT_EQ(*rows, Json::Parse(R"([
      {"Name":"Ada","Age":36,"Admin":true,"Note":"likes, commas"},
      {"Name":"Alan","Age":41.5,"Admin":"FALSE"},
      {"Name":"Grace","Age":-7,"Admin":false,"Note":"x"}])")
                       .value());
  // An empty file is an empty array.
  EXPECT_EQ(Convert(*h, "empty.csv", "").second, "[]");
}

TEST(Converters, Json2CsvWritesAHeaderAndQuotesWhatNeedsIt) {
  auto h = Make("JSON2CSV");
  auto [name, text] = Convert(*h, "export.json",
                              R"([{"name":"Ada","age":36,"tags":["a","b"]},
                                  {"age":41,"name":"Alan \"the\" great, jr.","tags":null},
                                  {"name":"Grace"}])");
  EXPECT_EQ(name, "export.csv");
  EXPECT_EQ(text,
            "name,age,tags\n"
            "Ada,36,\"[\"\"a\"\",\"\"b\"\"]\"\n"
            "\"Alan \"\"the\"\" great, jr.\",41,\n"
            "Grace,,\n");
  // An object of objects works like an array of its values.
  EXPECT_EQ(Convert(*h, "byid.json", R"({"x":{"id":1},"y":{"id":2}})").second, "id\n1\n2\n");
}

TEST(Converters, BadFilesAreClearErrors) {
  auto h = Make("JSON2CSV");
  Result<FileInfo> bad = h->files().Save("bad.json", "{not json");
  ASSERT_TRUE(bad.ok());
  Status s = h->Receive("in", Json::MakeObject({{"fileId", bad->file_id}}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'bad.json' is not JSON"), std::string::npos) << s.message();
  Result<FileInfo> scalars = h->files().Save("nums.json", "[1,2]");
  s = h->Receive("in", Json::MakeObject({{"fileId", scalars->file_id}}));
  EXPECT_NE(s.message().find("every element must be an object"), std::string::npos) << s.message();
  EXPECT_EQ(h->Receive("in", Json::MakeObject({{"fileId", "missing"}})).code(),
            StatusCode::kNotFound);
}

// Runs `type` on a file and returns the failure.
Status ConvertError(const std::string& type, const std::string& name, const std::string& content,
                    HarnessOptions options = {}) {
  auto h = Make(type, std::move(options));
  Result<FileInfo> source = h->files().Save(name, content);
  EXPECT_TRUE(source.ok());
  Status s = h->Receive("in", Json::MakeObject({{"fileId", source->file_id}}));
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(h->SentOn("out").empty());
  return s;
}

// One converter after another, each on the previous one's file.
std::string Chain(std::initializer_list<std::string> types, const std::string& name,
                  std::string content) {
  std::string file = name;
  for (const std::string& type : types) {
    auto h = Make(type);
    auto [next_name, next_content] = Convert(*h, file, content);
    file = next_name;
    content = next_content;
  }
  return content;
}

constexpr std::string_view kHead =
    "<html><head><meta charset=\"utf-8\"/><title>SheetJS Table "
    "Export</title></head><body><table>\n";
constexpr std::string_view kTail = "</table></body></html>\n";
constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string Html(std::string_view rows) {
  return std::string(kHead) + std::string(rows) + std::string(kTail);
}

TEST(ConvertersHtml, Json2HtmlEscapesTextAndMarksWhatWouldChangeType) {
  auto h = Make("JSON2HTML");
  auto [name, text] = Convert(*h, "people.json", R"([
      {"name": "<b>Ada</b> & \"co\" 'x'", "n": 36, "ok": true, "zip": "007", "obj": {"a": 1},
       "none": null, "uni": "\u017dlu\u0165 \ud83d\ude00", "lines": "one\r\ntwo"},
      {"n": 1.5, "name": "B", "extra": "not in the header"}])");
  EXPECT_EQ(name, "people.html");
  EXPECT_EQ(
      text,
      Html("<tr><th>name</th><th>n</th><th>ok</th><th>zip</th><th>obj</th><th>none</th><th>uni</th>"
           "<th>lines</th></tr>\n"
           "<tr><td>&lt;b&gt;Ada&lt;/b&gt; &amp; &quot;co&quot; &#39;x&#39;</td><td>36</td>"
           "<td data-t=\"b\">true</td><td data-t=\"s\">007</td><td>{&quot;a&quot;:1}</td><td></td>"
           "<td>\u017dlu\u0165 \U0001F600</td><td>one<br/>two</td></tr>\n"
           "<tr><td>B</td><td>1.5</td><td></td><td></td><td></td><td></td><td></td><td></td></"
           "tr>\n"));
  // An object of objects is a table of its values; an empty array an empty table.
  EXPECT_EQ(Convert(*h, "byid.json", R"({"x": {"id": "TRUE"}})").second,
            Html("<tr><th>id</th></tr>\n<tr><td data-t=\"s\">TRUE</td></tr>\n"));
  EXPECT_EQ(Convert(*h, "empty.json", "[]").second, Html(""));
}

TEST(ConvertersHtml, JsonToHtmlToJsonKeepsValues) {
  const std::string json = R"([
      {"name": "<b>Ada</b> & \"co\" 'x'", "n": 36, "big": -1.25e-7, "ok": true, "off": false,
       "zip": "007", "shout": "TRUE", "pct": "50%", "obj": {"a": [1, 2]}, "none": null,
       "uni": "\u017dlu\u0165ou\u010dk\u00fd \u4e2d\u6587 \ud83d\ude00", "lines": "one\ntwo"},
      {"name": "B", "n": 0}])";
  Result<Json> back = Json::Parse(Chain({"JSON2HTML", "HTML2JSON"}, "data.json", json));
  ASSERT_TRUE(back.ok());
  // null has no cell to come back from; objects come back as their JSON text.
  EXPECT_EQ(*back, Json::Parse(R"([
      {"name": "<b>Ada</b> & \"co\" 'x'", "n": 36, "big": -1.25e-7, "ok": true, "off": false,
       "zip": "007", "shout": "TRUE", "pct": "50%", "obj": "{\"a\":[1,2]}",
       "uni": "\u017dlu\u0165ou\u010dk\u00fd \u4e2d\u6587 \ud83d\ude00", "lines": "one\ntwo"},
      {"name": "B", "n": 0}])")
                       .value());
  EXPECT_EQ(Chain({"JSON2HTML", "HTML2JSON"}, "empty.json", "[]"), "[]");
}

TEST(ConvertersHtml, Csv2HtmlWritesTheRowsCsv2JsonReads) {
  const std::string csv =
      "Name, Age ,Admin\n"
      "Ada, 36,true\n"
      "Alan,41.5\n"
      "\n"
      "<Grace>,x&y,FALSE\n";
  auto h = Make("CSV2HTML");
  auto [name, text] = Convert(*h, "people.csv", csv);
  EXPECT_EQ(name, "people.html");
  EXPECT_EQ(text,
            Html("<tr><th>Name</th><th>Age</th><th>Admin</th></tr>\n"
                 "<tr><td>Ada</td><td>36</td><td data-t=\"b\">true</td></tr>\n"
                 "<tr><td>Alan</td><td>41.5</td><td></td></tr>\n"
                 "<tr><td>&lt;Grace&gt;</td><td>x&amp;y</td><td data-t=\"s\">FALSE</td></tr>\n"));
  // CSV → HTML → JSON gives what CSV → JSON gives.
  EXPECT_EQ(Json::Parse(Chain({"CSV2HTML", "HTML2JSON"}, "people.csv", csv)).value(),
            Json::Parse(Chain({"CSV2JSON"}, "people.csv", csv)).value());
  // CSV → HTML → CSV: SheetJS's CSV (a BOM, TRUE for true, no final line break).
  EXPECT_EQ(Chain({"CSV2HTML", "HTML2CSV"}, "people.csv", csv),
            std::string(kBom) + "Name,Age,Admin\nAda,36,TRUE\nAlan,41.5,\n<Grace>,x&y,FALSE");
  // No rows, no table rows (Appmixer writes the header with the first row).
  EXPECT_EQ(Convert(*h, "empty.csv", "").second, Html(""));
  EXPECT_EQ(Convert(*h, "header.csv", "a,b\n").second, Html(""));
}

TEST(ConvertersHtml, Html2JsonReadsTheFirstTableOnly) {
  const std::string html = R"(<!DOCTYPE html><html><body>
<p>intro <table-ish></p>
<table id="first">
  <caption>not a row</caption>
  <thead><tr><th>Name</th><th> Amount </th><th>Note</th></tr></thead>
  <tbody>
    <tr><td>  Ada
        Lovelace </td><td>1,234.5</td><td>line one<br>line two</td></tr>
    <tr><td>Bob &amp; <b>Co</b></td><td>(12)</td><td><!-- hidden -->&lt;tag&gt;&nbsp;&#x1F600;<script>var x = "<td>";</script></td></tr>
    <tr><td>Nested<table><tr><td>inner</td></tr></table></td><td data-t="s">007</td><td>   </td></tr>
  </tbody>
  <tfoot><tr><td>Total</td><td>50%</td></tr></tfoot>
</table>
<table><tr><th>second</th></tr><tr><td>never read</td></tr></table>
</body></html>)";
  auto h = Make("HTML2JSON");
  auto [name, text] = Convert(*h, "report.htm", html);
  EXPECT_EQ(name, "report.json");
  EXPECT_EQ(Json::Parse(text).value(), Json::Parse(R"([
      {"Name": "Ada Lovelace", "Amount": 1234.5, "Note": "line one\nline two"},
      {"Name": "Bob & Co", "Amount": -12, "Note": "<tag> \ud83d\ude00"},
      {"Name": "Nestedinner", "Amount": "007"},
      {"Name": "Total", "Amount": 0.5}])")
                                           .value())
      << text;
}

TEST(ConvertersHtml, Html2CsvPlacesSpannedAndMissingCells) {
  const std::string html = R"(<table>
<tr><td></td><td> </td></tr>
<tr><td></td><th colspan="2">Q1</th><th>Q2</th></tr>
<tr><td rowspan="2">North</td><td>1</td><td>2</td><td>3</td></tr>
<tr><td>4</td><td>5</td></tr>
<tr><td>South</td><td colspan=3>n/a, "none"</td></tr>
<tr><td>ID</td></tr>
</table>)";
  // The empty first row is outside the box; North's rowspan pushes 4 and 5 right.
  EXPECT_EQ(
      Chain({"HTML2CSV"}, "spans.html", html),
      std::string(kBom) + ",Q1,,Q2\nNorth,1,2,3\n,4,5,\nSouth,\"n/a, \"\"none\"\"\",,\n\"ID\",,,");
  EXPECT_EQ(Json::Parse(Chain({"HTML2JSON"}, "spans.html", html)).value(), Json::Parse(R"([
      {"__EMPTY": "North", "Q1": 1, "__EMPTY_1": 2, "Q2": 3},
      {"Q1": 4, "__EMPTY_1": 5},
      {"__EMPTY": "South", "Q1": "n/a, \"none\""},
      {"__EMPTY": "ID"}])")
                                                                               .value());
  // Numbers are written in Excel's General format.
  EXPECT_EQ(Chain({"HTML2CSV"}, "n.html",
                  "<table><tr><td>1,234</td><td>0.1</td><td>123456789012</td><td>TRUE</"
                  "td><td>true</td></tr></table>"),
            std::string(kBom) + "1234,0.1,1.23457E+11,TRUE,true");
}

TEST(ConvertersHtml, MalformedHtmlIsReadAsABrowserWould) {
  // Unclosed cells and rows, stray end tags, upper case, unquoted attributes, no </table>.
  EXPECT_EQ(Chain({"HTML2CSV"}, "bad.html",
                  "<TABLE border=1><TR><TD>a<TD>b</i><TR><td>c</td></td></td><td>d<p>e</p><tr><Td "
                  "ColSpan=2>f"),
            std::string(kBom) + "a,b\nc,de\nf,");
  // Cells outside any <tr> make a row; a table with no text is empty.
  EXPECT_EQ(Chain({"HTML2CSV"}, "rowless.html", "<table><td>x</td><td>y</td></table>"),
            std::string(kBom) + "x,y");
  EXPECT_EQ(Chain({"HTML2JSON"}, "blank.html", "<table><tr><td> </td></tr></table>"), "[]");
  EXPECT_EQ(Chain({"HTML2CSV"}, "blank.html", "<table></table>"), kBom);
  // A bogus colspan counts as 1.
  EXPECT_EQ(Chain({"HTML2CSV"}, "span.html",
                  "<table><tr><td colspan=x>a</td><td colspan=-3>b</td></tr></table>"),
            std::string(kBom) + "a,b");
}

TEST(ConvertersHtml, HtmlTextIsUtf8UnlessACharsetSaysOtherwise) {
  EXPECT_EQ(Chain({"HTML2CSV"}, "latin.html",
                  "<meta charset=\"windows-1252\"><table><tr><td>caf\xE9 \x80</td></tr></table>"),
            std::string(kBom) + "caf\u00e9 \u20ac");
  // An invalid byte does not turn the rest of the document into Latin-1.
  EXPECT_EQ(Chain({"HTML2CSV"}, "broken.html", "<table><tr><td>\xFF caf\xC3\xA9</td></tr></table>"),
            std::string(kBom) + "\ufffd caf\u00e9");
}

TEST(ConvertersHtml, BadInputIsAClearError) {
  Status s = ConvertError("HTML2JSON", "notes.txt", "just some text, no markup");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "file 'notes.txt' is not an HTML table: the document has no <table>");
  s = ConvertError("HTML2CSV", "image.png",
                   std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0", 20));
  EXPECT_EQ(s.message(), "file 'image.png' is not an HTML table: the document has no <table>");
  EXPECT_EQ(ConvertError("HTML2JSON", "empty.html", "").code(), StatusCode::kInvalidArgument);

  s = ConvertError("JSON2HTML", "bad.json", "{not json");
  EXPECT_NE(s.message().find("'bad.json' is not JSON"), std::string::npos) << s.message();
  s = ConvertError("JSON2HTML", "nums.json", "[1, 2]");
  EXPECT_NE(s.message().find("every element must be an object, got 1"), std::string::npos)
      << s.message();
  s = ConvertError("JSON2HTML", "str.json", "\"text\"");
  EXPECT_NE(s.message().find("not an array or object of objects"), std::string::npos)
      << s.message();

  for (const char* type : {"JSON2HTML", "CSV2HTML", "HTML2JSON", "HTML2CSV"}) {
    auto h = Make(type);
    EXPECT_EQ(h->Receive("in", Json::MakeObject({{"fileId", "no-such-file"}})).code(),
              StatusCode::kNotFound);
    // (The in-port schema coerces other types to a string, which then names no file.)
    for (const Json& bad : {Json::MakeObject(), Json::MakeObject({{"fileId", ""}})}) {
      s = h->Receive("in", bad);
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << type;
      EXPECT_NE(s.message().find("fileId"), std::string::npos) << s.message();
    }
  }

  // Appmixer's module config names the transformer; only "table" exists.
  HarnessOptions fancy;
  fancy.config = Json::MakeObject({{"CSV2HTML_TRANSFORMER", "fancy"}});
  s = ConvertError("CSV2HTML", "a.csv", "a\n1\n", fancy);
  EXPECT_EQ(s.code(), StatusCode::kCancelled);
  EXPECT_EQ(s.message(), "HTML transformer 'fancy' is not defined. Available transformers: table");
  HarnessOptions table;
  table.config = Json::MakeObject({{"JSON2HTML_TRANSFORMER", "table"}});
  auto h = Make("JSON2HTML", table);
  EXPECT_EQ(Convert(*h, "a.json", R"([{"a": 1}])").second,
            Html("<tr><th>a</th></tr>\n<tr><td>1</td></tr>\n"));
}

TEST(ConvertersHtml, BigTablesAreBounded) {
  // A colspan bomb: 17 cells spanning 1000 columns each pass Excel's 16384 columns.
  std::string wide = "<table><tr>";
  for (int i = 0; i < 17; ++i) wide += "<td colspan=\"100000\">x</td>";
  Status s = ConvertError("HTML2JSON", "wide.html", wide);
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_EQ(s.message(),
            "file 'wide.html' is not an HTML table: the table is wider than 16384 columns");

  // More rows than Excel has.
  std::string tall = "<table>";
  for (int i = 0; i <= (1 << 20); ++i) tall += "<tr>";
  s = ConvertError("HTML2CSV", "tall.html", tall + "<td>x</td></table>");
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_EQ(s.message(),
            "file 'tall.html' is not an HTML table: the table has more than 1048576 rows");

  // A sparse table whose CSV would repeat 16 000 commas on each of 5 000 rows (80 MB).
  std::string sparse = "<table><tr>";
  for (int i = 0; i < 16; ++i) sparse += "<td colspan=1000></td>";
  sparse += "<td>far</td></tr>";
  for (int i = 0; i < 5000; ++i) sparse += "<tr><td>y</td></tr>";
  s = ConvertError("HTML2CSV", "sparse.html", sparse + "</table>");
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_NE(s.message().find("file 'sparse.html': the CSV text would pass 67108864 bytes"),
            std::string::npos)
      << s.message();

  // A long table converts and comes back whole.
  Json rows = Json::MakeArray();
  for (int i = 0; i < 5000; ++i) {
    rows.Push(Json::MakeObject(
        {{"id", i}, {"name", "row <" + std::to_string(i) + ">"}, {"even", i % 2 == 0}}));
  }
  EXPECT_EQ(Json::Parse(Chain({"JSON2HTML", "HTML2JSON"}, "long.json", rows.Dump())).value(), rows);
}

TEST(ConvertersXlsx, JsonToXlsxToJsonKeepsValues) {
  const std::string json = R"([
      {"name": "<b>Ada</b> & \"co\"", "n": 36, "f": -1.25e-7, "ok": true, "zip": "007",
       "obj": {"a": [1, 2]}, "none": null, "uni": "\u017dlu\u0165 \u4e2d\u6587 \ud83d\ude00",
       "lines": "one\ntwo"},
      {"name": "B", "extra": "a key the first row lacks", "n": 0}])";
  auto h = Make("JSON2XLSX");
  Result<FileInfo> source = h->files().Save("people.json", json);
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"fileId", source->file_id}})).ok());
  const Json out = h->SentOn("out")[0].content;
  EXPECT_EQ(out["fileName"].AsString(), "people.xlsx");
  Result<FileInfo> info = h->files().Info(out["fileId"].AsString());
  EXPECT_EQ(info->content_type,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(h->files().Read(out["fileId"].AsString())->substr(0, 2), "PK");

  // json_to_sheet's header has every key; null has no cell; objects are their JSON text.
  const Json expected = Json::Parse(R"([
      {"name": "<b>Ada</b> & \"co\"", "n": 36, "f": -1.25e-7, "ok": true, "zip": "007",
       "obj": "{\"a\":[1,2]}", "uni": "\u017dlu\u0165 \u4e2d\u6587 \ud83d\ude00", "lines": "one\ntwo"},
      {"name": "B", "n": 0, "extra": "a key the first row lacks"}])")
                            .value();
  EXPECT_EQ(Json::Parse(Chain({"JSON2XLSX", "XLSX2JSON"}, "people.json", json)).value(), expected);
  // Through HTML too: XLSX2HTML keeps raw values in data-v, which HTML2JSON reads.
  EXPECT_EQ(
      Json::Parse(Chain({"JSON2XLSX", "XLSX2HTML", "HTML2JSON"}, "people.json", json)).value(),
      expected);
  EXPECT_EQ(Chain({"JSON2XLSX", "XLSX2JSON"}, "empty.json", "[]"), "[]");
}

TEST(ConvertersXlsx, CsvToXlsxToCsv) {
  const std::string csv =
      "Name,Age,Admin,Note\nAda,36,TRUE,\"likes, commas\"\nAlan,41.5,FALSE,\"two\nlines\"\n";
  // SheetJS's CSV has no final line break and starts with a BOM.
  EXPECT_EQ(
      Chain({"CSV2XLSX", "XLSX2CSV"}, "people.csv", csv),
      std::string(kBom) +
          "Name,Age,Admin,Note\nAda,36,TRUE,\"likes, commas\"\nAlan,41.5,FALSE,\"two\nlines\"");
  // The delimiter is guessed (here ";"), or named by a "sep=" line; numeric text becomes a
  // number, so "007" comes back as 7, as with Appmixer.
  EXPECT_EQ(Chain({"CSV2XLSX", "XLSX2CSV"}, "semi.csv",
                  "\xEF\xBB\xBF"
                  "a;b;c\n007;1,5;x\n"),
            std::string(kBom) + "a,b,c\n7,15,x");
  EXPECT_EQ(Chain({"CSV2XLSX", "XLSX2JSON"}, "pipes.csv", "sep=|\nk|v\n1|a,b\n"),
            Json::Parse(R"([{"k": 1, "v": "a,b"}])").value().DumpPretty(4));
  EXPECT_EQ(Chain({"CSV2XLSX", "XLSX2CSV"}, "tabs.tsv", "a\tb\n1\t\"x, y\"\n"),
            std::string(kBom) + "a,b\n1,\"x, y\"");
  EXPECT_EQ(Chain({"CSV2XLSX", "XLSX2CSV"}, "empty.csv", ""), kBom);
}

TEST(ConvertersXlsx, HtmlToXlsxKeepsMergesAndValues) {
  const std::string html = R"(<table>
<tr><th>Region</th><th colspan="2">Q1</th></tr>
<tr><td rowspan="2">North</td><td>1</td><td>2</td></tr>
<tr><td>3</td><td>TRUE</td></tr>
<tr><td colspan="2"></td><td>after an empty merged cell</td></tr></table>)";
  EXPECT_EQ(Chain({"HTML2XLSX", "XLSX2JSON"}, "t.html", html),
            Chain({"HTML2JSON"}, "t.html", html));
  const std::string back = Chain({"HTML2XLSX", "XLSX2HTML"}, "t.html", html);
  EXPECT_NE(back.find("<td colspan=\"2\" data-t=\"s\" data-v=\"Q1\" id=\"sjs-B1\">Q1</td></tr>"),
            std::string::npos)
      << back;
  EXPECT_NE(back.find("<td rowspan=\"2\" data-t=\"s\" data-v=\"North\" id=\"sjs-A2\">North</td>"),
            std::string::npos)
      << back;
  EXPECT_NE(back.find("<tr><td data-t=\"n\" data-v=\"3\" id=\"sjs-B3\">3</td>"
                      "<td data-t=\"b\" data-v=\"true\" id=\"sjs-C3\">TRUE</td></tr>"),
            std::string::npos)
      << back;
}

// A minimal workbook: no relationships, so the default part names are used.
std::string WorkbookWithSheet(const std::string& sheet_xml) {
  return converters::testing::MakeZip(
      {{"xl/workbook.xml", R"(<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1"
          xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>)"},
       {"xl/worksheets/sheet1.xml", sheet_xml}});
}

TEST(ConvertersXlsx, BadWorkbooksAreClearErrors) {
  Status s = ConvertError("XLSX2JSON", "data.csv", "name,age\nAda,36\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      s.message().rfind("file 'data.csv' is not a readable XLSX workbook: not a zip archive", 0),
      0u)
      << s.message();
  s = ConvertError("XLSX2CSV", "photos.zip", converters::testing::MakeZip({{"a.jpg", "\xFF\xD8"}}));
  EXPECT_EQ(s.message(),
            "file 'photos.zip' is not a readable XLSX workbook: it has no xl/workbook.xml (not an "
            "XLSX workbook)");
  s = ConvertError("XLSX2HTML", "broken.xlsx", WorkbookWithSheet("<worksheet><sheetData>"));
  EXPECT_EQ(s.message(),
            "file 'broken.xlsx' is not a readable XLSX workbook: xl/worksheets/sheet1.xml is not "
            "well-formed XML");
  EXPECT_EQ(
      Chain(
          {"XLSX2CSV"}, "min.xlsx",
          WorkbookWithSheet(
              R"(<worksheet><sheetData><row><c t="inlineStr"><is><t>hi</t></is></c><c><v>2</v></c></row></sheetData></worksheet>)")),
      std::string(kBom) + "hi,2");

  s = ConvertError("JSON2XLSX", "long.json", "[{\"a\": \"" + std::string(40000, 'x') + "\"}]");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "file 'long.json' does not fit a worksheet: cell A2 holds more than 32767 characters, "
            "more than an XLSX "
            "cell takes");
  s = ConvertError("JSON2XLSX", "nums.json", "[1]");
  EXPECT_NE(s.message().find("every element must be an object"), std::string::npos) << s.message();
  std::string tall;
  for (int i = 0; i <= (1 << 20); ++i) tall += "1\n";
  s = ConvertError("CSV2XLSX", "tall.csv", tall);
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_EQ(s.message(),
            "file 'tall.csv' does not fit a worksheet: more than 1048576 rows (Excel's limit)");
}

TEST(ConvertersXlsx, ZipBombsAreRefused) {
  // 65 MiB of one repeated row compresses to a few hundred kilobytes.
  std::string sheet = "<worksheet><sheetData>";
  const std::string row = "<row><c><v>1</v></c></row>";
  sheet.reserve((size_t{65} << 20) + 100);
  while (sheet.size() < (size_t{65} << 20)) sheet += row;
  sheet += "</sheetData></worksheet>";
  const std::string bomb = WorkbookWithSheet(sheet);
  sheet.clear();
  sheet.shrink_to_fit();
  ASSERT_LT(bomb.size(), size_t{2} << 20);
  Status s = ConvertError("XLSX2JSON", "bomb.xlsx", bomb);
  EXPECT_EQ(s.code(), StatusCode::kTooLarge);
  EXPECT_EQ(s.message(),
            "file 'bomb.xlsx' is not a readable XLSX workbook: unpacking xl/worksheets/sheet1.xml "
            "would pass the limit "
            "of 67108864 unpacked bytes (a zip bomb, or a workbook too big to convert)");
}

TEST(ConvertersXlsx, ConvertersRunSideBySide) {
  // The converters are registered concurrent: several may run at once on the engine's workers
  // (libxml2, libzip and libxlsxwriter state is per call).
  const std::string json = R"([{"id": 1, "name": "<a & b>"}, {"id": 2, "name": "\u00e9"}])";
  const Json expected = Json::Parse(json).value();
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        Result<Json> back = Json::Parse(
            Chain({"JSON2XLSX", "XLSX2HTML", "HTML2XLSX", "XLSX2JSON"}, "t.json", json));
        if (!back.ok() || *back != expected) ++mismatches;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace flowkit::components
