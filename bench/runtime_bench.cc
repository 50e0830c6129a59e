// Runtime adapters: hops/s through Commit (group commit for LMDB) and commit latency.
//
//   flowkit_bench --benchmark_filter=Runtime
//
// Each hop is what an engine hop writes: 1 ack (the previous item), 1 enqueue (a ~200-byte
// body) and 1 state write. N producer threads call Commit asynchronously, each keeping up to
// `window` hops in flight (window 1 = CommitSync, the latency of one lone commit). Counters:
// hops/s, and the latency from Commit to `done` (p50_us, p99_us) over every hop of the run.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/runtime.h"

namespace flowkit {
namespace {

constexpr int kMaxWindow = 4096;

using Clock = std::chrono::steady_clock;

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "flowkit-runtime-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ItemId(int thread, int64_t seq) {
  char id[48];
  std::snprintf(id, sizeof id, "bench-t%02d-%012lld", thread, static_cast<long long>(seq));
  return id;
}

using Window = std::counting_semaphore<kMaxWindow>;

// Runs the producers against the runtime `open` returns, for every benchmark iteration, and
// reports the counters.
void RunProducers(benchmark::State& state, int threads, int window_size,
                  const std::function<Result<std::unique_ptr<Runtime>>()>& open) {
  // The windows outlive the runtime, whose destructor joins the thread that releases them.
  std::vector<std::unique_ptr<Window>> windows;
  for (int t = 0; t < threads; ++t) windows.push_back(std::make_unique<Window>(window_size));
  // Enough hops per iteration to fill the window many times, few enough for a sequential fsync.
  const int hops_per_thread = std::min(20000, window_size * 50);
  auto opened = open();
  if (!opened.ok()) {
    state.SkipWithError(opened.status().ToString().c_str());
    return;
  }
  Runtime& runtime = **opened;
  const std::string body(200, 'b');
  std::vector<int64_t> seq(static_cast<size_t>(threads), 0);
  std::vector<int64_t> latencies_ns;
  int64_t hops = 0;
  for (auto _ : state) {
    std::vector<std::vector<int64_t>> latency(static_cast<size_t>(threads),
                                              std::vector<int64_t>(hops_per_thread));
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) {
      producers.emplace_back([&, t] {
        Window& window = *windows[static_cast<size_t>(t)];
        int64_t* slots = latency[static_cast<size_t>(t)].data();
        for (int i = 0; i < hops_per_thread; ++i) {
          window.acquire();
          int64_t& s = seq[static_cast<size_t>(t)];
          HopCommit hop;
          if (s > 0) hop.acked.push_back(ItemId(t, s - 1));
          hop.enqueued.push_back(QueuedWork{ItemId(t, s), "bench-flow", 0, body});
          hop.state.push_back(StateWrite{"bench/state/t" + std::to_string(t), std::to_string(s)});
          ++s;
          int64_t* slot = slots + i;
          const auto start = Clock::now();
          runtime.Commit(std::move(hop), [slot, start, &window](Status status) {
            *slot = status.ok() ? (Clock::now() - start).count() : -1;
            window.release();
          });
        }
        for (int i = 0; i < window_size; ++i) window.acquire();  // every hop completed
        window.release(window_size);
      });
    }
    for (std::thread& producer : producers) producer.join();
    for (const auto& per_thread : latency) {
      for (int64_t ns : per_thread) {
        if (ns < 0) {
          state.SkipWithError("a commit failed");
          return;
        }
        latencies_ns.push_back(ns);
      }
    }
    hops += int64_t{threads} * hops_per_thread;
  }
  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto percentile = [&](double p) {
    if (latencies_ns.empty()) return 0.0;
    size_t index = std::min(latencies_ns.size() - 1,
                            static_cast<size_t>(p * static_cast<double>(latencies_ns.size())));
    return static_cast<double>(latencies_ns[index]) / 1000.0;
  };
  state.counters["hops/s"] =
      benchmark::Counter(static_cast<double>(hops), benchmark::Counter::kIsRate);
  state.counters["p50_us"] = percentile(0.50);
  state.counters["p99_us"] = percentile(0.99);
  RuntimeStats stats = runtime.Stats();
  state.counters["hops/txn"] =
      stats.transactions == 0
          ? 0.0
          : static_cast<double>(stats.commits) / static_cast<double>(stats.transactions);
}

// Args: producer threads, sync (1 = fsync per transaction), window (hops in flight per thread).
void BM_RuntimeLmdbGroupCommit(benchmark::State& state) {
  TempDir dir;
  RunProducers(state, static_cast<int>(state.range(0)), static_cast<int>(state.range(2)),
               [&] { return NewLmdbRuntime({.path = dir.path(), .sync = state.range(1) != 0}); });
}
BENCHMARK(BM_RuntimeLmdbGroupCommit)
    ->ArgNames({"threads", "sync", "window"})
    ->Args({1, 1, 1})
    ->Args({1, 1, 512})
    ->Args({4, 1, 512})
    ->Args({8, 1, 512})
    ->Args({1, 0, 1})
    ->Args({1, 0, 512})
    ->Args({4, 0, 512})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Args: producer threads.
void BM_RuntimeMemoryCommit(benchmark::State& state) {
  RunProducers(state, static_cast<int>(state.range(0)), 512,
               [] { return Result<std::unique_ptr<Runtime>>(NewMemoryRuntime()); });
}
BENCHMARK(BM_RuntimeMemoryCommit)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace flowkit
