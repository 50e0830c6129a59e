// Storage interfaces for documents that components use: data stores (key/value records) and
// files. Each is bound to one user; a DocumentStore hands out the per-user views. Adapters:
// memory and SQLite (here), PostgreSQL (later); all run through the same conformance tests.
//
// Threading: every method of these interfaces is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowkit/clock.h"
#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit {

struct StoreInfo {
  std::string store_id;
  std::string name;
};

struct StoreRecord {
  std::string store_id;
  std::string key;
  Json value;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  // Appmixer's record: {key, value, storeId, createdAt, updatedAt} (times as ISO text).
  Json ToJson() const;
};

struct FindOptions {
  // Sort by "key", "value", "createdAt" or "updatedAt" (or a path inside value: "value.x");
  // empty = insertion order.
  std::string sort_by;
  bool descending = false;
  int64_t offset = 0;
  int64_t limit = -1;  // -1 = all
};

// One user's data stores.
class DataStore {
 public:
  virtual ~DataStore() = default;

  virtual Result<std::vector<StoreInfo>> ListStores() = 0;
  // Creates a store named `name`; `store_id` empty = a new UUID. kAlreadyExists when the id is
  // taken.
  virtual Result<StoreInfo> CreateStore(std::string_view name, std::string_view store_id = {}) = 0;
  virtual Status DeleteStore(std::string_view store_id) = 0;

  // Record operations; kNotFound when the store does not exist.
  virtual Result<std::optional<StoreRecord>> Get(std::string_view store_id, std::string_view key) = 0;
  struct SetResult {
    StoreRecord record;
    Json old_value;  // Undefined when the key was new
  };
  virtual Result<SetResult> Set(std::string_view store_id, std::string_view key, Json value) = 0;
  // The removed record, or nullopt when the key was absent.
  virtual Result<std::optional<StoreRecord>> Remove(std::string_view store_id, std::string_view key) = 0;
  // Removes every record; returns how many.
  virtual Result<int64_t> Clear(std::string_view store_id) = 0;
  // Records matching `query`: an object of field paths ("key", "value", "value.a.b",
  // "createdAt", "updatedAt") to a value (equality) or an operator object with $eq $ne $gt
  // $gte $lt $lte $in $nin $exists $regex; {} matches all.
  virtual Result<std::vector<StoreRecord>> Find(std::string_view store_id, const Json& query,
                                                const FindOptions& options = {}) = 0;
  virtual Result<int64_t> Count(std::string_view store_id, const Json& query) = 0;
};

struct FileInfo {
  std::string file_id;
  std::string filename;
  std::string content_type;
  int64_t length = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  // Set by FileStore::Archive: the file is kept and readable by id, but listings of current files
  // (GET /files) leave it out.
  bool archived = false;
  // Appmixer's file object: {fileId, filename, length, contentType, uploadDate, metadata};
  // metadata.archived is true for an archived file.
  Json ToJson() const;
};

// One user's files.
class FileStore {
 public:
  virtual ~FileStore() = default;
  // Stores `content` as a new file; `file_id` empty = a new UUID (kAlreadyExists when taken).
  // kTooLarge past the adapter's size limit.
  virtual Result<FileInfo> Save(std::string_view filename, std::string_view content,
                                std::string_view content_type = "application/octet-stream",
                                std::string_view file_id = {}) = 0;
  // Replaces the content in place, keeping id and name.
  virtual Result<FileInfo> Replace(std::string_view file_id, std::string_view content) = 0;
  virtual Result<FileInfo> Info(std::string_view file_id) = 0;
  virtual Result<std::string> Read(std::string_view file_id) = 0;
  virtual Status Remove(std::string_view file_id) = 0;
  // Marks the file archived (appmixer.utils.files.ArchiveFile); idempotent. Content, id and
  // uploadDate stay; Replace keeps the mark.
  virtual Result<FileInfo> Archive(std::string_view file_id) = 0;
  // Every file, archived ones included (FileInfo::archived tells them apart).
  virtual Result<std::vector<FileInfo>> List() = 0;
};

// The documents role: per-user data stores and files.
class DocumentStore {
 public:
  virtual ~DocumentStore() = default;
  // Views valid as long as this DocumentStore.
  virtual DataStore& DataStoresOf(std::string_view user_id) = 0;
  virtual FileStore& FilesOf(std::string_view user_id) = 0;
};

struct MemoryDocumentOptions {
  const Clock* clock = nullptr;          // null = SystemClock()
  int64_t max_file_bytes = 64 << 20;     // per file
  bool create_stores_on_first_use = false;  // `flowkit run`: a store id used before it exists
};

std::unique_ptr<DocumentStore> NewMemoryDocumentStore(const MemoryDocumentOptions& options = {});

struct SqliteDocumentOptions {
  // The database file, e.g. "<data dir>/documents.db". Its directory is created (mode 0700)
  // when missing; the database and its -wal/-shm files get mode 0600. Required.
  std::string path;
  const Clock* clock = nullptr;          // null = SystemClock()
  int64_t max_file_bytes = 64 << 20;     // per file
  bool create_stores_on_first_use = false;  // as in MemoryDocumentOptions
  // Keep the database locked from the first call until the store closes: no other process (or
  // second DocumentStore) can open it meanwhile, but each call skips taking and dropping file
  // locks: reads about twice as fast; writes gain less, their cost being the WAL write
  // (bench/document_store_bench.cc).
  // Default: false (shared).
  bool exclusive_lock = false;
  // How long a call waits for another connection's lock before failing kUnavailable.
  int busy_timeout_ms = 5000;
};

// Opens (creating or migrating) the SQLite documents database at `options.path`. Errors:
// kFailedPrecondition when the data path is not a directory or the database was written by a
// newer flowkit (the file is then left untouched); kCorruption when the file is not a flowkit
// documents database; kIOError when it cannot be opened. Unless exclusive_lock is set, several
// DocumentStores (in this or other processes) may share one database: writers wait for each
// other (WAL, busy_timeout_ms).
Result<std::unique_ptr<DocumentStore>> NewSqliteDocumentStore(const SqliteDocumentOptions& options);

}  // namespace flowkit
