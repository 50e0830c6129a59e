#include "engine/quota_limiter.h"

#include <algorithm>
#include <utility>

namespace flowkit::engine {
namespace {

int64_t NextFixedWindow(const QuotaRule& rule, int64_t now_ms) {
  if (rule.start_of_next_window) {
    // A callback that does not move forward would pin the window shut; never end before `now`.
    return std::max(rule.start_of_next_window(now_ms), now_ms + 1);
  }
  return (now_ms / rule.window_ms + 1) * rule.window_ms;
}

bool PerUser(const QuotaRule& rule, const QuotaSpec& spec) {
  return rule.per_user || (spec.scope.IsObject() && spec.scope.Contains("userId"));
}

}  // namespace

QuotaLimiter::QuotaLimiter(std::shared_ptr<const QuotaRegistry> registry) : registry_(std::move(registry)) {}

bool QuotaLimiter::Limits(const QuotaSpec& spec) const {
  if (spec.concurrency) return true;
  const std::vector<QuotaRule>* rules = registry_ != nullptr ? registry_->Find(spec.manager) : nullptr;
  if (rules == nullptr) return false;
  return std::any_of(rules->begin(), rules->end(), [&](const QuotaRule& rule) {
    return std::find(spec.resources.begin(), spec.resources.end(), rule.resource) != spec.resources.end();
  });
}

std::vector<QuotaLimiter::Selected> QuotaLimiter::Select(const QuotaSpec& spec, std::string_view component_type,
                                                         std::string_view user_id,
                                                         QuotaRule* concurrency_rule) const {
  std::vector<Selected> selected;
  const std::vector<QuotaRule>* rules = registry_ != nullptr ? registry_->Find(spec.manager) : nullptr;
  if (rules != nullptr) {
    for (const QuotaRule& rule : *rules) {
      if (std::find(spec.resources.begin(), spec.resources.end(), rule.resource) == spec.resources.end()) continue;
      std::string key = spec.manager;
      key += '\x1f';
      key += rule.resource;
      key += '\x1f';
      key += std::to_string(static_cast<int>(rule.throttling));
      key += '\x1f';
      if (PerUser(rule, spec)) key += user_id;
      selected.push_back(Selected{std::move(key), &rule});
    }
  }
  // The manifest's own `concurrency` caps calls of this component type across its flows.
  if (spec.concurrency) {
    concurrency_rule->resource = "#" + std::string(component_type);
    concurrency_rule->limit = *spec.concurrency;
    concurrency_rule->throttling = QuotaThrottling::kConcurrency;
    concurrency_rule->fifo = true;
    concurrency_rule->per_user = false;
    std::string key = spec.manager + '\x1f' + concurrency_rule->resource + '\x1f';
    if (PerUser(*concurrency_rule, spec)) key += user_id;
    selected.push_back(Selected{std::move(key), concurrency_rule});
  }
  return selected;
}

void QuotaLimiter::Refresh(Bucket& bucket, int64_t now_ms) {
  const QuotaRule& rule = bucket.rule;
  switch (rule.throttling) {
    case QuotaThrottling::kWindowSliding:
      while (!bucket.grants.empty() && bucket.grants.front() + rule.window_ms <= now_ms) bucket.grants.pop_front();
      break;
    case QuotaThrottling::kWindowFixed:
      if (now_ms >= bucket.window_end_ms) {
        bucket.count = 0;
        bucket.window_end_ms = NextFixedWindow(rule, now_ms);
      }
      break;
    case QuotaThrottling::kConcurrency:
      break;
  }
  while (!bucket.waiters.empty() && bucket.waiters.front().retry_at_ms + kWaiterGraceMs < now_ms) {
    bucket.waiters.pop_front();  // gone (its flow stopped, or it was dropped): free the line
  }
}

bool QuotaLimiter::HasRoom(const Bucket& bucket, int64_t now_ms, int64_t* retry_at_ms) {
  const QuotaRule& rule = bucket.rule;
  switch (rule.throttling) {
    case QuotaThrottling::kWindowSliding:
      if (static_cast<int64_t>(bucket.grants.size()) < rule.limit) return true;
      // The oldest call inside the window leaves it first.
      *retry_at_ms = bucket.grants[bucket.grants.size() - static_cast<size_t>(rule.limit)] + rule.window_ms;
      return false;
    case QuotaThrottling::kWindowFixed:
      if (bucket.count < rule.limit) return true;
      *retry_at_ms = bucket.window_end_ms;
      return false;
    case QuotaThrottling::kConcurrency:
      if (bucket.running < rule.limit) return true;
      *retry_at_ms = now_ms + kConcurrencyPollMs;
      return false;
  }
  return true;
}

QuotaDecision QuotaLimiter::Acquire(const QuotaSpec& spec, std::string_view component_type,
                                    std::string_view user_id, std::string_view waiter, int64_t now_ms) {
  QuotaDecision decision;
  QuotaRule concurrency_rule;
  std::vector<Selected> selected = Select(spec, component_type, user_id, &concurrency_rule);
  if (selected.empty()) return decision;

  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Bucket*> buckets;
  buckets.reserve(selected.size());
  for (const Selected& s : selected) {
    auto it = buckets_.find(s.key);
    if (it == buckets_.end()) it = buckets_.emplace(s.key, Bucket{*s.rule, {}, 0, 0, 0, {}}).first;
    Refresh(it->second, now_ms);
    buckets.push_back(&it->second);
  }

  // All or nothing: look at every bucket before taking from any.
  int64_t retry_at = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    Bucket& b = *buckets[i];
    int64_t bucket_retry = now_ms;
    bool room = HasRoom(b, now_ms, &bucket_retry);
    if (room && b.rule.fifo && !b.waiters.empty() && b.waiters.front().id != waiter) {
      // Someone came first: look again when they do (the delayed queue keeps arrival order
      // among deliveries due at the same time).
      room = false;
      bucket_retry = std::max(now_ms, b.waiters.front().retry_at_ms);
    }
    if (!room) {
      decision.granted = false;
      retry_at = std::max(retry_at, bucket_retry);
      if (decision.reason.empty()) {
        decision.reason = "quota '" + spec.manager + "' resource '" + b.rule.resource + "' is exhausted";
      }
    }
  }
  if (!decision.granted) {
    decision.retry_at_ms = std::max(retry_at, now_ms + 1);
    for (Bucket* b : buckets) {
      if (!b->rule.fifo) continue;
      auto mine = std::find_if(b->waiters.begin(), b->waiters.end(), [&](const Waiter& w) { return w.id == waiter; });
      if (mine == b->waiters.end()) {
        b->waiters.push_back(Waiter{std::string(waiter), decision.retry_at_ms});
      } else {
        mine->retry_at_ms = decision.retry_at_ms;
      }
    }
    return decision;
  }
  for (size_t i = 0; i < buckets.size(); ++i) {
    Bucket& b = *buckets[i];
    switch (b.rule.throttling) {
      case QuotaThrottling::kWindowSliding:
        b.grants.push_back(now_ms);
        break;
      case QuotaThrottling::kWindowFixed:
        ++b.count;
        break;
      case QuotaThrottling::kConcurrency:
        ++b.running;
        decision.lease.buckets.push_back(selected[i].key);
        break;
    }
    if (b.rule.fifo && !b.waiters.empty() && b.waiters.front().id == waiter) b.waiters.pop_front();
  }
  return decision;
}

void QuotaLimiter::Release(const QuotaLease& lease) {
  if (lease.buckets.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& key : lease.buckets) {
    auto it = buckets_.find(key);
    if (it != buckets_.end() && it->second.running > 0) --it->second.running;
  }
}

bool QuotaLimiter::WouldWait(const QuotaSpec& spec, std::string_view component_type, std::string_view user_id,
                             int64_t now_ms) const {
  QuotaRule concurrency_rule;
  std::vector<Selected> selected = Select(spec, component_type, user_id, &concurrency_rule);
  if (selected.empty()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  for (const Selected& s : selected) {
    auto it = buckets_.find(s.key);
    if (it == buckets_.end()) continue;
    const Bucket& b = it->second;
    const QuotaRule& rule = b.rule;
    bool full = false;
    switch (rule.throttling) {
      case QuotaThrottling::kWindowSliding: {
        // Grants are appended in time order: the ones still inside the window are a suffix.
        auto inside = std::upper_bound(b.grants.begin(), b.grants.end(), now_ms - rule.window_ms);
        full = b.grants.end() - inside >= rule.limit;
        break;
      }
      case QuotaThrottling::kWindowFixed:
        full = now_ms < b.window_end_ms && b.count >= rule.limit;
        break;
      case QuotaThrottling::kConcurrency:
        full = b.running >= rule.limit;
        break;
    }
    if (full) return true;
    if (rule.fifo && std::any_of(b.waiters.begin(), b.waiters.end(),
                                 [&](const Waiter& w) { return w.retry_at_ms + kWaiterGraceMs >= now_ms; })) {
      return true;
    }
  }
  return false;
}

}  // namespace flowkit::engine
