// SQLite-adapter specifics: persistence, file modes, schema versions, errors, concurrency and
// agreement with the memory adapter. Shared behaviour is in document_store_conformance_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/clock.h"
#include "flowkit/storage.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite_test_util.h"
#include "store/temp_dir.h"

namespace flowkit {
namespace {

using ::testing::HasSubstr;

using test::ModeOf;
using test::RawSql;
using test::ReadBytes;

class SqliteDocumentsTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<DocumentStore>> Open(const std::string& path, int64_t max_file_bytes = 8 << 20,
                                              bool create_on_use = true) {
    return NewSqliteDocumentStore({.path = path,
                                   .clock = &clock_,
                                   .max_file_bytes = max_file_bytes,
                                   .create_stores_on_first_use = create_on_use});
  }

  ManualClock clock_{1700000000000};
  test::TempDir dir_;
};

TEST_F(SqliteDocumentsTest, DataPersistsAcrossCloseAndReopen) {
  const std::string path = dir_.Sub("data/docs.db");
  const std::string big(700 * 1024, 'z');
  {
    auto docs = Open(path);
    ASSERT_TRUE(docs.ok()) << docs.status().ToString();
    DataStore& ds = (*docs)->DataStoresOf("u");
    ASSERT_TRUE(ds.CreateStore("Orders", "orders").ok());
    ASSERT_TRUE(ds.Set("orders", "b", Json::MakeObject({{"n", 1}})).ok());
    clock_.Advance(10);
    ASSERT_TRUE(ds.Set("orders", "a", Json("two")).ok());
    ASSERT_TRUE((*docs)->FilesOf("u").Save("big.bin", big, "application/x-big", "f").ok());
    ASSERT_TRUE((*docs)->FilesOf("other").Save("o.txt", "other's", "text/plain", "f").ok());
  }
  auto docs = Open(path);
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  DataStore& ds = (*docs)->DataStoresOf("u");
  auto stores = ds.ListStores();
  ASSERT_TRUE(stores.ok());
  ASSERT_EQ(stores->size(), 1u);
  EXPECT_EQ((*stores)[0].name, "Orders");
  auto a = ds.Get("orders", "a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->value, Json("two"));
  EXPECT_EQ((*a)->created_ms, 1700000000010);
  // Insertion order carries over: a new key goes after the old ones.
  ASSERT_TRUE(ds.Set("orders", "0", Json(0)).ok());
  auto all = ds.Find("orders", Json::MakeObject());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key, "b");
  EXPECT_EQ((*all)[1].key, "a");
  EXPECT_EQ((*all)[2].key, "0");
  auto info = (*docs)->FilesOf("u").Info("f");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->content_type, "application/x-big");
  EXPECT_EQ(info->length, static_cast<int64_t>(big.size()));
  EXPECT_EQ(*(*docs)->FilesOf("u").Read("f"), big);
  EXPECT_EQ(*(*docs)->FilesOf("other").Read("f"), "other's");
}

TEST_F(SqliteDocumentsTest, DirectoryIsPrivateAndFilesAre0600) {
  const mode_t old_umask = ::umask(022);
  const std::string data = dir_.Sub("new/data");
  const std::string path = data + "/docs.db";
  {
    auto docs = Open(path);
    ASSERT_TRUE(docs.ok()) << docs.status().ToString();
    ASSERT_TRUE((*docs)->DataStoresOf("u").Set("s", "k", Json(1)).ok());
    EXPECT_EQ(ModeOf(data), 0700);
    EXPECT_EQ(ModeOf(path), 0600);
    EXPECT_EQ(ModeOf(path + "-wal"), 0600);
    EXPECT_EQ(ModeOf(path + "-shm"), 0600);
  }
  // An existing database and directory with looser modes are narrowed on open.
  ASSERT_EQ(::chmod(data.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  {
    auto docs = Open(path);
    ASSERT_TRUE(docs.ok()) << docs.status().ToString();
    EXPECT_EQ(ModeOf(data), 0700);
    EXPECT_EQ(ModeOf(path), 0600);
    EXPECT_EQ(ModeOf(path + "-wal"), 0600);
    EXPECT_EQ(ModeOf(path + "-shm"), 0600);
  }
  ::umask(old_umask);
}

TEST_F(SqliteDocumentsTest, NewDatabaseRecordsTheCurrentSchemaVersion) {
  const std::string path = dir_.Sub("docs.db");
  ASSERT_TRUE(Open(path).ok());
  EXPECT_EQ(RawSql(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "2");
  EXPECT_EQ(RawSql(path, "PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteDocumentsTest, NewerSchemaVersionFailsAndLeavesTheFileUntouched) {
  const std::string path = dir_.Sub("docs.db");
  {
    auto docs = Open(path);
    ASSERT_TRUE(docs.ok());
    ASSERT_TRUE((*docs)->DataStoresOf("u").Set("s", "k", Json(1)).ok());
  }
  RawSql(path, "UPDATE meta SET value = 999 WHERE key = 'schema_version'");
  ASSERT_EQ(RawSql(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "999");
  const std::string before = ReadBytes(path);
  ASSERT_FALSE(before.empty());

  auto docs = Open(path);
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(docs.status().message(), HasSubstr("999"));
  EXPECT_THAT(docs.status().message(), HasSubstr(path));
  EXPECT_THAT(docs.status().message(), HasSubstr("(2)"));
  EXPECT_EQ(ReadBytes(path), before);
}

// A database written before files could be archived (schema version 1) is migrated in place:
// its files are kept, none archived, and can be archived afterwards.
TEST_F(SqliteDocumentsTest, VersionOneDatabaseGainsTheArchivedMark) {
  const std::string path = dir_.Sub("docs.db");
  {
    auto docs = Open(path);
    ASSERT_TRUE(docs.ok());
    ASSERT_TRUE((*docs)->FilesOf("u").Save("a.txt", "content", "text/plain", "f1").ok());
  }
  RawSql(path, "ALTER TABLE files DROP COLUMN archived");
  RawSql(path, "UPDATE meta SET value = 1 WHERE key = 'schema_version'");
  ASSERT_EQ(RawSql(path, "SELECT count(*) FROM pragma_table_info('files') WHERE name = 'archived'"), "0");

  auto docs = Open(path);
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  EXPECT_EQ(RawSql(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "2");
  FileStore& files = (*docs)->FilesOf("u");
  ASSERT_TRUE(files.Info("f1").ok());
  EXPECT_FALSE(files.Info("f1")->archived);
  EXPECT_EQ(*files.Read("f1"), "content");
  ASSERT_TRUE(files.Archive("f1").ok());
  EXPECT_TRUE(files.List()->at(0).archived);
}

TEST_F(SqliteDocumentsTest, NewerSchemaVersionInTheWalIsNotCheckpointedIntoTheFile) {
  const std::string path = dir_.Sub("docs.db");
  {
    auto docs = Open(path);
    ASSERT_TRUE(docs.ok());
  }
  RawSql(path, "UPDATE meta SET value = 999 WHERE key = 'schema_version'", /*keep_wal=*/true);
  const std::string db_before = ReadBytes(path);
  const std::string wal_before = ReadBytes(path + "-wal");
  ASSERT_FALSE(wal_before.empty());

  auto docs = Open(path);
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(docs.status().message(), HasSubstr("999"));
  EXPECT_EQ(ReadBytes(path), db_before);
  EXPECT_EQ(ReadBytes(path + "-wal"), wal_before);
}

TEST_F(SqliteDocumentsTest, DataPathThatIsNotADirectoryFailsClearly) {
  const std::string file = dir_.Sub("plain-file");
  std::ofstream(file) << "not a directory";
  auto docs = Open(file + "/docs.db");
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(docs.status().message(), HasSubstr(file));
  EXPECT_THAT(docs.status().message(), HasSubstr("not a directory"));
  EXPECT_EQ(ReadBytes(file), "not a directory");
  EXPECT_EQ(NewSqliteDocumentStore({}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteDocumentsTest, ForeignFilesAreRefused) {
  const std::string garbage = dir_.Sub("garbage.db");
  std::ofstream(garbage) << std::string(4096, 'x');
  auto docs = Open(garbage);
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(docs.status().message(), HasSubstr(garbage));

  const std::string other = dir_.Sub("other.db");
  RawSql(other, "CREATE TABLE t (x)");
  docs = Open(other);
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(docs.status().message(), HasSubstr("not a flowkit documents database"));
}

TEST_F(SqliteDocumentsTest, ConcurrentSetsOnOneStoreAllLand) {
  const std::string path = dir_.Sub("docs.db");
  auto docs = Open(path);
  ASSERT_TRUE(docs.ok());
  // A second DocumentStore on the same file: writers from both wait for each other.
  auto second = Open(path);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  constexpr int kThreads = 6, kPerThread = 150;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    DocumentStore* target = (t % 2 == 0 ? docs : second)->get();
    threads.emplace_back([target, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto set = target->DataStoresOf("u").Set("s", std::to_string(t) + "-" + std::to_string(i), Json(i));
        ASSERT_TRUE(set.ok()) << set.status().ToString();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  DataStore& ds = (*docs)->DataStoresOf("u");
  EXPECT_EQ(*ds.Count("s", Json::MakeObject()), kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      auto got = ds.Get("s", std::to_string(t) + "-" + std::to_string(i));
      ASSERT_TRUE(got.ok() && got->has_value());
      EXPECT_EQ((*got)->value, Json(i));
    }
  }
}

TEST_F(SqliteDocumentsTest, AnExclusiveStoreKeepsOthersOut) {
  const std::string path = dir_.Sub("docs.db");
  auto docs = NewSqliteDocumentStore({.path = path, .clock = &clock_, .exclusive_lock = true});
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_TRUE((*docs)->DataStoresOf("u").CreateStore("s", "s").ok());
  auto second = NewSqliteDocumentStore({.path = path, .busy_timeout_ms = 20});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(path));
  ASSERT_TRUE((*docs)->DataStoresOf("u").Set("s", "k", Json(1)).ok());
  docs = Status::Cancelled("closed");  // closes the first store, releasing the lock
  auto reopened = NewSqliteDocumentStore({.path = path, .busy_timeout_ms = 20});
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*(*reopened)->DataStoresOf("u").Get("s", "k"))->value, Json(1));
}

TEST_F(SqliteDocumentsTest, AFailedWriteLeavesPreviousDataIntact) {
  const std::string path = dir_.Sub("docs.db");
  auto docs = Open(path, /*max_file_bytes=*/32 << 20);
  ASSERT_TRUE(docs.ok());
  FileStore& files = (*docs)->FilesOf("u");
  DataStore& ds = (*docs)->DataStoresOf("u");
  ASSERT_TRUE(files.Save("keep", "original", "text/plain", "f").ok());
  ASSERT_TRUE(ds.Set("s", "k", Json("before")).ok());

  // Cap the size of files this process may write: SQLite's writes past it fail (as on a full
  // disk), so the transaction cannot commit.
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 1 << 20;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  const std::string huge(16 << 20, 'h');
  auto replaced = files.Replace("f", huge);
  auto saved = files.Save("huge", huge, "text/plain", "g");
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  std::signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(replaced.ok());
  EXPECT_THAT(replaced.status().code(), ::testing::AnyOf(StatusCode::kResourceExhausted, StatusCode::kIOError));
  EXPECT_THAT(replaced.status().message(), HasSubstr("file replace"));
  ASSERT_FALSE(saved.ok());
  EXPECT_THAT(saved.status().message(), HasSubstr("file save"));

  EXPECT_EQ(*files.Read("f"), "original");
  EXPECT_EQ(files.Info("f")->length, 8);
  EXPECT_EQ(files.Info("g").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(files.List()->size(), 1u);
  // The store works on once there is room again.
  ASSERT_TRUE(ds.Set("s", "k", Json("after")).ok());
  EXPECT_EQ((*ds.Get("s", "k"))->value, Json("after"));
  ASSERT_TRUE(files.Replace("f", "new").ok());
  EXPECT_EQ(*files.Read("f"), "new");
}

TEST(SqliteStatus, MapsResultCodesToStatusCodes) {
  auto full = sqlite::SqliteStatus(nullptr, SQLITE_FULL, "data store set");
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("data store set"));
  EXPECT_THAT(full.message(), HasSubstr("disk full"));
  EXPECT_EQ(sqlite::SqliteStatus(nullptr, SQLITE_IOERR_WRITE, "x").code(), StatusCode::kIOError);
  EXPECT_EQ(sqlite::SqliteStatus(nullptr, SQLITE_CORRUPT, "x").code(), StatusCode::kCorruption);
  EXPECT_EQ(sqlite::SqliteStatus(nullptr, SQLITE_NOTADB, "x").code(), StatusCode::kCorruption);
  EXPECT_EQ(sqlite::SqliteStatus(nullptr, SQLITE_BUSY, "x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(sqlite::SqliteStatus(nullptr, SQLITE_TOOBIG, "x").code(), StatusCode::kTooLarge);
  EXPECT_EQ(sqlite::SqliteStatus(nullptr, SQLITE_MISUSE, "x").code(), StatusCode::kInternal);
}

TEST(SqliteMigrations, PendingStepsRunInOrderOnce) {
  test::TempDir dir;
  const std::string path = dir.Sub("m.db");
  const sqlite::Migration v1[] = {{1, "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);"}};
  const sqlite::Migration v2[] = {v1[0], {2, "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'two';"}};
  {
    auto db = sqlite::Db::Open({.path = path, .what = "test database", .migrations = v1});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->schema_version(), 1);
  }
  {
    auto db = sqlite::Db::Open({.path = path, .what = "test database", .migrations = v2});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->schema_version(), 2);
  }
  EXPECT_EQ(RawSql(path, "SELECT count(*) FROM t"), "1");  // v1 ran once
  EXPECT_EQ(RawSql(path, "SELECT b FROM t"), "two");
  EXPECT_EQ(RawSql(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "2");
  // Back to a build that only knows v1: refused, untouched.
  const std::string before = ReadBytes(path);
  auto old = sqlite::Db::Open({.path = path, .what = "test database", .migrations = v1});
  EXPECT_EQ(old.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadBytes(path), before);
  // A failing step rolls the whole migration back.
  const sqlite::Migration broken[] = {v2[0], v2[1], {3, "CREATE TABLE u (x); THIS IS NOT SQL;"}};
  auto failed = sqlite::Db::Open({.path = path, .what = "test database", .migrations = broken});
  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("schema version 3"));
  EXPECT_EQ(RawSql(path, "SELECT value FROM meta WHERE key = 'schema_version'"), "2");
  EXPECT_EQ(RawSql(path, "SELECT count(*) FROM sqlite_master WHERE name = 'u'"), "0");
}

// The same random operations on memory and SQLite give the same answers.
TEST_F(SqliteDocumentsTest, AgreesWithTheMemoryAdapter) {
  auto sqlite_docs = Open(dir_.Sub("docs.db"));
  ASSERT_TRUE(sqlite_docs.ok());
  auto memory_docs = NewMemoryDocumentStore({.clock = &clock_, .create_stores_on_first_use = true});
  DataStore& a = memory_docs->DataStoresOf("u");
  DataStore& b = (*sqlite_docs)->DataStoresOf("u");
  std::mt19937 rng(20261123);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  auto random_value = [&]() -> Json {
    switch (pick(6)) {
      case 0: return Json(pick(10));
      case 1: return Json(pick(100) / 4.0);
      case 2: return Json(std::string(1, static_cast<char>('a' + pick(5))));
      case 3: return Json(nullptr);
      case 4: return Json::MakeObject({{"n", pick(5)}, {"s", std::string(1, static_cast<char>('a' + pick(3)))}});
      default: return Json::MakeArray({Json(pick(3)), Json("x")});
    }
  };
  for (int i = 0; i < 600; ++i) {
    clock_.Advance(pick(3));
    const std::string key = "k" + std::to_string(pick(40));
    const int op = pick(10);
    if (op < 7) {
      Json value = random_value();
      auto x = a.Set("s", key, value);
      auto y = b.Set("s", key, value);
      ASSERT_TRUE(x.ok() && y.ok());
      EXPECT_EQ(x->old_value.Dump(), y->old_value.Dump());
      EXPECT_EQ(x->record.created_ms, y->record.created_ms);
    } else if (op < 9) {
      auto x = a.Remove("s", key);
      auto y = b.Remove("s", key);
      ASSERT_TRUE(x.ok() && y.ok());
      EXPECT_EQ(x->has_value(), y->has_value());
    } else if (pick(20) == 0) {
      EXPECT_EQ(*a.Clear("s"), *b.Clear("s"));
    }
  }
  const char* queries[] = {"{}",
                           R"({"value.n": {"$gte": 2}})",
                           R"({"value": {"$in": [1, 2, "a"]}})",
                           R"({"value.s": {"$regex": "^[ab]$"}})",
                           R"({"value.0": {"$exists": true}})",
                           R"({"key": "k7"})",
                           R"({"$or": [{"value": null}, {"value.n": {"$ne": 1}}]})",
                           R"({"updatedAt": {"$gt": 1700000000300}})"};
  const FindOptions options[] = {{},
                                 {.sort_by = "value"},
                                 {.sort_by = "value.n", .descending = true},
                                 {.sort_by = "updatedAt", .descending = false, .offset = 3, .limit = 5},
                                 {.sort_by = "key", .descending = true, .offset = 0, .limit = 10}};
  for (const char* text : queries) {
    Json query = *Json::Parse(text);
    EXPECT_EQ(*a.Count("s", query), *b.Count("s", query)) << text;
    for (const FindOptions& option : options) {
      auto x = a.Find("s", query, option);
      auto y = b.Find("s", query, option);
      ASSERT_TRUE(x.ok() && y.ok()) << text;
      ASSERT_EQ(x->size(), y->size()) << text;
      for (size_t i = 0; i < x->size(); ++i) {
        EXPECT_EQ((*x)[i].ToJson().Dump(), (*y)[i].ToJson().Dump()) << text << " #" << i;
      }
    }
  }
}

}  // namespace
}  // namespace flowkit
