// One suite for every DocumentStore adapter: each case runs against memory and SQLite (a fresh
// database in a temporary directory; shared and exclusive locking), so the adapters answer the
// same calls the same way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/clock.h"
#include "flowkit/storage.h"
#include "store/temp_dir.h"

namespace flowkit {
namespace {

using ::testing::HasSubstr;

struct OpenOptions {
  const Clock* clock = nullptr;
  int64_t max_file_bytes = 1024;
  bool create_stores_on_first_use = false;
  std::string db_path;  // for adapters that keep files
};

Result<std::unique_ptr<DocumentStore>> OpenSqlite(const OpenOptions& o, bool exclusive) {
  return NewSqliteDocumentStore({.path = o.db_path,
                                 .clock = o.clock,
                                 .max_file_bytes = o.max_file_bytes,
                                 .create_stores_on_first_use = o.create_stores_on_first_use,
                                 .exclusive_lock = exclusive});
}

struct Adapter {
  std::string name;
  std::function<Result<std::unique_ptr<DocumentStore>>(const OpenOptions&)> open;
};

void PrintTo(const Adapter& adapter, std::ostream* out) { *out << adapter.name; }

std::vector<Adapter> Adapters() {
  return {
      {"Memory",
       [](const OpenOptions& o) -> Result<std::unique_ptr<DocumentStore>> {
         return NewMemoryDocumentStore({.clock = o.clock,
                                        .max_file_bytes = o.max_file_bytes,
                                        .create_stores_on_first_use = o.create_stores_on_first_use});
       }},
      {"Sqlite", [](const OpenOptions& o) { return OpenSqlite(o, false); }},
      {"SqliteExclusive", [](const OpenOptions& o) { return OpenSqlite(o, true); }},
  };
}

class DocumentStoreConformance : public ::testing::TestWithParam<Adapter> {
 protected:
  std::unique_ptr<DocumentStore> Open(bool create_on_use = false, int64_t max_file_bytes = 1024) {
    OpenOptions options{&clock_, max_file_bytes, create_on_use,
                        dir_.Sub("docs-" + std::to_string(opened_++) + ".db")};
    auto docs = GetParam().open(options);
    EXPECT_TRUE(docs.ok()) << docs.status().ToString();
    return docs.ok() ? std::move(docs).value() : nullptr;
  }
  static std::vector<std::string> Keys(const Result<std::vector<StoreRecord>>& records) {
    std::vector<std::string> keys;
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    if (!records.ok()) return keys;
    for (const StoreRecord& r : *records) keys.push_back(r.key);
    return keys;
  }
  static Json J(const char* text) { return *Json::Parse(text); }

  ManualClock clock_{1700000000000};
  test::TempDir dir_;
  int opened_ = 0;
};

TEST_P(DocumentStoreConformance, StoresAreCreatedListedAndDeleted) {
  auto docs = Open();
  ASSERT_NE(docs, nullptr);
  DataStore& ds = docs->DataStoresOf("u1");
  EXPECT_TRUE(ds.ListStores()->empty());
  auto named = ds.CreateStore("Orders", "orders");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->store_id, "orders");
  EXPECT_EQ(named->name, "Orders");
  auto generated = ds.CreateStore("Other");
  ASSERT_TRUE(generated.ok());
  EXPECT_EQ(generated->store_id.size(), 36u);  // a UUID
  auto again = ds.CreateStore("Again", "orders");
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("orders"));

  auto list = ds.ListStores();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].store_id, "orders");
  EXPECT_EQ((*list)[0].name, "Orders");
  EXPECT_EQ((*list)[1].name, "Other");

  ASSERT_TRUE(ds.Set("orders", "k", Json(1)).ok());
  ASSERT_TRUE(ds.DeleteStore("orders").ok());
  EXPECT_EQ(ds.DeleteStore("orders").code(), StatusCode::kNotFound);
  EXPECT_EQ(ds.Get("orders", "k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ds.ListStores()->size(), 1u);
  // A store made again under the old id starts empty.
  ASSERT_TRUE(ds.CreateStore("Orders", "orders").ok());
  EXPECT_EQ(*ds.Count("orders", Json::MakeObject()), 0);
  EXPECT_FALSE(ds.Get("orders", "k")->has_value());
}

TEST_P(DocumentStoreConformance, RecordCallsOnAMissingStoreAreNotFound) {
  auto docs = Open();
  ASSERT_NE(docs, nullptr);
  DataStore& ds = docs->DataStoresOf("u");
  EXPECT_EQ(ds.Get("none", "k").status().code(), StatusCode::kNotFound);
  auto set = ds.Set("none", "k", Json(1));
  EXPECT_EQ(set.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(set.status().message(), HasSubstr("'none'"));
  EXPECT_EQ(ds.Remove("none", "k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ds.Clear("none").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ds.Find("none", Json::MakeObject()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ds.Count("none", Json::MakeObject()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ds.DeleteStore("none").code(), StatusCode::kNotFound);
  EXPECT_TRUE(ds.ListStores()->empty());  // nothing was created on the way
}

TEST_P(DocumentStoreConformance, UsersNeverSeeEachOthersData) {
  auto docs = Open();
  ASSERT_NE(docs, nullptr);
  ASSERT_TRUE(docs->DataStoresOf("alice").CreateStore("s", "s").ok());
  ASSERT_TRUE(docs->DataStoresOf("alice").Set("s", "k", Json(1)).ok());
  ASSERT_TRUE(docs->FilesOf("alice").Save("a.txt", "secret", "text/plain", "f1").ok());

  DataStore& bob = docs->DataStoresOf("bob");
  FileStore& bob_files = docs->FilesOf("bob");
  EXPECT_TRUE(bob.ListStores()->empty());
  EXPECT_EQ(bob.Get("s", "k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bob.Find("s", Json::MakeObject()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bob.DeleteStore("s").code(), StatusCode::kNotFound);
  EXPECT_EQ(bob_files.Read("f1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bob_files.Info("f1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bob_files.Replace("f1", "overwritten").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(bob_files.Remove("f1").code(), StatusCode::kNotFound);
  EXPECT_TRUE(bob_files.List()->empty());
  // Bob can use the same ids for his own things.
  ASSERT_TRUE(bob.CreateStore("s", "s").ok());
  ASSERT_TRUE(bob.Set("s", "k", Json(2)).ok());
  ASSERT_TRUE(bob_files.Save("b.txt", "mine", "text/plain", "f1").ok());
  EXPECT_EQ(*bob_files.Read("f1"), "mine");
  EXPECT_EQ(*docs->FilesOf("alice").Read("f1"), "secret");
  EXPECT_EQ((*docs->DataStoresOf("alice").Get("s", "k"))->value, Json(1));
  ASSERT_TRUE(bob.DeleteStore("s").ok());
  EXPECT_EQ(docs->DataStoresOf("alice").ListStores()->size(), 1u);
  // Views are stable references.
  EXPECT_EQ(&docs->DataStoresOf("alice"), &docs->DataStoresOf("alice"));
  EXPECT_EQ(&docs->FilesOf("alice"), &docs->FilesOf("alice"));
}

TEST_P(DocumentStoreConformance, SetGetRemoveClearKeepTimesAndOldValues) {
  auto docs = Open();
  ASSERT_NE(docs, nullptr);
  DataStore& ds = docs->DataStoresOf("u");
  ASSERT_TRUE(ds.CreateStore("s", "s").ok());
  auto first = ds.Set("s", "k", Json::MakeObject({{"v", 1}}));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->old_value.IsUndefined());
  EXPECT_EQ(first->record.store_id, "s");
  EXPECT_EQ(first->record.key, "k");
  EXPECT_EQ(first->record.created_ms, 1700000000000);
  EXPECT_EQ(first->record.updated_ms, 1700000000000);

  clock_.Advance(5000);
  auto second = ds.Set("s", "k", Json(2));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->old_value, Json::MakeObject({{"v", 1}}));
  EXPECT_EQ(second->record.value, Json(2));
  EXPECT_EQ(second->record.created_ms, 1700000000000);
  EXPECT_EQ(second->record.updated_ms, 1700000005000);

  auto got = ds.Get("s", "k");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->value, Json(2));
  EXPECT_EQ((*got)->store_id, "s");
  EXPECT_EQ((*got)->key, "k");
  EXPECT_EQ((*got)->created_ms, 1700000000000);
  EXPECT_EQ((*got)->updated_ms, 1700000005000);
  auto missing = ds.Get("s", "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  auto removed = ds.Remove("s", "k");
  ASSERT_TRUE(removed.ok() && removed->has_value());
  EXPECT_EQ((*removed)->value, Json(2));
  EXPECT_EQ((*removed)->created_ms, 1700000000000);
  EXPECT_EQ((*removed)->updated_ms, 1700000005000);
  EXPECT_FALSE(ds.Remove("s", "k")->has_value());
  EXPECT_FALSE(ds.Get("s", "k")->has_value());

  ASSERT_TRUE(ds.Set("s", "a", Json(1)).ok());
  ASSERT_TRUE(ds.Set("s", "b", Json(2)).ok());
  EXPECT_EQ(*ds.Count("s", Json::MakeObject()), 2);
  EXPECT_EQ(*ds.Clear("s"), 2);
  EXPECT_EQ(*ds.Clear("s"), 0);
  EXPECT_EQ(*ds.Count("s", Json::MakeObject()), 0);
  EXPECT_EQ(ds.ListStores()->size(), 1u);  // Clear keeps the store
}

TEST_P(DocumentStoreConformance, ValuesAndKeysRoundTripExactly) {
  auto docs = Open(/*create_on_use=*/true);
  ASSERT_NE(docs, nullptr);
  DataStore& ds = docs->DataStoresOf("u");
  const std::vector<std::pair<std::string, Json>> cases = {
      {"", Json("empty key")},
      {"ünïcødé ✓", Json("žluťoučký kůň")},
      {"int", Json(int64_t{9007199254740993})},
      {"negative", Json(-42)},
      {"double", Json(0.1)},
      {"bool", Json(false)},
      {"null", Json(nullptr)},
      {"string with nul", Json(std::string("a\0b", 3))},
      {"nested", J(R"({"a": {"b": [1, "two", {"c": null}]}, "z": true, "e": {}, "l": []})")},
      {"array", J(R"([1, 2.5, "x", [], {}])")},
  };
  for (const auto& [key, value] : cases) ASSERT_TRUE(ds.Set("s", key, value).ok()) << key;
  for (const auto& [key, value] : cases) {
    auto got = ds.Get("s", key);
    ASSERT_TRUE(got.ok() && got->has_value()) << key;
    EXPECT_EQ((*got)->value, value) << key;
    EXPECT_EQ((*got)->value.Dump(), value.Dump()) << key;
  }
  auto all = ds.Find("s", Json::MakeObject());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ((*all)[i].key, cases[i].first);
    EXPECT_EQ((*all)[i].value, cases[i].second);
  }
  // Object members keep their order.
  EXPECT_EQ((*ds.Get("s", "nested"))->value.Dump(), R"({"a":{"b":[1,"two",{"c":null}]},"z":true,"e":{},"l":[]})");
}

TEST_P(DocumentStoreConformance, RecordsKeepInsertionOrderAcrossUpdates) {
  auto docs = Open(/*create_on_use=*/true);
  ASSERT_NE(docs, nullptr);
  DataStore& ds = docs->DataStoresOf("u");
  for (const char* key : {"c", "a", "b"}) ASSERT_TRUE(ds.Set("s", key, Json(key)).ok());
  ASSERT_TRUE(ds.Set("s", "c", Json("updated")).ok());  // keeps its place
  ASSERT_TRUE(ds.Remove("s", "a").ok());
  ASSERT_TRUE(ds.Set("s", "a", Json("again")).ok());  // re-added: goes last
  EXPECT_EQ(Keys(ds.Find("s", Json::MakeObject())), (std::vector<std::string>{"c", "b", "a"}));
  // The last one removed and a new one added: still after the others.
  ASSERT_TRUE(ds.Remove("s", "a").ok());
  ASSERT_TRUE(ds.Set("s", "d", Json("d")).ok());
  EXPECT_EQ(Keys(ds.Find("s", Json::MakeObject())), (std::vector<std::string>{"c", "b", "d"}));
}

TEST_P(DocumentStoreConformance, CreateStoresOnFirstUseNamesThemAfterTheId) {
  auto strict = Open(false);
  ASSERT_NE(strict, nullptr);
  EXPECT_EQ(strict->DataStoresOf("u").Set("auto", "k", Json(1)).status().code(), StatusCode::kNotFound);

  auto docs = Open(true);
  ASSERT_NE(docs, nullptr);
  DataStore& ds = docs->DataStoresOf("u");
  auto got = ds.Get("auto", "k");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  auto list = ds.ListStores();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].store_id, "auto");
  EXPECT_EQ((*list)[0].name, "auto");
  EXPECT_EQ(ds.CreateStore("x", "auto").status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*ds.Count("other", Json::MakeObject()), 0);
  EXPECT_EQ(ds.ListStores()->size(), 2u);
  EXPECT_EQ(ds.Get("", "k").status().code(), StatusCode::kNotFound);  // never an empty id
  EXPECT_TRUE(docs->DataStoresOf("someone else").ListStores()->empty());
}

class DocumentStoreFind : public DocumentStoreConformance {
 protected:
  void SetUp() override {
    docs_ = Open(/*create_on_use=*/true);
    ASSERT_NE(docs_, nullptr);
    const std::vector<std::pair<const char*, const char*>> records = {
        {"alpha", R"({"n": 1, "name": "Alice", "tags": ["a", "b"], "a": {"b": 10}})"},
        {"beta", R"({"n": 2, "name": "bob", "a": {"b": 20}})"},
        {"gamma", R"({"n": 3.5, "name": "Carol", "a": {"b": "x"}})"},
        {"delta", R"({"n": "3", "name": null})"},
        {"eps", R"(7)"},
    };
    for (const auto& [key, value] : records) {
      clock_.Advance(1000);
      ASSERT_TRUE(ds().Set("s", key, J(value)).ok());
    }
  }
  DataStore& ds() { return docs_->DataStoresOf("u"); }
  std::vector<std::string> Match(const char* query) {
    auto count = ds().Count("s", J(query));
    auto found = ds().Find("s", J(query));
    std::vector<std::string> keys = Keys(found);
    EXPECT_TRUE(count.ok()) << count.status().ToString();
    if (count.ok()) {
      EXPECT_EQ(*count, static_cast<int64_t>(keys.size())) << query;
    }
    return keys;
  }
  using Keys_ = std::vector<std::string>;

  std::unique_ptr<DocumentStore> docs_;
};

TEST_P(DocumentStoreFind, EachOperatorSelectsTheSameRecords) {
  EXPECT_EQ(Match("{}"), (Keys_{"alpha", "beta", "gamma", "delta", "eps"}));
  EXPECT_EQ(Match(R"({"key": "beta"})"), (Keys_{"beta"}));
  EXPECT_EQ(Match(R"({"key": "nope"})"), (Keys_{}));
  EXPECT_EQ(Match(R"({"key": {"$eq": "gamma"}})"), (Keys_{"gamma"}));
  EXPECT_EQ(Match(R"({"key": "beta", "value.n": 1})"), (Keys_{}));
  EXPECT_EQ(Match(R"({"value.n": 1})"), (Keys_{"alpha"}));
  EXPECT_EQ(Match(R"({"value.n": {"$eq": 1.0}})"), (Keys_{"alpha"}));
  EXPECT_EQ(Match(R"({"value.n": {"$ne": 1}})"), (Keys_{"beta", "gamma", "delta", "eps"}));
  EXPECT_EQ(Match(R"({"value.n": {"$gt": 2}})"), (Keys_{"gamma"}));
  EXPECT_EQ(Match(R"({"value.n": {"$gte": 2}})"), (Keys_{"beta", "gamma"}));
  EXPECT_EQ(Match(R"({"value.n": {"$lt": 2}})"), (Keys_{"alpha"}));
  EXPECT_EQ(Match(R"({"value.n": {"$lte": 2}})"), (Keys_{"alpha", "beta"}));
  EXPECT_EQ(Match(R"({"value.n": {"$gt": 1, "$lt": 3.5}})"), (Keys_{"beta"}));
  EXPECT_EQ(Match(R"({"value.n": {"$gte": "3"}})"), (Keys_{"delta"}));  // strings with strings
  EXPECT_EQ(Match(R"({"value.n": {"$in": [1, "3", 99]}})"), (Keys_{"alpha", "delta"}));
  EXPECT_EQ(Match(R"({"value.n": {"$nin": [1, "3"]}})"), (Keys_{"beta", "gamma", "eps"}));
  EXPECT_EQ(Match(R"({"value.name": {"$exists": true}})"), (Keys_{"alpha", "beta", "gamma", "delta"}));
  EXPECT_EQ(Match(R"({"value.name": {"$exists": false}})"), (Keys_{"eps"}));
  EXPECT_EQ(Match(R"({"value.name": null})"), (Keys_{"delta"}));
  EXPECT_EQ(Match(R"({"value.name": {"$regex": "^[ab]"}})"), (Keys_{"beta"}));
  EXPECT_EQ(Match(R"({"value.name": {"$regex": "^[ab]", "$options": "i"}})"), (Keys_{"alpha", "beta"}));
  EXPECT_EQ(Match(R"({"key": {"$regex": "a$"}})"), (Keys_{"alpha", "beta", "gamma", "delta"}));
  EXPECT_EQ(Match(R"({"value.a.b": {"$gte": 15}})"), (Keys_{"beta"}));
  EXPECT_EQ(Match(R"({"value.a.b": "x"})"), (Keys_{"gamma"}));
  EXPECT_EQ(Match(R"({"value.a": {"b": 10}})"), (Keys_{"alpha"}));
  EXPECT_EQ(Match(R"({"value.tags.1": "b"})"), (Keys_{"alpha"}));
  EXPECT_EQ(Match(R"({"value": 7})"), (Keys_{"eps"}));
  EXPECT_EQ(Match(R"({"$or": [{"key": "eps"}, {"value.n": 2}]})"), (Keys_{"beta", "eps"}));
  EXPECT_EQ(Match(R"({"$and": [{"value.n": {"$gt": 1}}, {"value.n": {"$lt": 3}}]})"), (Keys_{"beta"}));
  EXPECT_EQ(Match(R"({"createdAt": {"$gt": 1700000002000}})"), (Keys_{"gamma", "delta", "eps"}));
  EXPECT_EQ(Match(R"({"updatedAt": {"$lte": "2023-11-14T22:13:22.000Z"}})"), (Keys_{"alpha", "beta"}));
}

TEST_P(DocumentStoreFind, SortOffsetAndLimitPageTheMatches) {
  auto find = [&](const FindOptions& options, const char* query = "{}") { return Keys(ds().Find("s", J(query), options)); };
  EXPECT_EQ(find({.sort_by = "key"}), (Keys_{"alpha", "beta", "delta", "eps", "gamma"}));
  EXPECT_EQ(find({.sort_by = "key", .descending = true}), (Keys_{"gamma", "eps", "delta", "beta", "alpha"}));
  // Mixed types: numbers before strings; ties and missing fields keep insertion order.
  EXPECT_EQ(find({.sort_by = "value.n"}), (Keys_{"eps", "alpha", "beta", "gamma", "delta"}));
  EXPECT_EQ(find({.sort_by = "value.a.b", .descending = true}), (Keys_{"gamma", "beta", "alpha", "delta", "eps"}));
  EXPECT_EQ(find({.sort_by = "createdAt", .descending = true}), (Keys_{"eps", "delta", "gamma", "beta", "alpha"}));
  EXPECT_EQ(find({.sort_by = "updatedAt"}), (Keys_{"alpha", "beta", "gamma", "delta", "eps"}));
  EXPECT_EQ(find({.sort_by = {}, .descending = false, .offset = 1, .limit = 2}), (Keys_{"beta", "gamma"}));
  EXPECT_EQ(find({.sort_by = {}, .descending = false, .offset = 4}), (Keys_{"eps"}));
  EXPECT_EQ(find({.sort_by = {}, .descending = false, .offset = 10}), (Keys_{}));
  EXPECT_EQ(find({.sort_by = {}, .descending = false, .limit = 0}), (Keys_{}));
  EXPECT_EQ(find({.sort_by = "key", .descending = true, .offset = 1, .limit = 2}, R"({"value.n": {"$exists": true}})"),
            (Keys_{"delta", "beta"}));
  EXPECT_EQ(ds().Find("s", J("{}"), {.sort_by = {}, .descending = false, .offset = -1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ds().Find("s", J("{}"), {.sort_by = "nope"}).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(DocumentStoreFind, BadQueriesAreInvalidArguments) {
  auto bad = ds().Find("s", J(R"({"value.n": {"$near": 1}})"));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("$near"));
  EXPECT_EQ(ds().Count("s", Json(3)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ds().Find("s", J(R"({"other": 1})")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ds().Count("s", J(R"({"value.n": {"$in": 1}})")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ds().Find("s", J(R"({"value.name": {"$regex": "("}})")).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(DocumentStoreConformance, FindAndCountFilterSortAndPage) {
  auto docs = Open(true);
  ASSERT_NE(docs, nullptr);
  DataStore& ds = docs->DataStoresOf("u");
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(1000);
    ASSERT_TRUE(ds.Set("s", "k" + std::to_string(i), Json::MakeObject({{"n", i % 3}, {"i", i}})).ok());
  }
  auto query = J(R"({"value.n": {"$gte": 1}})");
  EXPECT_EQ(*ds.Count("s", query), 4);
  EXPECT_EQ(Keys(ds.Find("s", query, {.sort_by = "value.n", .descending = true, .offset = 1, .limit = 2})),
            (std::vector<std::string>{"k5", "k1"}));
  EXPECT_EQ(Keys(ds.Find("s", J(R"({"updatedAt": {"$gt": "2023-11-14T22:13:24.000Z"}})"))),
            (std::vector<std::string>{"k4", "k5"}));
}

TEST_P(DocumentStoreConformance, FilesSaveReadReplaceRemove) {
  auto docs = Open();
  ASSERT_NE(docs, nullptr);
  FileStore& files = docs->FilesOf("u");
  auto saved = files.Save("report.csv", "a,b\n1,2\n", "text/csv");
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->filename, "report.csv");
  EXPECT_EQ(saved->content_type, "text/csv");
  EXPECT_EQ(saved->length, 8);
  EXPECT_EQ(saved->created_ms, 1700000000000);
  EXPECT_EQ(saved->updated_ms, 1700000000000);
  EXPECT_EQ(saved->file_id.size(), 36u);
  const std::string id = saved->file_id;
  EXPECT_EQ(*files.Read(id), "a,b\n1,2\n");
  auto default_type = files.Save("blob", "");
  ASSERT_TRUE(default_type.ok());
  EXPECT_EQ(default_type->content_type, "application/octet-stream");
  EXPECT_EQ(default_type->length, 0);
  EXPECT_EQ(*files.Read(default_type->file_id), "");

  clock_.Advance(1000);
  auto replaced = files.Replace(id, "x");
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->file_id, id);
  EXPECT_EQ(replaced->filename, "report.csv");
  EXPECT_EQ(replaced->content_type, "text/csv");
  EXPECT_EQ(replaced->length, 1);
  EXPECT_EQ(replaced->created_ms, 1700000000000);
  EXPECT_EQ(replaced->updated_ms, 1700000001000);
  EXPECT_EQ(*files.Read(id), "x");
  auto info = files.Info(id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->length, 1);
  EXPECT_EQ(info->filename, "report.csv");
  EXPECT_EQ(info->updated_ms, 1700000001000);
  EXPECT_EQ(files.List()->size(), 2u);

  EXPECT_EQ(files.Save("dup", "y", "text/plain", id).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*files.Read(id), "x");
  ASSERT_TRUE(files.Remove(id).ok());
  EXPECT_EQ(files.Remove(id).code(), StatusCode::kNotFound);
  EXPECT_EQ(files.Read(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(files.Info(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(files.Replace(id, "z").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(files.List()->size(), 1u);
}

TEST_P(DocumentStoreConformance, FilesListInInsertionOrder) {
  auto docs = Open();
  ASSERT_NE(docs, nullptr);
  FileStore& files = docs->FilesOf("u");
  ASSERT_TRUE(files.Save("b", "1", "text/plain", "id-b").ok());
  ASSERT_TRUE(files.Save("a", "2", "text/plain", "id-a").ok());
  ASSERT_TRUE(files.Replace("id-b", "changed").ok());  // keeps its place
  auto list = files.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].file_id, "id-b");
  EXPECT_EQ((*list)[0].length, 7);
  EXPECT_EQ((*list)[0].content_type, "text/plain");
  EXPECT_EQ((*list)[1].file_id, "id-a");
  EXPECT_EQ((*list)[1].filename, "a");
}

TEST_P(DocumentStoreConformance, ArchivedFilesStayReadableAndAreMarked) {
  auto docs = Open();
  ASSERT_NE(docs, nullptr);
  FileStore& files = docs->FilesOf("u");
  ASSERT_TRUE(files.Save("keep.txt", "k", "text/plain", "keep").ok());
  ASSERT_TRUE(files.Save("old.txt", "old", "text/plain", "old").ok());
  clock_.Advance(1000);
  auto archived = files.Archive("old");
  ASSERT_TRUE(archived.ok()) << archived.status().ToString();
  EXPECT_TRUE(archived->archived);
  EXPECT_EQ(archived->filename, "old.txt");
  EXPECT_EQ(archived->updated_ms, 1700000000000) << "archiving is not an upload";
  EXPECT_TRUE(files.Archive("old").ok()) << "idempotent";
  EXPECT_EQ(*files.Read("old"), "old");
  EXPECT_TRUE(files.Info("old")->archived);
  EXPECT_FALSE(files.Info("keep")->archived);
  EXPECT_EQ(files.Info("old")->ToJson()["metadata"]["archived"], Json(true));
  EXPECT_TRUE(files.Info("keep")->ToJson()["metadata"]["archived"].IsUndefined());
  ASSERT_TRUE(files.Replace("old", "newer").ok());
  EXPECT_TRUE(files.Info("old")->archived) << "Replace keeps the mark";
  auto list = files.List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_FALSE((*list)[0].archived);
  EXPECT_TRUE((*list)[1].archived);
  EXPECT_EQ(files.Archive("missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(docs->FilesOf("other").Archive("old").status().code(), StatusCode::kNotFound) << "per user";
  EXPECT_FALSE(docs->FilesOf("u").Info("keep")->archived);
}

TEST_P(DocumentStoreConformance, FileSizeLimitNamesTheLimit) {
  auto docs = Open(false, /*max_file_bytes=*/4);
  ASSERT_NE(docs, nullptr);
  FileStore& files = docs->FilesOf("u");
  ASSERT_TRUE(files.Save("ok", "1234").ok());
  auto big = files.Save("big.bin", "12345");
  EXPECT_EQ(big.status().code(), StatusCode::kTooLarge);
  EXPECT_THAT(big.status().message(), HasSubstr("4 bytes"));
  EXPECT_THAT(big.status().message(), HasSubstr("big.bin"));
  EXPECT_EQ(files.List()->size(), 1u);
  auto id = files.List()->at(0).file_id;
  EXPECT_EQ(files.Replace(id, "12345").status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(*files.Read(id), "1234");  // unchanged
  EXPECT_EQ(files.Info(id)->length, 4);
}

TEST_P(DocumentStoreConformance, BinaryContentWithNulBytesRoundTrips) {
  auto docs = Open();
  ASSERT_NE(docs, nullptr);
  FileStore& files = docs->FilesOf("u");
  std::string bytes;
  for (int i = 0; i < 512; ++i) bytes.push_back(static_cast<char>(i % 256));
  bytes += std::string("\0\0\0", 3);
  auto saved = files.Save("bin", bytes, "application/octet-stream", "b");
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->length, 515);
  EXPECT_EQ(*files.Read("b"), bytes);
  ASSERT_TRUE(files.Replace("b", std::string("\0", 1)).ok());
  EXPECT_EQ(*files.Read("b"), std::string("\0", 1));
  ASSERT_TRUE(files.Replace("b", "").ok());
  EXPECT_EQ(*files.Read("b"), "");
  EXPECT_EQ(files.Info("b")->length, 0);
}

TEST_P(DocumentStoreConformance, LargeFilesSpanSeveralChunks) {
  auto docs = Open(false, /*max_file_bytes=*/4 << 20);
  ASSERT_NE(docs, nullptr);
  FileStore& files = docs->FilesOf("u");
  auto pattern = [](size_t size, int seed) {
    std::string out(size, '\0');
    uint32_t x = static_cast<uint32_t>(seed) * 2654435761u + 1;
    for (char& c : out) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
    return out;
  };
  const std::string big = pattern((1 << 20) + 12345, 1);  // a little over 4 chunks of 256 KiB
  ASSERT_TRUE(files.Save("big.bin", big, "application/octet-stream", "big").ok());
  EXPECT_EQ(*files.Read("big"), big);
  EXPECT_EQ(files.Info("big")->length, static_cast<int64_t>(big.size()));

  const std::string exact = pattern(512 * 1024, 2);  // exactly two chunks
  ASSERT_TRUE(files.Replace("big", exact).ok());
  EXPECT_EQ(*files.Read("big"), exact);
  const std::string bigger = pattern(3 << 20, 3);
  ASSERT_TRUE(files.Replace("big", bigger).ok());
  EXPECT_EQ(*files.Read("big"), bigger);
  ASSERT_TRUE(files.Replace("big", "small").ok());
  EXPECT_EQ(*files.Read("big"), "small");
  EXPECT_EQ(files.Info("big")->length, 5);
  ASSERT_TRUE(files.Remove("big").ok());
  EXPECT_TRUE(files.List()->empty());
}

TEST_P(DocumentStoreConformance, ConcurrentWritersOnOneUserLoseNothing) {
  auto docs = Open(true);
  ASSERT_NE(docs, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&docs, t] {
      for (int i = 0; i < 100; ++i) {
        Status s = docs->DataStoresOf("u").Set("s", std::to_string(t) + "-" + std::to_string(i), Json(i)).status();
        ASSERT_TRUE(s.ok()) << s.ToString();
        ASSERT_TRUE(docs->FilesOf("u").Save("f", "x").ok());
        ASSERT_TRUE(docs->DataStoresOf("u").Count("s", Json::MakeObject()).ok());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(*docs->DataStoresOf("u").Count("s", Json::MakeObject()), 400);
  EXPECT_EQ(docs->FilesOf("u").List()->size(), 400u);
}

std::string AdapterName(const ::testing::TestParamInfo<Adapter>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Adapters, DocumentStoreConformance, ::testing::ValuesIn(Adapters()), AdapterName);
INSTANTIATE_TEST_SUITE_P(Adapters, DocumentStoreFind, ::testing::ValuesIn(Adapters()), AdapterName);

}  // namespace
}  // namespace flowkit
