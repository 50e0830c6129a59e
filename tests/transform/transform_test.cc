#include "flowkit/transform.h"

#include <gtest/gtest.h>

#include <cctype>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/javascript.h"
#include "flowkit/json.h"
#include "flowkit/modifier.h"

namespace flowkit {
namespace {

Json ParseOrDie(std::string_view text) {
  auto r = Json::Parse(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << " in " << text;
  return r.ok() ? *r : Json();
}

ModifierInfo Info(std::string name, bool uses_value = true) {
  ModifierInfo info;
  info.name = std::move(name);
  info.uses_value = uses_value;
  return info;
}

// A private registry with small modifiers, so these tests do not depend on the built-ins.
class TransformTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(registry_
                    .Register(Info("g_upper"),
                              [](const ModifierCall& c) -> Result<Json> {
                                std::string s = c.value.AsString();
                                for (char& ch : s) ch = static_cast<char>(std::toupper(ch));
                                return Json(s);
                              })
                    .ok());
    ASSERT_TRUE(registry_
                    .Register(Info("g_add"),
                              [](const ModifierCall& c) -> Result<Json> {
                                double add = 0;
                                if (!c.params.empty()) {
                                  const Json& p = c.params[0];
                                  add = p.IsString() ? std::stod(p.AsString()) : p.AsDouble();
                                }
                                return Json(c.value.AsDouble() + add);
                              })
                    .ok());
    // Returns what it was called with, to check argument evaluation.
    ASSERT_TRUE(registry_
                    .Register(Info("g_args"),
                              [](const ModifierCall& c) -> Result<Json> {
                                Json out = Json::MakeObject();
                                out.Set("value",
                                        c.value.IsUndefined() ? Json("undefined") : c.value);
                                Json params = Json::MakeArray();
                                for (const Json& p : c.params) params.Push(p);
                                out.Set("params", params);
                                out.Set("hash", Json(c.hash));
                                return out;
                              })
                    .ok());
    ASSERT_TRUE(
        registry_
            .Register(Info("g_flowId", false),
                      [](const ModifierCall& c) -> Result<Json> { return Json(c.env.flow_id); })
            .ok());
    ASSERT_TRUE(registry_
                    .Register(Info("g_fail"),
                              [](const ModifierCall&) -> Result<Json> {
                                return Status::InvalidArgument("cannot do that");
                              })
                    .ok());
    ASSERT_TRUE(registry_
                    .Register(Info("g_throw"),
                              [](const ModifierCall&) -> Result<Json> {
                                throw std::runtime_error("kaboom");
                              })
                    .ok());
    env_.flow_id = "flow-1";
  }

  Result<Json> Run(std::string_view spec_text, std::string_view scope_text = "{}") {
    Json spec = ParseOrDie(spec_text);
    auto compiled = CompiledTransform::Compile(spec, registry_, &diags_, "/flow/x");
    if (!compiled.ok()) return compiled.status();
    Json scope = ParseOrDie(scope_text);
    JsonScopeView view(scope);
    return compiled->Evaluate(ParseOrDie(R"({"payload":true})"), view, env_);
  }

  ModifierRegistry registry_;
  Diagnostics diags_;
  EvalEnv env_;
};

constexpr char kScope[] = R"({
  "src": {"out": {"name": "Ada", "count": 7, "ratio": 0.25, "ok": true, "none": null,
                  "tags": ["a", "b"], "obj": {"k": "v"}, "big": 1e21, "items": [{"id": 10}]}}})";

TEST_F(TransformTest, NoLambdaPassesThePayloadThrough) {
  auto compiled =
      CompiledTransform::Compile(ParseOrDie(R"({"type":"json2new","modifiers":{}})"), registry_);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  EXPECT_TRUE(compiled->is_identity());
  Json scope = Json::MakeObject();
  JsonScopeView view(scope);
  Json payload = ParseOrDie(R"({"a":[1,2]})");
  auto out = compiled->Evaluate(payload, view, env_);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, payload);

  auto identity = CompiledTransform::Identity();
  EXPECT_TRUE(identity.is_identity());
  EXPECT_TRUE(identity.variables().empty());
  EXPECT_EQ(*identity.Evaluate(payload, view, env_), payload);
}

TEST_F(TransformTest, LiteralLambdaIsReturnedAsIs) {
  auto out =
      Run(R"({"lambda":{"city":"Prague","n":3,"f":1.5,"b":false,"z":null,"l":[1,{"a":"x"}]}})");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out,
            ParseOrDie(R"({"city":"Prague","n":3,"f":1.5,"b":false,"z":null,"l":[1,{"a":"x"}]})"));
  EXPECT_TRUE(diags_.empty());
}

TEST_F(TransformTest, AnyJsonIsAValidLambda) {
  auto out = Run(R"({"lambda":"plain text"})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, Json("plain text"));
  out = Run(R"({"lambda":[1,"{{{$.src.out.count}}}"]})", kScope);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, ParseOrDie("[1,7]"));
}

TEST_F(TransformTest, WholePlaceholderKeepsTheValueType) {
  auto out = Run(R"({"type":"json2new",
    "modifiers":{"n":{"u1":{"variable":"$.src.out.count","functions":[]}},
                 "o":{"u2":{"variable":"$.src.out.obj"}},
                 "t":{"u3":{"variable":"$.src.out.tags","functions":[]}},
                 "all":{"u4":{"variable":"$.src.out"}},
                 "b":{"u5":{"variable":"$.src.out.ok"}}},
    "lambda":{"n":"{{{u1}}}","o":"{{{u2}}}","t":"{{{u3}}}","all":"{{{u4}}}","b":"{{{u5}}}"}})",
                 kScope);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->Get("n"), Json(7));
  EXPECT_EQ(out->Get("o"), ParseOrDie(R"({"k":"v"})"));
  EXPECT_EQ(out->Get("t"), ParseOrDie(R"(["a","b"])"));
  EXPECT_EQ(out->Get("all").Get("name"), Json("Ada"));
  EXPECT_EQ(out->Get("b"), Json(true));
}

TEST_F(TransformTest, MixedStringsConcatenateLikeJavaScript) {
  auto out = Run(R"({"modifiers":{"s":{
      "n":{"variable":"$.src.out.count"}, "r":{"variable":"$.src.out.ratio"},
      "b":{"variable":"$.src.out.ok"}, "o":{"variable":"$.src.out.obj"},
      "t":{"variable":"$.src.out.tags"}, "u":{"variable":"$.src.out.missing"},
      "z":{"variable":"$.src.out.none"}, "g":{"variable":"$.src.out.big"}}},
    "lambda":{"s":"n={{{n}}} r={{{r}}} b={{{b}}} o={{{o}}} t={{{t}}} u=[{{{u}}}] z=[{{{z}}}] g={{{g}}}"}})",
                 kScope);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->Get("s"), Json(R"(n=7 r=0.25 b=true o={"k":"v"} t=["a","b"] u=[] z=[] g=1e+21)"));
}

TEST_F(TransformTest, UndefinedMembersAreOmittedAndArrayElementsKept) {
  auto out = Run(R"({"modifiers":{"a":{"m":{"variable":"$.src.out.missing"}}},
    "lambda":{"a":"{{{m}}}","keep":1,"list":["{{{m}}}",2]}})",
                 kScope);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FALSE(out->Contains("a"));
  ASSERT_EQ(out->Get("list").size(), 2u);
  EXPECT_TRUE(out->Get("list").At(0).IsUndefined());
  EXPECT_EQ(out->Dump(), R"({"keep":1,"list":[null,2]})");
}

TEST_F(TransformTest, FunctionsRunInOrder) {
  auto out = Run(R"({"modifiers":{"x":{"u":{"variable":"$.src.out.count",
      "functions":[{"name":"g_add","params":[{"value":"1"}]},{"name":"g_add","params":[{"value":0.5}]}]}},
    "y":{"v":{"variable":"$.src.out.name","functions":[{"name":"g_upper"}]}}},
    "lambda":{"x":"{{{u}}}","y":"Hi {{{v}}}!"}})",
                 kScope);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->Get("x"), Json(8.5));
  EXPECT_EQ(out->Get("y"), Json("Hi ADA!"));
}

TEST_F(TransformTest, ChainWithoutVariableStartsFromUndefined) {
  auto out = Run(R"({"modifiers":{"id":{"u":{"functions":[{"name":"g_flowId"}]}},
                                  "a":{"w":{"functions":[{"name":"g_args"}]}}},
                     "lambda":{"id":"{{{u}}}","a":"{{{w}}}"}})");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->Get("id"), Json("flow-1"));
  EXPECT_EQ(out->Get("a").Get("value"), Json("undefined"));
}

TEST_F(TransformTest, ParamsAndHashParamsAreEvaluatedWithTheirOwnModifiers) {
  auto out = Run(R"({"modifiers":{"a":{"u":{"variable":"$.src.out.name","functions":[
      {"name":"g_args",
       "params":[{"value":"lit"},{"value":"{{{p1}}}","modifiers":{"p1":{"variable":"$.src.out.count","functions":[]}}},
                 {"value":"n={{{p2}}}","modifiers":{"f":{"p2":{"variable":"$.src.out.ratio"}}}}],
       "hashParams":{"space":{"value":0,"modifiers":{}},
                     "who":{"value":"{{{h}}}","modifiers":{"h":{"variable":"$.src.out.name","functions":[{"name":"g_upper"}]}}}}}]}}},
    "lambda":{"a":"{{{u}}}"}})",
                 kScope);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(
      out->Get("a"),
      ParseOrDie(R"({"value":"Ada","params":["lit",7,"n=0.25"],"hash":{"space":0,"who":"ADA"}})"));
}

TEST_F(TransformTest, InlineVariablesResolveAgainstTheScope) {
  auto out = Run(R"({"lambda":{"text":"Temperature: {{{$.src.out.items.[0].id}}} dgC",
                                "whole":"{{{ $.src.out.count }}}","gone":"{{{$.other.out}}}"}})",
                 kScope);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, ParseOrDie(R"({"text":"Temperature: 10 dgC","whole":7})"));
}

TEST_F(TransformTest, PlaceholdersFromAnyFieldAreFound) {
  auto out = Run(R"({"modifiers":{"expression":{"u":{"variable":"$.src.out.name"}},"other":{}},
    "lambda":{"expression":{"AND":[{"field":"{{{u}}}","op":"="}]},"copy":"{{{u}}}"}})",
                 kScope);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, ParseOrDie(R"({"expression":{"AND":[{"field":"Ada","op":"="}]},"copy":"Ada"})"));
}

TEST_F(TransformTest, UnknownModifierIsAnErrorAtItsName) {
  auto out = Run(
      R"({"modifiers":{"a":{"u":{"variable":"$.src.out","functions":[{"name":"g_upper"},{"name":"g_nope"}]}}},
                     "lambda":{"a":"{{{u}}}"}})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(),
            "/flow/x/modifiers/a/u/functions/1/name: unknown modifier 'g_nope'");
  ASSERT_EQ(diags_.items().size(), 1u);
  EXPECT_EQ(diags_.items()[0].severity, Diagnostic::Severity::kError);
  EXPECT_EQ(diags_.items()[0].pointer, "/flow/x/modifiers/a/u/functions/1/name");
}

TEST_F(TransformTest, BadVariablePathIsAnError) {
  auto out =
      Run(R"({"modifiers":{"a":{"u":{"variable":"$.src.out.items[0"}}},"lambda":{"a":"{{{u}}}"}})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "/flow/x/modifiers/a/u/variable: variable '$.src.out.items[0': unclosed '[' at 15");
  diags_ = Diagnostics();
  out = Run(R"({"lambda":{"a":"x {{{$.src}}}"}})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "/flow/x/lambda/a: variable '$.src' must name a component and a port");
}

TEST_F(TransformTest, UnknownPlaceholderWarnsAndEvaluatesToUndefined) {
  auto out = Run(R"({"modifiers":{},"lambda":{"a":"{{{nobody}}}","b":"x{{{nobody}}}y"}})");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, ParseOrDie(R"({"b":"xy"})"));
  ASSERT_EQ(diags_.items().size(), 2u);
  EXPECT_EQ(diags_.items()[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_EQ(diags_.items()[0].pointer, "/flow/x/lambda/a");
  EXPECT_NE(diags_.items()[0].message.find("'{{{nobody}}}'"), std::string::npos);
  EXPECT_FALSE(diags_.has_errors());
}

TEST_F(TransformTest, MalformedSpecsAreErrors) {
  struct Case {
    const char* spec;
    const char* message;
  } cases[] = {
      {R"({"modifiers":[],"lambda":{}})",
       "/flow/x/modifiers: 'modifiers' must be an object {<field>: {<uuid>: modifier}}"},
      {R"({"modifiers":{"a":"x"},"lambda":{}})",
       "/flow/x/modifiers/a: modifiers of field 'a' must be an object"},
      {R"({"modifiers":{"a":{"u":{"functions":{}}}},"lambda":{}})",
       "/flow/x/modifiers/a/u/functions: 'functions' must be an array"},
      {R"({"modifiers":{"a":{"u":{"functions":[{"params":[]}]}}},"lambda":{}})",
       "/flow/x/modifiers/a/u/functions/0: modifier function must be an object with a string "
       "'name'"},
      {R"({"type":"xml2json","lambda":{}})",
       "/flow/x/type: unsupported transform type 'xml2json' (only 'json2new' is known)"},
      {R"([1])", "/flow/x: transform must be an object {type?, lambda, modifiers?}"},
  };
  for (const auto& c : cases) {
    diags_ = Diagnostics();
    auto out = Run(c.spec);
    ASSERT_FALSE(out.ok()) << c.spec;
    EXPECT_EQ(out.status().message(), c.message) << c.spec;
  }
}

TEST_F(TransformTest, CompileReportsEveryProblem) {
  auto out = Run(R"({"modifiers":{"a":{"u":{"functions":[{"name":"g_x"},{"name":"g_y"}]}}},
                     "lambda":{"a":"{{{u}}}","b":"{{{ghost}}}"}})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(diags_.error_count(), 2u);
  EXPECT_EQ(diags_.items().size(), 3u);
  EXPECT_NE(out.status().message().find("(and 1 more error"), std::string::npos)
      << out.status().message();
}

TEST_F(TransformTest, ModifierFailureNamesFieldAndModifier) {
  auto out =
      Run(R"({"modifiers":{"result":{"u":{"variable":"$.src.out","functions":[{"name":"g_fail"}]}}},
                     "lambda":{"result":"{{{u}}}"}})",
          kScope);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "field 'result': modifier 'g_fail' failed: cannot do that");
}

TEST_F(TransformTest, ModifierExceptionBecomesAnInternalError) {
  auto out = Run(
      R"({"modifiers":{"r":{"u":{"functions":[{"name":"g_throw"}]}}},"lambda":{"r":"a{{{u}}}"}})");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInternal);
  EXPECT_EQ(out.status().message(),
            "field 'r': modifier 'g_throw' failed: threw an exception: kaboom");
}

TEST_F(TransformTest, ListsTheVariablesItReads) {
  auto compiled =
      CompiledTransform::Compile(ParseOrDie(R"({"modifiers":{"a":{"u":{"variable":"$.c1.out.x"}}},
                     "lambda":{"a":"{{{u}}}","b":"{{{$.c2.err}}} {{{$.c2.err}}}"}})"),
                                 registry_);
  ASSERT_TRUE(compiled.ok());
  ASSERT_EQ(compiled->variables().size(), 2u);
  EXPECT_EQ(compiled->variables()[0].component_id, "c1");
  ASSERT_EQ(compiled->variables()[0].path.size(), 1u);
  EXPECT_EQ(compiled->variables()[1].component_id, "c2");
  EXPECT_EQ(compiled->variables()[1].port, "err");
}

TEST_F(TransformTest, AppmixerDesignerTransform) {
  // Shape of the transforms in Appmixer's own test flows (spec §3.3).
  auto out = Run(R"({"type":"json2new",
    "modifiers":{"expression":{"1ca0ec79-b66a-4784-8240-9d23aa2acfb4":{
        "variable":"$.72bea575-431e-48d8-b996-7b5a5ae5b6b6.out.fields","functions":[{"name":"g_upper"}]}},
      "recipients":{}},
    "lambda":{"recipients":"jirka@client.io",
              "expression":{"AND":[{"assertion":"regex","regex":"^updated",
                                    "field":"{{{1ca0ec79-b66a-4784-8240-9d23aa2acfb4}}}"}]}}})",
                 R"({"72bea575-431e-48d8-b996-7b5a5ae5b6b6":{"out":{"fields":"updated name"}}})");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->Get("expression").Get("AND").At(0).Get("field"), Json("UPDATED NAME"));
  EXPECT_EQ(out->Get("recipients"), Json("jirka@client.io"));
}

TEST_F(TransformTest, EvaluatesConcurrently) {
  auto compiled = CompiledTransform::Compile(
      ParseOrDie(
          R"({"modifiers":{"a":{"u":{"variable":"$.src.out.count","functions":[{"name":"g_add","params":[{"value":"{{{p}}}","modifiers":{"p":{"variable":"$.src.out.count"}}}]}]}}},
                     "lambda":{"a":"{{{u}}}","b":"n={{{u}}}"}})"),
      registry_);
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  Json scope = ParseOrDie(kScope);
  JsonScopeView view(scope);
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        auto out = compiled->Evaluate(Json(), view, env_);
        if (out.ok() && out->Get("a") == Json(14) && out->Get("b") == Json("n=14")) ++good[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good, std::vector<int>(4, 500));
}

// g_javascript as Appmixer's csv test flow chains it (after g_flowId), and on a variable.
TEST(TransformJavaScript, RunsInAChainAndFailsTheTransformOnErrors) {
  ModifierRegistry registry;
  ASSERT_TRUE(RegisterBuiltinModifiers(registry).ok());
  Diagnostics diags;
  Json spec = ParseOrDie(R"js({"type":"json2new","modifiers":{
      "csv":{"c":{"functions":[{"name":"g_flowId"},
                               {"name":"g_javascript","params":[{"value":"return 'Name,Points\\nJiří,100\\n'"}]}]}},
      "n":{"v":{"variable":"$.src.out.items","functions":[
                {"name":"g_javascript","params":[{"value":"return $data.map(function (i) { return i.id * 2; })"}]}]}}},
    "lambda":{"csv":"{{{c}}}","doubled":"{{{v}}}","text":"ids: {{{v}}}"}})js");
  auto compiled = CompiledTransform::Compile(spec, registry, &diags, "/flow/x");
  ASSERT_TRUE(compiled.ok()) << compiled.status().ToString();
  Json scope = ParseOrDie(R"({"src":{"out":{"items":[{"id":1},{"id":5}]}}})");
  JsonScopeView view(scope);
  EvalEnv env;
  env.flow_id = "flow-1";
  auto out = compiled->Evaluate(Json::MakeObject(), view, env);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->Get("csv"), Json("Name,Points\nJiří,100\n"));
  EXPECT_EQ(out->Get("doubled"), Json::MakeArray({2, 10}));
  EXPECT_EQ(out->Get("text"), Json("ids: [2,10]"));  // interpolation writes JSON text

  JavaScriptLimits limits{.time_limit_ms = 50};
  env.javascript = &limits;
  Json looping = ParseOrDie(R"({"type":"json2new","modifiers":{"x":{"u":{"functions":[
      {"name":"g_javascript","params":[{"value":"while (true) {}"}]}]}}},"lambda":{"x":"{{{u}}}"}})");
  auto stuck = CompiledTransform::Compile(looping, registry, &diags, "/flow/y");
  ASSERT_TRUE(stuck.ok()) << stuck.status().ToString();
  auto failed = stuck->Evaluate(Json::MakeObject(), view, env);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("exceeded its 50 ms time limit"), std::string::npos)
      << failed.status().ToString();
}

}  // namespace
}  // namespace flowkit
