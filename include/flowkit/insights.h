// Insights: the log of every message a component received or sent and every error, in the
// shape of Appmixer's insights records. The engine writes to an InsightsSink; an InsightsStore
// also answers the queries behind GET/POST /logs (filters, time range, text, paging, histogram).
// Adapters: MemoryInsights (here) and SQLite (NewSqliteInsights), both run through one
// conformance suite.
//
// Threading: every method of InsightsSink and InsightsStore is thread-safe. Write is called
// from engine worker threads concurrently and never blocks for long: a store batches or drops,
// it never stalls a worker. Query, Histogram, Flush and ApplyRetention may block on I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "flowkit/clock.h"
#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit {

enum class InsightsLevel : uint8_t {
  kAll,     // every in/out message and every error
  kErrors,  // errors only
  kNone,
};

struct InsightsRecord {
  // Assigned by the store at Write (any value the writer sets is replaced): unique within the
  // store, fixed-width, and increasing in write order, so (time_ms, id) orders records totally.
  std::string id;
  int64_t time_ms = 0;
  std::string severity;  // "info" | "error"
  std::string flow_id;
  std::string user_id;
  std::string component_id;
  std::string component_type;
  std::string port_type;  // "in" | "out" | "" (errors, logs)
  std::string port;
  std::string correlation_id;
  std::string message_id;
  Json msg;  // the payload (truncated past the engine's limit) or the error/log entry

  // Appmixer's log record: {severity, componentType, componentId, portType, port,
  // correlationId, gridTimestamp, flowId, userId, msg, id, _id}; `_id` is the store's id.
  Json ToJson() const;
};

class InsightsSink {
 public:
  virtual ~InsightsSink() = default;
  virtual void Write(InsightsRecord record) = 0;
};

enum class InsightsSort : uint8_t {
  kNewestFirst,  // time descending, then id descending (Appmixer's default gridTimestamp:desc)
  kOldestFirst,  // time ascending, then id ascending
};

// A position in the sort order: the (time, id) of the last record of the previous page.
struct InsightsCursor {
  int64_t time_ms = 0;
  std::string id;
};

// The most records one page may ask for.
inline constexpr size_t kMaxInsightsPageSize = 10000;

// What to find. Empty filters match anything; all given filters must hold.
struct InsightsQuery {
  // REQUIRED: only this user's records ever match (an empty user_id is kInvalidArgument).
  std::string user_id;
  std::vector<std::string> flow_ids;       // any of these (GET /logs takes flowId repeatedly)
  std::vector<std::string> component_ids;  // any of these
  std::string severity;                    // "info" | "error"
  std::string port_type;                   // "in" | "out"
  std::optional<int64_t> from_ms;          // time_ms >= from_ms
  std::optional<int64_t> to_ms;            // time_ms < to_ms
  // Full-text query over the record's msg (its JSON text, string escapes decoded), port and
  // component type. Whitespace separates words; every word must occur. Inside a word, letters
  // and digits (ASCII, case-insensitive) and any non-ASCII character form tokens and other
  // ASCII characters separate them, so "foo-bar" matches the adjacent tokens foo, bar. A
  // trailing '*' makes the word's last token a prefix ("err*" matches "error").
  std::string text;
  InsightsSort sort = InsightsSort::kNewestFirst;
  size_t size = 50;  // page size, 1..kMaxInsightsPageSize (0 = count only)
  size_t from = 0;   // records of the sort order to skip (after search_after, when given)
  // Only records strictly after this position in the sort order (Elasticsearch's searchAfter).
  std::optional<InsightsCursor> search_after;
};

struct InsightsPage {
  std::vector<InsightsRecord> hits;
  // Records matching the filters, ignoring size, from and search_after.
  uint64_t total = 0;
  // The search_after for the next page; empty when this page was not full (no more records).
  std::optional<InsightsCursor> next;
};

// One time bucket of a histogram: records with key_ms <= time_ms < key_ms + bucket_ms.
struct InsightsBucket {
  int64_t key_ms = 0;  // a multiple of bucket_ms (buckets align to the Unix epoch)
  uint64_t doc_count = 0;
  std::map<std::string, uint64_t> by_severity;  // "info" → n, "error" → n
};

struct InsightsStats {
  uint64_t accepted = 0;           // records Write took
  uint64_t stored = 0;             // records written through to the store (queryable), in all
  uint64_t dropped = 0;            // discarded unwritten: queue overflow or memory capacity
  uint64_t write_errors = 0;       // records lost because their write failed
  uint64_t retention_deleted = 0;  // records removed by retention
  uint64_t queued = 0;             // accepted, not yet stored
  std::string last_error;          // the most recent write or retention failure, or empty
};

// A sink that can be queried. Records are never visible to another user's query.
class InsightsStore : public InsightsSink {
 public:
  // Assigns the record's id and queues or stores it; never blocks for long, never fails
  // (failures are counted in Stats() and reported by the next Flush).
  void Write(InsightsRecord record) override = 0;

  // The page of matching records in the query's sort order, and the total. kInvalidArgument
  // for an empty user_id, a size over kMaxInsightsPageSize or a malformed cursor id.
  virtual Result<InsightsPage> Query(const InsightsQuery& query) = 0;

  // Counts per time bucket of the records matching the query's filters (user, flows,
  // components, severity, port type, time range, text; sort and paging are ignored). Only
  // non-empty buckets, oldest first. REQUIRES: bucket_ms > 0 (else kInvalidArgument).
  virtual Result<std::vector<InsightsBucket>> Histogram(const InsightsQuery& query, int64_t bucket_ms) = 0;

  // Returns once every record written before the call is queryable or lost. Returns the first
  // write failure since the previous Flush (kResourceExhausted for a full disk or size limit,
  // kIOError otherwise), then forgets it; the lost records are counted in Stats().
  virtual Status Flush() = 0;

  // Deletes records older than now - max_age_ms, then all but the newest max_records (by time,
  // then id); 0 disables either limit. Applies to every record written before the call.
  virtual Status ApplyRetention(int64_t max_age_ms, uint64_t max_records) = 0;

  virtual InsightsStats Stats() const = 0;
};

// Keeps the newest `capacity` records in memory (older ones are dropped and counted).
class MemoryInsights final : public InsightsStore {
 public:
  // `clock` (borrowed, must outlive this; null = SystemClock()) is the "now" of retention.
  explicit MemoryInsights(size_t capacity = 100000, const Clock* clock = nullptr);
  ~MemoryInsights() override;
  void Write(InsightsRecord record) override;
  Result<InsightsPage> Query(const InsightsQuery& query) override;
  Result<std::vector<InsightsBucket>> Histogram(const InsightsQuery& query, int64_t bucket_ms) override;
  Status Flush() override;
  Status ApplyRetention(int64_t max_age_ms, uint64_t max_records) override;
  InsightsStats Stats() const override;

  // Every user's records, oldest first (write order). Filters: empty = any. For tests and tools.
  std::vector<InsightsRecord> Query(const std::string& flow_id = {}, const std::string& severity = {}) const;
  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct SqliteInsightsOptions {
  // The data directory (created with mode 0700); the database is `dir`/insights.db (0600).
  std::string dir;
  // Records queued for the writer at most; past it Write drops the oldest queued record and
  // counts it in Stats().dropped. Default: 100000.
  size_t max_queue = 100000;
  // The writer inserts up to this many records per transaction, and wakes as soon as this many
  // are queued. Default: 1000.
  size_t batch_max = 1000;
  // Otherwise the writer wakes this often to insert what is queued. Default: 50 ms.
  int64_t flush_interval_ms = 50;
  // Retention the writer applies every retention_interval_ms (0 = no limit). Default: none.
  int64_t retention_max_age_ms = 0;
  uint64_t retention_max_records = 0;
  int64_t retention_interval_ms = 60000;
  // A cap on the database size in bytes (rounded to pages; 0 = none). Inserts past it fail
  // with kResourceExhausted, as on a full disk.
  uint64_t max_db_bytes = 0;
  // "Now" for retention. Borrowed, must outlive the store; null = SystemClock().
  const Clock* clock = nullptr;
};

// Opens or creates the SQLite insights database (WAL mode, FTS5 text index) and starts its
// writer thread. Destroying the store writes what is queued, then closes. Fails with
// kFailedPrecondition (file left untouched) when the database has a newer schema version,
// kCorruption when it is not a database, kIOError for file-system errors.
Result<std::unique_ptr<InsightsStore>> NewSqliteInsights(const SqliteInsightsOptions& options);

}  // namespace flowkit
