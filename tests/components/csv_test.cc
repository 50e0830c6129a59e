// appmixer.utils.csv.* through the component harness. Each harness has its own file store, so a
// CsvFile carries one file (id and text) from one component's run to the next, as the flow's
// shared file store would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "components/builtin_registry.h"
#include "components/csv/csv_processor.h"
#include "flowkit/json.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"

namespace flowkit::components::csv {
namespace {

using ::flowkit::testing::ComponentHarness;
using ::flowkit::testing::HarnessOptions;
using ::flowkit::testing::SentMessage;
using ::testing::HasSubstr;

Json Parse(std::string_view text) {
  Result<Json> json = Json::Parse(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString() << " in " << text;
  return json.ok() ? *json : Json();
}

const ComponentRegistry& Registry() {
  static const ComponentRegistry* registry = [] {
    auto* r = new ComponentRegistry();
    Status status = RegisterCsvComponents(*r);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return r;
  }();
  return *registry;
}

Json WithHeaders(bool on) { return Json::MakeObject({{"withHeaders", on}}); }

// One CSV file and the result of the last component run on it.
class CsvFile {
 public:
  CsvFile() = default;
  CsvFile(std::string id, std::string text) : id_(std::move(id)), text_(std::move(text)) {}

  const std::string& id() const { return id_; }
  const std::string& text() const { return text_; }
  const std::vector<SentMessage>& sent() const { return sent_; }
  const std::vector<Json>& logs() const { return logs_; }
  // The content of the only message sent (null when not exactly one).
  Json Out() const { return sent_.size() == 1 ? sent_[0].content : Json(); }
  std::string OutPort() const { return sent_.size() == 1 ? sent_[0].port : std::string(); }

  // Runs `type` once with `content` on `in` (fileId added unless given) against this file.
  Status Run(std::string_view type, Json properties, Json content) {
    Result<std::unique_ptr<ComponentHarness>> h =
        ComponentHarness::Create(Registry(), type, HarnessOptions{.properties = std::move(properties)});
    if (!h.ok()) return h.status();
    ComponentHarness& harness = **h;
    if (!id_.empty()) {
      Result<FileInfo> saved = harness.files().Save("test.csv", text_, "text/csv", id_);
      if (!saved.ok()) return saved.status();
      if (!content.Contains("fileId")) content.Set("fileId", id_);
    }
    Status status = harness.Receive("in", std::move(content));
    sent_ = harness.sent();
    logs_ = harness.logs();
    if (id_.empty() && sent_.size() == 1) id_ = sent_[0].content["fileId"].AsString();
    if (!id_.empty()) {
      Result<std::string> text = harness.files().Read(id_);
      if (text.ok()) text_ = *text;
    }
    return status;
  }

 private:
  std::string id_;
  std::string text_;
  std::vector<SentMessage> sent_;
  std::vector<Json> logs_;
};

Json Filter(std::string_view column, std::string_view op, Json value) {
  return Json::MakeObject({{"OR", Json::MakeArray({Json::MakeObject(
                                      {{"AND", Json::MakeArray({Json::MakeObject(
                                                   {{"column", column}, {"operator", op}, {"value", value}})})}})})}});
}

Json ColumnValue(std::string_view column, Json value) {
  return Json::MakeObject({{"AND", Json::MakeArray({Json::MakeObject({{"column", column}, {"value", value}})})}});
}

// The sequence of Appmixer's utils/csv/test-flow.json, with the values its asserts check.
TEST(CsvComponents, AppmixerTestFlowSequence) {
  CsvFile file;
  ASSERT_TRUE(file.Run("appmixer.utils.csv.CreateCSV", Json::MakeObject(),
                       Json::MakeObject({{"delimiter", ","},
                                         {"initialContent", "Name,Points\nJiří,43"},
                                         {"filename", "test-E2E-csv-1.csv"}}))
                  .ok());
  EXPECT_EQ(file.OutPort(), "out");
  EXPECT_FALSE(file.id().empty());
  EXPECT_EQ(file.Out(), Json::MakeObject({{"fileId", file.id()}, {"Name", "Name"}, {"Points", "Points"}}));
  EXPECT_EQ(file.text(), "Name,Points\nJiří,43");

  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddRow", WithHeaders(true),
                       Parse(R"({"delimiter": ",", "parseNumbers": true, "parseBooleans": true,
                                 "rowWithColumns": {"AND": [{"value": "Abby", "column": "Name"},
                                                            {"value": "10", "column": "Points"}]}})"))
                  .ok());
  EXPECT_EQ(file.OutPort(), "fileId");
  EXPECT_EQ(file.Out(), Json::MakeObject({{"fileId", file.id()}}));
  EXPECT_EQ(file.text(), "Name,Points\nJiří,43\nAbby,10\n");

  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddRows", Json::MakeObject(),
                       Json::MakeObject({{"delimiter", ","},
                                         {"rows", "[\n[\"Ben\", 20],\n[\"Betty\",21]\n]"},
                                         {"parseNumbers", true},
                                         {"parseBooleans", true}}))
                  .ok());
  EXPECT_EQ(file.Out(), Json::MakeObject({{"fileId", file.id()}}));
  EXPECT_EQ(file.text(), "Name,Points\nJiří,43\nAbby,10\nBen,20\nBetty,21\n");

  ASSERT_TRUE(file.Run("appmixer.utils.csv.UpdateRows", WithHeaders(false),
                       Parse(R"({"delimiter": ",", "parseNumbers": true, "parseBooleans": true,
                                 "indexes": "2", "indexedValues": {"AND": [{"value": "22", "column": "1"}]}})"))
                  .ok());
  EXPECT_EQ(file.OutPort(), "fileId");
  EXPECT_EQ(file.text(), "Name,Points\nJiří,43\nAbby,22\nBen,20\nBetty,21\n");

  ASSERT_TRUE(file.Run("appmixer.utils.csv.UpdateRows", WithHeaders(true),
                       Parse(R"({"delimiter": ",", "parseNumbers": true, "parseBooleans": true,
                                 "filters": {"OR": [{"AND": [{"value": "Jiří", "column": "Name", "operator": "="}]}]},
                                 "values": {"AND": [{"value": "100", "column": "Points"}]}})"))
                  .ok());
  EXPECT_EQ(file.text(), "Name,Points\nJiří,100\nAbby,22\nBen,20\nBetty,21\n");

  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetRow", WithHeaders(true),
                       Parse(R"({"delimiter": ",", "rowFormat": "object", "parseNumbers": true,
                                 "parseBooleans": true,
                                 "filters": {"OR": [{"AND": [{"value": "Jiří", "operator": "=", "column": "Name"}]}]}})"))
                  .ok());
  EXPECT_EQ(file.OutPort(), "out");
  EXPECT_EQ(file.Out(), Json::MakeObject({{"fileId", file.id()},
                                          {"row", Json::MakeObject({{"Name", "Jiří"}, {"Points", 100}})}}));

  CsvFile rows = file;
  ASSERT_TRUE(rows.Run("appmixer.utils.csv.GetRows", Json::MakeObject({{"withHeaders", true}, {"filterRows", true}}),
                       Parse(R"({"delimiter": ",", "allAtOnce": true, "parseNumbers": true, "parseBooleans": true,
                                 "rowFormat": "object",
                                 "filters": {"OR": [{"AND": [{"value": "Jiří", "operator": "=", "column": "Name"}]},
                                                    {"AND": [{"value": "Abby", "operator": "=", "column": "Name"}]}]}})"))
                  .ok());
  EXPECT_EQ(rows.Out()["rows"], Parse(R"([{"Name": "Jiří", "Points": 100}, {"Name": "Abby", "Points": 22}])"));

  ASSERT_TRUE(file.Run("appmixer.utils.csv.DeleteRows", WithHeaders(true),
                       Parse(R"({"delimiter": ",", "parseNumbers": true, "parseBooleans": true,
                                 "filters": {"OR": [{"AND": [{"value": "Ben", "operator": "=", "column": "Name"}]}]}})"))
                  .ok());
  EXPECT_EQ(file.OutPort(), "fileId");

  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetCell", WithHeaders(true),
                       Parse(R"({"delimiter": ",", "parseNumbers": true, "parseBooleans": true, "column": "Points",
                                 "filters": {"OR": [{"AND": [{"value": "Jiří", "operator": "=", "column": "Name"}]}]}})"))
                  .ok());
  EXPECT_EQ(file.Out(), Json::MakeObject({{"fileId", file.id()}, {"cell", 100}}));
  EXPECT_TRUE(file.Out()["cell"].IsNumber());

  ASSERT_TRUE(file.Run("appmixer.utils.csv.ExportCSV", Json::MakeObject(), Json::MakeObject()).ok());
  EXPECT_EQ(file.OutPort(), "content");
  EXPECT_EQ(file.Out(), Json::MakeObject({{"content", "Name,Points\nJiří,100\nAbby,22\nBetty,21\n"}}));
}

// test-flow-addrows.json: four AddRow calls and one AddRows (JSON text of arrays) on files that
// exist before the flow runs.
TEST(CsvComponents, AppmixerAddRowsFlowOnSeededFiles) {
  CsvFile file("73e96792-820b-4768-bc44-70e67dd9edbe", "id,name\n");
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(file.Run("appmixer.utils.csv.AddRow", WithHeaders(true),
                         Json::MakeObject({{"delimiter", ","},
                                           {"rowWithColumns", Parse(R"({"AND": [{"column": "id", "value": )" +
                                                                    std::to_string(i) +
                                                                    R"(}, {"column": "name", "value": "n"}]})")}}))
                    .ok());
    EXPECT_EQ(file.Out()["fileId"], Json(file.id()));
  }
  EXPECT_EQ(file.text(), "id,name\n1,n\n2,n\n3,n\n4,n\n");

  CsvFile other("ebdaa787-5549-4a31-8643-f7a975af3e7c", "a,b");
  ASSERT_TRUE(other.Run("appmixer.utils.csv.AddRows", Json::MakeObject(),
                        Json::MakeObject({{"delimiter", ","}, {"rows", R"([["1", 2], ["x", true]])"}}))
                  .ok());
  EXPECT_TRUE(other.Out()["fileId"].IsString());
  EXPECT_EQ(other.text(), "a,b\n1,2\nx,true\n");
}

TEST(CsvComponents, CreateCsvUsesTheGivenDelimiterAndParsedHeaders) {
  CsvFile file;
  ASSERT_TRUE(file.Run("appmixer.utils.csv.CreateCSV", Json::MakeObject(),
                       Json::MakeObject({{"delimiter", ";"}, {"initialContent", " a ;2020;fileId\n1;2;3\n"},
                                         {"filename", "x.csv"}}))
                  .ok());
  // Headers are trimmed and read as numbers when they are; a header named fileId does not
  // replace the id.
  EXPECT_EQ(file.Out(), Json::MakeObject({{"fileId", file.id()}, {"a", "a"}, {"2020", 2020}}));

  CsvFile empty;
  ASSERT_TRUE(empty.Run("appmixer.utils.csv.CreateCSV", Json::MakeObject(),
                        Json::MakeObject({{"delimiter", ","}, {"initialContent", ""}, {"filename", "e.csv"}}))
                  .ok());
  EXPECT_EQ(empty.Out(), Json::MakeObject({{"fileId", empty.id()}}));
  EXPECT_EQ(empty.text(), "");
}

TEST(CsvComponents, AddRowWithoutHeadersSplitsTextAndQuotesWhatNeedsIt) {
  CsvFile file("f1", "a;b\n");
  // The text is split on the delimiter; the comma is plain text with ";" as delimiter.
  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddRow", WithHeaders(false),
                       Json::MakeObject({{"delimiter", ";"}, {"row", "x,1;y"}}))
                  .ok());
  EXPECT_EQ(file.text(), "a;b\nx,1;y\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddRow", WithHeaders(false),
                       Json::MakeObject({{"delimiter", ";"}, {"row", Parse(R"(["1;2", "say \"hi\"", 3, null])")}}))
                  .ok());
  EXPECT_EQ(file.text(), "a;b\nx,1;y\n\"1;2\";\"say \"\"hi\"\"\";3;\n");
  EXPECT_EQ(file.Run("appmixer.utils.csv.AddRow", WithHeaders(false), Json::MakeObject({{"row", 5}})).code(),
            StatusCode::kInvalidArgument);
}

TEST(CsvComponents, AddRowWithHeadersMapsColumnsInHeaderOrder) {
  CsvFile file("f1", "Name,Points,Active\r\nJiří,43,true");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddRow", WithHeaders(true),
                       Parse(R"({"rowWithColumns": {"AND": [{"column": "Active", "value": false},
                                                           {"column": "Name", "value": "Zoe"},
                                                           {"column": "Unknown", "value": "dropped"},
                                                           {"column": "Points", "value": 0}]}})"))
                  .ok());
  // The missing line ending is added first; 0 and false are written (Appmixer would blank them).
  EXPECT_EQ(file.text(), "Name,Points,Active\r\nJiří,43,true\nZoe,0,false\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddRow", WithHeaders(true),
                       Parse(R"({"rowWithColumns": {"AND": [{"column": "Name", "value": "Solo"}]}})"))
                  .ok());
  EXPECT_THAT(file.text(), ::testing::EndsWith("\nSolo,,\n"));

  CsvFile empty("f2", "");
  EXPECT_EQ(empty.Run("appmixer.utils.csv.AddRow", WithHeaders(true),
                      Parse(R"({"rowWithColumns": {"AND": [{"column": "a", "value": 1}]}})"))
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(CsvComponents, AddRowsRejectsBadInput) {
  CsvFile file("f1", "a,b\n");
  Status bad_json = file.Run("appmixer.utils.csv.AddRows", Json::MakeObject(),
                             Json::MakeObject({{"delimiter", ","}, {"rows", "Ben,20"}}));
  EXPECT_EQ(bad_json.code(), StatusCode::kCancelled);
  Status mixed = file.Run("appmixer.utils.csv.AddRows", Json::MakeObject(),
                          Json::MakeObject({{"delimiter", ","}, {"rows", Parse(R"([["ok"], {"a": 1}])")}}));
  EXPECT_EQ(mixed.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(mixed.message(), HasSubstr("Unexpected row data format"));
  EXPECT_EQ(file.text(), "a,b\n");
}

TEST(CsvComponents, AddRowsOfObjectsAndEmptyRowsWarning) {
  CsvFile file("f1", "a,b\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddRows", Json::MakeObject(),
                       Json::MakeObject({{"delimiter", ","}, {"rows", Parse(R"([{"b": 2, "a": 1}, {"a": "x"}])")}}))
                  .ok());
  EXPECT_EQ(file.text(), "a,b\n1,2\nx,\n");
  EXPECT_TRUE(file.logs().empty());
  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddRows", Json::MakeObject(),
                       Json::MakeObject({{"delimiter", ","}, {"rows", Parse(R"([{"c": 1}])")}}))
                  .ok());
  EXPECT_EQ(file.text(), "a,b\n1,2\nx,\n,\n");
  ASSERT_EQ(file.logs().size(), 1u);
  EXPECT_THAT(file.logs()[0].Dump(), HasSubstr("Empty rows added"));
}

TEST(CsvComponents, UpdateRowsKeepsHeaderRowAndUntouchedText) {
  CsvFile file("f1", "Name,Code,Note\nA,007,\"x, y\"\nB,008,plain\n");
  // An empty filter selects every data row; the header row stays as it is.
  ASSERT_TRUE(file.Run("appmixer.utils.csv.UpdateRows", WithHeaders(true),
                       Parse(R"({"filters": {}, "values": {"AND": [{"column": "Note", "value": "z"}]}})"))
                  .ok());
  EXPECT_EQ(file.text(), "Name,Code,Note\nA,007,z\nB,008,z\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.UpdateRows", WithHeaders(true),
                       Json::MakeObject({{"filters", Filter("Code", ">", "7")},
                                         {"values", ColumnValue("Name", "C")}}))
                  .ok());
  EXPECT_EQ(file.text(), "Name,Code,Note\nA,007,z\nC,008,z\n");

  Status unknown = file.Run("appmixer.utils.csv.UpdateRows", WithHeaders(true),
                            Json::MakeObject({{"filters", Json::MakeObject()}, {"values", ColumnValue("Nope", 1)}}));
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("The Nope header was not found"));
  Status no_filter = file.Run("appmixer.utils.csv.UpdateRows", WithHeaders(true),
                              Json::MakeObject({{"values", ColumnValue("Name", "all")}}));
  EXPECT_EQ(no_filter.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(file.text(), "Name,Code,Note\nA,007,z\nC,008,z\n");
}

TEST(CsvComponents, UpdateRowsByIndexExtendsShortRows) {
  CsvFile file("f1", "a,b\nc\nd,e\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.UpdateRows", WithHeaders(false),
                       Parse(R"({"indexes": "1-2", "indexedValues": {"AND": [{"column": "2", "value": "N"}]}})"))
                  .ok());
  EXPECT_EQ(file.text(), "a,b\nc,,N\nd,e,N\n");
  EXPECT_EQ(file.Run("appmixer.utils.csv.UpdateRows", WithHeaders(false),
                     Parse(R"({"indexes": "0", "indexedValues": {"AND": [{"column": "x", "value": "N"}]}})"))
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(CsvComponents, DeleteRowsByFilterNeverDeletesTheHeaderRow) {
  CsvFile file("f1", "Name,Points\nA,1\nB,2\nC,3\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.DeleteRows", WithHeaders(true),
                       Json::MakeObject({{"filters", Filter("Name", "!=", "B")}}))
                  .ok());
  EXPECT_EQ(file.text(), "Name,Points\nB,2\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.DeleteRows", WithHeaders(true),
                       Json::MakeObject({{"filters", Json::MakeObject()}}))
                  .ok());
  EXPECT_EQ(file.text(), "Name,Points\n");
}

TEST(CsvComponents, DeleteRowsByIndexExpression) {
  CsvFile file("f1", "r0\nr1\nr2\nr3\nr4\nr5\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.DeleteRows", WithHeaders(false),
                       Json::MakeObject({{"indexes", "0,2-3,x"}}))
                  .ok());
  EXPECT_EQ(file.text(), "r1\nr4\nr5\n");
}

TEST(CsvComponents, GetRowsOneMessagePerRowOrAllAtOnce) {
  CsvFile file("f1", "Name,Points\nA,1\nB,2\nC,3\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetRows", Json::MakeObject({{"withHeaders", true}, {"filterRows", false}}),
                       Json::MakeObject())
                  .ok());
  ASSERT_EQ(file.sent().size(), 3u);
  EXPECT_EQ(file.sent()[0].content, Json::MakeObject({{"fileId", "f1"}, {"rows", Parse(R"(["A", 1])")}}));
  EXPECT_EQ(file.sent()[2].content["rows"], Parse(R"(["C", 3])"));

  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetRows", Json::MakeObject({{"withHeaders", true}, {"filterRows", true}}),
                       Json::MakeObject({{"allAtOnce", "true"}, {"filters", Filter("Points", ">=", 2)}}))
                  .ok());
  EXPECT_EQ(file.Out()["rows"], Parse(R"([["B", 2], ["C", 3]])"));

  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetRows", Json::MakeObject({{"withHeaders", false}, {"filterRows", true}}),
                       Json::MakeObject({{"allAtOnce", true}, {"indexes", "0,3"}, {"parseNumbers", false}}))
                  .ok());
  EXPECT_EQ(file.Out()["rows"], Parse(R"([["Name", "Points"], ["C", "3"]])"));

  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetRows", Json::MakeObject({{"withHeaders", true}, {"filterRows", true}}),
                       Json::MakeObject({{"allAtOnce", true}, {"filters", Filter("Name", "=", "none")}}))
                  .ok());
  EXPECT_EQ(file.Out()["rows"], Json::MakeArray());
}

TEST(CsvComponents, GetRowAndGetCellWithoutHeadersUseIndexes) {
  CsvFile file("f1", "a,b\nc,d\ne,f\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetRow", WithHeaders(false), Json::MakeObject({{"index", "1-2"}})).ok());
  EXPECT_EQ(file.Out()["row"], Parse(R"(["c", "d"])"));
  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetRow", WithHeaders(false), Json::MakeObject({{"index", 9}})).ok());
  EXPECT_TRUE(file.Out()["row"].IsNull());

  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetCell", WithHeaders(false),
                       Json::MakeObject({{"index", "2"}, {"columnIndex", 1}}))
                  .ok());
  EXPECT_EQ(file.Out(), Json::MakeObject({{"fileId", "f1"}, {"cell", "f"}}));
  // A column past the row's end: the cell is undefined (left out of the message).
  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetCell", WithHeaders(false),
                       Json::MakeObject({{"index", "2"}, {"columnIndex", "5"}}))
                  .ok());
  EXPECT_TRUE(file.Out()["cell"].IsUndefined());
}

TEST(CsvComponents, GetCellWithHeaders) {
  CsvFile file("f1", "Name,Points,Active\nA,1,true\nB,2,false\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetCell", WithHeaders(true),
                       Json::MakeObject({{"column", "Active"}, {"filters", Filter("Name", "regex", "^B")}}))
                  .ok());
  EXPECT_EQ(file.Out()["cell"], Json(false));
  ASSERT_TRUE(file.Run("appmixer.utils.csv.GetCell", WithHeaders(true),
                       Json::MakeObject({{"column", "Points"}, {"filters", Filter("Name", "=", "Z")}}))
                  .ok());
  EXPECT_TRUE(file.Out()["cell"].IsNull());
  EXPECT_EQ(file.Run("appmixer.utils.csv.GetCell", WithHeaders(true),
                     Json::MakeObject({{"column", "Nope"}, {"filters", Filter("Name", "=", "A")}}))
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(file.Run("appmixer.utils.csv.GetCell", WithHeaders(true),
                     Json::MakeObject({{"column", "Points"}, {"filters", Filter("Name", "regex", "(")}}))
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(CsvComponents, AddColumnAfterBeforeAndAtIndex) {
  CsvFile file("f1", "a,b\n1,2\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddColumn", WithHeaders(true),
                       Json::MakeObject({{"columnName", "m"}, {"defaultValue", "x"}, {"positioningColumn", "a"}}))
                  .ok());
  EXPECT_EQ(file.text(), "a,m,b\n1,x,2\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddColumn", WithHeaders(true),
                       Json::MakeObject({{"columnName", "first"}, {"insertMode", "beforeColumn"},
                                         {"positioningColumn", "a"}}))
                  .ok());
  EXPECT_EQ(file.text(), "first,a,m,b\n,1,x,2\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.AddColumn", WithHeaders(false),
                       Json::MakeObject({{"insertMode", "index"}, {"index", 99}, {"defaultValue", 0}}))
                  .ok());
  EXPECT_EQ(file.text(), "first,a,m,b,0\n,1,x,2,0\n");
  EXPECT_EQ(file.Run("appmixer.utils.csv.AddColumn", WithHeaders(true), Json::MakeObject({{"columnName", "z"}}))
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(file.Run("appmixer.utils.csv.AddColumn", WithHeaders(true),
                     Json::MakeObject({{"positioningColumn", "a"}}))
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(CsvComponents, DeleteColumnsByNameOrIndex) {
  CsvFile file("f1", "a,b,c,d\n1,2,3,4\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.DeleteColumns", WithHeaders(true), Json::MakeObject({{"columns", "a, c"}}))
                  .ok());
  EXPECT_EQ(file.text(), "b,d\n2,4\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.DeleteColumns", WithHeaders(false), Json::MakeObject({{"indexes", "1"}}))
                  .ok());
  EXPECT_EQ(file.text(), "b\n2\n");
  EXPECT_EQ(file.Run("appmixer.utils.csv.DeleteColumns", WithHeaders(true), Json::MakeObject({{"columns", "zz"}}))
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(CsvComponents, RenameColumnRewritesOnlyTheHeader) {
  CsvFile file("f1", "a;b\nb;1\n");
  ASSERT_TRUE(file.Run("appmixer.utils.csv.RenameColumn", Json::MakeObject(),
                       Json::MakeObject({{"delimiter", ";"}, {"columnName", "b"}, {"newColumnName", "B;2"}}))
                  .ok());
  EXPECT_EQ(file.text(), "a;\"B;2\"\nb;1\n");
  EXPECT_EQ(file.Out(), Json::MakeObject({{"fileId", "f1"}}));
}

TEST(CsvComponents, MissingFileIsNotFound) {
  CsvFile file;
  EXPECT_EQ(file.Run("appmixer.utils.csv.ExportCSV", Json::MakeObject(), Json::MakeObject({{"fileId", "nope"}}))
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(file.Run("appmixer.utils.csv.GetRows", Json::MakeObject({{"withHeaders", true}, {"filterRows", false}}),
                     Json::MakeObject())
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(CsvProcessor, IndexExpressions) {
  auto selected = [](Json expression) {
    std::vector<size_t> out;
    for (size_t i = 0; i < 8; ++i) {
      if (IndexSelected(i, expression)) out.push_back(i);
    }
    return out;
  };
  using V = std::vector<size_t>;
  EXPECT_EQ(selected("1,3-5"), (V{1, 3, 4, 5}));
  EXPECT_EQ(selected(" 2"), (V{2}));
  EXPECT_EQ(selected("2abc"), (V{2}));
  EXPECT_EQ(selected(Json(6)), (V{6}));
  EXPECT_EQ(selected("x1-2y"), (V{1, 2}));
  EXPECT_EQ(selected("-3"), V{});
  EXPECT_EQ(selected("3-"), V{});
  EXPECT_EQ(selected("5-3"), V{});
  EXPECT_EQ(selected(""), V{});
  EXPECT_EQ(selected(Json::Undefined()), V{});
  EXPECT_EQ(selected("99999999999999999999999"), V{});
}

TEST(CsvProcessor, FiltersCompareLooselyAndRejectBadShapes) {
  Json row = Json::MakeObject({{"Name", "Jiří"}, {"Points", 43}});
  auto passes = [&](Json filters) {
    Result<RowFilter> filter = ParseRowFilter(filters);
    EXPECT_TRUE(filter.ok()) << filter.status().ToString();
    Result<bool> result = PassesFilter(row, *filter);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() && *result;
  };
  EXPECT_TRUE(passes(Filter("Points", "=", "43")));
  EXPECT_TRUE(passes(Filter("Points", ">", "5")));
  EXPECT_FALSE(passes(Filter("Points", "<", 5)));
  EXPECT_TRUE(passes(Filter("Name", "!=", "x")));
  EXPECT_TRUE(passes(Filter("Missing", "!=", "x")));
  EXPECT_FALSE(passes(Filter("Name", "like", "Jiří")));
  EXPECT_TRUE(passes(Filter("Points", "regex", "^4\\d$")));
  EXPECT_TRUE(passes(Json::MakeObject()));
  EXPECT_TRUE(passes(Parse(R"({"OR": [{"AND": [{"column": "Name", "operator": "=", "value": "x"}]},
                                       {"AND": [{"column": "Points", "operator": ">=", "value": 43},
                                                {"column": "Name", "operator": "=", "value": "Jiří"}]}]})")));
  EXPECT_FALSE(passes(Parse(R"({"AND": [{"column": "Points", "operator": ">=", "value": 43},
                                         {"column": "Name", "operator": "=", "value": "x"}]})")));
  EXPECT_TRUE(passes(Json(Filter("Points", "=", 43).Dump())));

  EXPECT_EQ(ParseRowFilter(Json::Undefined()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRowFilter(Json("{")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRowFilter(Parse(R"({"OR": [{"AND": {"column": "a"}}]})")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRowFilter(Parse(R"({"XOR": []})")).status().code(), StatusCode::kInvalidArgument);
}

TEST(CsvProcessor, ColumnValuesLaterPairsWin) {
  EXPECT_EQ(ColumnValues(Parse(R"({"AND": [{"column": "a", "value": 1}, {"column": 2, "value": "x"},
                                            {"column": "a", "value": 3}]})")),
            Parse(R"({"a": 3, "2": "x"})"));
  EXPECT_EQ(ColumnValues(Json::Undefined()), Json::MakeObject());
}

}  // namespace
}  // namespace flowkit::components::csv
