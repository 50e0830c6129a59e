// A SQLite connection for flowkit's embedded stores: opened inside a private data directory
// (dir 0700, database and its -wal/-shm files 0600), in WAL mode with synchronous=NORMAL, a busy
// timeout and foreign keys on; schema-versioned through a `meta` table and ordered migrations;
// statements prepared once and cached; SQLite result codes turned into Status.
//
// Threading: a Db is not thread-safe; its owner serializes every call (e.g. one mutex around
// the connection). Statements and Transactions borrow the Db and must not outlive it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::sqlite {

// One schema step: `sql` (one or more statements) takes the schema from `version - 1` to
// `version`. Steps run in order, each database applying only those newer than its own version,
// all of them in one transaction together with the version update.
struct Migration {
  int version;
  const char* sql;
};

struct DbOptions {
  std::string path;                        // the database file
  std::string_view what = "database";      // names the store in messages ("documents database")
  std::span<const Migration> migrations;   // ordered by version, starting at 1
  int busy_timeout_ms = 5000;
  // Hold the file lock from the first access until close (PRAGMA locking_mode=EXCLUSIVE): no
  // other connection can use the database, and no call pays for taking and dropping locks.
  bool exclusive = false;
};

// The Status for SQLite result code `rc` from `operation`: SQLITE_FULL → kResourceExhausted,
// SQLITE_IOERR/CANTOPEN/PERM/READONLY → kIOError, SQLITE_CORRUPT/NOTADB → kCorruption,
// SQLITE_BUSY/LOCKED → kUnavailable, SQLITE_TOOBIG → kTooLarge, anything else kInternal. The
// message names the operation and SQLite's explanation. `db` may be null.
Status SqliteStatus(sqlite3* db, int rc, std::string_view operation);

// The JSON stored as `text` in a column; kCorruption naming `operation` when it is not JSON.
Result<Json> ParseStoredJson(std::string_view text, std::string_view operation);

// A cached prepared statement borrowed for one use: bind, step, read columns; reset and
// unbound when it goes out of scope. Text and blobs are bound without copying, so they must
// outlive the statement's use. Binding errors are kept and reported by the next Step.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view operation) noexcept
      : db_(db), stmt_(stmt), operation_(operation) {}
  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), operation_(other.operation_),
        bind_rc_(other.bind_rc_) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Parameters are 1-based (?1, ?2, ...).
  void Bind(int index, std::string_view text);
  void Bind(int index, int64_t value);
  void BindBlob(int index, std::string_view bytes);

  // Makes the statement ready to run again (bindings cleared).
  void Reset();

  // true: a row is ready; false: done.
  Result<bool> Step();
  // Steps until done (for statements that return no rows).
  Status Run();

  int64_t Int(int column) const;
  std::string_view Text(int column) const;
  std::string_view Blob(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string_view operation_;
  int bind_rc_ = SQLITE_OK;
};

class Db {
 public:
  // Opens or creates the database at options.path, checks its schema version (a database
  // written by a newer flowkit fails with kFailedPrecondition before anything is written to
  // it) and applies pending migrations.
  static Result<std::unique_ptr<Db>> Open(const DbOptions& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // The cached statement for `sql`, prepared on first use; errors name `operation`.
  // REQUIRES: `operation` outlives the returned Statement (use literals).
  Result<Statement> Prepare(const char* sql, std::string_view operation);
  // Runs `sql` without caching (BEGIN, COMMIT, PRAGMA, migrations).
  Status Exec(const char* sql, std::string_view operation);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  // The rowid of the last inserted row.
  int64_t LastInsertRowid() const;
  int schema_version() const { return schema_version_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<int> StoredSchemaVersion(std::string_view what);
  Status Migrate(const DbOptions& options);

  sqlite3* db_;
  std::string path_;
  int schema_version_ = 0;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;  // by SQL literal
};

// A transaction that rolls back unless committed. Write transactions take the write lock at
// BEGIN (BEGIN IMMEDIATE), so two writers never deadlock upgrading a read lock.
class Transaction {
 public:
  enum class Mode { kRead, kWrite };
  Transaction(Db* db, std::string_view operation) : db_(db), operation_(operation) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Begin(Mode mode);
  Status Commit();

 private:
  Status Run(const char* sql);

  Db* db_;
  std::string_view operation_;
  bool active_ = false;
};

}  // namespace flowkit::sqlite
