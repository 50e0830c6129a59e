// Json::Parse / Json::Dump on a small (~200 B, a typical webhook body) and a medium (~10 KB,
// a page of API results) document.
#include <benchmark/benchmark.h>

#include <string>

#include "flowkit/json.h"

namespace {

std::string SmallDocument() {
  return R"({"id":"5f0c2d1e-8a3b-4c6d-9e7f-0a1b2c3d4e5f","event":"contact.updated",)"
         R"("created":"2024-05-01T12:34:56.789Z","data":{"name":"Jiří Novák",)"
         R"("email":"jiri@example.com","age":42,"score":97.5,"tags":["vip","eu"],"active":true}})";
}

std::string MediumDocument() {
  std::string out = R"({"page":1,"total":40,"items":[)";
  for (int i = 0; i < 40; ++i) {
    if (i > 0) out += ',';
    std::string n = std::to_string(i);
    out += R"({"id":)" + n + R"(,"uuid":"0d6f1c2e-4b7a-4e59-9a1c-3f2e5d6c7b)" +
           (i < 10 ? "0" : "") + n + R"(","name":"Customer )" + n + R"(","email":"customer)" + n +
           R"(@example.com","balance":)" + std::to_string(i * 12.75) + R"(,"verified":)" +
           (i % 2 ? "true" : "false") + R"(,"address":{"street":"Main Street )" + n +
           R"(","city":"Prague","zip":"11000"},"roles":["user","reader"],"note":null})";
  }
  out += "]}";
  return out;
}

void BM_JsonParse(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    auto parsed = flowkit::Json::Parse(text);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["doc_bytes"] = static_cast<double>(text.size());
}

void BM_JsonDump(benchmark::State& state, const std::string& text) {
  auto parsed = flowkit::Json::Parse(text);
  if (!parsed.ok()) {
    state.SkipWithError(parsed.status().ToString().c_str());
    return;
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    parsed->DumpTo(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
}

BENCHMARK_CAPTURE(BM_JsonParse, small, SmallDocument());
BENCHMARK_CAPTURE(BM_JsonParse, medium, MediumDocument());
BENCHMARK_CAPTURE(BM_JsonDump, small, SmallDocument());
BENCHMARK_CAPTURE(BM_JsonDump, medium, MediumDocument());

}  // namespace
