// Clock: where flowkit reads the time, so tests and hosts can control it.
//
// Threading: SystemClock() is thread-safe. ManualClock is thread-safe (atomic time).
#pragma once

#include <atomic>
#include <cstdint>

namespace flowkit {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (UTC).
  virtual int64_t NowMillis() const = 0;
};

// The process-wide wall clock. Never null; lives for the whole program.
Clock* SystemClock();

// A clock that moves only when told; starts at `start_ms`.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 0) : now_(start_ms) {}
  int64_t NowMillis() const override { return now_.load(std::memory_order_acquire); }
  void Set(int64_t ms) { now_.store(ms, std::memory_order_release); }
  void Advance(int64_t ms) { now_.fetch_add(ms, std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace flowkit
