#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/transform.h"

namespace flowkit {
namespace {

Json ParseOrDie(std::string_view text) {
  auto r = Json::Parse(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << " in " << text;
  return r.ok() ? *r : Json();
}

std::shared_ptr<const PortSchema> CompileOrDie(std::string_view text) {
  auto r = PortSchema::Compile(ParseOrDie(text));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

// Coerces `value_text` with `schema_text`; returns the error message or "ok:<coerced JSON>".
std::string Coerced(std::string_view schema_text, std::string_view value_text) {
  auto schema = CompileOrDie(schema_text);
  if (schema == nullptr) return "no schema";
  Json value = ParseOrDie(value_text);
  Status s = schema->CoerceAndValidate(&value);
  return s.ok() ? "ok:" + value.Dump() : s.message();
}

TEST(PortSchema, RejectsNonObjectAndMalformedSchemas) {
  for (const char* text : {"[]", "\"string\"", "true", "null"}) {
    auto r = PortSchema::Compile(ParseOrDie(text));
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  auto bad_type = PortSchema::Compile(ParseOrDie(R"({"properties":{"a":{"type":"text"}}})"));
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.status().message(),
            "invalid JSON Schema at /properties/a/type: unknown type 'text'");
  auto bad_required = PortSchema::Compile(ParseOrDie(R"({"required":"a"})"));
  ASSERT_FALSE(bad_required.ok());
  EXPECT_EQ(bad_required.status().message(),
            "invalid JSON Schema at /required: must be a list of property names");
}

TEST(PortSchema, LaterDraftKeywordsCompileAndAreIgnored) {
  // Shaped like real manifests: draft-07 if/then and const, a property called "type".
  auto schema = CompileOrDie(R"({"type":"object",
    "properties":{"type":{"type":"string","enum":["a","b"]},"x":{"const":3},"when":{"type":"string","format":"date-time"}},
    "allOf":[{"if":{"properties":{"type":{"const":"a"}}},"then":{"required":["x"]}}],
    "required":["type"]})");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(schema->Validate(ParseOrDie(R"({"type":"a","x":4,"when":"not a date"})")).ok());
  EXPECT_EQ(schema->Validate(ParseOrDie(R"({"type":"c"})")).message(),
            R"(/type: must be one of ["a","b"])");
  EXPECT_EQ(schema->schema().Get("required"), ParseOrDie(R"(["type"])"));
}

TEST(PortSchema, ValidationErrorsNameFieldAndRule) {
  const char* schema = R"({"type":"object","required":["phoneNumber","count"],
    "properties":{"count":{"type":"integer","minimum":1,"maximum":10},
                  "phoneNumber":{"type":"string","minLength":3,"pattern":"^[0-9+]+$"},
                  "tags":{"type":"array","items":{"type":"string"},"maxItems":2},
                  "kind":{"enum":["a","b"]},
                  "nested":{"type":"object","properties":{"deep":{"type":"boolean"}},"additionalProperties":false}}})";
  auto s = CompileOrDie(schema);
  ASSERT_NE(s, nullptr);
  struct Case {
    const char* value;
    const char* message;
  } cases[] = {
      {R"({"phoneNumber":"123","count":"x"})", "/count: expected type integer, got string"},
      {R"({"phoneNumber":"123","count":1.5})", "/count: expected type integer, got number"},
      {R"({"count":1})", "/phoneNumber: required property is missing"},
      {R"({"phoneNumber":"123"})", "/count: required property is missing"},
      {R"({"phoneNumber":"123","count":0})", "/count: must be >= 1"},
      {R"({"phoneNumber":"123","count":11})", "/count: must be <= 10"},
      {R"({"phoneNumber":"12","count":1})", "/phoneNumber: must be at least 3 characters long"},
      {R"({"phoneNumber":"12a","count":1})", R"(/phoneNumber: must match the pattern "^[0-9+]+$")"},
      {R"({"phoneNumber":"123","count":1,"tags":["a",2]})",
       "/tags/1: expected type string, got number"},
      {R"({"phoneNumber":"123","count":1,"tags":["a","b","c"]})",
       "/tags: must have at most 2 items"},
      {R"({"phoneNumber":"123","count":1,"kind":"c"})", R"(/kind: must be one of ["a","b"])"},
      {R"({"phoneNumber":"123","count":1,"nested":{"deep":true,"extra":1}})",
       "/nested/extra: property is not allowed by the schema (additionalProperties)"},
      {R"({"phoneNumber":"123","count":1,"nested":{"extra":{"deep":1}}})",
       "/nested/extra: property is not allowed by the schema (additionalProperties)"},
      {R"({"phoneNumber":"123","count":1,"nested":{"deep":"yes"}})",
       "/nested/deep: expected type boolean, got string"},
      {R"([1])", "/: expected type object, got array"},
  };
  for (const auto& c : cases) {
    Status st = s->Validate(ParseOrDie(c.value));
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.value;
    EXPECT_EQ(st.message(), c.message) << c.value;
  }
  EXPECT_TRUE(
      s->Validate(ParseOrDie(R"({"phoneNumber":"+420","count":3,"tags":["x"],"kind":"a"})")).ok());
}

TEST(PortSchema, UndefinedMembersCountAsMissing) {
  auto s =
      CompileOrDie(R"({"type":"object","required":["a"],"properties":{"a":{"type":"string"}}})");
  ASSERT_NE(s, nullptr);
  Json value = Json::MakeObject();
  value.Set("a", Json::Undefined());
  EXPECT_EQ(s->Validate(value).message(), "/a: required property is missing");
}

TEST(PortSchema, CoercesObjectsAndArraysToJsonTextWhereAStringIsExpected) {
  // ProcessE2EResults' `result` is the AfterAll array, which its JS JSON.parse()s.
  EXPECT_EQ(Coerced(R"({"properties":{"result":{"type":"string"}}})",
                    R"({"result":[{"ok":true,"n":1.5}]})"),
            R"(ok:{"result":"[{\"ok\":true,\"n\":1.5}]"})");
  EXPECT_EQ(Coerced(R"({"properties":{"o":{"type":"string"}}})", R"({"o":{"a":"b"}})"),
            R"(ok:{"o":"{\"a\":\"b\"}"})");
}

TEST(PortSchema, CoercesScalarsFollowingTheDeclaredType) {
  const char* schema = R"({"type":"object","properties":{
      "s":{"type":"string"},"i":{"type":"integer"},"n":{"type":"number"},"b":{"type":"boolean"},
      "either":{"type":["number","string"]}}})";
  EXPECT_EQ(Coerced(schema, R"({"s":42})"), R"(ok:{"s":"42"})");
  EXPECT_EQ(Coerced(schema, R"({"s":0.1})"), R"(ok:{"s":"0.1"})");
  EXPECT_EQ(Coerced(schema, R"({"s":1e21})"), R"(ok:{"s":"1e+21"})");
  EXPECT_EQ(Coerced(schema, R"({"s":false})"), R"(ok:{"s":"false"})");
  EXPECT_EQ(Coerced(schema, R"({"i":"12"})"), R"(ok:{"i":12})");
  EXPECT_EQ(Coerced(schema, R"({"i":" 12 "})"), R"(ok:{"i":12})");
  EXPECT_EQ(Coerced(schema, R"({"i":"1.0"})"), R"(ok:{"i":1})");
  EXPECT_EQ(Coerced(schema, R"({"n":"-2.5e1"})"), R"(ok:{"n":-25})");
  EXPECT_EQ(Coerced(schema, R"({"n":"+.5"})"), R"(ok:{"n":0.5})");
  EXPECT_EQ(Coerced(schema, R"({"b":"true"})"), R"(ok:{"b":true})");
  EXPECT_EQ(Coerced(schema, R"({"b":"false"})"), R"(ok:{"b":false})");
  // Values already of a declared type stay as they are.
  EXPECT_EQ(Coerced(schema, R"({"either":"12"})"), R"(ok:{"either":"12"})");
  EXPECT_EQ(Coerced(schema, R"({"either":true})"), R"(ok:{"either":"true"})");
  // What cannot be coerced fails validation, naming the field.
  EXPECT_EQ(Coerced(schema, R"({"i":"1.5"})"), "/i: expected type integer, got string");
  EXPECT_EQ(Coerced(schema, R"({"n":""})"), "/n: expected type number, got string");
  EXPECT_EQ(Coerced(schema, R"({"n":"12abc"})"), "/n: expected type number, got string");
  EXPECT_EQ(Coerced(schema, R"({"b":"yes"})"), "/b: expected type boolean, got string");
  EXPECT_EQ(Coerced(schema, R"({"s":null})"), "/s: expected type string, got null");
}

TEST(PortSchema, CoercionRecursesThroughItemsAdditionalPropertiesAndRefs) {
  const char* schema = R"({"type":"object","definitions":{"num":{"type":"number"}},
      "properties":{"list":{"type":"array","items":{"type":"string"}},
                    "tuple":{"type":"array","items":[{"type":"integer"},{"type":"boolean"}]},
                    "ref":{"$ref":"#/definitions/num"},
                    "map":{"type":"object","additionalProperties":{"type":"integer"}}}})";
  EXPECT_EQ(
      Coerced(
          schema,
          R"({"list":[1,true,{"a":1}],"tuple":["3","true"],"ref":"7.5","map":{"x":"1","y":2}})"),
      R"(ok:{"list":["1","true","{\"a\":1}"],"tuple":[3,true],"ref":7.5,"map":{"x":1,"y":2}})");
}

TEST(PortSchema, SchemaWithoutTypeLeavesValuesAlone) {
  EXPECT_EQ(Coerced(R"({"properties":{"any":{}}})", R"({"any":[1],"other":"2"})"),
            R"(ok:{"any":[1],"other":"2"})");
}

TEST(PortSchema, OneSchemaServesManyThreads) {
  auto s =
      CompileOrDie(R"({"type":"object","required":["n"],"properties":{"n":{"type":"integer"}}})");
  ASSERT_NE(s, nullptr);
  std::vector<int> good(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        Json ok = Json::MakeObject({{"n", Json(std::to_string(i))}});
        Json bad = Json::MakeObject({{"m", Json(i)}});
        if (s->CoerceAndValidate(&ok).ok() && ok.Get("n") == Json(i) &&
            s->Validate(bad).message() == "/n: required property is missing") {
          ++good[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good, std::vector<int>(4, 300));
}

}  // namespace
}  // namespace flowkit
