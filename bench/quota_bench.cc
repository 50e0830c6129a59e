// The cost quotas add to a component call: one Acquire (and Release for concurrency rules) on
// the engine's QuotaLimiter, per rule kind, with every call granted (a budget large enough) or
// every call refused (a full window).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "engine/quota_limiter.h"
#include "flowkit/quota.h"

namespace flowkit {
namespace {

std::shared_ptr<QuotaRegistry> Registry(QuotaThrottling throttling, int64_t limit) {
  QuotaRule rule;
  rule.resource = "requests";
  rule.limit = limit;
  rule.window_ms = 1000;
  rule.throttling = throttling;
  rule.per_user = true;
  rule.fifo = true;
  auto registry = std::make_shared<QuotaRegistry>();
  (void)registry->Register("acme:crm", {rule});
  return registry;
}

QuotaSpec Spec() {
  QuotaSpec spec;
  spec.manager = "acme:crm";
  spec.resources = {"requests"};
  return spec;
}

// Granted: a sliding window of 1000 per second, the clock moving 1 ms per call (so the window
// holds up to 1000 grants and drops one per call).
void BM_QuotaAcquireSlidingGranted(benchmark::State& state) {
  engine::QuotaLimiter limiter(Registry(QuotaThrottling::kWindowSliding, 1000));
  const QuotaSpec spec = Spec();
  int64_t now = 0;
  for (auto _ : state) {
    engine::QuotaDecision d = limiter.Acquire(spec, "acme.crm.core.Find", "user-1", "message", now++);
    benchmark::DoNotOptimize(d.granted);
  }
}
BENCHMARK(BM_QuotaAcquireSlidingGranted);

// Refused: the window is full; each call learns when to come back (and keeps its fifo place).
void BM_QuotaAcquireSlidingRefused(benchmark::State& state) {
  engine::QuotaLimiter limiter(Registry(QuotaThrottling::kWindowSliding, 1));
  const QuotaSpec spec = Spec();
  (void)limiter.Acquire(spec, "acme.crm.core.Find", "user-1", "first", 0);
  for (auto _ : state) {
    engine::QuotaDecision d = limiter.Acquire(spec, "acme.crm.core.Find", "user-1", "waiting", 1);
    benchmark::DoNotOptimize(d.retry_at_ms);
  }
}
BENCHMARK(BM_QuotaAcquireSlidingRefused);

void BM_QuotaAcquireReleaseConcurrency(benchmark::State& state) {
  engine::QuotaLimiter limiter(Registry(QuotaThrottling::kConcurrency, 15));
  const QuotaSpec spec = Spec();
  for (auto _ : state) {
    engine::QuotaDecision d = limiter.Acquire(spec, "acme.crm.core.Find", "user-1", "message", 0);
    limiter.Release(d.lease);
  }
}
BENCHMARK(BM_QuotaAcquireReleaseConcurrency);

}  // namespace
}  // namespace flowkit
