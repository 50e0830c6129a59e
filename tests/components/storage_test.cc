// appmixer.utils.storage.* through the component harness and its memory data store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "components/builtin_registry.h"
#include "flowkit/json.h"
#include "flowkit/registry.h"
#include "flowkit/testing.h"

namespace flowkit::components {
namespace {

using ::flowkit::testing::ComponentHarness;
using ::flowkit::testing::ReceiveOptions;
using ::testing::HasSubstr;

// The harness clock's start (HarnessOptions::start_time_ms) as Appmixer's record times show it.
constexpr std::string_view kStartIso = "2023-11-14T22:13:20.000Z";

Json Parse(std::string_view text) {
  Result<Json> json = Json::Parse(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString() << " in " << text;
  return json.ok() ? *json : Json();
}

const ComponentRegistry& Registry() {
  static const ComponentRegistry* registry = [] {
    auto* r = new ComponentRegistry();
    Status status = RegisterStorageComponents(*r);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return r;
  }();
  return *registry;
}

std::unique_ptr<ComponentHarness> Harness(std::string_view type) {
  Result<std::unique_ptr<ComponentHarness>> h = ComponentHarness::Create(Registry(), type);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  if (!h.ok()) return nullptr;
  // A store with two records every test can use.
  DataStore& stores = (*h)->stores();
  EXPECT_TRUE(stores.CreateStore("scores", "s1").ok());
  EXPECT_TRUE(stores.Set("s1", "jiri", Json(43)).ok());
  EXPECT_TRUE(stores.Set("s1", "abby", Json("ten")).ok());
  return std::move(h).value();
}

Json Record(std::string_view key, Json value) {
  return Json::MakeObject({{"key", key},
                           {"value", std::move(value)},
                           {"storeId", "s1"},
                           {"createdAt", kStartIso},
                           {"updatedAt", kStartIso}});
}

Json With(Json object, std::string_view key, Json value) {
  object.Set(key, std::move(value));
  return object;
}

TEST(StorageComponents, SetSendsTheRecordWithOldAndNewValue) {
  auto h = Harness("appmixer.utils.storage.Set");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"key", "ben"}, {"value", 20}})).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].port, "out");
  // A new key has no oldValue.
  EXPECT_EQ(h->sent()[0].content, With(Record("ben", 20), "newValue", 20));

  ASSERT_TRUE(h->Receive("in", Parse(R"({"storeId": "s1", "key": "jiri", "value": {"points": 100}})")).ok());
  Json expected = With(Record("jiri", Parse(R"({"points": 100})")), "oldValue", 43);
  EXPECT_EQ(h->sent()[1].content, With(expected, "newValue", Parse(R"({"points": 100})")));
  Result<std::optional<StoreRecord>> stored = h->stores().Get("s1", "jiri");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->value, Parse(R"({"points": 100})"));
}

TEST(StorageComponents, SetManySetsEveryPair) {
  auto h = Harness("appmixer.utils.storage.SetMany");
  ASSERT_TRUE(h->Receive("in", Parse(R"({"storeId": "s1", "keyValuePairs": {"AND": [
                                          {"key": "a", "value": 1}, {"key": "jiri", "value": 2}]}})"))
                  .ok());
  ASSERT_EQ(h->sent().size(), 1u);
  Json results = h->sent()[0].content["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0], With(Record("a", 1), "newValue", 1));
  EXPECT_EQ(results[1], With(With(Record("jiri", 2), "oldValue", 43), "newValue", 2));
  EXPECT_EQ(h->Receive("in", Parse(R"({"storeId": "s1", "keyValuePairs": "a=1"})")).code(),
            StatusCode::kInvalidArgument);
}

TEST(StorageComponents, GetFindsOrReportsNotFound) {
  auto h = Harness("appmixer.utils.storage.Get");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"key", "jiri"}})).ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"key", "nobody"}})).ok());
  // Appmixer treats a stored null as missing.
  ASSERT_TRUE(h->stores().Set("s1", "nil", Json()).ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"key", "nil"}})).ok());
  ASSERT_EQ(h->sent().size(), 3u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, Record("jiri", 43));
  EXPECT_EQ(h->sent()[1].port, "notFound");
  EXPECT_EQ(h->sent()[1].content, Json::MakeObject({{"key", "nobody"}}));
  EXPECT_EQ(h->sent()[2].port, "notFound");
}

TEST(StorageComponents, GetManySendsFoundOrMissingKeys) {
  auto h = Harness("appmixer.utils.storage.GetMany");
  ASSERT_TRUE(h->Receive("in", Parse(R"({"storeId": "s1", "keys": {"AND": [{"key": "jiri"}, {"key": "x"},
                                                                           {"key": "abby"}]}})"))
                  .ok());
  ASSERT_TRUE(h->Receive("in", Parse(R"({"storeId": "s1", "keys": {"AND": [{"key": "x"}, {"key": "y"}]}})")).ok());
  ASSERT_TRUE(h->Receive("in", Parse(R"({"storeId": "s1", "keys": {"AND": []}})")).ok());
  ASSERT_EQ(h->sent().size(), 3u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content,
            Json::MakeObject({{"results", Json::MakeArray({Record("jiri", 43), Record("abby", "ten")})}}));
  EXPECT_EQ(h->sent()[1].port, "notFound");
  EXPECT_EQ(h->sent()[1].content, Parse(R"({"notFound": ["x", "y"]})"));
  EXPECT_EQ(h->sent()[2].port, "notFound");
  EXPECT_EQ(h->sent()[2].content, Parse(R"({"keys": []})"));
  EXPECT_FALSE(h->last_response().has_value());
}

TEST(StorageComponents, ModifyAppliesOperators) {
  auto h = Harness("appmixer.utils.storage.Modify");
  auto modify = [&](std::string_view key, std::string_view op, Json value) {
    Status status = h->Receive(
        "in", Json::MakeObject({{"storeId", "s1"}, {"key", key}, {"operator", op}, {"value", std::move(value)}}));
    EXPECT_TRUE(status.ok()) << status.ToString();
    return h->sent().empty() ? Json() : h->sent().back().content;
  };
  Json added = modify("jiri", "Add", "7");
  EXPECT_EQ(added["oldValue"], Json(43));
  EXPECT_EQ(added["newValue"], Json(50));
  EXPECT_EQ(added["value"], Json(50));
  EXPECT_EQ(modify("jiri", "Subtract", 10)["newValue"], Json(40));
  EXPECT_EQ(modify("jiri", "Multiply", 2.5)["newValue"], Json(100));
  EXPECT_EQ(modify("jiri", "Divide", 8)["newValue"], Json(12.5));
  // A missing key reads as null (0 for arithmetic, "" for Append).
  Json fresh = modify("new", "Add", 5);
  EXPECT_TRUE(fresh["oldValue"].IsNull());
  EXPECT_EQ(fresh["newValue"], Json(5));
  EXPECT_EQ(modify("text", "Append", "a")["newValue"], Json("a"));
  EXPECT_EQ(modify("text", "Append", 1)["newValue"], Json("a1"));
  EXPECT_EQ(modify("abby", "Set", Json::MakeArray({1}))["newValue"], Json::MakeArray({1}));
  Result<std::optional<StoreRecord>> jiri = h->stores().Get("s1", "jiri");
  ASSERT_TRUE(jiri.ok() && jiri->has_value());
  EXPECT_EQ((*jiri)->value, Json(12.5));

  Status bad = h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"key", "jiri"}, {"operator", "Pow"}, {"value", 2}}));
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("Unsupported operator: Pow"));
}

TEST(StorageComponents, RemoveAndClear) {
  auto remove = Harness("appmixer.utils.storage.Remove");
  ASSERT_TRUE(remove->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"key", "jiri"}})).ok());
  ASSERT_TRUE(remove->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"key", "jiri"}})).ok());
  ASSERT_EQ(remove->sent().size(), 2u);
  EXPECT_EQ(remove->sent()[0].port, "removed");
  EXPECT_EQ(remove->sent()[0].content, Json::MakeObject({{"key", "jiri"}, {"oldValue", 43}}));
  EXPECT_EQ(remove->sent()[1].content, Json::MakeObject({{"key", "jiri"}}));

  auto clear = Harness("appmixer.utils.storage.Clear");
  ASSERT_TRUE(clear->Receive("in", Json::MakeObject({{"storeId", "s1"}})).ok());
  ASSERT_EQ(clear->sent().size(), 1u);
  EXPECT_EQ(clear->sent()[0].port, "cleared");
  EXPECT_EQ(clear->sent()[0].content, Json::MakeObject({{"deletedCount", 2}, {"storeId", "s1"}}));
  Result<int64_t> left = clear->stores().Count("s1", Json::MakeObject());
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(*left, 0);
}

TEST(StorageComponents, FindByRegexOnKeyOrValueOrByQuery) {
  auto h = Harness("appmixer.utils.storage.Find");
  ASSERT_TRUE(h->stores().Set("s1", "ben", Parse(R"({"team": "tenors"})")).ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"pattern", "^ji"}})).ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"pattern", "ten"}})).ok());
  ASSERT_TRUE(h->Receive("in", Parse(R"({"storeId": "s1", "pattern": {"value": {"$gt": 40}}})")).ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"pattern", "zzz"}})).ok());
  ASSERT_EQ(h->sent().size(), 4u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, Json::MakeObject({{"items", Json::MakeArray({Record("jiri", 43)})}}));
  // "ten" matches the text value "ten" and the JSON of {"team": "tenors"}.
  Json keys = Json::MakeArray();
  for (const Json& item : h->sent()[1].content["items"].array()) keys.Push(item["key"]);
  EXPECT_EQ(keys, Json::MakeArray({"abby", "ben"}));
  EXPECT_EQ(h->sent()[2].content["items"].size(), 1u);
  EXPECT_EQ(h->sent()[2].content["items"][0]["key"], Json("jiri"));
  EXPECT_EQ(h->sent()[3].port, "notFound");
  EXPECT_EQ(h->sent()[3].content, Parse(R"({"pattern": "zzz", "items": []})"));

  EXPECT_EQ(h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"pattern", "("}})).code(),
            StatusCode::kInvalidArgument);
}

TEST(StorageComponents, CreateStoreReusesAStoreByName) {
  auto h = Harness("appmixer.utils.storage.CreateStore");
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"name", "scores"}})).ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"name", "fresh"}})).ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"name", "fresh"}})).ok());
  ASSERT_EQ(h->sent().size(), 3u);
  EXPECT_EQ(h->sent()[0].port, "out");
  EXPECT_EQ(h->sent()[0].content, Json::MakeObject({{"storeId", "s1"}}));
  std::string fresh_id = h->sent()[1].content["storeId"].AsString();
  EXPECT_FALSE(fresh_id.empty());
  EXPECT_NE(fresh_id, "s1");
  EXPECT_EQ(h->sent()[2].content["storeId"], Json(fresh_id));
  Result<std::vector<StoreInfo>> stores = h->stores().ListStores();
  ASSERT_TRUE(stores.ok());
  EXPECT_EQ(stores->size(), 2u);
  // Without clear the records stay; with clear they go.
  EXPECT_EQ(*h->stores().Count("s1", Json::MakeObject()), 2);
  ASSERT_TRUE(h->Receive("in", Json::MakeObject({{"name", "scores"}, {"clear", true}})).ok());
  EXPECT_EQ(h->sent()[3].content, Json::MakeObject({{"storeId", "s1"}}));
  EXPECT_EQ(*h->stores().Count("s1", Json::MakeObject()), 0);
}

TEST(StorageComponents, ListStoresSendsTheArray) {
  auto h = Harness("appmixer.utils.storage.ListStores");
  ASSERT_TRUE(h->stores().CreateStore("other", "s2").ok());
  ASSERT_TRUE(h->Receive("in", Json::MakeObject()).ok());
  ASSERT_EQ(h->sent().size(), 1u);
  EXPECT_EQ(h->sent()[0].content,
            Parse(R"([{"storeId": "s1", "name": "scores"}, {"storeId": "s2", "name": "other"}])"));
}

TEST(StorageComponents, SaveToFileWritesFlattenedCsvPlainCsvOrJson) {
  auto h = Harness("appmixer.utils.storage.SaveToFile");
  ASSERT_TRUE(h->stores().Set("s1", "cara", Json(R"({"city":"Brno","tags":["a","b"],"score":{"best":9}})")).ok());
  ASSERT_TRUE(h->stores().Set("s1", "dan", Json::MakeObject({{"city", "Olomouc \"Old\" Town"}})).ok());

  // Flattened CSV: JSON values opened up into columns (sampled from the first records).
  ASSERT_TRUE(h->Receive("in", Parse(R"({"storeId":"s1","fileName":"scores.csv","fileType":"csv",
                                         "flattenValue":true,"sortBy":"key"})")).ok());
  ASSERT_EQ(h->SentOn("out").size(), 1u);
  const Json out = h->SentOn("out")[0].content;
  EXPECT_EQ(out["nRecords"], Json(4));
  Result<FileInfo> info = h->files().Info(out["fileId"].AsString());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->filename, "scores.csv");
  EXPECT_EQ(info->content_type, "text/csv");
  EXPECT_EQ(*h->files().Read(info->file_id),
            "\"key\",\"value\",\"value.city\",\"value.tags\",\"value.score.best\"\n"
            "\"abby\",\"ten\",,,\n"
            "\"cara\",,\"Brno\",\"[\"\"a\"\",\"\"b\"\"]\",9\n"
            "\"dan\",,\"Olomouc \"\"Old\"\" Town\",,\n"
            "\"jiri\",43,,,");

  // Plain CSV: key and value columns, the value as JSON text when it is not a scalar.
  h->ClearSent();
  ASSERT_TRUE(h->Receive("in", Parse(R"({"storeId":"s1","fileType":"csv","flattenValue":false,"sortBy":"key"})")).ok());
  const Json plain = h->SentOn("out")[0].content;
  Result<FileInfo> plain_info = h->files().Info(plain["fileId"].AsString());
  ASSERT_TRUE(plain_info.ok());
  EXPECT_EQ(plain_info->filename, "new File") << "Appmixer's default name";
  EXPECT_EQ(*h->files().Read(plain_info->file_id),
            "\"key\",\"value\"\n\"abby\",\"ten\"\n"
            "\"cara\",\"{\"\"city\"\":\"\"Brno\"\",\"\"tags\"\":[\"\"a\"\",\"\"b\"\"],\"\"score\"\":{\"\"best\"\":9}}\"\n"
            "\"dan\",\"{\"\"city\"\":\"\"Olomouc \\\"\"Old\\\"\" Town\"\"}\"\n"
            "\"jiri\",43");

  // JSON: the records themselves.
  h->ClearSent();
  ASSERT_TRUE(h->Receive("in", Parse(R"({"storeId":"s1","fileName":"all.json","sortBy":"key"})")).ok());
  const Json json_out = h->SentOn("out")[0].content;
  Result<FileInfo> json_info = h->files().Info(json_out["fileId"].AsString());
  ASSERT_TRUE(json_info.ok());
  EXPECT_EQ(json_info->content_type, "application/json");
  Json saved = Parse(*h->files().Read(json_info->file_id));
  ASSERT_EQ(saved.size(), 4u);
  EXPECT_EQ(saved.At(3), Record("jiri", Json(43)));

  EXPECT_EQ(h->Receive("in", Parse(R"({"fileType":"csv"})")).code(), StatusCode::kInvalidArgument);
}

TEST(StorageComponents, StoreTracksItemsInState) {
  Result<std::unique_ptr<ComponentHarness>> created = ComponentHarness::Create(Registry(), "appmixer.utils.storage.Store");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ComponentHarness& h = **created;
  // The payload sent is the sender's original message; the key comes from the transform.
  auto add = [&](Json key, Json original) {
    ReceiveOptions options;
    options.original_content = std::move(original);
    return h.Receive("add", Json::MakeObject({{"key", std::move(key)}}), options);
  };
  ASSERT_TRUE(add(1, Parse(R"({"id": 1, "v": "a"})")).ok());
  ASSERT_TRUE(add(1, Parse(R"({"id": 1, "v": "b"})")).ok());
  ASSERT_TRUE(add("1", Parse(R"({"id": "1"})")).ok());
  ASSERT_EQ(h.sent().size(), 3u);
  EXPECT_EQ(h.sent()[0].port, "new");
  EXPECT_EQ(h.sent()[0].content, Parse(R"({"id": 1, "v": "a"})"));
  EXPECT_EQ(h.sent()[1].port, "updated");
  EXPECT_EQ(h.sent()[1].content, Parse(R"({"id": 1, "v": "b"})"));
  // 1 and "1" are different keys, as JSON.stringify makes them.
  EXPECT_EQ(h.sent()[2].port, "new");
  EXPECT_EQ(h.state(), Parse(R"({"1": {"id": 1, "v": "b"}, "\"1\"": {"id": "1"}})"));

  ReceiveOptions options;
  options.original_content = Parse(R"({"remove": 1})");
  ASSERT_TRUE(h.Receive("remove", Json::MakeObject({{"key", 1}}), options).ok());
  ASSERT_TRUE(h.Receive("remove", Json::MakeObject({{"key", 2}}), options).ok());
  ASSERT_EQ(h.sent().size(), 4u);
  EXPECT_EQ(h.sent()[3].port, "removed");
  EXPECT_EQ(h.sent()[3].content, Parse(R"({"remove": 1})"));
  EXPECT_EQ(h.state(), Parse(R"({"\"1\"": {"id": "1"}})"));
}

TEST(StorageComponents, MissingInputsAreInvalid) {
  auto h = Harness("appmixer.utils.storage.Set");
  Status status = h->Receive("in", Json::MakeObject({{"storeId", "s1"}, {"value", 1}}));
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(h->sent().empty());
}

}  // namespace
}  // namespace flowkit::components

namespace flowkit::components {
namespace {

std::unique_ptr<ComponentHarness> TriggerHarness(std::string_view type) {
  ::flowkit::testing::HarnessOptions options;
  options.properties = Json::MakeObject({{"storeId", "s1"}});
  Result<std::unique_ptr<ComponentHarness>> h = ComponentHarness::Create(Registry(), type, options);
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  return h.ok() ? std::move(h).value() : nullptr;
}

Json Change(std::string_view type, std::string_view store, bool with_old) {
  Json current = Json::MakeObject({{"key", "k"},
                                   {"storeId", store},
                                   {"value", 2},
                                   {"createdAt", kStartIso},
                                   {"updatedAt", kStartIso}});
  if (with_old) current.Set("oldValue", 1);
  return Json::MakeObject({{"method", "POST"}, {"data", Json::MakeObject({{"type", type}, {"currentValue", current}})}});
}

TEST(StorageTriggers, WatchTheStoreWhileStartedAndAnswerOk) {
  auto h = TriggerHarness("appmixer.utils.storage.OnItemAdded");
  ASSERT_TRUE(h->Start().ok());
  EXPECT_EQ(h->watched_stores(), std::set<std::string>{"s1"});
  ASSERT_TRUE(h->Webhook(Change("insert", "s1", false)).ok());
  ASSERT_TRUE(h->last_response().has_value());
  EXPECT_EQ(h->last_response()->body, Json("ok"));
  ASSERT_TRUE(h->Stop().ok());
  EXPECT_TRUE(h->watched_stores().empty());
}

TEST(StorageTriggers, EachEmitsOnlyItsOwnKindOfChange) {
  struct Case {
    const char* type;
    const char* change;
  };
  for (Case c : {Case{"appmixer.utils.storage.OnItemAdded", "insert"},
                 Case{"appmixer.utils.storage.OnItemUpdated", "update"},
                 Case{"appmixer.utils.storage.OnItemRemoved", "delete"}}) {
    SCOPED_TRACE(c.type);
    auto h = TriggerHarness(c.type);
    ASSERT_TRUE(h->Start().ok());
    for (const char* change : {"insert", "update", "delete"}) {
      ASSERT_TRUE(h->Webhook(Change(change, "s1", std::string_view(change) == "update")).ok());
    }
    ASSERT_TRUE(h->Webhook(Change(c.change, "another-store", false)).ok());  // not ours
    ASSERT_EQ(h->sent().size(), 1u);
    const Json& item = h->sent()[0].content;
    EXPECT_EQ(h->sent()[0].port, "item");
    EXPECT_EQ(item["key"], Json("k"));
    EXPECT_EQ(item["storeId"], Json("s1"));
    EXPECT_EQ(item["value"], Json(2));
    EXPECT_EQ(item["createdAt"], Json(kStartIso));
    EXPECT_EQ(item.Contains("oldValue"), std::string_view(c.change) == "update");
  }
}

}  // namespace
}  // namespace flowkit::components
