// Prometheus metrics of flowkitd (GET /metrics, text exposition format 0.0.4).
//
// HTTP requests are counted per route pattern and status, with a latency histogram per route;
// engine, HTTP server and insights figures are read at render time. Observe is lock-free (a
// slot per route, fixed when the route table is built).
//
// Threading: thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/router.h"
#include "flowkit/engine.h"
#include "flowkit/insights.h"
#include "http/http_server.h"

namespace flowkit::server {

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  explicit Metrics(const Router& router);
  // `route` null = no route matched.
  void Observe(const Route* route, int status, int64_t micros);

  struct Sources {
    const EngineStats* engine = nullptr;
    const HttpServerStats* http = nullptr;
    const InsightsStats* insights = nullptr;
    uint64_t api_queue = 0;
    int64_t uptime_s = 0;
  };
  std::string Render(const Sources& sources) const;

 private:
  struct Slot {
    std::string method;
    std::string pattern;
    std::array<std::atomic<uint64_t>, 6> by_class{};  // [1..5] = 1xx..5xx
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last = +Inf
    std::atomic<uint64_t> micros_sum{0};
    std::atomic<uint64_t> count{0};
  };
  std::vector<std::unique_ptr<Slot>> slots_;  // last = unmatched
  std::unordered_map<const Route*, Slot*> index_;
};

}  // namespace flowkit::server
