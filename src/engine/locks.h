// Named locks with a time to live (Appmixer's context.lock), in process.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "flowkit/clock.h"
#include "flowkit/component.h"

namespace flowkit::engine {

// Thread-safe. Expiry follows the given Clock; waiting between attempts uses real time.
class LockTable {
 public:
  // Takes `name`, waiting `retry_delay_ms` between up to `max_retries` further attempts while
  // someone else holds it unexpired. kUnavailable (retryable) when it stays held.
  // The handle must not outlive this table.
  Result<std::unique_ptr<LockHandle>> Acquire(const std::string& name, const LockOptions& options,
                                              const Clock& clock);

 private:
  class Handle;
  struct Entry {
    uint64_t token;
    int64_t expires_ms;
  };
  void Release(const std::string& name, uint64_t token);
  Status Extend(const std::string& name, uint64_t token, int64_t expires_ms);

  std::mutex mu_;
  std::condition_variable released_;
  std::map<std::string, Entry> held_;
  uint64_t next_token_ = 1;
};

}  // namespace flowkit::engine
