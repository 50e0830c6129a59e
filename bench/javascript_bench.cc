// The JavaScript sandbox (flowkit/javascript.h): each evaluation creates and destroys a Duktape
// heap, so the trivial case measures that fixed cost; the CSV case adds real work on 100 rows
// passed in as JSON (the shape of the text Appmixer's csv test flow builds with g_javascript).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "flowkit/javascript.h"
#include "flowkit/json.h"

namespace {

using flowkit::Json;

void BM_JavaScriptTrivial(benchmark::State& state) {
  for (auto _ : state) {
    auto r = flowkit::EvalJavaScript("return true", Json::Undefined());
    if (!r.ok()) std::abort();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_JavaScriptTrivial);

void BM_JavaScriptBuildCsv(benchmark::State& state) {
  Json rows = Json::MakeArray();
  for (int i = 0; i < state.range(0); ++i) {
    rows.Push(Json::MakeObject({{"name", "Jiří " + std::to_string(i)}, {"points", i * 7}}));
  }
  constexpr char kCode[] =
      "var lines = ['Name,Points'];\n"
      "for (var i = 0; i < $data.length; i++) lines.push($data[i].name + ',' + $data[i].points);\n"
      "return lines.join('\\n') + '\\n';";
  for (auto _ : state) {
    auto r = flowkit::EvalJavaScript(kCode, rows);
    if (!r.ok()) std::abort();
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_JavaScriptBuildCsv)->Arg(100)->Arg(1000);

}  // namespace
