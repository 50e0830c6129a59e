// appmixer.utils.converters CSV2JSON and JSON2CSV through the harness and its file store.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "components/builtin_registry.h"
#include "flowkit/testing.h"

namespace flowkit::components {
namespace {

using ::flowkit::testing::ComponentHarness;

const ComponentRegistry& Registry() {
  static const ComponentRegistry* registry = [] {
    auto* r = new ComponentRegistry();
    Status s = RegisterConvertersComponents(*r);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return r;
  }();
  return *registry;
}

std::unique_ptr<ComponentHarness> Make(const std::string& type) {
  auto h = ComponentHarness::Create(Registry(), "appmixer.utils.converters." + type);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? std::move(h).value() : nullptr;
}

// Runs the converter on a file holding `content`; returns the new file's name and text.
std::pair<std::string, std::string> Convert(ComponentHarness& h, const std::string& name, const std::string& content) {
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
      {"Name":"Grace","Age":-7,"Admin":false,"Note":"x"}])").value());
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
  EXPECT_EQ(h->Receive("in", Json::MakeObject({{"fileId", "missing"}})).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace flowkit::components
