// The SQLite catalog adapter: flows, users, accounts, people tasks and configuration in one
// database file of their own ("<data dir>/catalog.db"). A separate file rather than a share of
// documents.db because sqlite::Db keeps one schema version per file: two stores in one file
// would have to migrate in lockstep, and a newer catalog would lock out older documents code.
//
// One connection behind one mutex serves all five catalogs. Writes that touch several rows (a
// flow and its share index, a user's uniqueness checks and insert) run in one write
// transaction, so a failed call changes nothing. Lists narrow candidates in SQL (by owner,
// sharing principal, approver) and then apply the exact rules of store/catalog_common.h, which
// the memory adapter uses too; records keep creation order through their rowid (`seq`).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flowkit/catalog.h"
#include "store/catalog_common.h"
#include "store/sqlite/sqlite_db.h"
#include "util/ids.h"

namespace flowkit {
namespace {

using sqlite::Statement;
using sqlite::Transaction;
using Mode = sqlite::Transaction::Mode;

constexpr sqlite::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE flows (
  seq INTEGER PRIMARY KEY,
  flow_id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  stage TEXT NOT NULL,
  descriptor TEXT NOT NULL,
  custom_fields TEXT NOT NULL,
  shared_with TEXT NOT NULL,
  thumbnail TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  btime_ms INTEGER NOT NULL
);
CREATE INDEX flows_by_owner ON flows (user_id, seq);
CREATE TABLE flow_shares (
  principal TEXT NOT NULL,
  flow INTEGER NOT NULL REFERENCES flows (seq) ON DELETE CASCADE,
  PRIMARY KEY (principal, flow)
) WITHOUT ROWID;
CREATE INDEX flow_shares_by_flow ON flow_shares (flow);
CREATE TABLE users (
  seq INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL UNIQUE,
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  scope TEXT NOT NULL,
  is_active INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  plan TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE TABLE accounts (
  seq INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  service TEXT NOT NULL,
  name TEXT NOT NULL,
  display_name TEXT NOT NULL,
  auth_type TEXT NOT NULL,
  profile_info TEXT NOT NULL,
  sealed_secrets BLOB NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX accounts_by_owner ON accounts (user_id, seq);
CREATE TABLE people_tasks (
  seq INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  flow_id TEXT NOT NULL,
  component_id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  requester TEXT NOT NULL,
  approver TEXT NOT NULL,
  requester_key TEXT NOT NULL,
  approver_key TEXT NOT NULL,
  decision TEXT NOT NULL,
  status TEXT NOT NULL,
  deadline_ms INTEGER NOT NULL,
  data TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX people_tasks_by_owner ON people_tasks (user_id, seq);
CREATE INDEX people_tasks_by_approver ON people_tasks (approver_key, seq);
CREATE INDEX people_tasks_by_requester ON people_tasks (requester_key, seq);
CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE service_config (service_id TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
)sql"},
    // The deadline job (PeopleTaskCatalog::MarkDue) looks for pending tasks by deadline.
    {2, R"sql(
CREATE INDEX people_tasks_due ON people_tasks (status, deadline_ms);
)sql"},
};

// Column lists every read of a table uses, in the order its *FromRow function reads them.
// List statements read descriptor and thumbnail only when ?4 / ?5 are true.
#define FLOW_COLUMNS                                                                               \
  "flow_id, user_id, name, stage, descriptor, custom_fields, shared_with, thumbnail, created_ms, " \
  "mtime_ms, btime_ms"
#define FLOW_LIST_COLUMNS                                                                         \
  "flow_id, user_id, name, stage, CASE WHEN ?4 THEN descriptor END, custom_fields, shared_with, " \
  "CASE WHEN ?5 THEN thumbnail ELSE '' END, created_ms, mtime_ms, btime_ms"
#define USER_COLUMNS \
  "user_id, username, email, password_hash, scope, is_active, metadata, plan, created_ms"
#define ACCOUNT_COLUMNS                                                                         \
  "account_id, user_id, service, name, display_name, auth_type, profile_info, sealed_secrets, " \
  "created_ms, updated_ms"
#define TASK_COLUMNS                                                                             \
  "task_id, user_id, flow_id, component_id, title, description, requester, approver, decision, " \
  "status, deadline_ms, data, created_ms, updated_ms"

// Flows.
constexpr const char* kGetFlow = "SELECT " FLOW_COLUMNS ", seq FROM flows WHERE flow_id = ?1";
constexpr const char* kInsertFlow =
    "INSERT INTO flows (" FLOW_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
// Same parameters as kInsertFlow.
constexpr const char* kUpdateFlow =
    "UPDATE flows SET user_id = ?2, name = ?3, stage = ?4, descriptor = ?5, custom_fields = ?6, "
    "shared_with = ?7, "
    "thumbnail = ?8, created_ms = ?9, mtime_ms = ?10, btime_ms = ?11 WHERE flow_id = ?1";
constexpr const char* kSetFlowStage = "UPDATE flows SET stage = ?2 WHERE flow_id = ?1";
constexpr const char* kDeleteFlow = "DELETE FROM flows WHERE flow_id = ?1";
constexpr const char* kInsertShare =
    "INSERT OR IGNORE INTO flow_shares (principal, flow) VALUES (?1, ?2)";
constexpr const char* kDeleteShares = "DELETE FROM flow_shares WHERE flow = ?1";
constexpr const char* kListAllFlows = "SELECT " FLOW_LIST_COLUMNS " FROM flows ORDER BY seq";
constexpr const char* kListOwnedFlows =
    "SELECT " FLOW_LIST_COLUMNS " FROM flows WHERE user_id = ?1 ORDER BY seq";
constexpr const char* kListVisibleFlows =
    "SELECT " FLOW_LIST_COLUMNS
    " FROM flows WHERE user_id = ?1 "
    "OR seq IN (SELECT flow FROM flow_shares WHERE principal IN (?2, ?3)) ORDER BY seq";

// Users.
constexpr const char* kGetUser = "SELECT " USER_COLUMNS " FROM users WHERE user_id = ?1";
constexpr const char* kGetUserByEmail = "SELECT " USER_COLUMNS " FROM users WHERE email_key = ?1";
constexpr const char* kGetUserByUsername = "SELECT " USER_COLUMNS " FROM users WHERE username = ?1";
constexpr const char* kListUsers =
    "SELECT " USER_COLUMNS " FROM users ORDER BY seq LIMIT ?2 OFFSET ?1";
constexpr const char* kCountUsers = "SELECT count(*) FROM users";
constexpr const char* kUserIdByUsername = "SELECT user_id FROM users WHERE username = ?1";
constexpr const char* kUserIdByEmail = "SELECT user_id FROM users WHERE email_key = ?1";
constexpr const char* kInsertUser =
    "INSERT INTO users (user_id, username, email, email_key, password_hash, scope, is_active, "
    "metadata, plan, "
    "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr const char* kUpdateUser =
    "UPDATE users SET username = ?2, email = ?3, email_key = ?4, password_hash = ?5, scope = ?6, "
    "is_active = ?7, "
    "metadata = ?8, plan = ?9 WHERE user_id = ?1";
constexpr const char* kDeleteUser = "DELETE FROM users WHERE user_id = ?1";

// Accounts.
constexpr const char* kGetAccount =
    "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE account_id = ?1 AND user_id = ?2";
constexpr const char* kAccountExists = "SELECT 1 FROM accounts WHERE account_id = ?1";
constexpr const char* kListAccounts =
    "SELECT " ACCOUNT_COLUMNS
    " FROM accounts WHERE user_id = ?1 AND (?2 = '' OR service = ?2) ORDER BY seq";
constexpr const char* kInsertAccount =
    "INSERT INTO accounts (" ACCOUNT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
// Same parameters as kInsertAccount.
constexpr const char* kUpdateAccount =
    "UPDATE accounts SET service = ?3, name = ?4, display_name = ?5, auth_type = ?6, profile_info "
    "= ?7, "
    "sealed_secrets = ?8, created_ms = ?9, updated_ms = ?10 WHERE account_id = ?1 AND user_id = ?2";
constexpr const char* kDeleteAccount =
    "DELETE FROM accounts WHERE account_id = ?1 AND user_id = ?2";

// People tasks. Lists narrow by owner or email key; the exact role rules run afterwards.
constexpr const char* kGetTask = "SELECT " TASK_COLUMNS " FROM people_tasks WHERE task_id = ?1";
constexpr const char* kListTasks =
    "SELECT " TASK_COLUMNS
    " FROM people_tasks WHERE user_id = ?1 OR approver_key = ?2 OR requester_key = ?2 "
    "ORDER BY seq";
constexpr const char* kInsertTask =
    "INSERT INTO people_tasks (task_id, user_id, flow_id, component_id, title, description, "
    "requester, approver, "
    "requester_key, approver_key, decision, status, deadline_ms, data, created_ms, updated_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
// Same parameters as kInsertTask.
constexpr const char* kUpdateTask =
    "UPDATE people_tasks SET user_id = ?2, flow_id = ?3, component_id = ?4, title = ?5, "
    "description = ?6, "
    "requester = ?7, approver = ?8, requester_key = ?9, approver_key = ?10, decision = ?11, status "
    "= ?12, "
    "deadline_ms = ?13, data = ?14, created_ms = ?15, updated_ms = ?16 WHERE task_id = ?1";
constexpr const char* kDeleteTask = "DELETE FROM people_tasks WHERE task_id = ?1";
constexpr const char* kOverdueTasks =
    "SELECT " TASK_COLUMNS
    " FROM people_tasks WHERE status = 'pending' AND deadline_ms > 0 AND deadline_ms <= ?1 "
    "ORDER BY deadline_ms, seq LIMIT ?2";
constexpr const char* kMarkTaskDue =
    "UPDATE people_tasks SET status = 'due', updated_ms = ?2 WHERE task_id = ?1";

// Configuration.
constexpr const char* kGetConfig = "SELECT value FROM config WHERE key = ?1";
constexpr const char* kSetConfig =
    "INSERT INTO config (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = "
    "excluded.value";
constexpr const char* kDeleteConfig = "DELETE FROM config WHERE key = ?1";
constexpr const char* kListConfig = "SELECT key, value FROM config ORDER BY key";
constexpr const char* kGetService = "SELECT value FROM service_config WHERE service_id = ?1";
constexpr const char* kPutService =
    "INSERT INTO service_config (service_id, value) VALUES (?1, ?2) "
    "ON CONFLICT (service_id) DO UPDATE SET value = excluded.value";
constexpr const char* kDeleteService = "DELETE FROM service_config WHERE service_id = ?1";
constexpr const char* kListServices =
    "SELECT service_id, value FROM service_config ORDER BY service_id";

#undef FLOW_COLUMNS
#undef FLOW_LIST_COLUMNS
#undef USER_COLUMNS
#undef ACCOUNT_COLUMNS
#undef TASK_COLUMNS

// An email key that matches no row (SQL narrowing only; an empty viewer email matches nothing).
constexpr std::string_view kNoEmail = "\x01";

// The connection, its mutex and the clock, shared by the five catalogs.
class Database {
 public:
  Database(const Clock* clock, std::unique_ptr<sqlite::Db> db)
      : clock_(clock), db_(std::move(db)) {}
  int64_t Now() const { return clock_->NowMillis(); }
  std::mutex& mu() { return mu_; }
  // REQUIRES: mu() held.
  sqlite::Db& db() { return *db_; }

  // Creates a record in one write transaction: `exists(id)` when `find_sql` (?1 = id) finds
  // a row, else whatever `write` returns. REQUIRES: mu() held.
  Status InsertNew(const char* find_sql, std::string_view id, std::string_view operation,
                   Status (*exists)(std::string_view), const std::function<Status()>& write) {
    Transaction txn(db_.get(), operation);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement find, db_->Prepare(find_sql, operation));
      find.Bind(1, id);
      FLOWKIT_ASSIGN_OR_RETURN(bool found, find.Step());
      if (found) return exists(id);
    }
    FLOWKIT_RETURN_IF_ERROR(write());
    return txn.Commit();
  }

 private:
  const Clock* const clock_;
  std::mutex mu_;
  std::unique_ptr<sqlite::Db> db_;  // guarded by mu_
};

Result<FlowRecord> FlowFromRow(const Statement& row, std::string_view operation) {
  FlowRecord flow;
  flow.flow_id = std::string(row.Text(0));
  flow.user_id = std::string(row.Text(1));
  flow.name = std::string(row.Text(2));
  flow.stage = std::string(row.Text(3));
  if (row.Text(4).empty()) {
    flow.descriptor = Json::Undefined();  // projected out
  } else {
    FLOWKIT_ASSIGN_OR_RETURN(flow.descriptor, sqlite::ParseStoredJson(row.Text(4), operation));
  }
  FLOWKIT_ASSIGN_OR_RETURN(flow.custom_fields, sqlite::ParseStoredJson(row.Text(5), operation));
  FLOWKIT_ASSIGN_OR_RETURN(flow.shared_with, sqlite::ParseStoredJson(row.Text(6), operation));
  flow.thumbnail = std::string(row.Text(7));
  flow.created_ms = row.Int(8);
  flow.mtime_ms = row.Int(9);
  flow.btime_ms = row.Int(10);
  return flow;
}

Result<UserRecord> UserFromRow(const Statement& row, std::string_view operation) {
  UserRecord user;
  user.id = std::string(row.Text(0));
  user.username = std::string(row.Text(1));
  user.email = std::string(row.Text(2));
  user.password_hash = std::string(row.Text(3));
  FLOWKIT_ASSIGN_OR_RETURN(Json scope, sqlite::ParseStoredJson(row.Text(4), operation));
  user.scope.clear();
  for (const Json& s : scope.array()) user.scope.push_back(s.AsString());
  user.is_active = row.Int(5) != 0;
  FLOWKIT_ASSIGN_OR_RETURN(user.metadata, sqlite::ParseStoredJson(row.Text(6), operation));
  user.plan = std::string(row.Text(7));
  user.created_ms = row.Int(8);
  return user;
}

Result<AccountRecord> AccountFromRow(const Statement& row, std::string_view operation) {
  AccountRecord account;
  account.account_id = std::string(row.Text(0));
  account.user_id = std::string(row.Text(1));
  account.service = std::string(row.Text(2));
  account.name = std::string(row.Text(3));
  account.display_name = std::string(row.Text(4));
  account.auth_type = std::string(row.Text(5));
  FLOWKIT_ASSIGN_OR_RETURN(account.profile_info, sqlite::ParseStoredJson(row.Text(6), operation));
  account.sealed_secrets = std::string(row.Blob(7));
  account.created_ms = row.Int(8);
  account.updated_ms = row.Int(9);
  return account;
}

Result<PeopleTaskRecord> TaskFromRow(const Statement& row, std::string_view operation) {
  PeopleTaskRecord task;
  task.id = std::string(row.Text(0));
  task.user_id = std::string(row.Text(1));
  task.flow_id = std::string(row.Text(2));
  task.component_id = std::string(row.Text(3));
  task.title = std::string(row.Text(4));
  task.description = std::string(row.Text(5));
  task.requester = std::string(row.Text(6));
  task.approver = std::string(row.Text(7));
  task.decision = std::string(row.Text(8));
  task.status = std::string(row.Text(9));
  task.deadline_ms = row.Int(10);
  FLOWKIT_ASSIGN_OR_RETURN(task.data, sqlite::ParseStoredJson(row.Text(11), operation));
  task.created_ms = row.Int(12);
  task.updated_ms = row.Int(13);
  return task;
}

Result<ConfigEntry> ConfigFromRow(const Statement& row, std::string_view operation) {
  FLOWKIT_ASSIGN_OR_RETURN(Json value, sqlite::ParseStoredJson(row.Text(1), operation));
  return ConfigEntry{std::string(row.Text(0)), std::move(value)};
}

Result<ServiceConfig> ServiceFromRow(const Statement& row, std::string_view operation) {
  FLOWKIT_ASSIGN_OR_RETURN(Json values, sqlite::ParseStoredJson(row.Text(1), operation));
  return ServiceConfig{std::string(row.Text(0)), std::move(values)};
}

// Steps `statement` to its end, turning each row into a T.
template <typename T>
Result<std::vector<T>> ReadAll(Statement& statement,
                               Result<T> (*from_row)(const Statement&, std::string_view),
                               std::string_view operation) {
  std::vector<T> out;
  while (true) {
    FLOWKIT_ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) return out;
    FLOWKIT_ASSIGN_OR_RETURN(T item, from_row(statement, operation));
    out.push_back(std::move(item));
  }
}

std::string ScopeText(const std::vector<std::string>& scope) {
  Json array = Json::MakeArray();
  for (const std::string& s : scope) array.Push(s);
  return array.Dump();
}

class SqliteFlows final : public FlowCatalog {
 public:
  explicit SqliteFlows(Database* database) : database_(database) {}

  Result<FlowRecord> Create(FlowRecord flow) override {
    constexpr std::string_view kOp = "flow create";
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeFlow(&flow));
    if (flow.flow_id.empty()) flow.flow_id = internal::NewUuid4();
    auto insert = [&] {
      flow.created_ms = flow.mtime_ms = database_->Now();
      if (flow.btime_ms == 0) flow.btime_ms = flow.created_ms;
      FLOWKIT_RETURN_IF_ERROR(Write(kInsertFlow, flow, kOp));
      return WriteShares(database_->db().LastInsertRowid(), flow.shared_with, kOp);
    };
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_RETURN_IF_ERROR(
        database_->InsertNew(kGetFlow, flow.flow_id, kOp, store::FlowExists, insert));
    return flow;
  }

  Result<FlowRecord> Get(std::string_view flow_id) override {
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(auto found, Find(flow_id, "flow get"));
    return std::move(found.second);
  }

  Result<FlowRecord> GetFor(const Viewer& viewer, std::string_view flow_id,
                            std::string_view permission) override {
    FLOWKIT_ASSIGN_OR_RETURN(FlowRecord flow, Get(flow_id));
    if (!FlowVisibleTo(flow, viewer, permission)) return store::FlowNotFound(flow_id);
    return flow;
  }

  Result<FlowRecord> Update(FlowRecord update) override {
    constexpr std::string_view kOp = "flow update";
    std::lock_guard<std::mutex> lock(database_->mu());
    sqlite::Db& db = database_->db();
    Transaction txn(&db, kOp);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
    FLOWKIT_ASSIGN_OR_RETURN(auto found, Find(update.flow_id, kOp));
    auto& [seq, flow] = found;
    update.user_id = flow.user_id;
    update.stage = flow.stage;
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeFlow(&update));
    flow.name = std::move(update.name);
    flow.descriptor = std::move(update.descriptor);
    flow.custom_fields = std::move(update.custom_fields);
    flow.shared_with = std::move(update.shared_with);
    flow.thumbnail = std::move(update.thumbnail);
    flow.mtime_ms = database_->Now();
    FLOWKIT_RETURN_IF_ERROR(Write(kUpdateFlow, flow, kOp));
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement clear, db.Prepare(kDeleteShares, kOp));
      clear.Bind(1, seq);
      FLOWKIT_RETURN_IF_ERROR(clear.Run());
    }
    FLOWKIT_RETURN_IF_ERROR(WriteShares(seq, flow.shared_with, kOp));
    FLOWKIT_RETURN_IF_ERROR(txn.Commit());
    return std::move(flow);
  }

  Status SetStage(std::string_view flow_id, std::string_view stage) override {
    constexpr std::string_view kOp = "flow set stage";
    FLOWKIT_RETURN_IF_ERROR(store::ValidateStage(stage));
    std::lock_guard<std::mutex> lock(database_->mu());
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement write, database_->db().Prepare(kSetFlowStage, kOp));
      write.Bind(1, flow_id);
      write.Bind(2, stage);
      FLOWKIT_RETURN_IF_ERROR(write.Run());
    }
    return database_->db().Changes() == 0 ? store::FlowNotFound(flow_id) : Status::OK();
  }

  Status Delete(std::string_view flow_id) override {
    constexpr std::string_view kOp = "flow delete";
    std::lock_guard<std::mutex> lock(database_->mu());
    sqlite::Db& db = database_->db();
    Transaction txn(&db, kOp);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
    {
      // Its share index rows go with it (ON DELETE CASCADE).
      FLOWKIT_ASSIGN_OR_RETURN(Statement remove, db.Prepare(kDeleteFlow, kOp));
      remove.Bind(1, flow_id);
      FLOWKIT_RETURN_IF_ERROR(remove.Run());
    }
    if (db.Changes() == 0) return store::FlowNotFound(flow_id);
    return txn.Commit();
  }

  Result<std::vector<FlowRecord>> List(const FlowQuery& query) override {
    return Select(query, true);
  }

  Result<int64_t> Count(const FlowQuery& query) override {
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<FlowRecord> flows, Select(query, false));
    return static_cast<int64_t>(flows.size());
  }

 private:
  // The flow's rowid and record, or kNotFound. REQUIRES: mu held.
  Result<std::pair<int64_t, FlowRecord>> Find(std::string_view flow_id,
                                              std::string_view operation) {
    FLOWKIT_ASSIGN_OR_RETURN(Statement get, database_->db().Prepare(kGetFlow, operation));
    get.Bind(1, flow_id);
    FLOWKIT_ASSIGN_OR_RETURN(bool found, get.Step());
    if (!found) return store::FlowNotFound(flow_id);
    FLOWKIT_ASSIGN_OR_RETURN(FlowRecord flow, FlowFromRow(get, operation));
    return std::make_pair(get.Int(11), std::move(flow));
  }

  // Runs kInsertFlow or kUpdateFlow with `flow`. REQUIRES: mu held, inside a write transaction.
  Status Write(const char* sql, const FlowRecord& flow, std::string_view operation) {
    const std::string descriptor = flow.descriptor.Dump(), custom = flow.custom_fields.Dump(),
                      shared = flow.shared_with.Dump();
    FLOWKIT_ASSIGN_OR_RETURN(Statement write, database_->db().Prepare(sql, operation));
    write.Bind(1, flow.flow_id);
    write.Bind(2, flow.user_id);
    write.Bind(3, flow.name);
    write.Bind(4, flow.stage);
    write.Bind(5, descriptor);
    write.Bind(6, custom);
    write.Bind(7, shared);
    write.Bind(8, flow.thumbnail);
    write.Bind(9, flow.created_ms);
    write.Bind(10, flow.mtime_ms);
    write.Bind(11, flow.btime_ms);
    return write.Run();
  }

  // REQUIRES: mu held, inside a write transaction.
  Status WriteShares(int64_t seq, const Json& shared_with, std::string_view operation) {
    FLOWKIT_ASSIGN_OR_RETURN(Statement insert, database_->db().Prepare(kInsertShare, operation));
    for (const std::string& principal : store::SharePrincipals(shared_with)) {
      insert.Bind(1, principal);
      insert.Bind(2, seq);
      FLOWKIT_RETURN_IF_ERROR(insert.Run());
      insert.Reset();
    }
    return Status::OK();
  }

  Result<std::vector<FlowRecord>> Select(const FlowQuery& query, bool page) {
    constexpr std::string_view kOp = "flow list";
    FLOWKIT_ASSIGN_OR_RETURN(store::FlowSelection selection, store::FlowSelection::Compile(query));
    const std::vector<std::string> principals = store::ViewerPrincipals(query.viewer);
    const char* sql = query.all_users        ? kListAllFlows
                      : query.include_shared ? kListVisibleFlows
                                             : kListOwnedFlows;
    std::vector<FlowRecord> candidates;
    {
      std::lock_guard<std::mutex> lock(database_->mu());
      FLOWKIT_ASSIGN_OR_RETURN(Statement list, database_->db().Prepare(sql, kOp));
      if (!query.all_users) list.Bind(1, query.viewer.user_id);
      if (sql == kListVisibleFlows) {
        list.Bind(2, principals.size() > 0 ? std::string_view(principals[0]) : kNoEmail);
        list.Bind(3, principals.size() > 1 ? std::string_view(principals[1]) : kNoEmail);
      }
      // Count reads neither: nothing filters or sorts on them.
      list.Bind(4, int64_t{page && selection.needs_descriptor()});
      list.Bind(5, int64_t{page && selection.needs_thumbnail()});
      FLOWKIT_ASSIGN_OR_RETURN(candidates, ReadAll(list, FlowFromRow, kOp));
    }
    return selection.Apply(std::move(candidates), page);
  }

  Database* const database_;
};

class SqliteUsers final : public UserCatalog {
 public:
  explicit SqliteUsers(Database* database) : database_(database) {}

  Result<UserRecord> Create(UserRecord user) override {
    constexpr std::string_view kOp = "user create";
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeUser(&user));
    if (user.id.empty()) user.id = internal::NewUuid4();
    auto insert = [&] {
      FLOWKIT_RETURN_IF_ERROR(CheckUnique(user, kOp));
      user.created_ms = database_->Now();
      return Write(kInsertUser, user, kOp);
    };
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_RETURN_IF_ERROR(
        database_->InsertNew(kGetUser, user.id, kOp, store::UserExists, insert));
    return user;
  }

  Result<UserRecord> Get(std::string_view id) override {
    return One(kGetUser, id, "user get", "'" + std::string(id) + "'");
  }

  Result<UserRecord> FindByEmail(std::string_view email) override {
    return One(kGetUserByEmail, store::AsciiLower(email), "user find by email",
               "with email '" + std::string(email) + "'");
  }

  Result<UserRecord> FindByUsername(std::string_view username) override {
    return One(kGetUserByUsername, username, "user find by username",
               "with username '" + std::string(username) + "'");
  }

  Result<std::vector<UserRecord>> List(int64_t offset, int64_t limit) override {
    constexpr std::string_view kOp = "user list";
    FLOWKIT_RETURN_IF_ERROR(store::CheckPaging(offset, kOp));
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(Statement list, database_->db().Prepare(kListUsers, kOp));
    list.Bind(1, offset);
    list.Bind(2, limit < 0 ? int64_t{-1} : limit);  // LIMIT -1: no limit
    return ReadAll(list, UserFromRow, kOp);
  }

  Result<int64_t> Count() override {
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(Statement count, database_->db().Prepare(kCountUsers, "user count"));
    FLOWKIT_ASSIGN_OR_RETURN(bool row, count.Step());
    return row ? count.Int(0) : 0;
  }

  Result<UserRecord> Update(UserRecord user) override {
    constexpr std::string_view kOp = "user update";
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeUser(&user));
    std::lock_guard<std::mutex> lock(database_->mu());
    Transaction txn(&database_->db(), kOp);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement find, database_->db().Prepare(kGetUser, kOp));
      find.Bind(1, user.id);
      FLOWKIT_ASSIGN_OR_RETURN(bool exists, find.Step());
      if (!exists) return store::UserNotFound("'" + user.id + "'");
      user.created_ms = find.Int(8);
    }
    FLOWKIT_RETURN_IF_ERROR(CheckUnique(user, kOp));
    FLOWKIT_RETURN_IF_ERROR(Write(kUpdateUser, user, kOp));
    FLOWKIT_RETURN_IF_ERROR(txn.Commit());
    return user;
  }

  Status Delete(std::string_view id) override {
    std::lock_guard<std::mutex> lock(database_->mu());
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement remove,
                               database_->db().Prepare(kDeleteUser, "user delete"));
      remove.Bind(1, id);
      FLOWKIT_RETURN_IF_ERROR(remove.Run());
    }
    return database_->db().Changes() == 0 ? store::UserNotFound("'" + std::string(id) + "'")
                                          : Status::OK();
  }

 private:
  Result<UserRecord> One(const char* sql, std::string_view key, std::string_view operation,
                         std::string what) {
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(Statement get, database_->db().Prepare(sql, operation));
    get.Bind(1, key);
    FLOWKIT_ASSIGN_OR_RETURN(bool found, get.Step());
    if (!found) return store::UserNotFound(what);
    return UserFromRow(get, operation);
  }

  // kAlreadyExists when another user holds the username or email. REQUIRES: mu held, in a
  // transaction.
  Status CheckUnique(const UserRecord& user, std::string_view operation) {
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement find,
                               database_->db().Prepare(kUserIdByUsername, operation));
      find.Bind(1, user.username);
      FLOWKIT_ASSIGN_OR_RETURN(bool taken, find.Step());
      if (taken && find.Text(0) != user.id) {
        return Status::AlreadyExists("username '" + user.username + "' is already taken");
      }
    }
    const std::string email_key = store::AsciiLower(user.email);
    FLOWKIT_ASSIGN_OR_RETURN(Statement find, database_->db().Prepare(kUserIdByEmail, operation));
    find.Bind(1, email_key);
    FLOWKIT_ASSIGN_OR_RETURN(bool taken, find.Step());
    if (taken && find.Text(0) != user.id) {
      return Status::AlreadyExists("a user with email '" + user.email + "' already exists");
    }
    return Status::OK();
  }

  // Runs kInsertUser or kUpdateUser with `user`. REQUIRES: mu held.
  Status Write(const char* sql, const UserRecord& user, std::string_view operation) {
    const std::string email_key = store::AsciiLower(user.email), scope = ScopeText(user.scope),
                      metadata = user.metadata.Dump();
    FLOWKIT_ASSIGN_OR_RETURN(Statement write, database_->db().Prepare(sql, operation));
    write.Bind(1, user.id);
    write.Bind(2, user.username);
    write.Bind(3, user.email);
    write.Bind(4, email_key);
    write.Bind(5, user.password_hash);
    write.Bind(6, scope);
    write.Bind(7, int64_t{user.is_active});
    write.Bind(8, metadata);
    write.Bind(9, user.plan);
    if (sql == kInsertUser) write.Bind(10, user.created_ms);
    return write.Run();
  }

  Database* const database_;
};

class SqliteAccounts final : public AccountCatalog {
 public:
  explicit SqliteAccounts(Database* database) : database_(database) {}

  Result<AccountRecord> Create(AccountRecord account) override {
    constexpr std::string_view kOp = "account create";
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeAccount(&account));
    if (account.account_id.empty()) account.account_id = internal::NewUuid4();
    auto insert = [&] {
      account.created_ms = account.updated_ms = database_->Now();
      return Write(kInsertAccount, account, kOp);
    };
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_RETURN_IF_ERROR(database_->InsertNew(kAccountExists, account.account_id, kOp,
                                                 store::AccountExists, insert));
    return account;
  }

  Result<AccountRecord> Get(std::string_view user_id, std::string_view account_id) override {
    std::lock_guard<std::mutex> lock(database_->mu());
    return Find(user_id, account_id, "account get");
  }

  Result<std::vector<AccountRecord>> List(std::string_view user_id,
                                          std::string_view service) override {
    constexpr std::string_view kOp = "account list";
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(Statement list, database_->db().Prepare(kListAccounts, kOp));
    list.Bind(1, user_id);
    list.Bind(2, service);
    return ReadAll(list, AccountFromRow, kOp);
  }

  Result<AccountRecord> Update(AccountRecord update) override {
    constexpr std::string_view kOp = "account update";
    std::lock_guard<std::mutex> lock(database_->mu());
    sqlite::Db& db = database_->db();
    Transaction txn(&db, kOp);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
    FLOWKIT_ASSIGN_OR_RETURN(AccountRecord account, Find(update.user_id, update.account_id, kOp));
    update.service = account.service;
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeAccount(&update));
    update.created_ms = account.created_ms;
    update.updated_ms = database_->Now();
    FLOWKIT_RETURN_IF_ERROR(Write(kUpdateAccount, update, kOp));
    FLOWKIT_RETURN_IF_ERROR(txn.Commit());
    return update;
  }

  Status Delete(std::string_view user_id, std::string_view account_id) override {
    std::lock_guard<std::mutex> lock(database_->mu());
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement remove,
                               database_->db().Prepare(kDeleteAccount, "account delete"));
      remove.Bind(1, account_id);
      remove.Bind(2, user_id);
      FLOWKIT_RETURN_IF_ERROR(remove.Run());
    }
    return database_->db().Changes() == 0 ? store::AccountNotFound(account_id) : Status::OK();
  }

 private:
  // Runs kInsertAccount or kUpdateAccount with `account`. REQUIRES: mu held.
  Status Write(const char* sql, const AccountRecord& account, std::string_view operation) {
    const std::string profile = account.profile_info.Dump();
    FLOWKIT_ASSIGN_OR_RETURN(Statement write, database_->db().Prepare(sql, operation));
    write.Bind(1, account.account_id);
    write.Bind(2, account.user_id);
    write.Bind(3, account.service);
    write.Bind(4, account.name);
    write.Bind(5, account.display_name);
    write.Bind(6, account.auth_type);
    write.Bind(7, profile);
    write.BindBlob(8, account.sealed_secrets);
    write.Bind(9, account.created_ms);
    write.Bind(10, account.updated_ms);
    return write.Run();
  }

  // REQUIRES: mu held.
  Result<AccountRecord> Find(std::string_view user_id, std::string_view account_id,
                             std::string_view operation) {
    FLOWKIT_ASSIGN_OR_RETURN(Statement get, database_->db().Prepare(kGetAccount, operation));
    get.Bind(1, account_id);
    get.Bind(2, user_id);
    FLOWKIT_ASSIGN_OR_RETURN(bool found, get.Step());
    if (!found) return store::AccountNotFound(account_id);
    return AccountFromRow(get, operation);
  }

  Database* const database_;
};

class SqlitePeopleTasks final : public PeopleTaskCatalog {
 public:
  explicit SqlitePeopleTasks(Database* database) : database_(database) {}

  Result<PeopleTaskRecord> Create(PeopleTaskRecord task) override {
    constexpr std::string_view kOp = "people task create";
    FLOWKIT_RETURN_IF_ERROR(store::NormalizePeopleTask(&task));
    if (task.id.empty()) task.id = internal::NewUuid4();
    task.decision = task.status = "pending";
    auto insert = [&] {
      task.created_ms = task.updated_ms = database_->Now();
      return Write(kInsertTask, task, kOp);
    };
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_RETURN_IF_ERROR(
        database_->InsertNew(kGetTask, task.id, kOp, store::PeopleTaskExists, insert));
    return task;
  }

  Result<PeopleTaskRecord> Get(const Viewer& viewer, std::string_view id) override {
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(PeopleTaskRecord task, Find(id, "people task get"));
    if (!store::PeopleTaskVisibleTo(task, viewer)) return store::PeopleTaskNotFound(id);
    return task;
  }

  Result<std::vector<PeopleTaskRecord>> List(const PeopleTaskQuery& query) override {
    FLOWKIT_RETURN_IF_ERROR(store::CheckPaging(query.offset, "people task list"));
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<PeopleTaskRecord> out, Scan(query));
    store::Page(&out, query.offset, query.limit);
    return out;
  }

  Result<int64_t> Count(const PeopleTaskQuery& query) override {
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<PeopleTaskRecord> out, Scan(query));
    return static_cast<int64_t>(out.size());
  }

  Result<PeopleTaskRecord> Update(PeopleTaskRecord update) override {
    constexpr std::string_view kOp = "people task update";
    FLOWKIT_RETURN_IF_ERROR(store::NormalizePeopleTask(&update));
    std::lock_guard<std::mutex> lock(database_->mu());
    Transaction txn(&database_->db(), kOp);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
    FLOWKIT_ASSIGN_OR_RETURN(PeopleTaskRecord task, Find(update.id, kOp));
    if (task.user_id != update.user_id) return store::PeopleTaskNotFound(update.id);
    task.title = std::move(update.title);
    task.description = std::move(update.description);
    task.requester = std::move(update.requester);
    task.approver = std::move(update.approver);
    task.status = std::move(update.status);
    task.deadline_ms = update.deadline_ms;
    task.data = std::move(update.data);
    task.updated_ms = database_->Now();
    FLOWKIT_RETURN_IF_ERROR(Write(kUpdateTask, task, kOp));
    FLOWKIT_RETURN_IF_ERROR(txn.Commit());
    return task;
  }

  Result<PeopleTaskRecord> Decide(const Viewer& approver, std::string_view id,
                                  std::string_view decision) override {
    constexpr std::string_view kOp = "people task decide";
    FLOWKIT_RETURN_IF_ERROR(store::ValidateDecision(decision));
    std::lock_guard<std::mutex> lock(database_->mu());
    Transaction txn(&database_->db(), kOp);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
    FLOWKIT_ASSIGN_OR_RETURN(PeopleTaskRecord task, Find(id, kOp));
    if (!store::PeopleTaskVisibleTo(task, approver)) return store::PeopleTaskNotFound(id);
    FLOWKIT_RETURN_IF_ERROR(store::CheckDecision(task, approver));
    task.decision = task.status = std::string(decision);
    task.updated_ms = database_->Now();
    FLOWKIT_RETURN_IF_ERROR(Write(kUpdateTask, task, kOp));
    FLOWKIT_RETURN_IF_ERROR(txn.Commit());
    return task;
  }

  Status Delete(std::string_view user_id, std::string_view id) override {
    constexpr std::string_view kOp = "people task delete";
    std::lock_guard<std::mutex> lock(database_->mu());
    sqlite::Db& db = database_->db();
    Transaction txn(&db, kOp);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
    FLOWKIT_ASSIGN_OR_RETURN(PeopleTaskRecord task, Find(id, kOp));
    if (task.user_id != user_id) return store::PeopleTaskNotFound(id);
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement remove, db.Prepare(kDeleteTask, kOp));
      remove.Bind(1, id);
      FLOWKIT_RETURN_IF_ERROR(remove.Run());
    }
    return txn.Commit();
  }

  Result<std::vector<PeopleTaskRecord>> MarkDue(int64_t now_ms, int64_t limit) override {
    constexpr std::string_view kOp = "people task mark due";
    std::lock_guard<std::mutex> lock(database_->mu());
    sqlite::Db& db = database_->db();
    Transaction txn(&db, kOp);
    FLOWKIT_RETURN_IF_ERROR(txn.Begin(Mode::kWrite));
    std::vector<PeopleTaskRecord> due;
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement list, db.Prepare(kOverdueTasks, kOp));
      list.Bind(1, now_ms);
      list.Bind(2, limit < 0 ? int64_t{-1} : limit);  // LIMIT -1: no limit
      FLOWKIT_ASSIGN_OR_RETURN(due, ReadAll(list, TaskFromRow, kOp));
    }
    for (PeopleTaskRecord& task : due) {
      FLOWKIT_ASSIGN_OR_RETURN(Statement mark, db.Prepare(kMarkTaskDue, kOp));
      mark.Bind(1, task.id);
      mark.Bind(2, now_ms);
      FLOWKIT_RETURN_IF_ERROR(mark.Run());
      task.status = "due";
      task.updated_ms = now_ms;
    }
    FLOWKIT_RETURN_IF_ERROR(txn.Commit());
    return due;
  }

 private:
  // REQUIRES: mu held.
  Result<PeopleTaskRecord> Find(std::string_view id, std::string_view operation) {
    FLOWKIT_ASSIGN_OR_RETURN(Statement get, database_->db().Prepare(kGetTask, operation));
    get.Bind(1, id);
    FLOWKIT_ASSIGN_OR_RETURN(bool found, get.Step());
    if (!found) return store::PeopleTaskNotFound(id);
    return TaskFromRow(get, operation);
  }

  // Runs kInsertTask or kUpdateTask with `task`. REQUIRES: mu held, in a write transaction.
  Status Write(const char* sql, const PeopleTaskRecord& task, std::string_view operation) {
    const std::string requester_key = store::AsciiLower(task.requester),
                      approver_key = store::AsciiLower(task.approver), data = task.data.Dump();
    FLOWKIT_ASSIGN_OR_RETURN(Statement write, database_->db().Prepare(sql, operation));
    write.Bind(1, task.id);
    write.Bind(2, task.user_id);
    write.Bind(3, task.flow_id);
    write.Bind(4, task.component_id);
    write.Bind(5, task.title);
    write.Bind(6, task.description);
    write.Bind(7, task.requester);
    write.Bind(8, task.approver);
    write.Bind(9, requester_key);
    write.Bind(10, approver_key);
    write.Bind(11, task.decision);
    write.Bind(12, task.status);
    write.Bind(13, task.deadline_ms);
    write.Bind(14, data);
    write.Bind(15, task.created_ms);
    write.Bind(16, task.updated_ms);
    return write.Run();
  }

  // The tasks matching `query` in creation order, unpaged.
  Result<std::vector<PeopleTaskRecord>> Scan(const PeopleTaskQuery& query) {
    constexpr std::string_view kOp = "people task list";
    const std::string email_key = store::AsciiLower(query.viewer.email);
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(Statement list, database_->db().Prepare(kListTasks, kOp));
    list.Bind(1, query.viewer.user_id);
    list.Bind(2, email_key.empty() ? kNoEmail : std::string_view(email_key));
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<PeopleTaskRecord> out, ReadAll(list, TaskFromRow, kOp));
    std::erase_if(
        out, [&](const PeopleTaskRecord& task) { return !store::PeopleTaskMatches(task, query); });
    return out;
  }

  Database* const database_;
};

class SqliteConfig final : public ConfigCatalog {
 public:
  explicit SqliteConfig(Database* database) : database_(database) {}

  Result<Json> Get(std::string_view key) override {
    constexpr std::string_view kOp = "config get";
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(Statement get, database_->db().Prepare(kGetConfig, kOp));
    get.Bind(1, key);
    FLOWKIT_ASSIGN_OR_RETURN(bool found, get.Step());
    if (!found) return store::ConfigNotFound(key);
    return sqlite::ParseStoredJson(get.Text(0), kOp);
  }

  Status Set(std::string_view key, Json value) override {
    FLOWKIT_RETURN_IF_ERROR(store::ValidateConfigKey(key));
    const std::string text = value.Dump();
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(Statement set, database_->db().Prepare(kSetConfig, "config set"));
    set.Bind(1, key);
    set.Bind(2, text);
    return set.Run();
  }

  Status Delete(std::string_view key) override {
    return DeleteRow(kDeleteConfig, key, "config delete", store::ConfigNotFound);
  }

  Result<std::vector<ConfigEntry>> List() override {
    constexpr std::string_view kOp = "config list";
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(Statement list, database_->db().Prepare(kListConfig, kOp));
    return ReadAll(list, ConfigFromRow, kOp);
  }

  Result<ServiceConfig> GetService(std::string_view service_id) override {
    constexpr std::string_view kOp = "service config get";
    std::lock_guard<std::mutex> lock(database_->mu());
    FLOWKIT_ASSIGN_OR_RETURN(Statement get, database_->db().Prepare(kGetService, kOp));
    get.Bind(1, service_id);
    FLOWKIT_ASSIGN_OR_RETURN(bool found, get.Step());
    if (!found) return store::ServiceConfigNotFound(service_id);
    FLOWKIT_ASSIGN_OR_RETURN(Json values, sqlite::ParseStoredJson(get.Text(0), kOp));
    return ServiceConfig{std::string(service_id), std::move(values)};
  }

  Result<ServiceConfig> PutService(std::string_view service_id, Json values) override {
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeServiceValues(service_id, &values));
    const std::string text = values.Dump();
    std::lock_guard<std::mutex> lock(database_->mu());
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement put,
                               database_->db().Prepare(kPutService, "service config put"));
      put.Bind(1, service_id);
      put.Bind(2, text);
      FLOWKIT_RETURN_IF_ERROR(put.Run());
    }
    return ServiceConfig{std::string(service_id), std::move(values)};
  }

  Status DeleteService(std::string_view service_id) override {
    return DeleteRow(kDeleteService, service_id, "service config delete",
                     store::ServiceConfigNotFound);
  }

  Result<std::vector<ServiceConfig>> ListServices(std::string_view pattern, int64_t offset,
                                                  int64_t limit) override {
    constexpr std::string_view kOp = "service config list";
    FLOWKIT_RETURN_IF_ERROR(store::CheckPaging(offset, kOp));
    std::vector<ServiceConfig> out;
    {
      std::lock_guard<std::mutex> lock(database_->mu());
      FLOWKIT_ASSIGN_OR_RETURN(Statement list, database_->db().Prepare(kListServices, kOp));
      FLOWKIT_ASSIGN_OR_RETURN(out, ReadAll(list, ServiceFromRow, kOp));
    }
    std::erase_if(out, [&](const ServiceConfig& s) {
      return !store::ContainsIgnoringCase(s.service_id, pattern);
    });
    store::Page(&out, offset, limit);
    return out;
  }

 private:
  Status DeleteRow(const char* sql, std::string_view key, std::string_view operation,
                   Status (*not_found)(std::string_view)) {
    std::lock_guard<std::mutex> lock(database_->mu());
    {
      FLOWKIT_ASSIGN_OR_RETURN(Statement remove, database_->db().Prepare(sql, operation));
      remove.Bind(1, key);
      FLOWKIT_RETURN_IF_ERROR(remove.Run());
    }
    return database_->db().Changes() == 0 ? not_found(key) : Status::OK();
  }

  Database* const database_;
};

class SqliteCatalog final : public Catalog {
 public:
  explicit SqliteCatalog(std::unique_ptr<Database> database)
      : database_(std::move(database)),
        flows_(database_.get()),
        users_(database_.get()),
        accounts_(database_.get()),
        tasks_(database_.get()),
        config_(database_.get()) {}
  FlowCatalog& flows() override { return flows_; }
  UserCatalog& users() override { return users_; }
  AccountCatalog& accounts() override { return accounts_; }
  PeopleTaskCatalog& people_tasks() override { return tasks_; }
  ConfigCatalog& config() override { return config_; }

 private:
  std::unique_ptr<Database> database_;
  SqliteFlows flows_;
  SqliteUsers users_;
  SqliteAccounts accounts_;
  SqlitePeopleTasks tasks_;
  SqliteConfig config_;
};

}  // namespace

Result<std::unique_ptr<Catalog>> NewSqliteCatalog(const SqliteCatalogOptions& options) {
  FLOWKIT_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::Db> db,
                           sqlite::Db::Open({.path = options.path,
                                             .what = "catalog database",
                                             .migrations = kMigrations,
                                             .busy_timeout_ms = options.busy_timeout_ms}));
  const Clock* clock = options.clock != nullptr ? options.clock : SystemClock();
  return std::unique_ptr<Catalog>(
      std::make_unique<SqliteCatalog>(std::make_unique<Database>(clock, std::move(db))));
}

}  // namespace flowkit
