// The engine's quota bookkeeping: which calls may run now under the registered quota rules.
//
// A bucket is one rule's budget for one scope (app-wide, or one user). A call takes a unit of
// every bucket its manifest selects, all or nothing; a denied call learns when to try again and,
// for fifo rules, keeps its place in the bucket's line (by its delivery id) so later arrivals
// cannot overtake it. A waiter that does not come back within a grace period after its retry time
// (its flow stopped, say) loses its place, so an abandoned delivery never blocks a line.
//
// Budgets live in memory: after a restart every window starts empty (parked deliveries are in
// the durable queue and come back on their own).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/manifest.h"
#include "flowkit/quota.h"

namespace flowkit::engine {

// Units of concurrency buckets held by a running call; given back by QuotaLimiter::Release.
struct QuotaLease {
  std::vector<std::string> buckets;
};

struct QuotaDecision {
  bool granted = true;
  int64_t retry_at_ms = 0;  // when denied: when to try again
  std::string reason;       // when denied: which manager/resource is exhausted
  QuotaLease lease;         // when granted
};

class QuotaLimiter {
 public:
  // How long a concurrency-limited call waits before looking again; a window rule knows exactly.
  static constexpr int64_t kConcurrencyPollMs = 50;
  // How long past its retry time a fifo waiter keeps its place.
  static constexpr int64_t kWaiterGraceMs = 5000;

  explicit QuotaLimiter(std::shared_ptr<const QuotaRegistry> registry);

  // Whether `spec` selects any rule (false also when its manager has no rules).
  bool Limits(const QuotaSpec& spec) const;
  QuotaDecision Acquire(const QuotaSpec& spec, std::string_view component_type, std::string_view user_id,
                        std::string_view waiter, int64_t now_ms);
  void Release(const QuotaLease& lease);
  // Whether a new call of `spec` would have to wait now (no side effects).
  bool WouldWait(const QuotaSpec& spec, std::string_view component_type, std::string_view user_id,
                 int64_t now_ms) const;

 private:
  struct Waiter {
    std::string id;
    int64_t retry_at_ms = 0;
  };
  struct Bucket {
    QuotaRule rule;
    std::deque<int64_t> grants;  // sliding window: start times of the calls inside the window
    int64_t window_end_ms = 0;   // fixed window
    int64_t count = 0;           // fixed window: calls in the current window
    int64_t running = 0;         // concurrency
    std::deque<Waiter> waiters;  // fifo
  };
  struct Selected {
    std::string key;
    const QuotaRule* rule;
  };

  std::vector<Selected> Select(const QuotaSpec& spec, std::string_view component_type, std::string_view user_id,
                               QuotaRule* concurrency_rule) const;
  static void Refresh(Bucket& bucket, int64_t now_ms);
  // Whether the bucket has room now; else when it may have.
  static bool HasRoom(const Bucket& bucket, int64_t now_ms, int64_t* retry_at_ms);

  std::shared_ptr<const QuotaRegistry> registry_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace flowkit::engine
