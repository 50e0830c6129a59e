// The SQLite insights store: a database of its own (DIR/insights.db) in WAL mode, written by
// one writer thread in batches so the engine's workers only append to a queue.
//
// Full-text index: a contentless FTS5 table (content=''). The searched text is derived from a
// record (msg JSON with string escapes decoded, port, component type) and appears in no column,
// so an external-content table would need a copy of it and a normal one would store it twice;
// contentless stores only the index. Deleting from a contentless table means replaying the
// same text through the 'delete' command: retention computes it with insights_search_text(),
// the very function the insert used (InsightsSearchText), registered on the writer connection.
#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "engine/insights_search.h"
#include "flowkit/insights.h"
#include "util/data_dir.h"

namespace flowkit {
namespace {

constexpr int kInsightsSchemaVersion = 1;
// Rows deleted per retention transaction, so the writer lock and the WAL stay small.
constexpr int kRetentionChunk = 5000;

// Indexes: the page queries walk (user[, flow], time); the trailing severity makes counts by
// severity and histograms index-only (paging then sorts ties on time_ms by seq, a cheap partial
// sort). insights_by_time serves retention.
//
// Migration i takes the schema from version i to i + 1; each runs in one transaction with the
// version bump. A future change appends a step (and, if InsightsSearchText changes, rebuilds
// the FTS index from insights_records).
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE insights_records(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  flow_id TEXT NOT NULL,
  component_id TEXT NOT NULL,
  component_type TEXT NOT NULL,
  severity TEXT NOT NULL,
  port_type TEXT NOT NULL,
  port TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  msg TEXT);
CREATE INDEX insights_by_user_flow_time ON insights_records(user_id, flow_id, time_ms, severity);
CREATE INDEX insights_by_user_time ON insights_records(user_id, time_ms, severity);
CREATE INDEX insights_by_time ON insights_records(time_ms);
CREATE VIRTUAL TABLE insights_fts USING fts5(body, content='', columnsize=0, tokenize='ascii');
)sql",
};
static_assert(std::size(kMigrations) == kInsightsSchemaVersion);

constexpr const char* kRecordColumns =
    "seq, time_ms, severity, flow_id, user_id, component_id, component_type, port_type, port, "
    "correlation_id, message_id, msg";

Status InsightsSqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = fmt::format("insights database: {}: {}", what,
                                db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_NOMEM:
      return Status::ResourceExhausted(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(msg));
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_CONSTRAINT:
      return Status::Internal(std::move(msg));
    default:
      return Status::IOError(std::move(msg));
  }
}

struct InsightsDbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using InsightsDb = std::unique_ptr<sqlite3, InsightsDbCloser>;

// A prepared statement; finalized on destruction.
class InsightsStmt {
 public:
  InsightsStmt() = default;
  InsightsStmt(const InsightsStmt&) = delete;
  InsightsStmt& operator=(const InsightsStmt&) = delete;
  InsightsStmt(InsightsStmt&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  InsightsStmt& operator=(InsightsStmt&& other) noexcept {
    std::swap(db_, other.db_);
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  ~InsightsStmt() { sqlite3_finalize(stmt_); }

  static Result<InsightsStmt> Prepare(sqlite3* db, std::string_view sql) {
    InsightsStmt s;
    s.db_ = db;
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s.stmt_, nullptr);
    if (rc != SQLITE_OK) return InsightsSqliteError(db, rc, "prepare");
    return s;
  }

  // Text is bound without a copy: REQUIRES it outlives the next Step/Reset.
  void BindText(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void BindInt(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  // Runs a statement that returns no rows, then resets it.
  Status Run(std::string_view what) {
    int rc = sqlite3_step(stmt_);
    Status s = rc == SQLITE_DONE ? Status::OK() : InsightsSqliteError(db_, rc, what);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return s;
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string_view Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p == nullptr ? std::string_view() : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

Status ExecInsightsSql(sqlite3* db, const char* sql, std::string_view what) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  return rc == SQLITE_OK ? Status::OK() : InsightsSqliteError(db, rc, what);
}

Result<InsightsDb> OpenInsightsConnection(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  InsightsDb db(raw);
  if (rc != SQLITE_OK) return InsightsSqliteError(raw, rc, "open " + path);
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

// 0 for a database without the meta table (a new file).
Result<int> ReadInsightsSchemaVersion(sqlite3* db) {
  auto probe = InsightsStmt::Prepare(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  if (!probe.ok()) return probe.status();
  int rc = probe->Step();
  if (rc != SQLITE_ROW) return InsightsSqliteError(db, rc, "read schema");
  if (probe->Int(0) == 0) return 0;
  auto read = InsightsStmt::Prepare(db, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!read.ok()) return read.status();
  rc = read->Step();
  if (rc == SQLITE_DONE) return 0;
  if (rc != SQLITE_ROW) return InsightsSqliteError(db, rc, "read schema version");
  return static_cast<int>(read->Int(0));
}

Status MigrateInsights(sqlite3* db) {
  while (true) {
    FLOWKIT_RETURN_IF_ERROR(ExecInsightsSql(db, "BEGIN IMMEDIATE", "begin migration"));
    // Read again inside the write transaction: another process may have migrated meanwhile.
    Result<int> version = ReadInsightsSchemaVersion(db);
    Status s = version.status();
    if (version.ok() && *version >= kInsightsSchemaVersion) return ExecInsightsSql(db, "COMMIT", "commit");
    if (s.ok()) s = ExecInsightsSql(db, kMigrations[*version], fmt::format("migrate to schema {}", *version + 1).c_str());
    if (s.ok()) {
      std::string bump = fmt::format(
          "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', {})", *version + 1);
      s = ExecInsightsSql(db, bump.c_str(), "set schema version");
    }
    if (s.ok()) s = ExecInsightsSql(db, "COMMIT", "commit migration");
    if (!s.ok()) {
      (void)ExecInsightsSql(db, "ROLLBACK", "rollback");
      return s;
    }
  }
}

// insights_search_text(msg, port, component_type): InsightsSearchText for SQL, so retention
// can hand the FTS 'delete' command exactly the text the insert indexed.
void InsightsSearchTextSql(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto text = [&](int i) -> std::string_view {
    if (i >= argc) return {};
    const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[i]));
    return p == nullptr ? std::string_view() : std::string_view(p, static_cast<size_t>(sqlite3_value_bytes(argv[i])));
  };
  std::string out = internal::InsightsSearchText(text(0), text(1), text(2));
  sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

using InsightsBinding = std::variant<int64_t, std::string>;

// The FROM and WHERE clauses of every filter but paging, with the WHERE's bindings.
struct InsightsWhere {
  std::string from = "insights_records";
  std::string sql;
  std::vector<InsightsBinding> binds;

  void In(const char* column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    sql += fmt::format(" AND {} IN (", column);
    for (size_t i = 0; i < values.size(); ++i) {
      sql += i == 0 ? "?" : ",?";
      binds.emplace_back(values[i]);
    }
    sql += ")";
  }
};

InsightsWhere BuildInsightsWhere(const InsightsQuery& q) {
  InsightsWhere w;
  w.sql = "user_id = ?";
  w.binds.emplace_back(q.user_id);
  w.In("flow_id", q.flow_ids);
  w.In("component_id", q.component_ids);
  if (!q.severity.empty()) {
    w.sql += " AND severity = ?";
    w.binds.emplace_back(q.severity);
  }
  if (!q.port_type.empty()) {
    w.sql += " AND port_type = ?";
    w.binds.emplace_back(q.port_type);
  }
  if (q.from_ms) {
    w.sql += " AND time_ms >= ?";
    w.binds.emplace_back(*q.from_ms);
  }
  if (q.to_ms) {
    w.sql += " AND time_ms < ?";
    w.binds.emplace_back(*q.to_ms);
  }
  internal::InsightsTextQuery text = internal::ParseInsightsText(q.text);
  if (!text.words.empty()) {
    // Driven by the text index (CROSS JOIN fixes the loop order): a text query usually matches
    // far fewer records than the user has, and without statistics on the FTS result SQLite
    // would rather scan the user's index and probe the match list per row.
    w.from = "insights_fts CROSS JOIN insights_records ON insights_records.seq = insights_fts.rowid";
    w.sql += " AND insights_fts MATCH ?";
    w.binds.emplace_back(internal::InsightsFts5Match(text));
  }
  return w;
}

void BindAll(InsightsStmt& stmt, const std::vector<InsightsBinding>& binds) {
  for (size_t i = 0; i < binds.size(); ++i) {
    int index = static_cast<int>(i) + 1;
    if (const auto* n = std::get_if<int64_t>(&binds[i])) {
      stmt.BindInt(index, *n);
    } else {
      stmt.BindText(index, std::get<std::string>(binds[i]));
    }
  }
}

Result<InsightsRecord> ReadInsightsRow(const InsightsStmt& s) {
  InsightsRecord r;
  r.id = internal::FormatInsightsId(static_cast<uint64_t>(s.Int(0)));
  r.time_ms = s.Int(1);
  r.severity = s.Text(2);
  r.flow_id = s.Text(3);
  r.user_id = s.Text(4);
  r.component_id = s.Text(5);
  r.component_type = s.Text(6);
  r.port_type = s.Text(7);
  r.port = s.Text(8);
  r.correlation_id = s.Text(9);
  r.message_id = s.Text(10);
  if (s.IsNull(11)) {
    r.msg = Json::Undefined();
  } else {
    Result<Json> msg = Json::Parse(s.Text(11));
    if (!msg.ok()) {
      return Status::Corruption(fmt::format("insights database: record {}: msg is not JSON: {}", r.id,
                                            msg.status().message()));
    }
    r.msg = std::move(msg).value();
  }
  return r;
}

int64_t FloorToBucket(int64_t t, int64_t step) {
  int64_t r = t % step;
  return r < 0 ? t - r - step : t - r;
}

class SqliteInsights final : public InsightsStore {
 public:
  SqliteInsights(const SqliteInsightsOptions& options, InsightsDb writer, InsightsDb reader, uint64_t last_seq)
      : options_(options),
        clock_(options.clock != nullptr ? options.clock : SystemClock()),
        next_seq_(last_seq + 1),
        done_through_(last_seq),
        writer_db_(std::move(writer)),
        reader_db_(std::move(reader)) {
    last_retention_ms_ = clock_->NowMillis();
  }

  ~SqliteInsights() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    writer_cv_.notify_one();
    if (writer_.joinable()) writer_.join();
  }

  // Prepares the writer's statements and applies the size cap (0 = none).
  Status Prepare(uint64_t max_page_count) {
    max_page_count_ = max_page_count;
    if (max_page_count_ > 0) FLOWKIT_RETURN_IF_ERROR(SetMaxPageCount(max_page_count_));
    auto rec = InsightsStmt::Prepare(
        writer_db_.get(),
        "INSERT INTO insights_records(seq, time_ms, severity, flow_id, user_id, component_id, component_type, "
        "port_type, port, correlation_id, message_id, msg) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!rec.ok()) return rec.status();
    insert_record_ = std::move(rec).value();
    auto fts = InsightsStmt::Prepare(writer_db_.get(), "INSERT INTO insights_fts(rowid, body) VALUES(?, ?)");
    if (!fts.ok()) return fts.status();
    insert_fts_ = std::move(fts).value();
    return Status::OK();
  }

  void Start() {
    writer_ = std::thread([this] { WriterLoop(); });
  }

  void Write(InsightsRecord record) override {
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      uint64_t seq = next_seq_++;
      record.id = internal::FormatInsightsId(seq);
      ++stats_.accepted;
      if (queue_.size() >= options_.max_queue) {
        queue_.pop_front();
        ++stats_.dropped;
      }
      queue_.push_back(Pending{seq, std::move(record)});
      wake = queue_.size() == options_.batch_max;
    }
    if (wake) writer_cv_.notify_one();
  }

  Result<InsightsPage> Query(const InsightsQuery& query) override {
    FLOWKIT_RETURN_IF_ERROR(internal::ValidateInsightsQuery(query));
    InsightsWhere where = BuildInsightsWhere(query);
    const bool newest_first = query.sort == InsightsSort::kNewestFirst;

    std::lock_guard<std::mutex> lock(read_mu_);
    sqlite3* db = reader_db_.get();
    // One read transaction, so the total and the page see the same snapshot.
    FLOWKIT_RETURN_IF_ERROR(ExecInsightsSql(db, "BEGIN", "begin read"));
    Result<InsightsPage> page = QueryLocked(db, query, where, newest_first);
    (void)ExecInsightsSql(db, "COMMIT", "end read");
    return page;
  }

  Result<std::vector<InsightsBucket>> Histogram(const InsightsQuery& query, int64_t bucket_ms) override {
    if (bucket_ms <= 0) return Status::InvalidArgument("insights histogram: bucket_ms must be positive");
    InsightsQuery filters = query;
    filters.search_after.reset();
    FLOWKIT_RETURN_IF_ERROR(internal::ValidateInsightsQuery(filters));
    InsightsWhere where = BuildInsightsWhere(filters);
    // Rows arrive in time order from the covering (user, time, severity) index and are counted
    // here: grouping in SQL would build a temporary b-tree over every matching row.
    std::string sql =
        fmt::format("SELECT time_ms, severity FROM {} WHERE {} ORDER BY time_ms", where.from, where.sql);
    std::lock_guard<std::mutex> lock(read_mu_);
    sqlite3* db = reader_db_.get();
    auto stmt = InsightsStmt::Prepare(db, sql);
    if (!stmt.ok()) return stmt.status();
    BindAll(*stmt, where.binds);
    std::vector<InsightsBucket> buckets;
    std::map<std::string, uint64_t>::iterator severity;
    int rc;
    while ((rc = stmt->Step()) == SQLITE_ROW) {
      int64_t key = FloorToBucket(stmt->Int(0), bucket_ms);
      if (buckets.empty() || buckets.back().key_ms != key) {
        buckets.push_back(InsightsBucket{key, 0, {}});
        severity = buckets.back().by_severity.end();
      }
      InsightsBucket& bucket = buckets.back();
      ++bucket.doc_count;
      std::string_view name = stmt->Text(1);
      if (severity == bucket.by_severity.end() || severity->first != name) {
        severity = bucket.by_severity.try_emplace(std::string(name), 0).first;
      }
      ++severity->second;
    }
    if (rc != SQLITE_DONE) return InsightsSqliteError(db, rc, "histogram");
    return buckets;
  }

  Status Flush() override {
    std::unique_lock<std::mutex> lock(mu_);
    WaitWrittenLocked(lock);
    return std::exchange(unreported_error_, Status::OK());
  }

  Status ApplyRetention(int64_t max_age_ms, uint64_t max_records) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      WaitWrittenLocked(lock);
    }
    uint64_t deleted = 0;
    Status s;
    {
      std::lock_guard<std::mutex> write_lock(write_mu_);
      s = RetainLocked(max_age_ms, max_records, &deleted);
    }
    std::lock_guard<std::mutex> lock(mu_);
    stats_.retention_deleted += deleted;
    if (!s.ok()) stats_.last_error = s.ToString();
    return s;
  }

  InsightsStats Stats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    InsightsStats stats = stats_;
    stats.queued = queue_.size();
    return stats;
  }

 private:
  struct Pending {
    uint64_t seq;
    InsightsRecord record;
  };

  Result<InsightsPage> QueryLocked(sqlite3* db, const InsightsQuery& query, const InsightsWhere& where,
                                   bool newest_first) {
    InsightsPage page;
    {
      auto count = InsightsStmt::Prepare(db, fmt::format("SELECT count(*) FROM {} WHERE {}", where.from, where.sql));
      if (!count.ok()) return count.status();
      BindAll(*count, where.binds);
      int rc = count->Step();
      if (rc != SQLITE_ROW) return InsightsSqliteError(db, rc, "count");
      page.total = static_cast<uint64_t>(count->Int(0));
    }
    if (query.size == 0) return page;

    std::string sql = fmt::format("SELECT {} FROM {} WHERE {}", kRecordColumns, where.from, where.sql);
    std::vector<InsightsBinding> binds = where.binds;
    if (query.search_after) {
      sql += newest_first ? " AND (time_ms, seq) < (?, ?)" : " AND (time_ms, seq) > (?, ?)";
      binds.emplace_back(query.search_after->time_ms);
      binds.emplace_back(static_cast<int64_t>(*internal::ParseInsightsId(query.search_after->id)));
    }
    sql += newest_first ? " ORDER BY time_ms DESC, seq DESC" : " ORDER BY time_ms ASC, seq ASC";
    sql += " LIMIT ? OFFSET ?";
    binds.emplace_back(static_cast<int64_t>(query.size));
    binds.emplace_back(static_cast<int64_t>(std::min<size_t>(query.from, INT64_MAX)));
    auto stmt = InsightsStmt::Prepare(db, sql);
    if (!stmt.ok()) return stmt.status();
    BindAll(*stmt, binds);
    int rc;
    while ((rc = stmt->Step()) == SQLITE_ROW) {
      Result<InsightsRecord> r = ReadInsightsRow(*stmt);
      if (!r.ok()) return r.status();
      page.hits.push_back(std::move(r).value());
    }
    if (rc != SQLITE_DONE) return InsightsSqliteError(db, rc, "query");
    if (page.hits.size() == query.size) page.next = InsightsCursor{page.hits.back().time_ms, page.hits.back().id};
    return page;
  }

  // Waits until every record written so far is stored, lost or dropped. REQUIRES: lock holds mu_.
  void WaitWrittenLocked(std::unique_lock<std::mutex>& lock) {
    const uint64_t target = next_seq_ - 1;
    if (done_through_ >= target) return;
    ++flush_waiters_;
    writer_cv_.notify_one();
    flushed_cv_.wait(lock, [&] { return done_through_ >= target; });
    --flush_waiters_;
  }

  void NoteErrorLocked(const Status& s) {
    stats_.last_error = s.ToString();
    if (unreported_error_.ok()) unreported_error_ = s;
  }

  void WriterLoop() {
    std::vector<Pending> batch;
    batch.reserve(options_.batch_max);
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      writer_cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms), [&] {
        return stopping_ || (!queue_.empty() && (flush_waiters_ > 0 || queue_.size() >= options_.batch_max));
      });
      if (stopping_ && queue_.empty()) break;
      batch.clear();
      while (!queue_.empty() && batch.size() < options_.batch_max) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      lock.unlock();

      Status written;
      if (!batch.empty()) {
        std::lock_guard<std::mutex> write_lock(write_mu_);
        written = InsertBatch(batch);
      }
      uint64_t deleted = 0;
      Status retained;
      const bool retention_on = options_.retention_max_age_ms > 0 || options_.retention_max_records > 0;
      const int64_t now = clock_->NowMillis();
      if (retention_on && now - last_retention_ms_ >= options_.retention_interval_ms) {
        last_retention_ms_ = now;
        std::lock_guard<std::mutex> write_lock(write_mu_);
        retained = RetainLocked(options_.retention_max_age_ms, options_.retention_max_records, &deleted);
      }

      lock.lock();
      if (!batch.empty()) {
        if (written.ok()) {
          stats_.stored += batch.size();
        } else {
          stats_.write_errors += batch.size();
          NoteErrorLocked(written);
        }
        done_through_ = batch.back().seq;
        flushed_cv_.notify_all();
      }
      stats_.retention_deleted += deleted;
      if (!retained.ok()) stats_.last_error = retained.ToString();
    }
  }

  // One transaction for the whole batch; on failure nothing of it is stored. REQUIRES: write_mu_.
  Status InsertBatch(const std::vector<Pending>& batch) {
    sqlite3* db = writer_db_.get();
    FLOWKIT_RETURN_IF_ERROR(ExecInsightsSql(db, "BEGIN IMMEDIATE", "begin batch"));
    Status s;
    std::string msg;
    std::string text;
    for (const Pending& p : batch) {
      const InsightsRecord& r = p.record;
      msg = internal::InsightsMsgText(r.msg);
      InsightsStmt& ins = insert_record_;
      ins.BindInt(1, static_cast<int64_t>(p.seq));
      ins.BindInt(2, r.time_ms);
      ins.BindText(3, r.severity);
      ins.BindText(4, r.flow_id);
      ins.BindText(5, r.user_id);
      ins.BindText(6, r.component_id);
      ins.BindText(7, r.component_type);
      ins.BindText(8, r.port_type);
      ins.BindText(9, r.port);
      ins.BindText(10, r.correlation_id);
      ins.BindText(11, r.message_id);
      if (r.msg.IsUndefined()) {
        ins.BindNull(12);
      } else {
        ins.BindText(12, msg);
      }
      s = ins.Run("insert record");
      if (!s.ok()) break;
      text = internal::InsightsSearchText(msg, r.port, r.component_type);
      insert_fts_.BindInt(1, static_cast<int64_t>(p.seq));
      insert_fts_.BindText(2, text);
      s = insert_fts_.Run("index record");
      if (!s.ok()) break;
    }
    if (s.ok()) s = ExecInsightsSql(db, "COMMIT", "commit batch");
    if (!s.ok() && sqlite3_get_autocommit(db) == 0) (void)ExecInsightsSql(db, "ROLLBACK", "rollback batch");
    return s;
  }

  // Deletes the records matching `cond` (over time_ms and seq, with parameters ?1 = a and, when
  // it has one, ?2 = b), oldest first, in chunks. REQUIRES: write_mu_.
  Status DeleteWhere(const char* cond, int64_t a, int64_t b, uint64_t* deleted) {
    sqlite3* db = writer_db_.get();
    std::string chosen = fmt::format("SELECT seq FROM insights_records WHERE {} ORDER BY time_ms, seq LIMIT {}", cond,
                                     kRetentionChunk);
    auto unindex = InsightsStmt::Prepare(
        db, fmt::format("INSERT INTO insights_fts(insights_fts, rowid, body) SELECT 'delete', seq, "
                        "insights_search_text(msg, port, component_type) FROM insights_records WHERE seq IN ({})",
                        chosen));
    if (!unindex.ok()) return unindex.status();
    auto remove = InsightsStmt::Prepare(db, fmt::format("DELETE FROM insights_records WHERE seq IN ({})", chosen));
    if (!remove.ok()) return remove.status();
    while (true) {
      FLOWKIT_RETURN_IF_ERROR(ExecInsightsSql(db, "BEGIN IMMEDIATE", "begin retention"));
      unindex->BindInt(1, a);
      unindex->BindInt(2, b);
      Status s = unindex->Run("retention unindex");
      int changes = 0;
      if (s.ok()) {
        remove->BindInt(1, a);
        remove->BindInt(2, b);
        s = remove->Run("retention delete");
        changes = sqlite3_changes(db);
      }
      if (s.ok()) s = ExecInsightsSql(db, "COMMIT", "commit retention");
      if (!s.ok()) {
        if (sqlite3_get_autocommit(db) == 0) (void)ExecInsightsSql(db, "ROLLBACK", "rollback retention");
        return s;
      }
      *deleted += static_cast<uint64_t>(changes);
      if (changes < kRetentionChunk) return Status::OK();
    }
  }

  // REQUIRES: write_mu_.
  Status RetainLocked(int64_t max_age_ms, uint64_t max_records, uint64_t* deleted) {
    if (max_page_count_ == 0) return RetainWithinLimitLocked(max_age_ms, max_records, deleted);
    // Deleting writes too (FTS tombstones, freelist pages), so a database at its size cap
    // could never shrink: lift the cap while retention runs, then put it back.
    FLOWKIT_RETURN_IF_ERROR(SetMaxPageCount(0xFFFFFFFEu));
    Status s = RetainWithinLimitLocked(max_age_ms, max_records, deleted);
    Status restored = SetMaxPageCount(max_page_count_);
    return s.ok() ? restored : s;
  }

  // REQUIRES: write_mu_.
  Status SetMaxPageCount(uint64_t pages) {
    std::string sql = fmt::format("PRAGMA max_page_count = {}", pages);
    return ExecInsightsSql(writer_db_.get(), sql.c_str(), "max_page_count");
  }

  // REQUIRES: write_mu_.
  Status RetainWithinLimitLocked(int64_t max_age_ms, uint64_t max_records, uint64_t* deleted) {
    sqlite3* db = writer_db_.get();
    if (max_age_ms > 0) {
      FLOWKIT_RETURN_IF_ERROR(DeleteWhere("time_ms < ?1", clock_->NowMillis() - max_age_ms, 0, deleted));
    }
    if (max_records > 0) {
      auto newest_to_delete = InsightsStmt::Prepare(
          db, "SELECT time_ms, seq FROM insights_records ORDER BY time_ms DESC, seq DESC LIMIT 1 OFFSET ?");
      if (!newest_to_delete.ok()) return newest_to_delete.status();
      newest_to_delete->BindInt(1, static_cast<int64_t>(std::min<uint64_t>(max_records, INT64_MAX)));
      int rc = newest_to_delete->Step();
      if (rc == SQLITE_ROW) {
        int64_t t = newest_to_delete->Int(0);
        int64_t seq = newest_to_delete->Int(1);
        newest_to_delete = InsightsStmt();  // release the read before writing
        FLOWKIT_RETURN_IF_ERROR(DeleteWhere("(time_ms, seq) <= (?1, ?2)", t, seq, deleted));
      } else if (rc != SQLITE_DONE) {
        return InsightsSqliteError(db, rc, "retention by count");
      }
    }
    // Give the freed pages back to the file system (the database is in incremental auto-vacuum).
    if (*deleted > 0) return ExecInsightsSql(db, "PRAGMA incremental_vacuum", "incremental vacuum");
    return Status::OK();
  }

  const SqliteInsightsOptions options_;
  const Clock* clock_;

  mutable std::mutex mu_;  // guards the queue and the fields up to the next mutex
  std::condition_variable writer_cv_;
  std::condition_variable flushed_cv_;
  std::deque<Pending> queue_;  // increasing seq
  uint64_t next_seq_;
  uint64_t done_through_;  // every seq up to this one is stored, lost or dropped
  int flush_waiters_ = 0;
  bool stopping_ = false;
  Status unreported_error_;
  InsightsStats stats_;

  std::mutex write_mu_;  // the writer connection and its statements
  InsightsDb writer_db_;
  InsightsStmt insert_record_;
  InsightsStmt insert_fts_;
  int64_t last_retention_ms_ = 0;  // writer thread only
  uint64_t max_page_count_ = 0;    // the size cap in pages; 0 = none

  std::mutex read_mu_;  // the reader connection
  InsightsDb reader_db_;

  std::thread writer_;
};

Status CreatePrivateFile(const std::string& path) {
  // Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError(fmt::format("insights database {}: cannot open: {}", path, std::strerror(errno)));
  ::close(fd);
  return Status::OK();
}

Result<int64_t> QueryInsightsInt(sqlite3* db, const char* sql, int64_t if_none) {
  auto stmt = InsightsStmt::Prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  int rc = stmt->Step();
  if (rc == SQLITE_ROW) return stmt->Int(0);
  if (rc == SQLITE_DONE) return if_none;
  return InsightsSqliteError(db, rc, sql);
}

}  // namespace

Result<std::unique_ptr<InsightsStore>> NewSqliteInsights(const SqliteInsightsOptions& options) {
  if (options.dir.empty()) return Status::InvalidArgument("sqlite insights: dir is required");
  if (options.max_queue == 0 || options.batch_max == 0 || options.flush_interval_ms <= 0 ||
      options.retention_interval_ms <= 0) {
    return Status::InvalidArgument(
        "sqlite insights: max_queue, batch_max, flush_interval_ms and retention_interval_ms must be positive");
  }
  FLOWKIT_RETURN_IF_ERROR(util::EnsurePrivateDirectory(options.dir));
  const std::string path = options.dir + "/insights.db";
  FLOWKIT_RETURN_IF_ERROR(CreatePrivateFile(path));

  Result<InsightsDb> writer = OpenInsightsConnection(path);
  if (!writer.ok()) return writer.status();
  sqlite3* db = writer->get();
  // Nothing is written before the version check, so a newer database stays byte for byte.
  Result<int> version = ReadInsightsSchemaVersion(db);
  if (!version.ok()) return version.status().WithPrefix(path);
  FLOWKIT_RETURN_IF_ERROR(util::CheckSchemaVersion("insights database", path, *version, kInsightsSchemaVersion));
  FLOWKIT_RETURN_IF_ERROR(util::MakeFilePrivate(path));

  // Incremental auto-vacuum must be chosen before the first table exists.
  if (*version == 0) FLOWKIT_RETURN_IF_ERROR(ExecInsightsSql(db, "PRAGMA auto_vacuum = INCREMENTAL", "auto_vacuum"));
  {
    auto mode = InsightsStmt::Prepare(db, "PRAGMA journal_mode = WAL");
    if (!mode.ok()) return mode.status();
    int rc = mode->Step();
    if (rc != SQLITE_ROW) return InsightsSqliteError(db, rc, "journal_mode");
    if (mode->Text(0) != "wal") {
      return Status::IOError(fmt::format("insights database {}: cannot use WAL mode (got {})", path, mode->Text(0)));
    }
  }
  // WAL + NORMAL: a crash of the process loses nothing committed; a power loss may lose the
  // last batches, which logs can afford.
  FLOWKIT_RETURN_IF_ERROR(ExecInsightsSql(db, "PRAGMA synchronous = NORMAL", "synchronous"));
  FLOWKIT_RETURN_IF_ERROR(MigrateInsights(db));
  FLOWKIT_RETURN_IF_ERROR(util::MakeFilePrivate(path + "-wal"));
  FLOWKIT_RETURN_IF_ERROR(util::MakeFilePrivate(path + "-shm"));
  uint64_t max_pages = 0;
  if (options.max_db_bytes > 0) {
    Result<int64_t> page_size = QueryInsightsInt(db, "PRAGMA page_size", 4096);
    if (!page_size.ok()) return page_size.status();
    max_pages = std::max<uint64_t>(1, options.max_db_bytes / static_cast<uint64_t>(*page_size));
  }
  int rc = sqlite3_create_function_v2(db, "insights_search_text", 3,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr,
                                      &InsightsSearchTextSql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return InsightsSqliteError(db, rc, "register insights_search_text");
  Result<int64_t> last_seq =
      QueryInsightsInt(db, "SELECT seq FROM sqlite_sequence WHERE name = 'insights_records'", 0);
  if (!last_seq.ok()) return last_seq.status();

  Result<InsightsDb> reader = OpenInsightsConnection(path);
  if (!reader.ok()) return reader.status();
  FLOWKIT_RETURN_IF_ERROR(ExecInsightsSql(reader->get(), "PRAGMA query_only = ON", "query_only"));

  auto store = std::make_unique<SqliteInsights>(options, std::move(writer).value(), std::move(reader).value(),
                                                static_cast<uint64_t>(*last_seq));
  FLOWKIT_RETURN_IF_ERROR(store->Prepare(max_pages));
  store->Start();
  return std::unique_ptr<InsightsStore>(std::move(store));
}

}  // namespace flowkit
