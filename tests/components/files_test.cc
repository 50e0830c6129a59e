// appmixer.utils.files.*, through the component harness; DownloadFile against a loopback server.
#include "components/files/files.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "flowkit/builtins.h"
#include "flowkit/testing.h"
#include "http/loopback.h"

namespace flowkit {
namespace {

using testing::ComponentHarness;
using testing::HarnessOptions;

const ComponentRegistry& Registry() {
  static const ComponentRegistry* registry = [] {
    auto* r = new ComponentRegistry();
    EXPECT_TRUE(RegisterBuiltinComponents(*r).ok());
    return r;
  }();
  return *registry;
}

std::unique_ptr<ComponentHarness> Make(std::string_view type, HarnessOptions options = {}) {
  auto h = ComponentHarness::Create(Registry(), "appmixer.utils.files." + std::string(type), std::move(options));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return std::move(h).value();
}

Json Save(std::string_view filename, Json content, std::string_view encoding, std::string_view mimetype = "text/plain") {
  return Json::MakeObject({{"filename", std::string(filename)},
                           {"mimetype", std::string(mimetype)},
                           {"content", std::move(content)},
                           {"contentEncoding", std::string(encoding)}});
}

TEST(FilesRegistry, RegistersEveryTypeWithItsPortsAndQuota) {
  for (const char* type : {"LoadFile", "LoadFileLines", "SaveFile", "RemoveFile", "DownloadFile", "ArchiveFile"}) {
    const ComponentType* t = Registry().Find(std::string("appmixer.utils.files.") + type);
    ASSERT_NE(t, nullptr) << type;
    EXPECT_TRUE(t->runnable()) << type;
    EXPECT_NE(t->manifest->FindInPort("in"), nullptr) << type;
  }
  for (const char* type : {"SaveFile", "DownloadFile", "ArchiveFile"}) {
    const auto& quota = Registry().Find(std::string("appmixer.utils.files.") + type)->manifest->quota;
    ASSERT_TRUE(quota.has_value()) << type;
    EXPECT_EQ(quota->manager, "appmixer:utils:files");
    EXPECT_EQ(quota->resources, std::vector<std::string>{"storeFile"});
    EXPECT_EQ(quota->max_wait_ms, 120000);
  }
}

TEST(FilesSaveFile, SavesTextAndSendsTheFileObject) {
  auto h = Make("SaveFile");
  ASSERT_TRUE(h->Receive("in", Save("notes.txt", "héllo", "utf8")).ok());
  ASSERT_EQ(h->SentOn("file").size(), 1u);
  const Json file = h->SentOn("file")[0].content;
  EXPECT_EQ(file["filename"].AsString(), "notes.txt");
  EXPECT_EQ(file["contentType"].AsString(), "text/plain");
  EXPECT_EQ(file["length"].AsInt(), 6);
  const std::string id = file["fileId"].AsString();
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(*h->files().Read(id), "héllo");
}

TEST(FilesSaveFile, AnArrayIsStoredAsItsJsonText) {
  auto h = Make("SaveFile");
  ASSERT_TRUE(h->Receive("in", Save("a.json", Json::Parse(R"([1,{"a":"b"}])").value(), "utf8", "application/json")).ok());
  const std::string id = h->SentOn("file")[0].content["fileId"].AsString();
  EXPECT_EQ(*h->files().Read(id), R"([1,{"a":"b"}])");
}

TEST(FilesSaveFile, EachContentEncodingMakesNodesBytes) {
  struct Case {
    const char* encoding;
    const char* text;
    std::string bytes;
  } cases[] = {
      {"base64", "aGk/Pw==", "hi??"},
      {"base64", "aGk_Pw", "hi?\x3f"},  // URL-safe alphabet, no padding
      {"hex", "00ff41", std::string("\x00\xff\x41", 3)},
      {"latin1", "é", "\xe9"},
      {"ascii", "é", "\xe9"},  // Node's ascii writes the low byte, like latin1
      {"utf16le", "A€", std::string("A\x00\xac\x20", 4)},
      {"utf8", "€", "\xe2\x82\xac"},
      {"UTF-8", "x", "x"},
  };
  for (const Case& c : cases) {
    Result<std::string> bytes = components::files::EncodeText(c.text, Json(c.encoding));
    ASSERT_TRUE(bytes.ok()) << c.encoding << ": " << bytes.status().ToString();
    EXPECT_EQ(*bytes, c.bytes) << c.encoding << " " << c.text;
  }
  Result<std::string> emoji = components::files::EncodeText("😀", Json("utf16le"));
  ASSERT_TRUE(emoji.ok());
  EXPECT_EQ(*emoji, std::string("\x3d\xd8\x00\xde", 4)) << "a surrogate pair";
}

TEST(FilesSaveFile, BadEncodingsAndMalformedContentAreFinalErrors) {
  auto h = Make("SaveFile");
  Status unknown = h->Receive("in", Save("x", "abc", "rot13"));
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("unknown contentEncoding \"rot13\""), std::string::npos) << unknown.message();
  Status hex = h->Receive("in", Save("x", "0g", "hex"));
  EXPECT_EQ(hex.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(hex.message().find("non-hex digit at offset 1"), std::string::npos) << hex.message();
  EXPECT_EQ(h->Receive("in", Save("x", "abc", "hex")).code(), StatusCode::kInvalidArgument) << "odd length";
  EXPECT_EQ(h->Receive("in", Save("x", "a$b", "base64")).code(), StatusCode::kInvalidArgument);
  Status missing = h->Receive("in", Json::MakeObject({{"filename", "x"}, {"content", "y"}}));
  EXPECT_FALSE(missing.ok()) << "mimetype and contentEncoding are required";
  EXPECT_TRUE(h->sent().empty());
  EXPECT_TRUE(h->files().List()->empty()) << "nothing stored";
}

TEST(FilesLoadFile, SendsTheContentAsText) {
  auto h = Make("LoadFile");
  Result<FileInfo> file = h->files().Save("a.txt", "line 1\nline 2", "text/plain");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"fileId", file->file_id}})).ok());
  ASSERT_EQ(h->SentOn("content").size(), 1u);
  EXPECT_EQ(h->SentOn("content")[0].content.Dump(), R"({"content":"line 1\nline 2"})");
}

TEST(FilesLoadFile, AnUnknownFileIdIsNotFoundNamingIt) {
  auto h = Make("LoadFile");
  Status s = h->Receive("in", Json::MakeObject({{"fileId", "nope"}}));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "LoadFile: no file with fileId 'nope'");
  EXPECT_FALSE(h->Receive("in", Json::MakeObject()).ok()) << "fileId is required";
}

TEST(FilesLoadFileLines, SendsOneMessagePerLineWithItsIndex) {
  auto h = Make("LoadFileLines");
  Result<FileInfo> file = h->files().Save("a.txt", "a\r\nb\n\nc\rd\n", "text/plain");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"fileId", file->file_id}})).ok());
  std::vector<testing::SentMessage> sent = h->SentOn("content");
  ASSERT_EQ(sent.size(), 5u);
  const char* lines[] = {"a", "b", "", "c", "d"};
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].content["line"].AsString(), lines[i]) << i;
    EXPECT_EQ(sent[i].content["index"].AsInt(), static_cast<int64_t>(i));
  }
  EXPECT_EQ(components::files::SplitLines("").size(), 0u) << "an empty file has no lines";
  EXPECT_EQ(components::files::SplitLines("x").size(), 1u) << "no final line break needed";
  Status s = h->Receive("in", Json::MakeObject({{"fileId", "nope"}}));
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "LoadFileLines: no file with fileId 'nope'");
}

TEST(FilesRemoveFile, RemovesAndSendsTheFileId) {
  auto h = Make("RemoveFile");
  Result<FileInfo> file = h->files().Save("a.txt", "x", "text/plain");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"fileId", file->file_id}})).ok());
  EXPECT_EQ(h->SentOn("deleted")[0].content.Dump(), R"({"fileId":")" + file->file_id + R"("})");
  EXPECT_EQ(h->files().Read(file->file_id).status().code(), StatusCode::kNotFound);
  Status again = h->Receive("in", Json::MakeObject({{"fileId", file->file_id}}));
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_EQ(again.message(), "RemoveFile: no file with fileId '" + file->file_id + "'");
}

TEST(FilesArchiveFile, MarksTheFileArchivedAndKeepsItReadable) {
  auto h = Make("ArchiveFile");
  Result<FileInfo> file = h->files().Save("a.txt", "kept", "text/plain");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"fileId", file->file_id}})).ok());
  EXPECT_EQ(h->SentOn("out")[0].content.Dump(), R"({"fileId":")" + file->file_id + R"("})");
  EXPECT_TRUE(h->files().Info(file->file_id)->archived);
  EXPECT_EQ(*h->files().Read(file->file_id), "kept");
  Status missing = h->Receive("in", Json::MakeObject({{"fileId", "nope"}}));
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "ArchiveFile: no file with fileId 'nope'");
}

TEST(FilesRoundTrip, SaveThenLoadGivesTheTextBack) {
  auto save = Make("SaveFile");
  ASSERT_TRUE(save->Receive("in", Save("b.txt", "aGVsbG8=", "base64")).ok());
  const std::string id = save->SentOn("file")[0].content["fileId"].AsString();
  // A second harness would have its own store: load through the same FileStore instead.
  EXPECT_EQ(*save->files().Read(id), "hello");
}

class FilesDownloadFile : public ::testing::Test {
 protected:
  Json Link(std::string_view path, std::string_view custom = {}) {
    Json in = Json::MakeObject({{"link", server_.url(path)}});
    if (!custom.empty()) in.Set("customFileName", std::string(custom));
    return in;
  }
  http_test::LoopbackServer server_;
};

TEST_F(FilesDownloadFile, StoresTheBodyUnderTheLinksLastSegment) {
  auto h = Make("DownloadFile");
  ASSERT_TRUE(h->Receive("in", Link("/bytes")).ok());
  ASSERT_EQ(h->SentOn("out").size(), 1u);
  const Json out = h->SentOn("out")[0].content;
  EXPECT_EQ(out["filename"].AsString(), "bytes");
  EXPECT_EQ(out["contentType"].AsString(), "application/octet-stream");
  Result<std::string> bytes = h->files().Read(out["fileId"].AsString());
  ASSERT_TRUE(bytes.ok());
  ASSERT_EQ(bytes->size(), 256u);
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[255]), 255) << "binary content kept byte for byte";
  EXPECT_EQ(h->files().Info(out["fileId"].AsString())->filename, "bytes");
}

TEST_F(FilesDownloadFile, TakesTheNameFromContentDispositionOrCustomFileName) {
  auto h = Make("DownloadFile");
  ASSERT_TRUE(h->Receive("in", Link("/attachment")).ok());
  Json out = h->SentOn("out")[0].content;
  EXPECT_EQ(out["filename"].AsString(), "report.csv") << "quotes removed";
  EXPECT_EQ(out["contentType"].AsString(), "text/csv");
  EXPECT_EQ(*h->files().Read(out["fileId"].AsString()), "a,b\n");
  ASSERT_TRUE(h->Receive("in", Link("/attachment", "mine.csv")).ok());
  EXPECT_EQ(h->SentOn("out")[1].content["filename"].AsString(), "mine.csv");
}

TEST_F(FilesDownloadFile, ErrorsSayWhatWentWrong) {
  auto h = Make("DownloadFile");
  Status invalid = h->Receive("in", Json::MakeObject({{"link", "not a url"}}));
  EXPECT_EQ(invalid.code(), StatusCode::kCancelled) << "Appmixer's CancelError: no retry";
  EXPECT_NE(invalid.message().find("invalid link 'not a url'"), std::string::npos) << invalid.message();
  EXPECT_EQ(h->Receive("in", Json::MakeObject({{"link", "ftp://example.com/x"}})).code(), StatusCode::kCancelled);
  Status missing = h->Receive("in", Link("/status/404"));
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << "4xx is final";
  EXPECT_NE(missing.message().find("answered with status code 404"), std::string::npos) << missing.message();
  EXPECT_TRUE(h->Receive("in", Link("/status/503")).IsRetryable()) << "5xx is retried";
  Status refused = h->Receive("in", Json::MakeObject({{"link", "http://127.0.0.1:" +
                                                                   std::to_string(http_test::ClosedPort()) + "/x"}}));
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable) << refused.ToString();
  EXPECT_NE(refused.message().find("DownloadFile"), std::string::npos);
  EXPECT_TRUE(h->sent().empty());
  EXPECT_TRUE(h->files().List()->empty());
}

}  // namespace
}  // namespace flowkit
