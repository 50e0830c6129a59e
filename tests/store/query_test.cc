#include "store/query.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace flowkit::store {
namespace {

using ::testing::HasSubstr;

StoreRecord Rec(std::string key, Json value, int64_t created = 1000, int64_t updated = 2000) {
  return StoreRecord{"s", std::move(key), std::move(value), created, updated};
}

bool Match(const char* query_text, const StoreRecord& record) {
  auto query_json = Json::Parse(query_text);
  EXPECT_TRUE(query_json.ok()) << query_text;
  auto query = Query::Compile(*query_json);
  EXPECT_TRUE(query.ok()) << query.status().ToString();
  if (!query.ok()) return false;
  auto matched = query->Matches(record);
  EXPECT_TRUE(matched.ok()) << matched.status().ToString();
  return matched.ok() && *matched;
}

Status CompileError(const char* query_text) {
  auto query = Query::Compile(*Json::Parse(query_text));
  return query.ok() ? Status::OK() : query.status();
}

TEST(StoreQuery, EmptyQueryMatchesEverything) {
  EXPECT_TRUE(Match("{}", Rec("a", Json(1))));
  auto null_query = Query::Compile(Json());
  ASSERT_TRUE(null_query.ok());
  EXPECT_TRUE(null_query->matches_all());
  // Only an empty query does: $and and $or parts are conditions too.
  EXPECT_FALSE(Query::Compile(*Json::Parse(R"({"$and": [{"key": "a"}]})"))->matches_all());
  EXPECT_FALSE(Query::Compile(*Json::Parse(R"({"$or": [{"key": "a"}]})"))->matches_all());
}

TEST(StoreQuery, LiteralsUseStrictJsonEquality) {
  const StoreRecord r = Rec("k1", *Json::Parse(R"({"n": 1, "s": "1", "o": {"a": 1, "b": [1, 2]}})"));
  EXPECT_TRUE(Match(R"({"key": "k1"})", r));
  EXPECT_FALSE(Match(R"({"key": "k2"})", r));
  EXPECT_TRUE(Match(R"({"value.n": 1.0})", r));
  EXPECT_FALSE(Match(R"({"value.n": "1"})", r));
  EXPECT_FALSE(Match(R"({"value.s": 1})", r));
  EXPECT_TRUE(Match(R"({"value.o": {"b": [1, 2], "a": 1}})", r));
  EXPECT_FALSE(Match(R"({"value.o": {"a": 1}})", r));
  EXPECT_TRUE(Match(R"({"value.o.b.1": 2})", r));
  EXPECT_FALSE(Match(R"({"value.missing": null})", r));
  EXPECT_TRUE(Match(R"({"key": "k1", "value.n": 1})", r));
  EXPECT_FALSE(Match(R"({"key": "k1", "value.n": 2})", r));
}

TEST(StoreQuery, ComparisonsStayWithinOneType) {
  const StoreRecord r = Rec("b", *Json::Parse(R"({"n": 5, "s": "m"})"));
  EXPECT_TRUE(Match(R"({"value.n": {"$gt": 4, "$lte": 5}})", r));
  EXPECT_FALSE(Match(R"({"value.n": {"$gt": 5}})", r));
  EXPECT_TRUE(Match(R"({"value.n": {"$gte": 5, "$lt": 5.5}})", r));
  EXPECT_FALSE(Match(R"({"value.n": {"$gt": "4"}})", r));  // number vs string: no order
  EXPECT_TRUE(Match(R"({"value.s": {"$gt": "a", "$lt": "z"}})", r));
  EXPECT_TRUE(Match(R"({"key": {"$lt": "c"}})", r));
  EXPECT_FALSE(Match(R"({"value.missing": {"$lt": 100}})", r));
}

TEST(StoreQuery, EqNeInNinExists) {
  const StoreRecord r = Rec("a", *Json::Parse(R"({"tag": "x", "n": 2})"));
  EXPECT_TRUE(Match(R"({"value.tag": {"$eq": "x"}})", r));
  EXPECT_TRUE(Match(R"({"value.tag": {"$ne": "y"}})", r));
  EXPECT_FALSE(Match(R"({"value.tag": {"$ne": "x"}})", r));
  EXPECT_TRUE(Match(R"({"value.other": {"$ne": "x"}})", r));  // missing matches $ne
  EXPECT_TRUE(Match(R"({"value.n": {"$in": [1, 2, 3]}})", r));
  EXPECT_FALSE(Match(R"({"value.n": {"$in": ["2"]}})", r));
  EXPECT_TRUE(Match(R"({"value.n": {"$nin": [1, 3]}})", r));
  EXPECT_FALSE(Match(R"({"value.n": {"$nin": [2]}})", r));
  EXPECT_TRUE(Match(R"({"value.other": {"$nin": [2]}})", r));
  EXPECT_TRUE(Match(R"({"value.tag": {"$exists": true}})", r));
  EXPECT_FALSE(Match(R"({"value.tag": {"$exists": false}})", r));
  EXPECT_TRUE(Match(R"({"value.other": {"$exists": false}})", r));
}

TEST(StoreQuery, RegexUsesJavaScriptSyntaxAndOptions) {
  const StoreRecord r = Rec("user-42", *Json::Parse(R"({"name": "Alice", "n": 5})"));
  EXPECT_TRUE(Match(R"({"key": {"$regex": "^user-\\d+$"}})", r));
  EXPECT_FALSE(Match(R"({"value.name": {"$regex": "^alice"}})", r));
  EXPECT_TRUE(Match(R"({"value.name": {"$regex": "^alice", "$options": "i"}})", r));
  EXPECT_FALSE(Match(R"({"value.n": {"$regex": "5"}})", r));  // only strings match a pattern
}

TEST(StoreQuery, TimeFieldsTakeMillisOrDateText) {
  const StoreRecord r = Rec("a", Json(1), 1700000000000, 1700000005000);
  EXPECT_TRUE(Match(R"({"createdAt": 1700000000000})", r));
  EXPECT_TRUE(Match(R"({"createdAt": "2023-11-14T22:13:20.000Z"})", r));
  EXPECT_TRUE(Match(R"({"updatedAt": {"$gt": "2023-11-14T22:13:20Z"}})", r));
  EXPECT_FALSE(Match(R"({"updatedAt": {"$gt": "2023-11-14T22:13:25Z"}})", r));
  Status bad = CompileError(R"({"createdAt": {"$gt": "yesterday-ish"}})");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("createdAt"));
}

TEST(StoreQuery, AndOr) {
  const StoreRecord r = Rec("a", *Json::Parse(R"({"n": 5})"));
  EXPECT_TRUE(Match(R"({"$or": [{"value.n": 1}, {"key": "a"}]})", r));
  EXPECT_FALSE(Match(R"({"$or": [{"value.n": 1}, {"key": "b"}]})", r));
  EXPECT_TRUE(Match(R"({"$and": [{"value.n": {"$gt": 1}}, {"key": "a"}]})", r));
  EXPECT_FALSE(Match(R"({"$and": [{"value.n": {"$gt": 1}}, {"key": "b"}]})", r));
}

TEST(StoreQuery, MalformedQueriesNameTheProblem) {
  struct Case {
    const char* query;
    const char* says;
  };
  const Case cases[] = {
      {R"([1])", "must be an object"},
      {R"({"name": 1})", "unknown field 'name'"},
      {R"({"value.": 1})", "empty step"},
      {R"({"value.n": {"$foo": 1}})", "unknown operator '$foo'"},
      {R"({"value.n": {"$gt": 1, "x": 2}})", "mixes operators"},
      {R"({"value.n": {"$in": 1}})", "$in needs an array"},
      {R"({"value.n": {"$exists": 1}})", "$exists needs true or false"},
      {R"({"value.n": {"$regex": "("}})", "value.n"},
      {R"({"value.n": {"$gt": {}}})", "$gt needs a number or a string"},
      {R"({"value.n": {"$options": "i"}})", "$options without $regex"},
      {R"({"$nor": []})", "unknown query operator '$nor'"},
      {R"({"$or": []})", "non-empty array"},
  };
  for (const Case& c : cases) {
    Status status = CompileError(c.query);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.query;
    EXPECT_THAT(status.message(), HasSubstr(c.says)) << c.query;
  }
}

TEST(StoreQuery, RecordFieldReadsEveryPath) {
  const StoreRecord r = Rec("k", *Json::Parse(R"({"a": {"b": [10, 20]}})"), 5, 6);
  EXPECT_EQ(RecordField(r, "key"), Json("k"));
  EXPECT_EQ(RecordField(r, "value.a.b.1"), Json(20));
  EXPECT_EQ(RecordField(r, "createdAt"), Json(5));
  EXPECT_EQ(RecordField(r, "updatedAt"), Json(6));
  EXPECT_TRUE(RecordField(r, "value.a.c").IsUndefined());
}

FindOptions Opts(std::string sort_by, bool descending = false, int64_t offset = 0, int64_t limit = -1) {
  FindOptions options;
  options.sort_by = std::move(sort_by);
  options.descending = descending;
  options.offset = offset;
  options.limit = limit;
  return options;
}

TEST(StoreQuery, FindOptionsSortStablyThenPage) {
  std::vector<StoreRecord> records = {Rec("c", Json::MakeObject({{"n", 2}})),
                                      Rec("a", Json::MakeObject({{"n", 1}})),
                                      Rec("b", Json::MakeObject({{"n", 2}})),
                                      Rec("d", Json::MakeObject())};
  auto keys = [](const std::vector<StoreRecord>& rs) {
    std::string out;
    for (const auto& r : rs) out += r.key;
    return out;
  };
  std::vector<StoreRecord> sorted = records;
  ASSERT_TRUE(ApplyFindOptions(Opts("value.n"), &sorted).ok());
  EXPECT_EQ(keys(sorted), "dacb");  // missing first; ties keep insertion order
  sorted = records;
  ASSERT_TRUE(ApplyFindOptions(Opts("key", true, 1, 2), &sorted).ok());
  EXPECT_EQ(keys(sorted), "cb");
  sorted = records;
  ASSERT_TRUE(ApplyFindOptions(Opts("", false, 10), &sorted).ok());
  EXPECT_TRUE(sorted.empty());
  sorted = records;
  EXPECT_EQ(ApplyFindOptions(Opts("nope"), &sorted).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyFindOptions(Opts("", false, -1), &sorted).code(), StatusCode::kInvalidArgument);
}

TEST(StoreQuery, SortOrderAcrossTypes) {
  EXPECT_LT(CompareForSort(Json(), Json(1)), 0);
  EXPECT_LT(CompareForSort(Json(1), Json("a")), 0);
  EXPECT_LT(CompareForSort(Json("a"), Json::MakeObject()), 0);
  EXPECT_LT(CompareForSort(Json::MakeObject(), Json::MakeArray()), 0);
  EXPECT_LT(CompareForSort(Json::MakeArray(), Json(false)), 0);
  EXPECT_LT(CompareForSort(Json(1.5), Json(2)), 0);
  EXPECT_EQ(CompareForSort(Json(2), Json(2.0)), 0);
}

}  // namespace
}  // namespace flowkit::store
