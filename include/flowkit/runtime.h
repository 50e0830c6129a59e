// The runtime role: the durable record of queued work (messages between components, timers,
// retries) and of component and flow state. The engine schedules work in memory; a Runtime is
// the log of record underneath it. Every hop — a component call and everything it changed — is
// one HopCommit: the work it consumed is acknowledged, the work it produced is queued, and its
// state writes are applied in one atomic transaction, so a crash can neither lose nor repeat a
// hop. At open, everything queued and not yet acknowledged is handed back to the engine
// (ForEachQueued), which schedules it again.
//
// Adapters: memory (NewMemoryRuntime: nothing survives the process), LMDB (NewLmdbRuntime: the
// embedded default, group commit), and later RabbitMQ + PostgreSQL through the same conformance
// suite (tests/runtime/runtime_conformance_test.cc).
//
// Threading: every method is thread-safe. Commit may be called from many threads at once; an
// adapter batches concurrent commits into one write transaction (group commit) and calls each
// `done` exactly once, after that batch is durable, from one of its own threads or inline. A
// `done` callback must not block and must not call Commit synchronously.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/status.h"

namespace flowkit {

// One unit of queued work as the runtime keeps it. The body is the engine's encoding (opaque to
// the adapter); the adapter only orders and identifies it.
struct QueuedWork {
  std::string id;             // unique among queued work; the key an ack names
  std::string flow_id;        // lets ForEachQueued/DropFlow select one flow's work
  int64_t visible_at_ms = 0;  // not to run before this time (timers, retries); 0 = now
  std::string body;
};

// A state write: `value` set, or the key deleted when `value` is nullopt.
struct StateWrite {
  std::string key;
  std::optional<std::string> value;
};

// Everything one hop changes, applied all or nothing. (The `{}` initializers let callers name
// only the fields they use, `{.acked = {id}}`, without GCC's -Wmissing-field-initializers.)
struct HopCommit {
  // Work consumed (or cancelled, e.g. a cleared timer). Acknowledging an id that is not queued
  // is not an error: a cancelled timer may already have fired.
  std::vector<std::string> acked{};
  // Work produced: outputs, timers, retries. An id already queued is replaced.
  std::vector<QueuedWork> enqueued{};
  // State writes, in order (a later write to the same key wins).
  std::vector<StateWrite> state{};

  bool empty() const { return acked.empty() && enqueued.empty() && state.empty(); }
};

struct RuntimeStats {
  uint64_t commits = 0;       // HopCommits applied
  uint64_t transactions = 0;  // write transactions (commits / transactions = group-commit factor)
  uint64_t queued = 0;        // work queued now
  uint64_t state_keys = 0;    // state keys stored now
};

class Runtime {
 public:
  virtual ~Runtime() = default;

  // Applies `hop` atomically. `done` is called exactly once: OK once the hop is durable (as far
  // as the adapter is durable), or the error (disk full, I/O error) with nothing of the hop
  // applied. During destruction, commits not yet applied complete with kCancelled. Work ids and
  // state keys must not be empty (kInvalidArgument, reported through `done`); the LMDB runtime
  // also limits them, and flow ids, to 511 bytes.
  virtual void Commit(HopCommit hop, std::function<void(Status)> done) = 0;

  // Commit, waiting for the outcome.
  Status CommitSync(HopCommit hop);

  // Calls `fn` for every queued work item (of `flow_id` only, when not empty), in id order.
  // `fn` returning false stops the walk.
  virtual Status ForEachQueued(std::string_view flow_id,
                               const std::function<bool(const QueuedWork&)>& fn) = 0;

  virtual Result<std::optional<std::string>> GetState(std::string_view key) = 0;
  // Calls `fn` for every state key that starts with `prefix`, in key order; false stops.
  virtual Status ForEachState(std::string_view prefix,
                              const std::function<bool(std::string_view key, std::string_view value)>& fn) = 0;

  // Removes all queued work of a flow and every state key starting with `state_prefix` (a
  // stopped or deleted flow), in one transaction, after every Commit called before it. An empty
  // `flow_id` is kInvalidArgument; an empty `state_prefix` drops no state. Waits for the
  // outcome, so it must not be called from a `done` callback.
  virtual Status DropFlow(std::string_view flow_id, std::string_view state_prefix) = 0;

  virtual RuntimeStats Stats() = 0;
};

// Keeps everything in memory; Commit completes inline.
std::unique_ptr<Runtime> NewMemoryRuntime();

struct LmdbRuntimeOptions {
  // Directory of the environment (created 0700 when missing; files 0600). One process owns a
  // directory at a time: LMDB would let several share it, but the engine assumes it alone
  // schedules the queued work (not enforced across processes; a second open of the same
  // directory within one process fails with kFailedPrecondition).
  std::string path;
  // Upper bound of the database size (LMDB's map size); writes past it fail with kResourceExhausted.
  // Default: 4 GiB.
  int64_t map_size_bytes = int64_t{4} << 30;
  // Largest number of hops one write transaction takes (one fsync per transaction).
  size_t max_batch = 4096;
  // false = no fsync per transaction (the OS writes back; a machine crash may lose the newest
  // hops, a process crash loses nothing). Default: fsync.
  bool sync = true;
};

// The embedded default. Fails with a clear message when the directory cannot be created or
// opened, or holds a runtime of a newer schema version (left untouched).
Result<std::unique_ptr<Runtime>> NewLmdbRuntime(const LmdbRuntimeOptions& options);

}  // namespace flowkit
