// The memory runtime: the queue and the state in two ordered maps under one mutex. Commit
// applies inline and calls `done` before returning, so it sits cheaply on the engine's hot path.
// Walks (ForEachQueued, ForEachState) copy a chunk at a time and call `fn` without the lock, so
// `fn` may call back into the runtime.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "flowkit/runtime.h"
#include "runtime/hop_validation.h"

namespace flowkit {
namespace {

// How many entries a walk copies per lock: bounds both the copy and the time `fn` waits.
constexpr size_t kWalkChunk = 256;

class MemoryRuntime final : public Runtime {
 public:
  void Commit(HopCommit hop, std::function<void(Status)> done) override {
    Status valid = runtime::ValidateHop(hop);
    if (!valid.ok()) {
      done(std::move(valid));
      return;
    }
    {
      std::lock_guard lock(mu_);
      for (const std::string& id : hop.acked) queue_.erase(id);
      for (QueuedWork& work : hop.enqueued) {
        std::string id = work.id;
        queue_.insert_or_assign(std::move(id), std::move(work));
      }
      for (StateWrite& write : hop.state) {
        if (write.value) {
          state_.insert_or_assign(std::move(write.key), std::move(*write.value));
        } else {
          state_.erase(write.key);
        }
      }
      ++commits_;
    }
    done(Status::OK());
  }

  Status ForEachQueued(std::string_view flow_id,
                       const std::function<bool(const QueuedWork&)>& fn) override {
    std::vector<QueuedWork> chunk;
    std::string from;  // "" = from the first id
    for (;;) {
      chunk.clear();
      bool at_end = true;
      {
        std::lock_guard lock(mu_);
        size_t visited = 0;
        for (auto it = queue_.lower_bound(from); it != queue_.end(); ++it) {
          if (visited++ == kWalkChunk) {
            from = it->first;  // the first id of the next chunk
            at_end = false;
            break;
          }
          if (flow_id.empty() || it->second.flow_id == flow_id) chunk.push_back(it->second);
        }
      }
      for (const QueuedWork& work : chunk) {
        if (!fn(work)) return Status::OK();
      }
      if (at_end) return Status::OK();
    }
  }

  Result<std::optional<std::string>> GetState(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto it = state_.find(key);
    if (it == state_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  Status ForEachState(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) override {
    std::vector<std::pair<std::string, std::string>> chunk;
    std::string from(prefix);
    for (;;) {
      chunk.clear();
      bool more = false;
      {
        std::lock_guard lock(mu_);
        for (auto it = state_.lower_bound(from);
             it != state_.end() && it->first.starts_with(prefix); ++it) {
          if (chunk.size() == kWalkChunk) {
            from = it->first;  // the first key of the next chunk
            more = true;
            break;
          }
          chunk.emplace_back(it->first, it->second);
        }
      }
      for (const auto& [key, value] : chunk) {
        if (!fn(key, value)) return Status::OK();
      }
      if (!more) return Status::OK();
    }
  }

  Status DropFlow(std::string_view flow_id, std::string_view state_prefix) override {
    if (flow_id.empty()) return Status::InvalidArgument("runtime DropFlow: empty flow id");
    std::lock_guard lock(mu_);
    std::erase_if(queue_, [&](const auto& entry) { return entry.second.flow_id == flow_id; });
    if (!state_prefix.empty()) {  // an empty prefix drops no state (never "all state")
      auto it = state_.lower_bound(state_prefix);
      while (it != state_.end() && it->first.starts_with(state_prefix)) it = state_.erase(it);
    }
    return Status::OK();
  }

  RuntimeStats Stats() override {
    std::lock_guard lock(mu_);
    return RuntimeStats{.commits = commits_,
                        .transactions = commits_,
                        .queued = queue_.size(),
                        .state_keys = state_.size()};
  }

 private:
  std::mutex mu_;
  std::map<std::string, QueuedWork, std::less<>> queue_;   // guarded by mu_
  std::map<std::string, std::string, std::less<>> state_;  // guarded by mu_
  uint64_t commits_ = 0;                                   // guarded by mu_
};

}  // namespace

std::unique_ptr<Runtime> NewMemoryRuntime() { return std::make_unique<MemoryRuntime>(); }

}  // namespace flowkit
