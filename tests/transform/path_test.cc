#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/transform.h"

namespace flowkit {
namespace {

Json ParseOrDie(std::string_view text) {
  auto r = Json::Parse(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Json();
}

// "key" steps as text, index steps as "[n]".
std::vector<std::string> Steps(const VariableRef& ref) {
  std::vector<std::string> out;
  for (const auto& s : ref.path)
    out.push_back(s.is_index ? "[" + std::to_string(s.index) + "]" : s.key);
  return out;
}

TEST(VariableRef, ParsesComponentAndPort) {
  auto r = VariableRef::Parse("$.3d71d67f-aaaa.out");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->component_id, "3d71d67f-aaaa");
  EXPECT_EQ(r->port, "out");
  EXPECT_TRUE(r->path.empty());
}

TEST(VariableRef, ParsesEveryPathForm) {
  using V = std::vector<std::string>;
  struct Case {
    const char* text;
    V steps;
  } cases[] = {
      {"$.c.out.a.b", V{"a", "b"}},
      {"$.c.out.payload.to.[0].address", V{"payload", "to", "[0]", "address"}},
      {"$.c.out.a[0].b", V{"a", "[0]", "b"}},
      {"$.c.out.a['b']", V{"a", "b"}},
      {"$.c.out.a[\"b\"]", V{"a", "b"}},
      {"$.c.out.a.['b.c'].d", V{"a", "b.c", "d"}},
      {"$.c.out.random-email", V{"random-email"}},
      {"$.c.out.Test Phone Number", V{"Test Phone Number"}},
      {"$.c.out[2]", V{"[2]"}},
      {"$.c.out.a.0", V{"a", "[0]"}},
      {"$.c.out.a[1][2]", V{"a", "[1]", "[2]"}},
      {"$.c.out.a['it\\'s']", V{"a", "it's"}},
  };
  for (const auto& c : cases) {
    auto r = VariableRef::Parse(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(r->component_id, "c") << c.text;
    EXPECT_EQ(r->port, "out") << c.text;
    EXPECT_EQ(Steps(*r), c.steps) << c.text;
  }
}

TEST(VariableRef, QuotedNumberIsAKeyAndLeadingZeroIsNotAnIndex) {
  auto quoted = VariableRef::Parse("$.c.out.a['0']");
  ASSERT_TRUE(quoted.ok());
  EXPECT_FALSE(quoted->path[1].is_index);
  EXPECT_EQ(quoted->path[1].key, "0");
  auto padded = VariableRef::Parse("$.c.out.a.01");
  ASSERT_TRUE(padded.ok());
  EXPECT_FALSE(padded->path[1].is_index);
}

TEST(VariableRef, ErrorsNameTheProblemAndPosition) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"$.x", "variable '$.x' must name a component and a port"},
      {"$..out", "variable '$..out' must name a component and a port"},
      {"$.c.", "variable '$.c.' must name a component and a port"},
      {"c.out", "variable 'c.out' must start with '$.'"},
      {"$.c.out.items[0", "variable '$.c.out.items[0': unclosed '[' at 13"},
      {"$.c.out.a..b", "variable '$.c.out.a..b': empty path step at 10"},
      {"$.c.out.a.", "variable '$.c.out.a.': empty path step at 10"},
      {"$.c.out.a[]", "variable '$.c.out.a[]': empty path step at 9"},
      {"$.c.out.a['b]", "variable '$.c.out.a['b]': unclosed quote ' at 10"},
      {"$.c.out.a[0]b", "variable '$.c.out.a[0]b': expected '.' or '[' after ']' at 12"},
      {"$.c.out.a]b", "variable '$.c.out.a]b': unexpected ']' at 9"},
  };
  for (const auto& c : cases) {
    auto r = VariableRef::Parse(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(VariableRef, ResolvesObjectsArraysAndMisses) {
  Json root = ParseOrDie(R"({"a":{"b":[{"c":1},{"c":2}],"0":"zero"},"s":"text"})");
  auto get = [&](const char* text) -> const Json* {
    auto r = VariableRef::Parse(text);
    EXPECT_TRUE(r.ok()) << text;
    return r.ok() ? r->Resolve(root) : nullptr;
  };
  ASSERT_NE(get("$.c.out.a.b[1].c"), nullptr);
  EXPECT_EQ(*get("$.c.out.a.b[1].c"), Json(2));
  EXPECT_EQ(*get("$.c.out.a.b.0.c"), Json(1));     // numeric key step indexes arrays
  EXPECT_EQ(*get("$.c.out.a.[0]"), Json("zero"));  // index step on an object reads the key
  EXPECT_EQ(get("$.c.out.a.b[2]"), nullptr);
  EXPECT_EQ(get("$.c.out.a.missing.x"), nullptr);
  EXPECT_EQ(get("$.c.out.s.length"), nullptr);  // no properties on scalars
  EXPECT_EQ(get("$.c.out.a.b.x"), nullptr);
  EXPECT_EQ(get("$.c.out"), &root);
}

TEST(JsonScopeView, FindsComponentPort) {
  Json scope = ParseOrDie(R"({"c1":{"out":{"x":1},"error":null}})");
  JsonScopeView view(scope);
  ASSERT_NE(view.Find("c1", "out"), nullptr);
  EXPECT_EQ(view.Find("c1", "out")->Get("x"), Json(1));
  ASSERT_NE(view.Find("c1", "error"), nullptr);
  EXPECT_TRUE(view.Find("c1", "error")->IsNull());
  EXPECT_EQ(view.Find("c1", "other"), nullptr);
  EXPECT_EQ(view.Find("c2", "out"), nullptr);
}

}  // namespace
}  // namespace flowkit
