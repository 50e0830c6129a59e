// Engine hot path: messages through a chain of pass-through components on the memory runtime.
//
//   flowkit_bench --benchmark_filter=Engine
//
// Hops/s counts component deliveries (a 5-component chain after the trigger = 5 hops/message).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/component.h"
#include "flowkit/engine.h"
#include "flowkit/flow.h"
#include "flowkit/manifest.h"
#include "flowkit/modifier.h"
#include "flowkit/registry.h"
#include "flowkit/runtime.h"

namespace flowkit {
namespace {

std::atomic<int64_t> g_arrived{0};

class Hook : public Behaviour {
 public:
  Status Receive(Context& ctx) override { return ctx.Send("out", ctx.Input(kWebhookPort)->Content()["data"]); }
};

class Pass : public Behaviour {
 public:
  Status Receive(Context& ctx) override { return ctx.Send("out", ctx.Input("in")->Content()); }
};

class Sink : public Behaviour {
 public:
  Status Receive(Context&) override {
    g_arrived.fetch_add(1, std::memory_order_relaxed);
    return Status::OK();
  }
};

struct Setup {
  std::unique_ptr<Engine> engine;
  std::string flow_id;
};

// hook → p1 → p2 → p3 → p4 → sink: 5 hops per message.
Setup MakeChain(size_t workers, bool concurrent, std::shared_ptr<Runtime> runtime = nullptr) {
  auto reg = std::make_shared<ComponentRegistry>();
  auto mods = std::make_shared<ModifierRegistry>();
  (void)RegisterBuiltinModifiers(*mods);
  (void)reg->Register(*Manifest::Parse(R"({"name":"bench.b.core.Hook","webhook":true,"outPorts":["out"]})"),
                      [] { return std::make_unique<Hook>(); }, ComponentOptions{true});
  (void)reg->Register(*Manifest::Parse(R"({"name":"bench.b.core.Pass","inPorts":["in"],"outPorts":["out"]})"),
                      [] { return std::make_unique<Pass>(); }, ComponentOptions{concurrent});
  (void)reg->Register(*Manifest::Parse(R"({"name":"bench.b.core.Sink","inPorts":["in"]})"),
                      [] { return std::make_unique<Sink>(); }, ComponentOptions{concurrent});
  std::string flow = R"({"flow":{"hook":{"type":"bench.b.core.Hook"},)";
  std::string prev = "hook";
  for (int i = 1; i <= 4; ++i) {
    std::string id = "p" + std::to_string(i);
    flow += "\"" + id + R"(":{"type":"bench.b.core.Pass","source":{"in":{")" + prev + R"(":["out"]}}},)";
    prev = id;
  }
  flow += R"("sink":{"type":"bench.b.core.Sink","source":{"in":{")" + prev + R"(":["out"]}}}}})";
  auto parsed = Flow::Parse(flow, *reg, *mods);
  EngineOptions options;
  options.components = reg;
  options.modifiers = mods;
  options.workers = workers;
  options.runtime = std::move(runtime);
  Setup s;
  s.engine = std::move(Engine::Open(std::move(options))).value();
  s.flow_id = *s.engine->LoadFlow(*parsed);
  (void)s.engine->StartFlow(s.flow_id);
  return s;
}

// Each iteration: a burst of messages enters the chain; time until all reach the sink.
void RunBursts(benchmark::State& state, Setup& s) {
  constexpr int kBurst = 20000;
  const Json payload = Json::MakeObject({{"id", 1}, {"name", "flowkit"}, {"tags", Json::MakeArray({"a", "b"})}});
  int64_t messages = 0;
  for (auto _ : state) {
    const int64_t target = g_arrived.load() + kBurst;
    for (int i = 0; i < kBurst; ++i) {
      WebhookRequest req;
      req.data = payload;
      (void)s.engine->SubmitWebhook(s.flow_id, "hook", std::move(req), nullptr, true);
    }
    // Sleep rather than spin: on 2 cores a spinning waiter takes the CPU the workers need.
    while (g_arrived.load(std::memory_order_relaxed) < target) std::this_thread::sleep_for(std::chrono::microseconds(200));
    messages += kBurst;
  }
  state.counters["hops/s"] = benchmark::Counter(static_cast<double>(messages * 5), benchmark::Counter::kIsRate);
  state.counters["msgs/s"] = benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
}

// Throughput: a burst of messages enters the chain; time until all reach the sink.
void BM_EngineChainThroughput(benchmark::State& state) {
  Setup s = MakeChain(static_cast<size_t>(state.range(0)), state.range(1) != 0);
  RunBursts(state, s);
}
BENCHMARK(BM_EngineChainThroughput)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"workers", "concurrent"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);

// The same chain on the LMDB runtime: every hop is committed (ack + output + state) before its
// output moves on; group commit puts many hops into one fsync'd transaction (sync:1) or leaves
// write-back to the OS (sync:0).
void BM_EngineChainThroughputDurable(benchmark::State& state) {
  const std::string dir = std::filesystem::temp_directory_path() / ("flowkit-bench-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  LmdbRuntimeOptions ro;
  ro.path = dir;
  ro.sync = state.range(1) != 0;
  {
    auto runtime = NewLmdbRuntime(ro);
    if (!runtime.ok()) {
      state.SkipWithError(runtime.status().ToString().c_str());
      return;
    }
    Setup s = MakeChain(static_cast<size_t>(state.range(0)), true, std::move(runtime).value());
    RunBursts(state, s);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_EngineChainThroughputDurable)
    ->ArgsProduct({{2}, {1, 0}})
    ->ArgNames({"workers", "sync"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// Enqueue latency on the LMDB runtime (fsync on): one webhook at a time, from SubmitWebhook to
// its 202 — the request is durably queued (one group-commit transaction each, as nothing else
// is writing).
void BM_EngineEnqueueLatencyDurable(benchmark::State& state) {
  const std::string dir = std::filesystem::temp_directory_path() / ("flowkit-bench-enq-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  {
    LmdbRuntimeOptions ro;
    ro.path = dir;
    auto runtime = NewLmdbRuntime(ro);
    if (!runtime.ok()) {
      state.SkipWithError(runtime.status().ToString().c_str());
      return;
    }
    Setup s = MakeChain(2, true, std::move(runtime).value());
    std::vector<double> latencies_us;
    for (auto _ : state) {
      const auto start = std::chrono::steady_clock::now();
      std::atomic<bool> accepted{false};
      WebhookRequest req;
      req.data = Json::MakeObject({{"id", 1}});
      (void)s.engine->SubmitWebhook(s.flow_id, "hook", std::move(req), [&](WebhookResponse) { accepted = true; }, true);
      while (!accepted.load()) std::this_thread::yield();
      latencies_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(latencies_us.begin(), latencies_us.end());
    state.counters["p50_us"] = latencies_us[latencies_us.size() / 2];
    state.counters["p99_us"] = latencies_us[latencies_us.size() * 99 / 100];
    s.engine->WaitIdle(0, 10000);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_EngineEnqueueLatencyDurable)->Unit(benchmark::kMicrosecond)->UseRealTime()->Iterations(300);

// Latency: one message through the chain at a time, end to end (5 hops; time / 5 = one hop).
void BM_EngineChainLatency(benchmark::State& state) {
  Setup s = MakeChain(2, false);
  const Json payload = Json::MakeObject({{"id", 1}});
  for (auto _ : state) {
    const int64_t target = g_arrived.load() + 1;
    WebhookRequest req;
    req.data = payload;
    (void)s.engine->SubmitWebhook(s.flow_id, "hook", std::move(req), nullptr, true);
    while (g_arrived.load(std::memory_order_relaxed) < target) {
    }
  }
}
BENCHMARK(BM_EngineChainLatency)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace flowkit
