#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "flowkit/insights.h"
#include "util/js.h"

namespace flowkit {

Json InsightsRecord::ToJson() const {
  Json j = Json::MakeObject();
  j.Set("severity", severity);
  j.Set("componentType", component_type);
  j.Set("componentId", component_id);
  if (!port_type.empty()) j.Set("portType", port_type);
  if (!port.empty()) j.Set("port", port);
  if (!correlation_id.empty()) j.Set("correlationId", correlation_id);
  j.Set("gridTimestamp", js::FormatIso(time_ms));
  j.Set("flowId", flow_id);
  j.Set("userId", user_id);
  if (!message_id.empty()) j.Set("id", message_id);
  j.Set("msg", msg);
  return j;
}

struct MemoryInsights::Impl {
  size_t capacity;
  mutable std::mutex mu;
  std::deque<InsightsRecord> records;
};

MemoryInsights::MemoryInsights(size_t capacity) : impl_(std::make_unique<Impl>()) {
  impl_->capacity = capacity == 0 ? 1 : capacity;
}

MemoryInsights::~MemoryInsights() = default;

void MemoryInsights::Write(InsightsRecord record) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->records.size() >= impl_->capacity) impl_->records.pop_front();
  impl_->records.push_back(std::move(record));
}

std::vector<InsightsRecord> MemoryInsights::Query(const std::string& flow_id, const std::string& severity) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<InsightsRecord> out;
  for (const InsightsRecord& r : impl_->records) {
    if (!flow_id.empty() && r.flow_id != flow_id) continue;
    if (!severity.empty() && r.severity != severity) continue;
    out.push_back(r);
  }
  return out;
}

size_t MemoryInsights::size() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->records.size();
}

}  // namespace flowkit
