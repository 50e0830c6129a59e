#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "flowkit/clock.h"
#include "flowkit/storage.h"

namespace flowkit {
namespace {

using ::testing::HasSubstr;

class MemoryDocumentsTest : public ::testing::Test {
 protected:
  std::unique_ptr<DocumentStore> Open(bool create_on_use = false, int64_t max_file_bytes = 1024) {
    return NewMemoryDocumentStore(
        {.clock = &clock_, .max_file_bytes = max_file_bytes, .create_stores_on_first_use = create_on_use});
  }
  static std::vector<std::string> Keys(const std::vector<StoreRecord>& records) {
    std::vector<std::string> keys;
    for (const StoreRecord& r : records) keys.push_back(r.key);
    return keys;
  }

  ManualClock clock_{1700000000000};
};

TEST_F(MemoryDocumentsTest, StoresAreCreatedListedAndDeleted) {
  auto docs = Open();
  DataStore& ds = docs->DataStoresOf("u1");
  auto named = ds.CreateStore("Orders", "orders");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->store_id, "orders");
  auto generated = ds.CreateStore("Other");
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->store_id.size(), 36u);  // a UUID
  EXPECT_EQ(ds.CreateStore("Again", "orders").status().code(), StatusCode::kAlreadyExists);

  auto list = ds.ListStores();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "Orders");
  EXPECT_EQ((*list)[1].name, "Other");

  ASSERT_TRUE(ds.DeleteStore("orders").ok());
  EXPECT_EQ(ds.DeleteStore("orders").code(), StatusCode::kNotFound);
  EXPECT_EQ(ds.Get("orders", "k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ds.ListStores()->size(), 1u);
}

TEST_F(MemoryDocumentsTest, UsersNeverSeeEachOthersData) {
  auto docs = Open();
  ASSERT_TRUE(docs->DataStoresOf("alice").CreateStore("s", "s").ok());
  ASSERT_TRUE(docs->DataStoresOf("alice").Set("s", "k", Json(1)).ok());
  ASSERT_TRUE(docs->FilesOf("alice").Save("a.txt", "secret", "text/plain", "f1").ok());

  DataStore& bob = docs->DataStoresOf("bob");
  EXPECT_TRUE(bob.ListStores()->empty());
  EXPECT_EQ(bob.Get("s", "k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(docs->FilesOf("bob").Read("f1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(docs->FilesOf("bob").List()->empty());
  // Bob can use the same ids for his own things.
  ASSERT_TRUE(bob.CreateStore("s", "s").ok());
  ASSERT_TRUE(docs->FilesOf("bob").Save("b.txt", "mine", "text/plain", "f1").ok());
  EXPECT_EQ(*docs->FilesOf("alice").Read("f1"), "secret");
  // Views are stable references.
  EXPECT_EQ(&docs->DataStoresOf("alice"), &docs->DataStoresOf("alice"));
}

TEST_F(MemoryDocumentsTest, SetGetRemoveClearKeepTimesAndOldValues) {
  auto docs = Open();
  DataStore& ds = docs->DataStoresOf("u");
  ASSERT_TRUE(ds.CreateStore("s", "s").ok());
  auto first = ds.Set("s", "k", Json::MakeObject({{"v", 1}}));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->old_value.IsUndefined());
  EXPECT_EQ(first->record.created_ms, 1700000000000);

  clock_.Advance(5000);
  auto second = ds.Set("s", "k", Json(2));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->old_value, Json::MakeObject({{"v", 1}}));
  EXPECT_EQ(second->record.created_ms, 1700000000000);
  EXPECT_EQ(second->record.updated_ms, 1700000005000);

  auto got = ds.Get("s", "k");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->value, Json(2));
  EXPECT_EQ((*got)->store_id, "s");
  auto missing = ds.Get("s", "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  auto removed = ds.Remove("s", "k");
  ASSERT_TRUE(removed.ok() && removed->has_value());
  EXPECT_EQ((*removed)->value, Json(2));
  EXPECT_FALSE(ds.Remove("s", "k")->has_value());

  ASSERT_TRUE(ds.Set("s", "a", Json(1)).ok());
  ASSERT_TRUE(ds.Set("s", "b", Json(2)).ok());
  EXPECT_EQ(*ds.Clear("s"), 2);
  EXPECT_EQ(*ds.Count("s", Json::MakeObject()), 0);
  EXPECT_EQ(ds.Set("nostore", "k", Json(1)).status().code(), StatusCode::kNotFound);
}

TEST_F(MemoryDocumentsTest, RecordsKeepInsertionOrderAcrossUpdates) {
  auto docs = Open(/*create_on_use=*/true);
  DataStore& ds = docs->DataStoresOf("u");
  for (const char* key : {"c", "a", "b"}) ASSERT_TRUE(ds.Set("s", key, Json(key)).ok());
  ASSERT_TRUE(ds.Set("s", "c", Json("updated")).ok());  // keeps its place
  ASSERT_TRUE(ds.Remove("s", "a").ok());
  ASSERT_TRUE(ds.Set("s", "a", Json("again")).ok());  // re-added: goes last
  auto all = ds.Find("s", Json::MakeObject());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Keys(*all), (std::vector<std::string>{"c", "b", "a"}));
}

TEST_F(MemoryDocumentsTest, CreateStoresOnFirstUseNamesThemAfterTheId) {
  auto strict = Open(false);
  EXPECT_EQ(strict->DataStoresOf("u").Set("auto", "k", Json(1)).status().code(), StatusCode::kNotFound);

  auto docs = Open(true);
  DataStore& ds = docs->DataStoresOf("u");
  auto got = ds.Get("auto", "k");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  auto list = ds.ListStores();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].store_id, "auto");
  EXPECT_EQ((*list)[0].name, "auto");
  EXPECT_EQ(ds.CreateStore("x", "auto").status().code(), StatusCode::kAlreadyExists);
}

TEST_F(MemoryDocumentsTest, FindAndCountFilterSortAndPage) {
  auto docs = Open(true);
  DataStore& ds = docs->DataStoresOf("u");
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(1000);
    ASSERT_TRUE(ds.Set("s", "k" + std::to_string(i), Json::MakeObject({{"n", i % 3}, {"i", i}})).ok());
  }
  auto query = *Json::Parse(R"({"value.n": {"$gte": 1}})");
  EXPECT_EQ(*ds.Count("s", query), 4);
  auto found = ds.Find("s", query, {.sort_by = "value.n", .descending = true, .offset = 1, .limit = 2});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(Keys(*found), (std::vector<std::string>{"k5", "k1"}));
  auto recent = ds.Find("s", *Json::Parse(R"({"updatedAt": {"$gt": "2023-11-14T22:13:24.000Z"}})"));
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(Keys(*recent), (std::vector<std::string>{"k4", "k5"}));

  auto bad = ds.Find("s", *Json::Parse(R"({"value.n": {"$near": 1}})"));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("$near"));
  EXPECT_EQ(ds.Count("s", Json(3)).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MemoryDocumentsTest, RecordToJsonHasAppmixerShape) {
  StoreRecord record{"s", "k", Json::MakeObject({{"a", 1}}), 1795544591000, 1795544592500};
  EXPECT_EQ(record.ToJson(), *Json::Parse(R"({"key": "k", "value": {"a": 1}, "storeId": "s",
      "createdAt": "2026-11-24T18:23:11.000Z", "updatedAt": "2026-11-24T18:23:12.500Z"})"));
}

TEST_F(MemoryDocumentsTest, FilesSaveReadReplaceRemove) {
  auto docs = Open();
  FileStore& files = docs->FilesOf("u");
  auto saved = files.Save("report.csv", "a,b\n1,2\n", "text/csv");
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->filename, "report.csv");
  EXPECT_EQ(saved->content_type, "text/csv");
  EXPECT_EQ(saved->length, 8);
  EXPECT_EQ(saved->created_ms, 1700000000000);
  const std::string id = saved->file_id;
  EXPECT_EQ(*files.Read(id), "a,b\n1,2\n");

  clock_.Advance(1000);
  auto replaced = files.Replace(id, "x");
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->file_id, id);
  EXPECT_EQ(replaced->filename, "report.csv");
  EXPECT_EQ(replaced->length, 1);
  EXPECT_EQ(replaced->created_ms, 1700000000000);
  EXPECT_EQ(replaced->updated_ms, 1700000001000);
  EXPECT_EQ(*files.Read(id), "x");
  EXPECT_EQ(files.Info(id)->length, 1);
  EXPECT_EQ(files.List()->size(), 1u);

  EXPECT_EQ(files.Save("dup", "y", "text/plain", id).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(files.Remove(id).ok());
  EXPECT_EQ(files.Remove(id).code(), StatusCode::kNotFound);
  EXPECT_EQ(files.Read(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(files.Info(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(files.Replace(id, "z").status().code(), StatusCode::kNotFound);
}

TEST_F(MemoryDocumentsTest, FilesListInInsertionOrder) {
  auto docs = Open();
  FileStore& files = docs->FilesOf("u");
  ASSERT_TRUE(files.Save("b", "1", "text/plain", "id-b").ok());
  ASSERT_TRUE(files.Save("a", "2", "text/plain", "id-a").ok());
  auto list = files.List();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].file_id, "id-b");
  EXPECT_EQ((*list)[1].file_id, "id-a");
}

TEST_F(MemoryDocumentsTest, FileSizeLimitNamesTheLimit) {
  auto docs = Open(false, /*max_file_bytes=*/4);
  FileStore& files = docs->FilesOf("u");
  ASSERT_TRUE(files.Save("ok", "1234").ok());
  auto big = files.Save("big.bin", "12345");
  EXPECT_EQ(big.status().code(), StatusCode::kTooLarge);
  EXPECT_THAT(big.status().message(), HasSubstr("4 bytes"));
  EXPECT_THAT(big.status().message(), HasSubstr("big.bin"));
  auto id = files.List()->at(0).file_id;
  EXPECT_EQ(files.Replace(id, "12345").status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(*files.Read(id), "1234");  // unchanged
}

TEST_F(MemoryDocumentsTest, FileInfoToJsonHasAppmixerShape) {
  FileInfo info{"f1", "a.txt", "text/plain", 5, 1795544591000, 1795544591000};
  EXPECT_EQ(info.ToJson(), *Json::Parse(R"({"fileId": "f1", "filename": "a.txt", "length": 5,
      "contentType": "text/plain", "uploadDate": "2026-11-24T18:23:11.000Z",
      "metadata": {"fileId": "f1"}})"));
}

TEST_F(MemoryDocumentsTest, ConcurrentWritersOnOneUserLoseNothing) {
  auto docs = Open(true);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&docs, t] {
      for (int i = 0; i < 200; ++i) {
        Status s = docs->DataStoresOf("u").Set("s", std::to_string(t) + "-" + std::to_string(i), Json(i)).status();
        ASSERT_TRUE(s.ok());
        ASSERT_TRUE(docs->FilesOf("u").Save("f", "x").ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(*docs->DataStoresOf("u").Count("s", Json::MakeObject()), 800);
  EXPECT_EQ(docs->FilesOf("u").List()->size(), 800u);
}

}  // namespace
}  // namespace flowkit
