#include "flowkit/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "util/number_format.h"

namespace flowkit {
namespace {

TEST(Json, DefaultIsNullAndUndefinedIsDistinct) {
  Json j;
  EXPECT_TRUE(j.IsNull());
  EXPECT_FALSE(j.IsUndefined());
  EXPECT_TRUE(Json::Undefined().IsUndefined());
  EXPECT_TRUE(Json::Undefined().IsNullish());
  EXPECT_FALSE(Json() == Json::Undefined());
}

TEST(Json, ParsesEveryTypeAndKeepsMemberOrder) {
  auto r = Json::Parse(R"({"z":1,"a":[true,false,null],"m":{"x":"y"},"d":2.5,"big":12345678901234})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Json& j = *r;
  ASSERT_TRUE(j.IsObject());
  std::vector<std::string> keys;
  for (const JsonMember& m : j.object()) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m", "d", "big"}));
  EXPECT_EQ(j["z"].AsInt(), 1);
  EXPECT_TRUE(j["a"][0].AsBool());
  EXPECT_TRUE(j["a"][2].IsNull());
  EXPECT_EQ(j["m"]["x"].AsString(), "y");
  EXPECT_DOUBLE_EQ(j["d"].AsDouble(), 2.5);
  EXPECT_EQ(j["big"].AsInt(), 12345678901234);
  EXPECT_TRUE(j["missing"].IsUndefined());
  EXPECT_TRUE(j["a"][7].IsUndefined());
  EXPECT_TRUE(j["z"]["deeper"].IsUndefined());
}

TEST(Json, DuplicateKeysKeepTheLastValueLikeJsonParse) {
  auto r = Json::Parse(R"({"a":1,"b":2,"a":3})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)["a"].AsInt(), 3);
  EXPECT_EQ(r->Dump(), R"({"a":3,"b":2})");
}

TEST(Json, MalformedInputNamesOffsetAndReason) {
  auto r = Json::Parse(R"({"a":1 "b":2})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "invalid JSON at offset 7: missing a comma or '}' after an object member");
  EXPECT_NE(Json::Parse("").status().message().find("empty"), std::string::npos);
  EXPECT_NE(Json::Parse("[1] 2").status().message().find("offset 4"), std::string::npos);
  EXPECT_FALSE(Json::Parse("{\"a\":\"\xff\"}").ok()) << "invalid UTF-8 must be rejected";
  EXPECT_FALSE(Json::Parse("[1,]").ok());
  EXPECT_FALSE(Json::Parse("NaN").ok());
}

TEST(Json, DeepNestingIsRejectedNotRecursed) {
  std::string deep(200000, '[');
  auto r = Json::Parse(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("deeper than 512"), std::string::npos);
  std::string ok_depth(500, '[');
  ok_depth += std::string(500, ']');
  EXPECT_TRUE(Json::Parse(ok_depth).ok());
}

TEST(Json, NumbersFollowJavaScriptFormatting) {
  EXPECT_EQ(Json(1.0).Dump(), "1");
  EXPECT_TRUE(Json(3.0).IsInteger());
  EXPECT_EQ(Json(0.1).Dump(), "0.1");
  EXPECT_EQ(Json(1e21).Dump(), "1e+21");
  EXPECT_EQ(Json(1e20).Dump(), "100000000000000000000");
  EXPECT_EQ(Json(0.000001).Dump(), "0.000001");
  EXPECT_EQ(Json(1e-7).Dump(), "1e-7");
  EXPECT_EQ(Json(-1.5e-10).Dump(), "-1.5e-10");
  EXPECT_EQ(Json(123.456).Dump(), "123.456");
  EXPECT_EQ(Json(-0.0).Dump(), "0");
  EXPECT_EQ(Json(std::nan("")).Dump(), "null");
  EXPECT_EQ(Json(std::numeric_limits<double>::infinity()).Dump(), "null");
  EXPECT_EQ(internal::FormatJsNumber(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(internal::FormatJsNumber(std::nan("")), "NaN");
  EXPECT_EQ(internal::FormatJsNumber(5e-324), "5e-324");
  EXPECT_EQ(Json(uint64_t{18446744073709551615u}).Dump(), "18446744073709552000");
  EXPECT_EQ(Json(int64_t{-9007199254740993}).Dump(), "-9007199254740993");
}

TEST(Json, NumbersCompareByValue) {
  EXPECT_EQ(Json(1), Json(1.0));
  EXPECT_FALSE(Json(1) == Json(1.5));
  EXPECT_FALSE(Json(1) == Json("1"));
  EXPECT_EQ(Json(2.5).AsInt(), 2);
  EXPECT_EQ(Json("x").AsInt(7), 7);
}

TEST(Json, SerializesStringsWithJsonEscapes) {
  EXPECT_EQ(Json("a\"b\\c\n\t\x01/é").Dump(), "\"a\\\"b\\\\c\\n\\t\\u0001/é\"");
  auto back = Json::Parse(Json("line\nbreak \"q\" \x1f").Dump());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->AsString(), "line\nbreak \"q\" \x1f");
}

TEST(Json, DumpOmitsUndefinedMembersAndWritesNullInArrays) {
  Json j = Json::MakeObject({{"a", Json::Undefined()}, {"b", 1}});
  j.Set("c", Json::MakeArray({Json::Undefined(), 2}));
  EXPECT_EQ(j.Dump(), R"({"b":1,"c":[null,2]})");
  EXPECT_EQ(Json::MakeObject({{"a", Json::Undefined()}}).Dump(), "{}");
}

TEST(Json, PrettyPrintMatchesJsonStringifyLayout) {
  Json j = Json::MakeObject({{"a", Json::MakeArray({1, 2})}, {"b", Json::MakeObject()}, {"c", Json::MakeArray()}});
  EXPECT_EQ(j.DumpPretty(2), "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}");
  EXPECT_EQ(j.DumpPretty(0), j.Dump());
}

TEST(Json, BuildersConvertAndReplace) {
  Json j = 5;
  j.Set("x", 1);  // turns the number into an object
  j.Set("y", "two");
  j.Set("x", 3);  // replaced in place
  EXPECT_EQ(j.Dump(), R"({"x":3,"y":"two"})");
  EXPECT_TRUE(j.Erase("x"));
  EXPECT_FALSE(j.Erase("x"));
  Json a;
  a.Push(1);
  a.Push("b");
  EXPECT_EQ(a.Dump(), R"([1,"b"])");
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(Json("abc").size(), 3u);
}

TEST(Json, LargeObjectsStayConsistentThroughTheIndex) {
  Json j;
  for (int i = 0; i < 1000; ++i) j.Set("key" + std::to_string(i), i);
  EXPECT_EQ(j.size(), 1000u);
  EXPECT_EQ(j["key999"].AsInt(), 999);
  j.Set("key500", "replaced");
  EXPECT_EQ(j.size(), 1000u);
  EXPECT_EQ(j["key500"].AsString(), "replaced");
  EXPECT_TRUE(j.Erase("key10"));
  EXPECT_TRUE(j["key10"].IsUndefined());
  EXPECT_EQ(j["key11"].AsInt(), 11);
  Json copy = j;
  EXPECT_EQ(copy, j);
  copy.Set("key11", 0);
  EXPECT_FALSE(copy == j);
  EXPECT_EQ(j["key11"].AsInt(), 11) << "copies are deep";
  Json moved = std::move(copy);
  EXPECT_EQ(moved["key999"].AsInt(), 999);
}

TEST(Json, ObjectEqualityIgnoresMemberOrder) {
  auto a = Json::Parse(R"({"a":1,"b":[1,{"c":2}]})");
  auto b = Json::Parse(R"({"b":[1,{"c":2}],"a":1})");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  auto c = Json::Parse(R"({"b":[{"c":2},1],"a":1})");
  EXPECT_FALSE(*a == *c) << "array order matters";
}

TEST(Json, RoundTripsThroughDumpAndParse) {
  const char* text = R"({"s":"x","n":-12.75,"i":42,"t":true,"f":false,"z":null,"a":[[],{}],"u":"\u2603"})";
  auto first = Json::Parse(text);
  ASSERT_TRUE(first.ok());
  auto second = Json::Parse(first->Dump());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(first->Dump(), second->Dump());
}

TEST(JsonPointer, EscapesTildeAndSlash) {
  EXPECT_EQ(JsonPointerAppend("", "flow"), "/flow");
  EXPECT_EQ(JsonPointerAppend("/flow", "a/b~c"), "/flow/a~1b~0c");
  EXPECT_EQ(JsonPointerAppend("/inPorts", size_t{2}), "/inPorts/2");
}

// Assigning a value from one of its own members must not read the members it releases (the
// implicit variant assignment did: ASan reported a use-after-free in the OpenAPI generator).
TEST(Json, AssignFromOwnMemberKeepsTheMember) {
  Json object = Json::Parse(R"({"a":{"b":[1,2,{"c":"deep"}]},"z":1})").value();
  object = object["a"];
  EXPECT_EQ(object.Dump(), R"({"b":[1,2,{"c":"deep"}]})");
  object = object["b"];
  EXPECT_EQ(object.Dump(), R"([1,2,{"c":"deep"}])");
  object = object[2];
  EXPECT_EQ(object.Dump(), R"({"c":"deep"})");
  object = object["c"];
  EXPECT_EQ(object.Dump(), R"("deep")");

  Json nested = Json::Parse(R"([[["x"]],"tail"])").value();
  nested = std::move(nested.MutableArray()[0]);
  EXPECT_EQ(nested.Dump(), R"([["x"]])");
  nested = std::move(nested.MutableArray()[0]);
  EXPECT_EQ(nested.Dump(), R"(["x"])");
}

TEST(Json, ObjectAssignFromOwnMemberKeepsItsIndex) {
  // Large enough that lookups build the hash index, which must travel with the members.
  Json big = Json::MakeObject();
  Json inner = Json::MakeObject();
  for (int i = 0; i < 200; ++i) inner.Set("k" + std::to_string(i), Json(i));
  big.Set("inner", inner);
  for (int i = 0; i < 200; ++i) big.Set("o" + std::to_string(i), Json(i));
  ASSERT_EQ(big["o150"].AsInt(), 150);  // builds big's index
  ASSERT_EQ(big["inner"]["k199"].AsInt(), 199);  // and inner's

  JsonObject object = big.object();
  object = object.Find("inner")->object();
  ASSERT_EQ(object.size(), 200u);
  EXPECT_EQ(object.Find("k123")->AsInt(), 123);
  EXPECT_EQ(object.Find("o1"), nullptr);

  JsonObject moved = big.object();
  moved = std::move(moved.Find("inner")->MutableObject());
  ASSERT_EQ(moved.size(), 200u);
  EXPECT_EQ(moved.Find("k7")->AsInt(), 7);
  moved.Set("k7", Json("seven"));
  EXPECT_EQ(moved.Find("k7")->AsString(), "seven");
  EXPECT_EQ(moved.size(), 200u);
}

}  // namespace
}  // namespace flowkit
