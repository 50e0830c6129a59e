#include "ops/metrics.h"

#include <fmt/format.h>

namespace flowkit::server {

Metrics::Metrics(const Router& router) {
  for (const auto& route : router.routes()) {
    auto slot = std::make_unique<Slot>();
    slot->method = route->method;
    slot->pattern = route->pattern;
    index_.emplace(route.get(), slot.get());
    slots_.push_back(std::move(slot));
  }
  auto unmatched = std::make_unique<Slot>();
  unmatched->method = "*";
  unmatched->pattern = "unmatched";
  slots_.push_back(std::move(unmatched));
}

void Metrics::Observe(const Route* route, int status, int64_t micros) {
  Slot* slot = slots_.back().get();
  if (route != nullptr) {
    auto it = index_.find(route);
    if (it != index_.end()) slot = it->second;
  }
  int cls = status / 100;
  if (cls >= 1 && cls <= 5) slot->by_class[static_cast<size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
  double seconds = static_cast<double>(micros) / 1e6;
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  slot->buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  slot->micros_sum.fetch_add(static_cast<uint64_t>(micros < 0 ? 0 : micros), std::memory_order_relaxed);
  slot->count.fetch_add(1, std::memory_order_relaxed);
}

namespace {

void Gauge(std::string& out, const char* name, const char* help, const char* type, double value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

}  // namespace

std::string Metrics::Render(const Sources& sources) const {
  std::string out;
  out.reserve(16 * 1024);
  out += "# HELP flowkit_http_requests_total HTTP requests answered, by route and status class.\n";
  out += "# TYPE flowkit_http_requests_total counter\n";
  for (const auto& slot : slots_) {
    for (size_t cls = 1; cls <= 5; ++cls) {
      uint64_t n = slot->by_class[cls].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out += fmt::format("flowkit_http_requests_total{{method=\"{}\",route=\"{}\",code=\"{}xx\"}} {}\n", slot->method,
                         slot->pattern, cls, n);
    }
  }
  out += "# HELP flowkit_http_request_duration_seconds Time from a complete request to its answer.\n";
  out += "# TYPE flowkit_http_request_duration_seconds histogram\n";
  for (const auto& slot : slots_) {
    uint64_t count = slot->count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    std::string labels = fmt::format("method=\"{}\",route=\"{}\"", slot->method, slot->pattern);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += slot->buckets[i].load(std::memory_order_relaxed);
      out += fmt::format("flowkit_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i],
                         cumulative);
    }
    cumulative += slot->buckets[kBuckets.size()].load(std::memory_order_relaxed);
    out += fmt::format("flowkit_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, cumulative);
    out += fmt::format("flowkit_http_request_duration_seconds_sum{{{}}} {}\n", labels,
                       static_cast<double>(slot->micros_sum.load(std::memory_order_relaxed)) / 1e6);
    out += fmt::format("flowkit_http_request_duration_seconds_count{{{}}} {}\n", labels, count);
  }
  if (sources.engine != nullptr) {
    const EngineStats& e = *sources.engine;
    Gauge(out, "flowkit_messages_sent_total", "Messages emitted by components.", "counter", static_cast<double>(e.messages_sent));
    Gauge(out, "flowkit_hops_total", "Component calls completed (deliveries).", "counter", static_cast<double>(e.deliveries));
    Gauge(out, "flowkit_component_errors_total", "Component calls that failed.", "counter", static_cast<double>(e.errors));
    Gauge(out, "flowkit_retries_total", "Deliveries retried after a failure.", "counter", static_cast<double>(e.retries));
    Gauge(out, "flowkit_dead_letters_total", "Messages moved to the dead-letter store.", "counter", static_cast<double>(e.dead_letters));
    Gauge(out, "flowkit_quota_waits_total", "Component calls put back to wait for their quota.", "counter", static_cast<double>(e.quota_waits));
    Gauge(out, "flowkit_queue_depth", "Deliveries queued or running.", "gauge", static_cast<double>(e.in_flight));
    Gauge(out, "flowkit_timers_pending", "Timers waiting to fire.", "gauge", static_cast<double>(e.timers_pending));
    Gauge(out, "flowkit_running_flows", "Flows running.", "gauge", static_cast<double>(e.running_flows));
  }
  if (sources.http != nullptr) {
    const HttpServerStats& h = *sources.http;
    Gauge(out, "flowkit_http_connections_open", "Open HTTP connections.", "gauge", static_cast<double>(h.connections_open));
    Gauge(out, "flowkit_http_connections_accepted_total", "HTTP connections accepted.", "counter", static_cast<double>(h.connections_accepted));
    Gauge(out, "flowkit_http_connections_rejected_total", "HTTP connections refused over the limit.", "counter", static_cast<double>(h.connections_rejected));
    Gauge(out, "flowkit_http_requests_in_flight", "Requests waiting for their answer.", "gauge", static_cast<double>(h.requests_in_flight));
    Gauge(out, "flowkit_http_limit_rejections_total", "Requests refused by size or time limits (400/408/413/431).", "counter", static_cast<double>(h.limit_rejections));
    Gauge(out, "flowkit_http_bytes_received_total", "Bytes received.", "counter", static_cast<double>(h.bytes_in));
    Gauge(out, "flowkit_http_bytes_sent_total", "Bytes sent.", "counter", static_cast<double>(h.bytes_out));
    out += "# HELP flowkit_http_responses_total HTTP responses by status class (including server-side rejections).\n";
    out += "# TYPE flowkit_http_responses_total counter\n";
    for (size_t cls = 1; cls <= 5; ++cls) {
      out += fmt::format("flowkit_http_responses_total{{code=\"{}xx\"}} {}\n", cls, h.responses_by_class[cls]);
    }
  }
  if (sources.insights != nullptr) {
    const InsightsStats& i = *sources.insights;
    Gauge(out, "flowkit_insights_stored_total", "Insights records stored.", "counter", static_cast<double>(i.stored));
    Gauge(out, "flowkit_insights_dropped_total", "Insights records dropped (queue overflow).", "counter", static_cast<double>(i.dropped));
    Gauge(out, "flowkit_insights_queued", "Insights records waiting to be stored.", "gauge", static_cast<double>(i.queued));
  }
  Gauge(out, "flowkit_api_queue_depth", "API calls waiting for a handler thread.", "gauge", static_cast<double>(sources.api_queue));
  Gauge(out, "flowkit_uptime_seconds", "Seconds since the server started.", "gauge", static_cast<double>(sources.uptime_s));
  return out;
}

}  // namespace flowkit::server
