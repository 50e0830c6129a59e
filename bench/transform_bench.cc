// json2new transforms: compile once, evaluate per message. The evaluated lambda has 10 fields
// and two modifier chains, the shape of a typical Appmixer designer link. Modifiers are
// registered privately (uppercase, add) so the figures measure the evaluator, not built-ins.
#include <benchmark/benchmark.h>

#include <cctype>
#include <memory>
#include <string>

#include "flowkit/json.h"
#include "flowkit/modifier.h"
#include "flowkit/transform.h"

namespace {

using flowkit::CompiledTransform;
using flowkit::Json;

Json ParseOrDie(std::string_view text) {
  auto r = Json::Parse(text);
  if (!r.ok()) std::abort();
  return *r;
}

constexpr char kSpec[] = R"({"type":"json2new",
  "modifiers":{
    "name":{"5b1c3f5e-6a53-4d5e-9b1d-0d1b2a3c4d5e":{
      "variable":"$.9a5c8f95-c8e9-4a2c-9b08-b942599f43f6.out.contact.name","functions":[{"name":"g_upper"}]}},
    "total":{"1ca0ec79-b66a-4784-8240-9d23aa2acfb4":{
      "variable":"$.72bea575-431e-48d8-b996-7b5a5ae5b6b6.out.order.total",
      "functions":[{"name":"g_add","params":[{"value":"10"}]}]}},
    "recipients":{},"testCase":{}},
  "lambda":{
    "recipients":"jirka@client.io",
    "testCase":"Transform bench",
    "name":"{{{5b1c3f5e-6a53-4d5e-9b1d-0d1b2a3c4d5e}}}",
    "total":"{{{1ca0ec79-b66a-4784-8240-9d23aa2acfb4}}}",
    "subject":"Order for {{{5b1c3f5e-6a53-4d5e-9b1d-0d1b2a3c4d5e}}}",
    "count":3,
    "active":true,
    "region":"eu-central",
    "priority":"high",
    "tags":["e2e","bench"]}})";

constexpr char kScope[] = R"({
  "3813508a-6d6c-4214-a3f0-385f2dc7d31b":{"out":{"started":"2024-05-01T12:00:00.000Z"}},
  "9a5c8f95-c8e9-4a2c-9b08-b942599f43f6":{"out":{"contact":{"name":"Ada Lovelace","email":"ada@example.com"}}},
  "72bea575-431e-48d8-b996-7b5a5ae5b6b6":{"out":{"order":{"id":42,"total":99.5,"items":[1,2,3]}}}})";

class Fixture {
 public:
  Fixture() {
    flowkit::ModifierInfo upper;
    upper.name = "g_upper";
    (void)registry_.Register(upper, [](const flowkit::ModifierCall& c) -> flowkit::Result<Json> {
      std::string s(c.value.StringView());
      for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      return Json(std::move(s));
    });
    flowkit::ModifierInfo add;
    add.name = "g_add";
    (void)registry_.Register(add, [](const flowkit::ModifierCall& c) -> flowkit::Result<Json> {
      double p = c.params.empty() ? 0 : std::stod(c.params[0].AsString("0"));
      return Json(c.value.AsDouble() + p);
    });
    spec_ = ParseOrDie(kSpec);
    scope_ = ParseOrDie(kScope);
  }

  flowkit::ModifierRegistry registry_;
  Json spec_;
  Json scope_;
};

const Fixture& GetFixture() {
  static const Fixture* fixture = new Fixture();
  return *fixture;
}

void BM_TransformCompile(benchmark::State& state) {
  const Fixture& f = GetFixture();
  for (auto _ : state) {
    auto compiled = CompiledTransform::Compile(f.spec_, f.registry_);
    benchmark::DoNotOptimize(compiled);
  }
}
BENCHMARK(BM_TransformCompile);

void BM_TransformEvaluate10Fields2Chains(benchmark::State& state) {
  const Fixture& f = GetFixture();
  auto compiled = CompiledTransform::Compile(f.spec_, f.registry_);
  if (!compiled.ok()) {
    state.SkipWithError(compiled.status().ToString().c_str());
    return;
  }
  flowkit::JsonScopeView view(f.scope_);
  flowkit::EvalEnv env;
  Json payload = Json::MakeObject();
  for (auto _ : state) {
    auto out = compiled->Evaluate(payload, view, env);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TransformEvaluate10Fields2Chains);

void BM_TransformIdentity(benchmark::State& state) {
  const Fixture& f = GetFixture();
  auto identity = CompiledTransform::Identity();
  flowkit::JsonScopeView view(f.scope_);
  flowkit::EvalEnv env;
  Json payload = ParseOrDie(R"({"started":"2024-05-01T12:00:00.000Z","n":1})");
  for (auto _ : state) {
    auto out = identity.Evaluate(payload, view, env);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TransformIdentity);

// The in-port step after the transform: coerce + validate the 10-field result.
void BM_PortSchemaCoerceAndValidate(benchmark::State& state) {
  const Fixture& f = GetFixture();
  auto compiled = CompiledTransform::Compile(f.spec_, f.registry_);
  auto schema = flowkit::PortSchema::Compile(ParseOrDie(R"({"type":"object",
    "required":["recipients","name","total"],
    "properties":{"recipients":{"type":"string"},"testCase":{"type":"string"},
      "name":{"type":"string"},"total":{"type":"number"},"subject":{"type":"string"},
      "count":{"type":"string"},"active":{"type":"boolean"},"region":{"type":"string"},
      "priority":{"enum":["low","high"]},"tags":{"type":"string"}}})"));
  if (!compiled.ok() || !schema.ok()) {
    state.SkipWithError("setup failed");
    return;
  }
  flowkit::JsonScopeView view(f.scope_);
  flowkit::EvalEnv env;
  Json input = *compiled->Evaluate(Json(), view, env);
  for (auto _ : state) {
    Json value = input;  // coercion rewrites count and tags into text each time
    flowkit::Status s = (*schema)->CoerceAndValidate(&value);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_PortSchemaCoerceAndValidate);

}  // namespace
