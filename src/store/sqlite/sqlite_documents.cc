// The SQLite documents adapter: every user's data stores and files in one database file.
//
// One connection behind one mutex serves all users (SQLite serializes writers anyway, and a
// data-store call is a few microseconds of SQL). The per-user views only carry the user id; the
// user table only grows, so the references DataStoresOf/FilesOf return stay valid for the
// DocumentStore's life. Every call runs in one transaction, so a failed write changes nothing.
//
// Queries are compiled and matched by store/query.cc exactly as the memory adapter does; only a
// plain equality on `key` narrows the SQL scan. Records keep insertion order through their rowid
// (`seq`): an update keeps it, a new key gets a larger one.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "flowkit/storage.h"
#include "store/errors.h"
#include "store/query.h"
#include "store/sqlite/sqlite_db.h"
#include "util/ids.h"
#include "util/string_map.h"

namespace flowkit {
namespace {

constexpr int64_t kChunkBytes = 256 * 1024;

constexpr sqlite::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE stores (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  store_id TEXT NOT NULL,
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  UNIQUE (user_id, store_id)
);
CREATE TABLE records (
  seq INTEGER PRIMARY KEY,
  store INTEGER NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (store, key)
);
CREATE INDEX records_in_order ON records (store, seq);
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  file_id TEXT NOT NULL,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  length INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (user_id, file_id)
);
CREATE TABLE file_chunks (
  file INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  n INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (file, n)
);
)sql"},
    // files.ArchiveFile: archived files stay readable but leave the listing of current files.
    {2, "ALTER TABLE files ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;"},
};

constexpr const char* kFindStore = "SELECT id FROM stores WHERE user_id = ?1 AND store_id = ?2";
constexpr const char* kInsertStore =
    "INSERT INTO stores (user_id, store_id, name, created_ms) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kListStores = "SELECT store_id, name FROM stores WHERE user_id = ?1 ORDER BY id";
constexpr const char* kDeleteStore = "DELETE FROM stores WHERE user_id = ?1 AND store_id = ?2";
constexpr const char* kGetRecord =
    "SELECT value, created_ms, updated_ms FROM records WHERE store = ?1 AND key = ?2";
constexpr const char* kInsertRecord =
    "INSERT INTO records (store, key, value, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?4)";
constexpr const char* kUpdateRecord = "UPDATE records SET value = ?3, updated_ms = ?4 WHERE store = ?1 AND key = ?2";
constexpr const char* kRemoveRecord =
    "DELETE FROM records WHERE store = ?1 AND key = ?2 RETURNING value, created_ms, updated_ms";
constexpr const char* kClearRecords = "DELETE FROM records WHERE store = ?1";
constexpr const char* kScanRecords =
    "SELECT key, value, created_ms, updated_ms FROM records WHERE store = ?1 ORDER BY seq";
constexpr const char* kScanKey =
    "SELECT key, value, created_ms, updated_ms FROM records WHERE store = ?1 AND key = ?2";
constexpr const char* kCountRecords = "SELECT count(*) FROM records WHERE store = ?1";
constexpr const char* kFindFile =
    "SELECT id, filename, content_type, length, created_ms, updated_ms, archived FROM files "
    "WHERE user_id = ?1 AND file_id = ?2";
constexpr const char* kInsertFile =
    "INSERT INTO files (user_id, file_id, filename, content_type, length, created_ms, updated_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
constexpr const char* kUpdateFile = "UPDATE files SET length = ?2, updated_ms = ?3 WHERE id = ?1";
constexpr const char* kDeleteFile = "DELETE FROM files WHERE id = ?1";
constexpr const char* kArchiveFile = "UPDATE files SET archived = 1 WHERE id = ?1";
constexpr const char* kListFiles =
    "SELECT file_id, filename, content_type, length, created_ms, updated_ms, archived FROM files "
    "WHERE user_id = ?1 ORDER BY id";
constexpr const char* kInsertChunk = "INSERT INTO file_chunks (file, n, data) VALUES (?1, ?2, ?3)";
constexpr const char* kDeleteChunks = "DELETE FROM file_chunks WHERE file = ?1";
constexpr const char* kReadChunks = "SELECT data FROM file_chunks WHERE file = ?1 ORDER BY n";



// What the views share: the connection, its mutex and the options.
class Database {
 public:
  Database(const SqliteDocumentOptions& options, std::unique_ptr<sqlite::Db> db)
      : options_(options), db_(std::move(db)) {}

  const SqliteDocumentOptions& options() const { return options_; }
  int64_t Now() const { return options_.clock->NowMillis(); }
  std::mutex& mu() { return mu_; }
  // REQUIRES: mu() held.
  sqlite::Db& db() { return *db_; }

  // Record operations create their store when the options say so, and then have to write.
  sqlite::Transaction::Mode RecordReadMode() const {
    return options_.create_stores_on_first_use ? sqlite::Transaction::Mode::kWrite
                                               : sqlite::Transaction::Mode::kRead;
  }

  // The row id of `user`'s store `store_id` (created when the options say so), or kNotFound.
  // REQUIRES: mu() held, inside a transaction (a write one when creating is possible).
  Result<int64_t> StoreRow(std::string_view user, std::string_view store_id, std::string_view operation) {
    {
      FLOWKIT_ASSIGN_OR_RETURN(sqlite::Statement find, db_->Prepare(kFindStore, operation));
      find.Bind(1, user);
      find.Bind(2, store_id);
      FLOWKIT_ASSIGN_OR_RETURN(bool found, find.Step());
      if (found) return find.Int(0);
    }
    if (!options_.create_stores_on_first_use || store_id.empty()) return store::StoreNotFound(store_id);
    FLOWKIT_RETURN_IF_ERROR(InsertStore(user, store_id, store_id, operation));
    return db_->LastInsertRowid();
  }

  Status InsertStore(std::string_view user, std::string_view store_id, std::string_view name,
                     std::string_view operation) {
    FLOWKIT_ASSIGN_OR_RETURN(sqlite::Statement insert, db_->Prepare(kInsertStore, operation));
    insert.Bind(1, user);
    insert.Bind(2, store_id);
    insert.Bind(3, name);
    insert.Bind(4, Now());
    return insert.Run();
  }

  // The file's row id and info, or kNotFound. REQUIRES: mu() held.
  Result<std::pair<int64_t, FileInfo>> FileRow(std::string_view user, std::string_view file_id,
                                               std::string_view operation) {
    FLOWKIT_ASSIGN_OR_RETURN(sqlite::Statement find, db_->Prepare(kFindFile, operation));
    find.Bind(1, user);
    find.Bind(2, file_id);
    FLOWKIT_ASSIGN_OR_RETURN(bool found, find.Step());
    if (!found) return store::FileNotFound(file_id);
    FileInfo info{std::string(file_id), std::string(find.Text(1)), std::string(find.Text(2)),
                  find.Int(3),          find.Int(4),               find.Int(5),
                  find.Int(6) != 0};
    return std::make_pair(find.Int(0), std::move(info));
  }

  // Writes `content` as the chunks of file row `file`. REQUIRES: mu() held, in a write transaction.
  Status WriteChunks(int64_t file, std::string_view content, std::string_view operation) {
    FLOWKIT_ASSIGN_OR_RETURN(sqlite::Statement insert, db_->Prepare(kInsertChunk, operation));
    int64_t n = 0;
    for (size_t offset = 0; offset < content.size(); offset += kChunkBytes, ++n) {
      insert.Bind(1, file);
      insert.Bind(2, n);
      insert.BindBlob(3, content.substr(offset, kChunkBytes));
      FLOWKIT_RETURN_IF_ERROR(insert.Run());
      insert.Reset();
    }
    return Status::OK();
  }

  Status CheckSize(std::string_view filename, size_t size) const {
    return store::CheckFileSize(filename, size, options_.max_file_bytes);
  }

 private:
  const SqliteDocumentOptions options_;
  std::mutex mu_;
  std::unique_ptr<sqlite::Db> db_;  // guarded by mu_
};

class SqliteDataStore final : public DataStore {
 public:
  SqliteDataStore(Database* database, std::string user) : database_(database), user_(std::move(user)) {}
  Result<std::vector<StoreInfo>> ListStores() override;
  Result<StoreInfo> CreateStore(std::string_view name, std::string_view store_id) override;
  Status DeleteStore(std::string_view store_id) override;
  Result<std::optional<StoreRecord>> Get(std::string_view store_id, std::string_view key) override;
  Result<SetResult> Set(std::string_view store_id, std::string_view key, Json value) override;
  Result<std::optional<StoreRecord>> Remove(std::string_view store_id, std::string_view key) override;
  Result<int64_t> Clear(std::string_view store_id) override;
  Result<std::vector<StoreRecord>> Find(std::string_view store_id, const Json& query,
                                        const FindOptions& options) override;
  Result<int64_t> Count(std::string_view store_id, const Json& query) override;

 private:
  // Calls `each` with every record of the store that may match `query`, in insertion order.
  // REQUIRES: mu held, inside a transaction.
  Status Scan(int64_t store, std::string_view store_id, const store::Query& query, std::string_view operation,
              const std::function<Status(StoreRecord)>& each);

  Database* database_;
  const std::string user_;
};

class SqliteFileStore final : public FileStore {
 public:
  SqliteFileStore(Database* database, std::string user) : database_(database), user_(std::move(user)) {}
  Result<FileInfo> Save(std::string_view filename, std::string_view content, std::string_view content_type,
                        std::string_view file_id) override;
  Result<FileInfo> Replace(std::string_view file_id, std::string_view content) override;
  Result<FileInfo> Info(std::string_view file_id) override;
  Result<std::string> Read(std::string_view file_id) override;
  Status Remove(std::string_view file_id) override;
  Result<FileInfo> Archive(std::string_view file_id) override;
  Result<std::vector<FileInfo>> List() override;

 private:
  Database* database_;
  const std::string user_;
};

using sqlite::Statement;
using sqlite::Transaction;
using Mode = sqlite::Transaction::Mode;

Result<std::vector<StoreInfo>> SqliteDataStore::ListStores() {
  constexpr std::string_view kOp = "data store list";
  std::lock_guard<std::mutex> lock(database_->mu());
  FLOWKIT_ASSIGN_OR_RETURN(Statement list, database_->db().Prepare(kListStores, kOp));
  list.Bind(1, user_);
  std::vector<StoreInfo> out;
  while (true) {
    FLOWKIT_ASSIGN_OR_RETURN(bool row, list.Step());
    if (!row) break;
    out.push_back({std::string(list.Text(0)), std::string(list.Text(1))});
  }
  return out;
}

Result<StoreInfo> SqliteDataStore::CreateStore(std::string_view name, std::string_view store_id) {
  constexpr std::string_view kOp = "data store create";
  std::string id = store_id.empty() ? internal::NewUuid4() : std::string(store_id);
  std::lock_guard<std::mutex> lock(database_->mu());
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement find, database_->db().Prepare(kFindStore, kOp));
    find.Bind(1, user_);
    find.Bind(2, id);
    FLOWKIT_ASSIGN_OR_RETURN(bool exists, find.Step());
    if (exists) return Status::AlreadyExists("data store '" + id + "' already exists");
  }
  FLOWKIT_RETURN_IF_ERROR(database_->InsertStore(user_, id, name, kOp));
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  return StoreInfo{std::move(id), std::string(name)};
}

Status SqliteDataStore::DeleteStore(std::string_view store_id) {
  constexpr std::string_view kOp = "data store delete";
  std::lock_guard<std::mutex> lock(database_->mu());
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
  {
    // The store's records go with it (ON DELETE CASCADE).
    FLOWKIT_ASSIGN_OR_RETURN(Statement remove, database_->db().Prepare(kDeleteStore, kOp));
    remove.Bind(1, user_);
    remove.Bind(2, store_id);
    FLOWKIT_RETURN_IF_ERROR(remove.Run());
  }
  if (database_->db().Changes() == 0) return store::StoreNotFound(store_id);
  return txn.Commit();
}

Result<std::optional<StoreRecord>> SqliteDataStore::Get(std::string_view store_id, std::string_view key) {
  constexpr std::string_view kOp = "data store get";
  std::lock_guard<std::mutex> lock(database_->mu());
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(database_->RecordReadMode()));
  FLOWKIT_ASSIGN_OR_RETURN(int64_t store, database_->StoreRow(user_, store_id, kOp));
  std::optional<StoreRecord> out;
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement get, database_->db().Prepare(kGetRecord, kOp));
    get.Bind(1, store);
    get.Bind(2, key);
    FLOWKIT_ASSIGN_OR_RETURN(bool found, get.Step());
    if (found) {
      FLOWKIT_ASSIGN_OR_RETURN(Json value, sqlite::ParseStoredJson(get.Text(0), kOp));
      out = StoreRecord{std::string(store_id), std::string(key), std::move(value), get.Int(1), get.Int(2)};
    }
  }
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  return out;
}

Result<DataStore::SetResult> SqliteDataStore::Set(std::string_view store_id, std::string_view key, Json value) {
  constexpr std::string_view kOp = "data store set";
  const std::string text = value.Dump();
  std::lock_guard<std::mutex> lock(database_->mu());
  const int64_t now = database_->Now();
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
  FLOWKIT_ASSIGN_OR_RETURN(int64_t store, database_->StoreRow(user_, store_id, kOp));
  SetResult result;
  result.old_value = Json::Undefined();
  int64_t created_ms = now;
  bool existed = false;
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement get, database_->db().Prepare(kGetRecord, kOp));
    get.Bind(1, store);
    get.Bind(2, key);
    FLOWKIT_ASSIGN_OR_RETURN(existed, get.Step());
    if (existed) {
      FLOWKIT_ASSIGN_OR_RETURN(result.old_value, sqlite::ParseStoredJson(get.Text(0), kOp));
      created_ms = get.Int(1);
    }
  }
  {
    // An update keeps the record's place in insertion order (its seq).
    FLOWKIT_ASSIGN_OR_RETURN(Statement write, database_->db().Prepare(existed ? kUpdateRecord : kInsertRecord, kOp));
    write.Bind(1, store);
    write.Bind(2, key);
    write.Bind(3, text);
    write.Bind(4, now);
    FLOWKIT_RETURN_IF_ERROR(write.Run());
  }
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  result.record = StoreRecord{std::string(store_id), std::string(key), std::move(value), created_ms, now};
  return result;
}

Result<std::optional<StoreRecord>> SqliteDataStore::Remove(std::string_view store_id, std::string_view key) {
  constexpr std::string_view kOp = "data store remove";
  std::lock_guard<std::mutex> lock(database_->mu());
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
  FLOWKIT_ASSIGN_OR_RETURN(int64_t store, database_->StoreRow(user_, store_id, kOp));
  std::optional<StoreRecord> removed;
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement remove, database_->db().Prepare(kRemoveRecord, kOp));
    remove.Bind(1, store);
    remove.Bind(2, key);
    FLOWKIT_ASSIGN_OR_RETURN(bool found, remove.Step());
    if (found) {
      FLOWKIT_ASSIGN_OR_RETURN(Json value, sqlite::ParseStoredJson(remove.Text(0), kOp));
      removed = StoreRecord{std::string(store_id), std::string(key), std::move(value), remove.Int(1), remove.Int(2)};
    }
    FLOWKIT_RETURN_IF_ERROR(remove.Run());  // RETURNING: the delete completes when stepped to the end
  }
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  return removed;
}

Result<int64_t> SqliteDataStore::Clear(std::string_view store_id) {
  constexpr std::string_view kOp = "data store clear";
  std::lock_guard<std::mutex> lock(database_->mu());
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
  FLOWKIT_ASSIGN_OR_RETURN(int64_t store, database_->StoreRow(user_, store_id, kOp));
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement clear, database_->db().Prepare(kClearRecords, kOp));
    clear.Bind(1, store);
    FLOWKIT_RETURN_IF_ERROR(clear.Run());
  }
  const int64_t count = database_->db().Changes();
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  return count;
}

Status SqliteDataStore::Scan(int64_t store, std::string_view store_id, const store::Query& query,
                             std::string_view operation, const std::function<Status(StoreRecord)>& each) {
  // A plain {"key": "..."} (the common lookup) reads one row instead of the whole store.
  const Json* key = nullptr;
  for (const store::QueryCondition& condition : query.conditions()) {
    if (condition.op == store::QueryOp::kEq && condition.path == "key" && condition.operand.IsString()) {
      key = &condition.operand;
      break;
    }
  }
  FLOWKIT_ASSIGN_OR_RETURN(Statement scan, database_->db().Prepare(key ? kScanKey : kScanRecords, operation));
  scan.Bind(1, store);
  if (key != nullptr) scan.Bind(2, key->StringView());
  while (true) {
    FLOWKIT_ASSIGN_OR_RETURN(bool row, scan.Step());
    if (!row) return Status::OK();
    FLOWKIT_ASSIGN_OR_RETURN(Json value, sqlite::ParseStoredJson(scan.Text(1), operation));
    StoreRecord record{std::string(store_id), std::string(scan.Text(0)), std::move(value), scan.Int(2), scan.Int(3)};
    FLOWKIT_ASSIGN_OR_RETURN(bool match, query.Matches(record));
    if (match) FLOWKIT_RETURN_IF_ERROR(each(std::move(record)));
  }
}

Result<std::vector<StoreRecord>> SqliteDataStore::Find(std::string_view store_id, const Json& query,
                                                       const FindOptions& options) {
  constexpr std::string_view kOp = "data store find";
  // Compile outside the lock: a bad query should fail without touching the store.
  FLOWKIT_ASSIGN_OR_RETURN(store::Query compiled, store::Query::Compile(query));
  std::vector<StoreRecord> out;
  {
    std::lock_guard<std::mutex> lock(database_->mu());
    Transaction txn(&database_->db(), kOp);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(database_->RecordReadMode()));
    FLOWKIT_ASSIGN_OR_RETURN(int64_t store, database_->StoreRow(user_, store_id, kOp));
    FLOWKIT_RETURN_IF_ERROR(Scan(store, store_id, compiled, kOp, [&out](StoreRecord record) {
      out.push_back(std::move(record));
      return Status::OK();
    }));
    FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  }
  FLOWKIT_RETURN_IF_ERROR(store::ApplyFindOptions(options, &out));
  return out;
}

Result<int64_t> SqliteDataStore::Count(std::string_view store_id, const Json& query) {
  constexpr std::string_view kOp = "data store count";
  FLOWKIT_ASSIGN_OR_RETURN(store::Query compiled, store::Query::Compile(query));
  std::lock_guard<std::mutex> lock(database_->mu());
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(database_->RecordReadMode()));
  FLOWKIT_ASSIGN_OR_RETURN(int64_t store, database_->StoreRow(user_, store_id, kOp));
  int64_t count = 0;
  if (compiled.matches_all()) {
    FLOWKIT_ASSIGN_OR_RETURN(Statement all, database_->db().Prepare(kCountRecords, kOp));
    all.Bind(1, store);
    FLOWKIT_ASSIGN_OR_RETURN(bool row, all.Step());
    if (row) count = all.Int(0);
  } else {
    FLOWKIT_RETURN_IF_ERROR(Scan(store, store_id, compiled, kOp, [&count](StoreRecord) {
      ++count;
      return Status::OK();
    }));
  }
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  return count;
}

Result<FileInfo> SqliteFileStore::Save(std::string_view filename, std::string_view content,
                                       std::string_view content_type, std::string_view file_id) {
  constexpr std::string_view kOp = "file save";
  FLOWKIT_RETURN_IF_ERROR(database_->CheckSize(filename, content.size()));
  std::string id = file_id.empty() ? internal::NewUuid4() : std::string(file_id);
  std::lock_guard<std::mutex> lock(database_->mu());
  const int64_t now = database_->Now();
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
  {
    auto existing = database_->FileRow(user_, id, kOp);
    if (existing.ok()) return Status::AlreadyExists("file '" + id + "' already exists");
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  }
  FileInfo info{id, std::string(filename), std::string(content_type), static_cast<int64_t>(content.size()), now, now};
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement insert, database_->db().Prepare(kInsertFile, kOp));
    insert.Bind(1, user_);
    insert.Bind(2, info.file_id);
    insert.Bind(3, info.filename);
    insert.Bind(4, info.content_type);
    insert.Bind(5, info.length);
    insert.Bind(6, now);
    FLOWKIT_RETURN_IF_ERROR(insert.Run());
  }
  FLOWKIT_RETURN_IF_ERROR(database_->WriteChunks(database_->db().LastInsertRowid(), content, kOp));
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  return info;
}

Result<FileInfo> SqliteFileStore::Replace(std::string_view file_id, std::string_view content) {
  constexpr std::string_view kOp = "file replace";
  std::lock_guard<std::mutex> lock(database_->mu());
  const int64_t now = database_->Now();
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
  FLOWKIT_ASSIGN_OR_RETURN(auto file, database_->FileRow(user_, file_id, kOp));
  auto& [row, info] = file;
  FLOWKIT_RETURN_IF_ERROR(database_->CheckSize(info.filename, content.size()));
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement clear, database_->db().Prepare(kDeleteChunks, kOp));
    clear.Bind(1, row);
    FLOWKIT_RETURN_IF_ERROR(clear.Run());
  }
  FLOWKIT_RETURN_IF_ERROR(database_->WriteChunks(row, content, kOp));
  info.length = static_cast<int64_t>(content.size());
  info.updated_ms = now;
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement update, database_->db().Prepare(kUpdateFile, kOp));
    update.Bind(1, row);
    update.Bind(2, info.length);
    update.Bind(3, now);
    FLOWKIT_RETURN_IF_ERROR(update.Run());
  }
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  return info;
}

Result<FileInfo> SqliteFileStore::Info(std::string_view file_id) {
  constexpr std::string_view kOp = "file info";
  std::lock_guard<std::mutex> lock(database_->mu());
  FLOWKIT_ASSIGN_OR_RETURN(auto file, database_->FileRow(user_, file_id, kOp));
  return std::move(file.second);
}

Result<std::string> SqliteFileStore::Read(std::string_view file_id) {
  constexpr std::string_view kOp = "file read";
  std::lock_guard<std::mutex> lock(database_->mu());
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kRead));
  FLOWKIT_ASSIGN_OR_RETURN(auto file, database_->FileRow(user_, file_id, kOp));
  std::string content;
  content.reserve(static_cast<size_t>(file.second.length));
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement read, database_->db().Prepare(kReadChunks, kOp));
    read.Bind(1, file.first);
    while (true) {
      FLOWKIT_ASSIGN_OR_RETURN(bool row, read.Step());
      if (!row) break;
      content.append(read.Blob(0));
    }
  }
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  if (static_cast<int64_t>(content.size()) != file.second.length) {
    return Status::Corruption("file read: file '" + std::string(file_id) + "' has " + std::to_string(content.size()) +
                              " bytes stored but a length of " + std::to_string(file.second.length));
  }
  return content;
}

Status SqliteFileStore::Remove(std::string_view file_id) {
  constexpr std::string_view kOp = "file remove";
  std::lock_guard<std::mutex> lock(database_->mu());
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
  FLOWKIT_ASSIGN_OR_RETURN(auto file, database_->FileRow(user_, file_id, kOp));
  {
    // Its chunks go with it (ON DELETE CASCADE).
    FLOWKIT_ASSIGN_OR_RETURN(Statement remove, database_->db().Prepare(kDeleteFile, kOp));
    remove.Bind(1, file.first);
    FLOWKIT_RETURN_IF_ERROR(remove.Run());
  }
  return txn.Commit();
}

Result<FileInfo> SqliteFileStore::Archive(std::string_view file_id) {
  constexpr std::string_view kOp = "file archive";
  std::lock_guard<std::mutex> lock(database_->mu());
  Transaction txn(&database_->db(), kOp);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
  FLOWKIT_ASSIGN_OR_RETURN(auto file, database_->FileRow(user_, file_id, kOp));
  {
    FLOWKIT_ASSIGN_OR_RETURN(Statement archive, database_->db().Prepare(kArchiveFile, kOp));
    archive.Bind(1, file.first);
    FLOWKIT_RETURN_IF_ERROR(archive.Run());
  }
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  file.second.archived = true;
  return std::move(file.second);
}

Result<std::vector<FileInfo>> SqliteFileStore::List() {
  constexpr std::string_view kOp = "file list";
  std::lock_guard<std::mutex> lock(database_->mu());
  FLOWKIT_ASSIGN_OR_RETURN(Statement list, database_->db().Prepare(kListFiles, kOp));
  list.Bind(1, user_);
  std::vector<FileInfo> out;
  while (true) {
    FLOWKIT_ASSIGN_OR_RETURN(bool row, list.Step());
    if (!row) break;
    out.push_back({std::string(list.Text(0)), std::string(list.Text(1)), std::string(list.Text(2)), list.Int(3),
                   list.Int(4), list.Int(5), list.Int(6) != 0});
  }
  return out;
}

class SqliteDocumentStore final : public DocumentStore {
 public:
  explicit SqliteDocumentStore(std::unique_ptr<Database> database) : database_(std::move(database)) {}

  DataStore& DataStoresOf(std::string_view user_id) override { return UserOf(user_id).data; }
  FileStore& FilesOf(std::string_view user_id) override { return UserOf(user_id).files; }

 private:
  struct UserViews {
    UserViews(Database* database, std::string_view user)
        : data(database, std::string(user)), files(database, std::string(user)) {}
    SqliteDataStore data;
    SqliteFileStore files;
  };

  UserViews& UserOf(std::string_view user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = users_.find(user_id);
    if (it == users_.end()) {
      it = users_.emplace(std::string(user_id), std::make_unique<UserViews>(database_.get(), user_id)).first;
    }
    return *it->second;
  }

  std::unique_ptr<Database> database_;
  std::mutex mu_;
  // Guarded by mu_; never shrinks.
  util::StringMap<std::unique_ptr<UserViews>> users_;
};

}  // namespace

Result<std::unique_ptr<DocumentStore>> NewSqliteDocumentStore(const SqliteDocumentOptions& options) {
  SqliteDocumentOptions resolved = options;
  if (resolved.clock == nullptr) resolved.clock = SystemClock();
  FLOWKIT_ASSIGN_OR_RETURN(
      std::unique_ptr<sqlite::Db> db,
      sqlite::Db::Open({.path = options.path,
                        .what = "documents database",
                        .migrations = kMigrations,
                        .busy_timeout_ms = options.busy_timeout_ms,
                        .exclusive = options.exclusive_lock}));
  return std::unique_ptr<DocumentStore>(
      std::make_unique<SqliteDocumentStore>(std::make_unique<Database>(resolved, std::move(db))));
}

}  // namespace flowkit
