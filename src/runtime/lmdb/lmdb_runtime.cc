// The LMDB runtime: one LMDB environment in the data directory, four named databases.
//
//   meta           "schema_version" → "1" (decimal)
//   queue          work id → queue record (queue_record.h: flow id, visible_at_ms, body)
//   queue_by_flow  flow id → work id, MDB_DUPSORT (one sorted duplicate per queued item), so
//                  ForEachQueued(flow) and DropFlow read only that flow's entries in id order.
//                  Work with an empty flow id is not indexed (it belongs to no flow).
//   state          state key → value
//
// Keeping `queue` keyed by the bare id (rather than prefixing ids with their flow) keeps an
// ack a point lookup by the id alone — the engine acks by id — at the price of one index
// entry per queued item.
//
// Group commit: Commit() validates the hop, appends it to `pending_` and returns. One committer
// thread takes everything pending (at most max_batch), applies it in one write transaction,
// commits it (fsync unless sync=false, which opens the environment with MDB_NOSYNC), and then
// calls each `done`. Commits arriving meanwhile wait for the next batch, so the number of
// fsyncs follows the disk, not the number of hops. When a batch transaction fails it is
// aborted and its hops are retried one transaction each, so one bad hop (say, too large for the
// map) fails alone. DropFlow goes through the same queue, so it is ordered after every Commit
// that was called before it.
//
// One owner: LMDB lets several processes share an environment, but the engine assumes it is
// the only one scheduling the queued work, so a data directory must be opened by one process
// at a time (not enforced across processes). Within a process a second open of the same
// directory fails: LMDB forbids it, since closing either copy would drop the other's locks.
#include <fmt/format.h>
#include <lmdb.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "flowkit/runtime.h"
#include "runtime/hop_validation.h"
#include "runtime/lmdb/queue_record.h"
#include "util/data_dir.h"

namespace flowkit {
namespace {

constexpr int kSchemaVersion = 1;
constexpr std::string_view kSchemaVersionKey = "schema_version";
// Concurrent read transactions (one per ForEachQueued/GetState/... call in flight).
constexpr unsigned kMaxReaders = 512;
// Idle read transactions kept (reset, with their reader slot) for reuse by the next read.
constexpr size_t kIdleReaders = 32;

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

// Directories opened by this process (canonical paths): LMDB must not open one twice.
std::mutex g_open_mu;
std::set<std::string>& OpenPaths() {
  static auto* paths = new std::set<std::string>();
  return *paths;
}

// A DropFlow request travelling through the committer.
struct DropRequest {
  std::string flow_id;
  std::string state_prefix;
};

// One entry of the committer's queue: a hop, or a DropFlow when `drop` is set.
struct Pending {
  HopCommit hop;
  std::optional<DropRequest> drop;
  std::function<void(Status)> done;
};

class LmdbRuntime final : public Runtime {
 public:
  LmdbRuntime(const LmdbRuntimeOptions& options, std::string registered_path)
      : options_(options), registered_path_(std::move(registered_path)) {}

  ~LmdbRuntime() override {
    if (committer_.joinable()) {
      {
        std::lock_guard lock(mu_);
        stopping_ = true;
      }
      work_cv_.notify_one();
      committer_.join();  // drains everything queued before stopping_ was set
    }
    for (MDB_txn* txn : idle_readers_) mdb_txn_abort(txn);
    if (env_ != nullptr) mdb_env_close(env_);
    std::lock_guard lock(g_open_mu);
    OpenPaths().erase(registered_path_);
  }

  Status Open();

  void Commit(HopCommit hop, std::function<void(Status)> done) override {
    Status valid = runtime::ValidateHop(hop, max_key_bytes_);
    if (!valid.ok()) {
      done(std::move(valid));
      return;
    }
    Enqueue(Pending{std::move(hop), std::nullopt, std::move(done)});
  }

  Status ForEachQueued(std::string_view flow_id,
                       const std::function<bool(const QueuedWork&)>& fn) override;
  Result<std::optional<std::string>> GetState(std::string_view key) override;
  Status ForEachState(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) override;
  Status DropFlow(std::string_view flow_id, std::string_view state_prefix) override;
  RuntimeStats Stats() override;

 private:
  // A read transaction borrowed from the idle pool (or begun) and returned to it on scope exit.
  class ReadTxn {
   public:
    explicit ReadTxn(LmdbRuntime& rt) : rt_(rt) {}
    ~ReadTxn() {
      if (txn_ != nullptr) rt_.ReleaseReader(txn_);
    }
    ReadTxn(const ReadTxn&) = delete;
    ReadTxn& operator=(const ReadTxn&) = delete;
    Status Begin() { return rt_.AcquireReader(txn_); }
    MDB_txn* get() const { return txn_; }

   private:
    LmdbRuntime& rt_;
    MDB_txn* txn_ = nullptr;
  };

  // A cursor closed on scope exit.
  class Cursor {
   public:
    Cursor() = default;
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    ~Cursor() {
      if (cursor_ != nullptr) mdb_cursor_close(cursor_);
    }
    MDB_cursor** out() { return &cursor_; }
    MDB_cursor* get() const { return cursor_; }

   private:
    MDB_cursor* cursor_ = nullptr;
  };

  Status MdbError(int rc, std::string_view operation) const;
  Status AcquireReader(MDB_txn*& txn);
  void ReleaseReader(MDB_txn* txn);

  void Enqueue(Pending pending);
  void CommitterLoop();
  void ApplyBatch(std::vector<Pending>& batch);
  // Applies batch[begin, end) in one write transaction and commits it; on error nothing of it
  // is applied.
  Status ApplyInOneTransaction(std::vector<Pending>& batch, size_t begin, size_t end);
  Status ApplyHop(MDB_txn* txn, const HopCommit& hop);
  Status ApplyDrop(MDB_txn* txn, const DropRequest& drop);
  Status Ack(MDB_txn* txn, const std::string& id);
  Status Put(MDB_txn* txn, const QueuedWork& work);

  const LmdbRuntimeOptions options_;
  const std::string registered_path_;
  MDB_env* env_ = nullptr;
  MDB_dbi meta_ = 0;
  MDB_dbi queue_ = 0;
  MDB_dbi by_flow_ = 0;
  MDB_dbi state_ = 0;
  size_t max_key_bytes_ = 511;

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::vector<Pending> pending_;  // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
  std::thread committer_;

  // Used by the committer thread only.
  std::string scratch_flow_;

  std::mutex readers_mu_;
  std::vector<MDB_txn*> idle_readers_;  // guarded by readers_mu_

  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> transactions_{0};
};

Status LmdbRuntime::MdbError(int rc, std::string_view operation) const {
  if (rc == MDB_MAP_FULL) {
    return Status::ResourceExhausted(
        fmt::format("LMDB runtime at {} is full ({}: the map size of {} bytes is used up); raise "
                    "LmdbRuntimeOptions::map_size_bytes",
                    options_.path, operation, options_.map_size_bytes));
  }
  if (rc == MDB_TXN_FULL) {
    return Status::ResourceExhausted(fmt::format(
        "LMDB runtime at {}: {}: too many changes for one transaction", options_.path, operation));
  }
  return Status::IOError(
      fmt::format("LMDB runtime at {}: {}: {}", options_.path, operation, mdb_strerror(rc)));
}

Status LmdbRuntime::Open() {
  int rc = mdb_env_create(&env_);
  if (rc != 0) {
    env_ = nullptr;
    return MdbError(rc, "create environment");
  }
  if ((rc = mdb_env_set_maxdbs(env_, 4)) != 0) return MdbError(rc, "set max databases");
  if ((rc = mdb_env_set_mapsize(env_, static_cast<size_t>(options_.map_size_bytes))) != 0) {
    return MdbError(rc, "set map size");
  }
  if ((rc = mdb_env_set_maxreaders(env_, kMaxReaders)) != 0) return MdbError(rc, "set max readers");
  // MDB_NOTLS: read transactions are not tied to a thread (callers' threads vary, and idle
  // read transactions are reused across threads).
  unsigned flags = MDB_NOTLS | (options_.sync ? 0u : static_cast<unsigned>(MDB_NOSYNC));
  if ((rc = mdb_env_open(env_, options_.path.c_str(), flags, 0600)) != 0)
    return MdbError(rc, "open environment");
  max_key_bytes_ = static_cast<size_t>(mdb_env_get_maxkeysize(env_));
  // A process killed while reading leaves its reader slot behind; free such slots now.
  int dead = 0;
  if ((rc = mdb_reader_check(env_, &dead)) != 0) return MdbError(rc, "check stale readers");

  // The schema version is read before anything is written: a newer store is left untouched.
  bool current = false;
  {
    MDB_txn* txn = nullptr;
    if ((rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn)) != 0)
      return MdbError(rc, "begin read transaction");
    MDB_dbi meta = 0;
    rc = mdb_dbi_open(txn, "meta", 0, &meta);
    if (rc == 0) {
      MDB_val key = Val(kSchemaVersionKey);
      MDB_val value;
      rc = mdb_get(txn, meta, &key, &value);
      if (rc == 0) {
        std::string text(View(value));
        int stored = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), stored);
        if (ec != std::errc() || end != text.data() + text.size()) {
          mdb_txn_abort(txn);
          return Status::Corruption(fmt::format(
              "LMDB runtime at {}: unreadable schema version \"{}\"", options_.path, text));
        }
        Status check =
            util::CheckSchemaVersion("LMDB runtime", options_.path, stored, kSchemaVersion);
        if (!check.ok()) {
          mdb_txn_abort(txn);
          return check;
        }
        current = stored == kSchemaVersion;
      }
    }
    mdb_txn_abort(txn);
    if (rc != 0 && rc != MDB_NOTFOUND) return MdbError(rc, "read schema version");
  }

  MDB_txn* txn = nullptr;
  if ((rc = mdb_txn_begin(env_, nullptr, 0, &txn)) != 0)
    return MdbError(rc, "begin write transaction");
  struct Database {
    const char* name;
    unsigned flags;
    MDB_dbi* dbi;
  };
  for (const Database& db :
       {Database{"meta", 0, &meta_}, Database{"queue", 0, &queue_},
        Database{"queue_by_flow", MDB_DUPSORT, &by_flow_}, Database{"state", 0, &state_}}) {
    if ((rc = mdb_dbi_open(txn, db.name, MDB_CREATE | db.flags, db.dbi)) != 0) {
      mdb_txn_abort(txn);
      return MdbError(rc, fmt::format("open database {}", db.name));
    }
  }
  if (!current) {
    std::string version = std::to_string(kSchemaVersion);
    MDB_val key = Val(kSchemaVersionKey);
    MDB_val value = Val(version);
    if ((rc = mdb_put(txn, meta_, &key, &value, 0)) != 0) {
      mdb_txn_abort(txn);
      return MdbError(rc, "write schema version");
    }
  }
  if ((rc = mdb_txn_commit(txn)) != 0) return MdbError(rc, "commit schema");

  for (const char* file : {"data.mdb", "lock.mdb"}) {
    FLOWKIT_RETURN_IF_ERROR(
        util::MakeFilePrivate((std::filesystem::path(options_.path) / file).string()));
  }
  committer_ = std::thread([this] { CommitterLoop(); });
  return Status::OK();
}

Status LmdbRuntime::AcquireReader(MDB_txn*& txn) {
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      txn = idle_readers_.back();
      idle_readers_.pop_back();
    }
  }
  int rc = 0;
  if (txn != nullptr) {
    rc = mdb_txn_renew(txn);
    if (rc != 0) {
      mdb_txn_abort(txn);
      txn = nullptr;
    }
  }
  if (txn == nullptr) rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  if (rc != 0) {
    txn = nullptr;
    return MdbError(rc, "begin read transaction");
  }
  return Status::OK();
}

void LmdbRuntime::ReleaseReader(MDB_txn* txn) {
  mdb_txn_reset(txn);
  {
    std::lock_guard lock(readers_mu_);
    if (idle_readers_.size() < kIdleReaders) {
      idle_readers_.push_back(txn);
      return;
    }
  }
  mdb_txn_abort(txn);
}

void LmdbRuntime::Enqueue(Pending pending) {
  {
    std::unique_lock lock(mu_);
    if (!stopping_) {
      pending_.push_back(std::move(pending));
      lock.unlock();
      work_cv_.notify_one();
      return;
    }
  }
  pending.done(
      Status::Cancelled(fmt::format("LMDB runtime at {} is shutting down", options_.path)));
}

void LmdbRuntime::CommitterLoop() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return !pending_.empty() || stopping_; });
      if (pending_.empty()) return;  // stopping, and everything accepted has been applied
      if (pending_.size() <= options_.max_batch) {
        batch.swap(pending_);  // both vectors keep their capacity: no allocation per batch
      } else {
        auto cut = pending_.begin() + static_cast<std::ptrdiff_t>(options_.max_batch);
        std::move(pending_.begin(), cut, std::back_inserter(batch));
        pending_.erase(pending_.begin(), cut);
      }
    }
    ApplyBatch(batch);
    batch.clear();
  }
}

void LmdbRuntime::ApplyBatch(std::vector<Pending>& batch) {
  Status status = ApplyInOneTransaction(batch, 0, batch.size());
  if (status.ok() || batch.size() == 1) {
    for (Pending& p : batch) p.done(status);
    return;
  }
  // One hop may be the cause (too large, say): give each its own transaction and outcome.
  for (size_t i = 0; i < batch.size(); ++i) batch[i].done(ApplyInOneTransaction(batch, i, i + 1));
}

Status LmdbRuntime::ApplyInOneTransaction(std::vector<Pending>& batch, size_t begin, size_t end) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != 0) return MdbError(rc, "begin write transaction");
  uint64_t hops = 0;
  for (size_t i = begin; i < end; ++i) {
    const Pending& p = batch[i];
    Status status = p.drop ? ApplyDrop(txn, *p.drop) : ApplyHop(txn, p.hop);
    if (!status.ok()) {
      mdb_txn_abort(txn);
      return status;
    }
    if (!p.drop) ++hops;
  }
  if ((rc = mdb_txn_commit(txn)) != 0) return MdbError(rc, "commit write transaction");
  commits_.fetch_add(hops, std::memory_order_relaxed);
  transactions_.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

Status LmdbRuntime::ApplyHop(MDB_txn* txn, const HopCommit& hop) {
  for (const std::string& id : hop.acked) FLOWKIT_RETURN_IF_ERROR(Ack(txn, id));
  for (const QueuedWork& work : hop.enqueued) FLOWKIT_RETURN_IF_ERROR(Put(txn, work));
  for (const StateWrite& write : hop.state) {
    MDB_val key = Val(write.key);
    if (write.value) {
      MDB_val value = Val(*write.value);
      int rc = mdb_put(txn, state_, &key, &value, 0);
      if (rc != 0) return MdbError(rc, "write state");
    } else {
      int rc = mdb_del(txn, state_, &key, nullptr);
      if (rc != 0 && rc != MDB_NOTFOUND) return MdbError(rc, "delete state");
    }
  }
  return Status::OK();
}

Status LmdbRuntime::Ack(MDB_txn* txn, const std::string& id) {
  MDB_val key = Val(id);
  MDB_val record;
  int rc = mdb_get(txn, queue_, &key, &record);
  if (rc == MDB_NOTFOUND) return Status::OK();  // a cancelled timer that already fired, say
  if (rc != 0) return MdbError(rc, "read queued work");
  std::string_view flow;
  if (!runtime::DecodeQueueRecordFlow(View(record), flow)) {
    return Status::Corruption(
        fmt::format("LMDB runtime at {}: malformed queue record for id {}", options_.path, id));
  }
  // Copied: page memory returned by mdb_get is not guaranteed past the next write.
  scratch_flow_.assign(flow);
  if ((rc = mdb_del(txn, queue_, &key, nullptr)) != 0) return MdbError(rc, "delete queued work");
  if (!scratch_flow_.empty()) {
    MDB_val flow_key = Val(scratch_flow_);
    rc = mdb_del(txn, by_flow_, &flow_key, &key);
    if (rc != 0 && rc != MDB_NOTFOUND) return MdbError(rc, "delete flow index entry");
  }
  return Status::OK();
}

Status LmdbRuntime::Put(MDB_txn* txn, const QueuedWork& work) {
  MDB_val key = Val(work.id);
  const size_t size = runtime::QueueRecordSize(work);
  MDB_val record{size, nullptr};
  // MDB_RESERVE: LMDB hands out the space and the record is encoded straight into it.
  int rc = mdb_put(txn, queue_, &key, &record, MDB_NOOVERWRITE | MDB_RESERVE);
  bool index = !work.flow_id.empty();
  if (rc == MDB_KEYEXIST) {  // replacing: `record` now holds the existing record
    std::string_view old_flow;
    if (!runtime::DecodeQueueRecordFlow(View(record), old_flow)) {
      return Status::Corruption(fmt::format("LMDB runtime at {}: malformed queue record for id {}",
                                            options_.path, work.id));
    }
    if (old_flow == work.flow_id) {
      index = false;  // the index entry stays as it is
    } else if (!old_flow.empty()) {
      scratch_flow_.assign(old_flow);
      MDB_val flow_key = Val(scratch_flow_);
      rc = mdb_del(txn, by_flow_, &flow_key, &key);
      if (rc != 0 && rc != MDB_NOTFOUND) return MdbError(rc, "delete flow index entry");
    }
    record = MDB_val{size, nullptr};
    rc = mdb_put(txn, queue_, &key, &record, MDB_RESERVE);
  }
  if (rc != 0) return MdbError(rc, "write queued work");
  runtime::EncodeQueueRecord(work, static_cast<char*>(record.mv_data));
  if (index) {
    MDB_val flow_key = Val(work.flow_id);
    rc = mdb_put(txn, by_flow_, &flow_key, &key, MDB_NODUPDATA);
    if (rc != 0 && rc != MDB_KEYEXIST) return MdbError(rc, "write flow index entry");
  }
  return Status::OK();
}

Status LmdbRuntime::ApplyDrop(MDB_txn* txn, const DropRequest& drop) {
  std::vector<std::string> ids;
  {
    Cursor cursor;
    int rc = mdb_cursor_open(txn, by_flow_, cursor.out());
    if (rc != 0) return MdbError(rc, "open cursor");
    MDB_val flow_key = Val(drop.flow_id);
    MDB_val id;
    for (rc = mdb_cursor_get(cursor.get(), &flow_key, &id, MDB_SET_KEY); rc == 0;
         rc = mdb_cursor_get(cursor.get(), &flow_key, &id, MDB_NEXT_DUP)) {
      ids.emplace_back(View(id));
    }
    if (rc != MDB_NOTFOUND) return MdbError(rc, "read flow index");
  }
  for (const std::string& id : ids) {
    MDB_val key = Val(id);
    int rc = mdb_del(txn, queue_, &key, nullptr);
    if (rc != 0 && rc != MDB_NOTFOUND) return MdbError(rc, "delete queued work");
  }
  if (!ids.empty()) {
    MDB_val flow_key = Val(drop.flow_id);
    int rc = mdb_del(txn, by_flow_, &flow_key, nullptr);
    if (rc != 0 && rc != MDB_NOTFOUND) return MdbError(rc, "delete flow index");
  }
  // An empty prefix drops no state (never "all state"); a prefix longer than any key matches none.
  if (drop.state_prefix.empty() || drop.state_prefix.size() > max_key_bytes_) return Status::OK();
  Cursor cursor;
  int rc = mdb_cursor_open(txn, state_, cursor.out());
  if (rc != 0) return MdbError(rc, "open cursor");
  for (;;) {
    // Seek again after every delete: simple, and each seek is O(log n).
    MDB_val key = Val(drop.state_prefix);
    MDB_val value;
    rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND || (rc == 0 && !View(key).starts_with(drop.state_prefix)))
      return Status::OK();
    if (rc != 0) return MdbError(rc, "read state");
    if ((rc = mdb_cursor_del(cursor.get(), 0)) != 0) return MdbError(rc, "delete state");
  }
}

Status LmdbRuntime::ForEachQueued(std::string_view flow_id,
                                  const std::function<bool(const QueuedWork&)>& fn) {
  if (flow_id.size() > max_key_bytes_) return Status::OK();  // no flow id that long is indexed
  ReadTxn txn(*this);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin());
  QueuedWork work;
  auto decode = [&](const MDB_val& id, const MDB_val& record) -> Status {
    work.id.assign(View(id));
    if (!runtime::DecodeQueueRecord(View(record), work)) {
      return Status::Corruption(fmt::format("LMDB runtime at {}: malformed queue record for id {}",
                                            options_.path, work.id));
    }
    return Status::OK();
  };
  int rc = 0;
  if (flow_id.empty()) {
    Cursor cursor;
    if ((rc = mdb_cursor_open(txn.get(), queue_, cursor.out())) != 0)
      return MdbError(rc, "open cursor");
    MDB_val id;
    MDB_val record;
    for (rc = mdb_cursor_get(cursor.get(), &id, &record, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor.get(), &id, &record, MDB_NEXT)) {
      FLOWKIT_RETURN_IF_ERROR(decode(id, record));
      if (!fn(work)) return Status::OK();
    }
  } else {
    Cursor cursor;
    if ((rc = mdb_cursor_open(txn.get(), by_flow_, cursor.out())) != 0)
      return MdbError(rc, "open cursor");
    MDB_val flow_key = Val(flow_id);
    MDB_val id;
    for (rc = mdb_cursor_get(cursor.get(), &flow_key, &id, MDB_SET_KEY); rc == 0;
         rc = mdb_cursor_get(cursor.get(), &flow_key, &id, MDB_NEXT_DUP)) {
      MDB_val record;
      int get = mdb_get(txn.get(), queue_, &id, &record);
      if (get == MDB_NOTFOUND) {
        return Status::Corruption(
            fmt::format("LMDB runtime at {}: flow index names id {} that is not queued",
                        options_.path, View(id)));
      }
      if (get != 0) return MdbError(get, "read queued work");
      FLOWKIT_RETURN_IF_ERROR(decode(id, record));
      if (!fn(work)) return Status::OK();
    }
  }
  if (rc != MDB_NOTFOUND) return MdbError(rc, "walk queued work");
  return Status::OK();
}

Result<std::optional<std::string>> LmdbRuntime::GetState(std::string_view key) {
  if (key.empty() || key.size() > max_key_bytes_)
    return std::optional<std::string>();  // cannot be stored
  ReadTxn txn(*this);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin());
  MDB_val k = Val(key);
  MDB_val value;
  int rc = mdb_get(txn.get(), state_, &k, &value);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != 0) return MdbError(rc, "read state");
  return std::optional<std::string>(std::string(View(value)));
}

Status LmdbRuntime::ForEachState(
    std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& fn) {
  if (prefix.size() > max_key_bytes_) return Status::OK();
  ReadTxn txn(*this);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin());
  Cursor cursor;
  int rc = mdb_cursor_open(txn.get(), state_, cursor.out());
  if (rc != 0) return MdbError(rc, "open cursor");
  MDB_val key = Val(prefix);
  MDB_val value;
  for (rc = mdb_cursor_get(cursor.get(), &key, &value, prefix.empty() ? MDB_FIRST : MDB_SET_RANGE);
       rc == 0; rc = mdb_cursor_get(cursor.get(), &key, &value, MDB_NEXT)) {
    if (!View(key).starts_with(prefix)) return Status::OK();
    if (!fn(View(key), View(value))) return Status::OK();
  }
  if (rc != MDB_NOTFOUND) return MdbError(rc, "walk state");
  return Status::OK();
}

Status LmdbRuntime::DropFlow(std::string_view flow_id, std::string_view state_prefix) {
  if (flow_id.empty()) return Status::InvalidArgument("runtime DropFlow: empty flow id");
  std::promise<Status> outcome;
  std::future<Status> result = outcome.get_future();
  Enqueue(Pending{{},
                  DropRequest{std::string(flow_id), std::string(state_prefix)},
                  [&outcome](Status status) { outcome.set_value(std::move(status)); }});
  return result.get();
}

RuntimeStats LmdbRuntime::Stats() {
  RuntimeStats stats;
  stats.commits = commits_.load(std::memory_order_relaxed);
  stats.transactions = transactions_.load(std::memory_order_relaxed);
  ReadTxn txn(*this);
  if (!txn.Begin().ok()) return stats;
  MDB_stat st;
  if (mdb_stat(txn.get(), queue_, &st) == 0) stats.queued = st.ms_entries;
  if (mdb_stat(txn.get(), state_, &st) == 0) stats.state_keys = st.ms_entries;
  return stats;
}

}  // namespace

Result<std::unique_ptr<Runtime>> NewLmdbRuntime(const LmdbRuntimeOptions& options) {
  if (options.path.empty()) return Status::InvalidArgument("LMDB runtime: empty path");
  if (options.map_size_bytes <= 0) {
    return Status::InvalidArgument(
        fmt::format("LMDB runtime at {}: map_size_bytes must be positive", options.path));
  }
  if (options.max_batch == 0) {
    return Status::InvalidArgument(
        fmt::format("LMDB runtime at {}: max_batch must be at least 1", options.path));
  }
  FLOWKIT_RETURN_IF_ERROR(util::EnsurePrivateDirectory(options.path));
  std::error_code ec;
  std::string canonical = std::filesystem::canonical(options.path, ec).string();
  if (ec) return Status::IOError(fmt::format("LMDB runtime at {}: {}", options.path, ec.message()));
  {
    std::lock_guard lock(g_open_mu);
    if (!OpenPaths().insert(canonical).second) {
      return Status::FailedPrecondition(fmt::format(
          "LMDB runtime at {} is already open in this process (one owner per data directory)",
          options.path));
    }
  }
  auto runtime = std::make_unique<LmdbRuntime>(options, canonical);
  FLOWKIT_RETURN_IF_ERROR(runtime->Open());
  return std::unique_ptr<Runtime>(std::move(runtime));
}

}  // namespace flowkit
