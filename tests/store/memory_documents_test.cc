// Memory-adapter specifics and the adapter-independent Appmixer shapes. The behaviour every
// adapter shares is in document_store_conformance_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "flowkit/clock.h"
#include "flowkit/storage.h"

namespace flowkit {
namespace {

TEST(MemoryDocuments, DefaultOptionsUseTheSystemClock) {
  auto docs = NewMemoryDocumentStore();
  DataStore& ds = docs->DataStoresOf("u");
  ASSERT_TRUE(ds.CreateStore("s", "s").ok());
  const int64_t before = SystemClock()->NowMillis();
  auto set = ds.Set("s", "k", Json(1));
  ASSERT_TRUE(set.ok());
  EXPECT_GE(set->record.created_ms, before);
  EXPECT_LE(set->record.created_ms, SystemClock()->NowMillis());
  // The default size limit is 64 MiB.
  EXPECT_TRUE(docs->FilesOf("u").Save("f", std::string(1 << 20, 'x')).ok());
}

TEST(MemoryDocuments, RecordToJsonHasAppmixerShape) {
  StoreRecord record{"s", "k", Json::MakeObject({{"a", 1}}), 1795544591000, 1795544592500};
  EXPECT_EQ(record.ToJson(), *Json::Parse(R"({"key": "k", "value": {"a": 1}, "storeId": "s",
      "createdAt": "2026-11-24T18:23:11.000Z", "updatedAt": "2026-11-24T18:23:12.500Z"})"));
}

TEST(MemoryDocuments, FileInfoToJsonHasAppmixerShape) {
  FileInfo info{"f1", "a.txt", "text/plain", 5, 1795544591000, 1795544591000};
  EXPECT_EQ(info.ToJson(), *Json::Parse(R"({"fileId": "f1", "filename": "a.txt", "length": 5,
      "contentType": "text/plain", "uploadDate": "2026-11-24T18:23:11.000Z",
      "metadata": {"fileId": "f1"}})"));
}

}  // namespace
}  // namespace flowkit
