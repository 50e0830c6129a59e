// What only the SQLite insights store promises: persistence, file modes, schema versions, the
// bounded write queue, full-disk errors and periodic retention.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include "flowkit/insights.h"
#include "insights/insights_test_util.h"

namespace flowkit {
namespace {

using insights_test::MakeInsightsRecord;
using insights_test::ScopedInsightsDir;

constexpr int64_t kT0 = 1700000000000;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

unsigned Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

// Runs SQL on the database file directly, outside the store.
void RawSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

// The first column of the first row of a query run on the database file directly.
std::string RawValue(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open(db_path.c_str(), &db) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

uint64_t TotalFor(InsightsStore& store, const std::string& user, const std::string& text = {}) {
  InsightsQuery q;
  q.user_id = user;
  q.text = text;
  q.size = 0;
  auto page = store.Query(q);
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  return page.ok() ? page->total : 0;
}

class SqliteInsights : public ::testing::Test {
 protected:
  SqliteInsightsOptions Options() {
    SqliteInsightsOptions options;
    options.dir = dir_.path() + "/data";
    options.clock = &clock_;
    return options;
  }
  std::string DbPath() const { return dir_.path() + "/data/insights.db"; }

  std::unique_ptr<InsightsStore> Open(const SqliteInsightsOptions& options) {
    auto store = NewSqliteInsights(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  ScopedInsightsDir dir_;
  ManualClock clock_{kT0 + 1000000};
};

TEST_F(SqliteInsights, RecordsPersistAcrossReopenAndIdsKeepIncreasing) {
  std::string last_id;
  {
    auto store = Open(Options());
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 10; ++i) store->Write(MakeInsightsRecord("u", "f", kT0 + i, Json::MakeObject({{"word", "kept"}})));
    // No Flush: destroying the store writes what is queued.
  }
  {
    auto store = Open(Options());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(TotalFor(*store, "u"), 10u);
    EXPECT_EQ(TotalFor(*store, "u", "kept"), 10u);
    InsightsQuery q;
    q.user_id = "u";
    q.size = 1;
    last_id = store->Query(q)->hits.at(0).id;
    ASSERT_TRUE(store->ApplyRetention(0, 1).ok());  // ids are never reused, even after deletes
    store->Write(MakeInsightsRecord("u", "f", kT0 + 100));
  }
  EXPECT_EQ(RawValue(DbPath(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawValue(DbPath(), "PRAGMA auto_vacuum"), "2");  // incremental
  EXPECT_EQ(RawValue(DbPath(), "SELECT value FROM meta WHERE key = 'schema_version'"), "1");
  auto store = Open(Options());
  ASSERT_NE(store, nullptr);
  InsightsQuery q;
  q.user_id = "u";
  auto page = store->Query(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->hits.size(), 2u);
  EXPECT_EQ(page->hits[1].id, last_id);
  EXPECT_GT(page->hits[0].id, last_id);
}

TEST_F(SqliteInsights, DirectoryIs0700AndFiles0600) {
  std::filesystem::create_directories(dir_.path() + "/data");
  ::chmod((dir_.path() + "/data").c_str(), 0755);
  auto store = Open(Options());
  ASSERT_NE(store, nullptr);
  store->Write(MakeInsightsRecord("u", "f", kT0));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Mode(dir_.path() + "/data"), 0700u);
  EXPECT_EQ(Mode(DbPath()), 0600u);
  for (const char* suffix : {"-wal", "-shm"}) {
    std::string path = DbPath() + suffix;
    if (std::filesystem::exists(path)) {
      EXPECT_EQ(Mode(path), 0600u) << path;
    }
  }
}

TEST_F(SqliteInsights, NewerSchemaVersionFailsClearlyAndLeavesTheFileUntouched) {
  {
    auto store = Open(Options());
    ASSERT_NE(store, nullptr);
    store->Write(MakeInsightsRecord("u", "f", kT0));
  }
  RawSql(DbPath(), "UPDATE meta SET value = 999 WHERE key = 'schema_version'");
  const std::string before = ReadBytes(DbPath());
  auto store = NewSqliteInsights(Options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("999"), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find(DbPath()), std::string::npos) << store.status().message();
  EXPECT_EQ(ReadBytes(DbPath()), before);
}

TEST_F(SqliteInsights, AFileThatIsNotADatabaseIsReportedAndKept) {
  std::filesystem::create_directories(dir_.path() + "/data");
  const std::string garbage(8192, 'x');
  std::ofstream(DbPath(), std::ios::binary) << garbage;
  auto store = NewSqliteInsights(Options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
  EXPECT_EQ(ReadBytes(DbPath()), garbage);
}

TEST_F(SqliteInsights, QueueOverflowDropsTheOldestAndCountsThem) {
  SqliteInsightsOptions options = Options();
  options.max_queue = 100;
  options.batch_max = 1000;               // never reached, so the writer
  options.flush_interval_ms = 3600000;    // only wakes for Flush
  auto store = Open(options);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 150; ++i) store->Write(MakeInsightsRecord("u", "f", kT0 + i));
  InsightsStats stats = store->Stats();
  EXPECT_EQ(stats.accepted, 150u);
  EXPECT_EQ(stats.dropped, 50u);
  EXPECT_EQ(stats.queued, 100u);
  ASSERT_TRUE(store->Flush().ok());
  InsightsQuery q;
  q.user_id = "u";
  q.sort = InsightsSort::kOldestFirst;
  q.size = 1;
  auto page = store->Query(q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 100u);
  EXPECT_EQ(page->hits.at(0).time_ms, kT0 + 50);
  EXPECT_EQ(store->Stats().stored, 100u);
}

TEST_F(SqliteInsights, AFullDatabaseSurfacesFromFlushAndStatsAndRecovers) {
  SqliteInsightsOptions options = Options();
  options.max_db_bytes = 256 * 1024;
  options.batch_max = 10;
  auto store = Open(options);
  ASSERT_NE(store, nullptr);
  const std::string big(2000, 'z');
  for (int i = 0; i < 400; ++i) {
    store->Write(MakeInsightsRecord("u", "f", kT0 + i, Json::MakeObject({{"pad", big + std::to_string(i)}})));
  }
  Status flushed = store->Flush();
  EXPECT_EQ(flushed.code(), StatusCode::kResourceExhausted) << flushed.ToString();
  InsightsStats stats = store->Stats();
  EXPECT_GT(stats.stored, 0u);
  EXPECT_GT(stats.write_errors, 0u);
  EXPECT_EQ(stats.stored + stats.write_errors, 400u);
  EXPECT_FALSE(stats.last_error.empty());
  EXPECT_EQ(TotalFor(*store, "u"), stats.stored);  // still queryable, nothing half-written
  EXPECT_TRUE(store->Flush().ok());                 // reported once

  Status retained = store->ApplyRetention(0, 5);
  ASSERT_TRUE(retained.ok()) << retained.ToString();
  store->Write(MakeInsightsRecord("u", "f", kT0 + 1000, Json::MakeObject({{"after", "recovery"}})));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(TotalFor(*store, "u"), 6u);
  EXPECT_EQ(TotalFor(*store, "u", "recovery"), 1u);
}

TEST_F(SqliteInsights, TheWriterAppliesRetentionPeriodically) {
  SqliteInsightsOptions options = Options();
  options.flush_interval_ms = 5;
  options.retention_max_records = 10;
  options.retention_interval_ms = 1000;
  auto store = Open(options);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 50; ++i) store->Write(MakeInsightsRecord("u", "f", kT0 + i));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(TotalFor(*store, "u"), 50u);  // not due yet
  clock_.Advance(1000);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  // The deletion is visible to queries a moment before the writer counts it in Stats().
  while ((TotalFor(*store, "u") > 10 || store->Stats().retention_deleted < 40) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(TotalFor(*store, "u"), 10u);
  EXPECT_EQ(store->Stats().retention_deleted, 40u);
}

TEST_F(SqliteInsights, TheTextIndexStaysConsistentThroughRetention) {
  {
    auto store = Open(Options());
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 12000; ++i) {  // more than one retention chunk
      store->Write(MakeInsightsRecord("u", "f", kT0 + i, Json::MakeObject({{"n", "w" + std::to_string(i % 7)},
                                                                            {"text", "multi\nline \"quoted\" \\ é"}})));
    }
    ASSERT_TRUE(store->ApplyRetention(0, 1000).ok());
    EXPECT_EQ(TotalFor(*store, "u"), 1000u);
    EXPECT_EQ(TotalFor(*store, "u", "line"), 1000u);
    EXPECT_EQ(store->Stats().retention_deleted, 11000u);
  }
  RawSql(DbPath(), "INSERT INTO insights_fts(insights_fts, rank) VALUES('integrity-check', 0)");
}

TEST_F(SqliteInsights, RejectsInvalidOptions) {
  SqliteInsightsOptions options = Options();
  options.dir.clear();
  EXPECT_EQ(NewSqliteInsights(options).status().code(), StatusCode::kInvalidArgument);
  options = Options();
  options.batch_max = 0;
  EXPECT_EQ(NewSqliteInsights(options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace flowkit
