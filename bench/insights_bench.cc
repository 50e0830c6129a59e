// Insights stores: how fast Write accepts records (the engine worker's cost), how fast they
// become durable (Write + Flush), and how long the GET /logs queries take on a filled store.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "flowkit/insights.h"

namespace flowkit {
namespace {

constexpr int64_t kT0 = 1700000000000;

class BenchDir {
 public:
  BenchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "flowkit-insights-bench-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

InsightsRecord BenchRecord(int64_t i, int64_t time_offset_ms) {
  InsightsRecord r;
  r.time_ms = kT0 + time_offset_ms;
  r.severity = i % 50 == 0 ? "error" : "info";
  r.user_id = i % 4 == 0 ? "user-b" : "user-a";
  r.flow_id = "flow-" + std::to_string(i % 10);
  r.component_id = "component-" + std::to_string(i % 5);
  r.component_type = "appmixer.utils.http.Request";
  r.port_type = i % 2 == 0 ? "in" : "out";
  r.port = r.port_type;
  r.correlation_id = "corr-" + std::to_string(i / 3);
  r.message_id = "msg-" + std::to_string(i);
  r.msg = Json::MakeObject({{"status", 200},
                            {"url", "https://api.example.com/v1/orders/" + std::to_string(i)},
                            {"body", Json::MakeObject({{"order", i}, {"customer", "Ada Lovelace"},
                                                       {"note", i % 100 == 1 ? "needle found here" : "routine"}})}});
  return r;
}

// Arg 0: memory, 1: SQLite.
std::unique_ptr<InsightsStore> OpenStore(int64_t kind, const BenchDir& dir) {
  if (kind == 0) return std::make_unique<MemoryInsights>(2000000);
  SqliteInsightsOptions options;
  options.dir = dir.path();
  options.max_queue = 1000000;
  auto store = NewSqliteInsights(options);
  return store.ok() ? std::move(store).value() : nullptr;
}

// The cost of building the benchmark's record alone, included in every Write figure below.
void BM_InsightsRecordBuild(benchmark::State& state) {
  int64_t i = 0;
  for (auto _ : state) {
    InsightsRecord r = BenchRecord(i, i);
    benchmark::DoNotOptimize(r);
    ++i;
  }
}
BENCHMARK(BM_InsightsRecordBuild);

void BM_InsightsWriteAccepted(benchmark::State& state) {
  BenchDir dir;
  auto store = OpenStore(state.range(0), dir);
  if (!store) return state.SkipWithError("cannot open store");
  int64_t i = 0;
  for (auto _ : state) {
    store->Write(BenchRecord(i, i));
    ++i;
  }
  (void)store->Flush();  // after the timed loop
  InsightsStats stats = store->Stats();
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(i), benchmark::Counter::kIsRate);
  state.counters["dropped"] = static_cast<double>(stats.dropped);
}
BENCHMARK(BM_InsightsWriteAccepted)->Arg(0)->Arg(1)->ArgName("sqlite")->UseRealTime();

// Each iteration writes 10000 records and waits until they are queryable.
void BM_InsightsWriteDurable(benchmark::State& state) {
  constexpr int kBatch = 10000;
  BenchDir dir;
  auto store = OpenStore(state.range(0), dir);
  if (!store) return state.SkipWithError("cannot open store");
  int64_t i = 0;
  for (auto _ : state) {
    for (int k = 0; k < kBatch; ++k, ++i) store->Write(BenchRecord(i, i));
    Status s = store->Flush();
    if (!s.ok()) return state.SkipWithError(s.ToString().c_str());
  }
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(i), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InsightsWriteDurable)->Arg(0)->Arg(1)->ArgName("sqlite")->UseRealTime()->Unit(benchmark::kMillisecond);

constexpr int64_t kQueryRecords = 200000;

// Arg 0: store kind; arg 1: the query — 0 newest page of a user (50 + total), 1 one flow's
// errors, 2 a text query, 3 a deep search_after page, 4 an hourly histogram of a day.
void BM_InsightsQuery(benchmark::State& state) {
  // Filled once per store kind and kept for the process: the benchmark library calls this
  // function several times while it settles the iteration count.
  static BenchDir dir;
  static std::unique_ptr<InsightsStore> stores[2];
  std::unique_ptr<InsightsStore>& store = stores[state.range(0)];
  if (!store) {
    store = OpenStore(state.range(0), dir);
    if (!store) return state.SkipWithError("cannot open store");
    for (int64_t i = 0; i < kQueryRecords; ++i) store->Write(BenchRecord(i, i * 400));  // ~22 hours
    if (!store->Flush().ok()) return state.SkipWithError("flush failed");
  }

  InsightsQuery q;
  q.user_id = "user-a";
  switch (state.range(1)) {
    case 1:
      q.flow_ids = {"flow-0"};
      q.severity = "error";
      break;
    case 2:
      q.text = "needle";
      break;
    case 3:
      q.search_after = InsightsCursor{kT0 + kQueryRecords * 200, "ffffffffffffffff"};  // half way back
      break;
    default:
      break;
  }
  uint64_t total = 0;
  for (auto _ : state) {
    if (state.range(1) == 4) {
      auto buckets = store->Histogram(q, 3600000);
      benchmark::DoNotOptimize(buckets);
      total = buckets.ok() ? buckets->size() : 0;
    } else {
      auto page = store->Query(q);
      if (!page.ok()) return state.SkipWithError(page.status().ToString().c_str());
      total = page->total;
      benchmark::DoNotOptimize(page);
    }
  }
  state.counters["total"] = static_cast<double>(total);
}
BENCHMARK(BM_InsightsQuery)
    ->ArgsProduct({{0, 1}, {0, 1, 2, 3, 4}})
    ->ArgNames({"sqlite", "query"})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace flowkit
