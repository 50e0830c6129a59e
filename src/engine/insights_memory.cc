#include <algorithm>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "engine/insights_search.h"
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
  if (!id.empty()) j.Set("_id", id);
  j.Set("msg", msg);
  return j;
}

namespace {

bool Contains(const std::vector<std::string>& any_of, const std::string& value) {
  return any_of.empty() || std::find(any_of.begin(), any_of.end(), value) != any_of.end();
}

// Every filter of the query but paging.
bool MatchesFilters(const InsightsQuery& q, const internal::InsightsTextQuery& text, const InsightsRecord& r) {
  if (r.user_id != q.user_id) return false;
  if (!Contains(q.flow_ids, r.flow_id) || !Contains(q.component_ids, r.component_id)) return false;
  if (!q.severity.empty() && r.severity != q.severity) return false;
  if (!q.port_type.empty() && r.port_type != q.port_type) return false;
  if (q.from_ms && r.time_ms < *q.from_ms) return false;
  if (q.to_ms && r.time_ms >= *q.to_ms) return false;
  if (!text.words.empty()) {
    std::string search = internal::InsightsSearchText(internal::InsightsMsgText(r.msg), r.port, r.component_type);
    if (!internal::InsightsTextMatches(text, internal::InsightsTokens(search))) return false;
  }
  return true;
}

bool OlderThan(const InsightsRecord& a, const InsightsRecord& b) {
  return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.id < b.id;
}

int64_t FloorTo(int64_t t, int64_t step) {
  int64_t r = t % step;
  return r < 0 ? t - r - step : t - r;
}

}  // namespace

struct MemoryInsights::Impl {
  size_t capacity;
  const Clock* clock;
  mutable std::mutex mu;
  std::deque<InsightsRecord> records;  // write order; ids increase
  uint64_t next_seq = 1;
  InsightsStats stats;

  // The records matching the filters, in the query's sort order. REQUIRES: mu held.
  std::vector<const InsightsRecord*> Matching(const InsightsQuery& q) const {
    internal::InsightsTextQuery text = internal::ParseInsightsText(q.text);
    std::vector<const InsightsRecord*> out;
    for (const InsightsRecord& r : records) {
      if (MatchesFilters(q, text, r)) out.push_back(&r);
    }
    std::sort(out.begin(), out.end(), [&](const InsightsRecord* a, const InsightsRecord* b) {
      return q.sort == InsightsSort::kOldestFirst ? OlderThan(*a, *b) : OlderThan(*b, *a);
    });
    return out;
  }
};

MemoryInsights::MemoryInsights(size_t capacity, const Clock* clock) : impl_(std::make_unique<Impl>()) {
  impl_->capacity = capacity == 0 ? 1 : capacity;
  impl_->clock = clock != nullptr ? clock : SystemClock();
}

MemoryInsights::~MemoryInsights() = default;

void MemoryInsights::Write(InsightsRecord record) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  record.id = internal::FormatInsightsId(impl_->next_seq++);
  ++impl_->stats.accepted;
  if (impl_->records.size() >= impl_->capacity) {
    impl_->records.pop_front();
    ++impl_->stats.dropped;
  }
  impl_->records.push_back(std::move(record));
}

Result<InsightsPage> MemoryInsights::Query(const InsightsQuery& query) {
  FLOWKIT_RETURN_IF_ERROR(internal::ValidateInsightsQuery(query));
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<const InsightsRecord*> matching = impl_->Matching(query);
  InsightsPage page;
  page.total = matching.size();
  auto it = matching.begin();
  if (query.search_after) {
    InsightsRecord cursor;
    cursor.time_ms = query.search_after->time_ms;
    cursor.id = query.search_after->id;
    it = std::find_if(matching.begin(), matching.end(), [&](const InsightsRecord* r) {
      return query.sort == InsightsSort::kOldestFirst ? OlderThan(cursor, *r) : OlderThan(*r, cursor);
    });
  }
  size_t skip = std::min<size_t>(query.from, static_cast<size_t>(matching.end() - it));
  it += static_cast<std::ptrdiff_t>(skip);
  for (; it != matching.end() && page.hits.size() < query.size; ++it) page.hits.push_back(**it);
  if (query.size > 0 && page.hits.size() == query.size) {
    page.next = InsightsCursor{page.hits.back().time_ms, page.hits.back().id};
  }
  return page;
}

Result<std::vector<InsightsBucket>> MemoryInsights::Histogram(const InsightsQuery& query, int64_t bucket_ms) {
  if (bucket_ms <= 0) return Status::InvalidArgument("insights histogram: bucket_ms must be positive");
  InsightsQuery filters = query;
  filters.search_after.reset();
  FLOWKIT_RETURN_IF_ERROR(internal::ValidateInsightsQuery(filters));
  filters.sort = InsightsSort::kOldestFirst;
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<InsightsBucket> buckets;
  for (const InsightsRecord* r : impl_->Matching(filters)) {
    int64_t key = FloorTo(r->time_ms, bucket_ms);
    if (buckets.empty() || buckets.back().key_ms != key) buckets.push_back(InsightsBucket{key, 0, {}});
    ++buckets.back().doc_count;
    ++buckets.back().by_severity[r->severity];
  }
  return buckets;
}

Status MemoryInsights::Flush() { return Status::OK(); }

Status MemoryInsights::ApplyRetention(int64_t max_age_ms, uint64_t max_records) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::deque<InsightsRecord>& records = impl_->records;
  size_t before = records.size();
  if (max_age_ms > 0) {
    int64_t cutoff = impl_->clock->NowMillis() - max_age_ms;
    std::erase_if(records, [&](const InsightsRecord& r) { return r.time_ms < cutoff; });
  }
  if (max_records > 0 && records.size() > max_records) {
    // Keep the newest by (time, id): find the oldest record that stays.
    std::vector<const InsightsRecord*> order;
    order.reserve(records.size());
    for (const InsightsRecord& r : records) order.push_back(&r);
    auto keep_from = order.end() - static_cast<std::ptrdiff_t>(max_records);
    std::nth_element(order.begin(), keep_from, order.end(),
                     [](const InsightsRecord* a, const InsightsRecord* b) { return OlderThan(*a, *b); });
    InsightsRecord oldest_kept = **keep_from;
    std::erase_if(records, [&](const InsightsRecord& r) { return OlderThan(r, oldest_kept); });
  }
  impl_->stats.retention_deleted += before - records.size();
  return Status::OK();
}

InsightsStats MemoryInsights::Stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  InsightsStats stats = impl_->stats;
  stats.stored = stats.accepted;  // queryable as soon as written
  return stats;
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
