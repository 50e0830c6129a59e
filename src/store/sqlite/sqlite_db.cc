#include "store/sqlite/sqlite_db.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/data_dir.h"

namespace flowkit::sqlite {
namespace {

// Text for binding: SQLite binds a null pointer as SQL NULL, so an empty view needs a real one.
const char* NonNull(std::string_view s) { return s.data() != nullptr ? s.data() : ""; }

}  // namespace

Status SqliteStatus(sqlite3* db, int rc, std::string_view operation) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Status::ResourceExhausted(fmt::format("{}: disk full ({})", operation, detail));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return Status::IOError(fmt::format("{}: sqlite I/O error: {}", operation, detail));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(fmt::format("{}: database damaged: {}", operation, detail));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(fmt::format("{}: database busy: {}", operation, detail));
    case SQLITE_TOOBIG:
      return Status::TooLarge(fmt::format("{}: {}", operation, detail));
    default:
      return Status::Internal(fmt::format("{}: sqlite error {}: {}", operation, rc, detail));
  }
}

Result<Json> ParseStoredJson(std::string_view text, std::string_view operation) {
  auto parsed = Json::Parse(text);
  if (!parsed.ok()) {
    return Status::Corruption(std::string(operation) + ": a stored value is not JSON: " + parsed.status().message());
  }
  return std::move(parsed).value();
}

Statement::~Statement() {
  if (stmt_ != nullptr) Reset();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

void Statement::Bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, NonNull(text), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindBlob(int index, std::string_view bytes) {
  int rc = sqlite3_bind_blob64(stmt_, index, NonNull(bytes), bytes.size(), SQLITE_STATIC);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return SqliteStatus(db_, bind_rc_, operation_);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(db_, rc, operation_);
}

Status Statement::Run() {
  while (true) {
    FLOWKIT_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::OK();
  }
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string_view Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string_view Statement::Blob(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  if (data == nullptr) return {};
  return {data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

Result<std::unique_ptr<Db>> Db::Open(const DbOptions& options) {
  if (options.path.empty()) return Status::InvalidArgument(fmt::format("{}: empty path", options.what));
  std::filesystem::path file(options.path);
  std::string dir = file.has_parent_path() ? file.parent_path().string() : std::string(".");
  FLOWKIT_RETURN_IF_ERROR(util::EnsurePrivateDirectory(dir));

  // Create the file ourselves so it starts at 0600: SQLite gives the -wal and -shm files the
  // mode of the database file.
  int fd = ::open(options.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    return Status::IOError(fmt::format("{} {}: cannot create: {}", options.what, options.path, std::strerror(errno)));
  }

  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(options.path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Db> db(new Db(handle, options.path));
  const std::string opening = fmt::format("opening {} {}", options.what, options.path);
  if (rc != SQLITE_OK) return SqliteStatus(handle, rc, opening);
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, options.busy_timeout_ms);
  // Until the database is known to be ours, closing must not checkpoint a WAL left by another
  // (newer) writer into the file.
  sqlite3_db_config(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);

  // Only reads until the version is known to be ours: a newer database stays byte-identical.
  FLOWKIT_ASSIGN_OR_RETURN(int stored, db->StoredSchemaVersion(options.what));
  const int supported = options.migrations.empty() ? 0 : options.migrations.back().version;
  FLOWKIT_RETURN_IF_ERROR(util::CheckSchemaVersion(options.what, options.path, stored, supported));

  {
    sqlite3_stmt* stmt = nullptr;
    rc = sqlite3_prepare_v2(handle, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    std::string mode;
    if (rc == SQLITE_ROW) mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return SqliteStatus(handle, rc, opening);
    if (mode != "wal") {
      return Status::IOError(fmt::format("{}: the file system does not support WAL (journal mode {})", opening, mode));
    }
  }
  FLOWKIT_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL", opening));
  FLOWKIT_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON", opening));
  // Reads through a memory map instead of a pread copy per page (measured: fewer CPU µs per Get).
  FLOWKIT_RETURN_IF_ERROR(db->Exec("PRAGMA mmap_size=268435456", opening));
  if (options.exclusive) FLOWKIT_RETURN_IF_ERROR(db->Exec("PRAGMA locking_mode=EXCLUSIVE", opening));
  FLOWKIT_RETURN_IF_ERROR(db->Migrate(options));
  sqlite3_db_config(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    FLOWKIT_RETURN_IF_ERROR(util::MakeFilePrivate(options.path + suffix));
  }
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Db::Prepare(const char* sql, std::string_view operation) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(db_, rc, operation);
    it = statements_.emplace(sql, stmt).first;
  }
  return Statement(db_, it->second, operation);
}

Status Db::Exec(const char* sql, std::string_view operation) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::OK() : SqliteStatus(db_, rc, operation);
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

int64_t Db::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }

Result<int> Db::StoredSchemaVersion(std::string_view what) {
  const std::string operation = fmt::format("reading the schema version of {} {}", what, path_);
  int tables = 0;
  bool has_meta = false;
  {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &stmt, nullptr);
    if (rc == SQLITE_OK) {
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        ++tables;
        const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        if (name != nullptr && std::strcmp(name, "meta") == 0) has_meta = true;
      }
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return SqliteStatus(db_, rc, operation);
  }
  if (!has_meta) {
    if (tables == 0) return 0;  // a new database
    return Status::FailedPrecondition(
        fmt::format("{}: {} is a SQLite database but not a flowkit {} (no meta table)", operation, path_, what));
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &stmt, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  int version = 0;
  if (rc == SQLITE_ROW) {
    version = sqlite3_column_int(stmt, 0);
    rc = SQLITE_DONE;
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return SqliteStatus(db_, rc, operation);
  return version;
}

Status Db::Migrate(const DbOptions& options) {
  const std::string operation = fmt::format("migrating {} {}", options.what, path_);
  Transaction txn(this, operation);
  FLOWKIT_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kWrite));
  // Read again under the write lock: another process may have migrated meanwhile.
  FLOWKIT_ASSIGN_OR_RETURN(int stored, StoredSchemaVersion(options.what));
  const int supported = options.migrations.empty() ? 0 : options.migrations.back().version;
  FLOWKIT_RETURN_IF_ERROR(util::CheckSchemaVersion(options.what, path_, stored, supported));
  if (stored < supported) {
    FLOWKIT_RETURN_IF_ERROR(
        Exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value NOT NULL)", operation));
    for (const Migration& migration : options.migrations) {
      if (migration.version <= stored) continue;
      FLOWKIT_RETURN_IF_ERROR(
          Exec(migration.sql, operation).WithPrefix(fmt::format("schema version {}", migration.version)));
    }
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, "INSERT INTO meta (key, value) VALUES ('schema_version', ?1) "
                                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int(stmt, 1, supported);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return SqliteStatus(db_, rc, operation);
  }
  FLOWKIT_RETURN_IF_ERROR(txn.Commit());
  schema_version_ = supported;
  return Status::OK();
}

// BEGIN/COMMIT/ROLLBACK go through the statement cache too: parsing them costs about as much
// as a small read.
Status Transaction::Run(const char* sql) {
  FLOWKIT_ASSIGN_OR_RETURN(Statement statement, db_->Prepare(sql, operation_));
  return statement.Run();
}

Transaction::~Transaction() {
  if (active_) (void)Run("ROLLBACK");
}

Status Transaction::Begin(Mode mode) {
  FLOWKIT_RETURN_IF_ERROR(Run(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"));
  active_ = true;
  return Status::OK();
}

Status Transaction::Commit() {
  FLOWKIT_RETURN_IF_ERROR(Run("COMMIT"));
  active_ = false;
  return Status::OK();
}

}  // namespace flowkit::sqlite
