#include "engine/locks.h"

#include <chrono>

namespace flowkit::engine {

class LockTable::Handle final : public LockHandle {
 public:
  Handle(LockTable* table, std::string name, uint64_t token, const Clock* clock)
      : table_(table), name_(std::move(name)), token_(token), clock_(clock) {}
  ~Handle() override { Unlock(); }

  Status Extend(int64_t ttl_ms) override {
    if (released_) return Status::FailedPrecondition("lock '" + name_ + "' was already released");
    return table_->Extend(name_, token_, clock_->NowMillis() + ttl_ms);
  }

  void Unlock() override {
    if (released_) return;
    released_ = true;
    table_->Release(name_, token_);
  }

 private:
  LockTable* table_;
  std::string name_;
  uint64_t token_;
  const Clock* clock_;
  bool released_ = false;
};

Result<std::unique_ptr<LockHandle>> LockTable::Acquire(const std::string& name, const LockOptions& options,
                                                       const Clock& clock) {
  std::unique_lock<std::mutex> lock(mu_);
  for (int attempt = 0;; ++attempt) {
    const int64_t now = clock.NowMillis();
    auto it = held_.find(name);
    if (it == held_.end() || it->second.expires_ms <= now) {
      const uint64_t token = next_token_++;
      held_.insert_or_assign(name, Entry{token, now + options.ttl_ms});
      return std::unique_ptr<LockHandle>(new Handle(this, name, token, &clock));
    }
    if (attempt >= options.max_retries) break;
    released_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(1, options.retry_delay_ms)));
  }
  return Status::Unavailable("lock '" + name + "' is held by another call");
}

void LockTable::Release(const std::string& name, uint64_t token) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(name);
    if (it != held_.end() && it->second.token == token) held_.erase(it);
  }
  released_.notify_all();
}

Status LockTable::Extend(const std::string& name, uint64_t token, int64_t expires_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(name);
  if (it == held_.end() || it->second.token != token) {
    return Status::FailedPrecondition("lock '" + name + "' expired and was taken by another call");
  }
  it->second.expires_ms = expires_ms;
  return Status::OK();
}

}  // namespace flowkit::engine
