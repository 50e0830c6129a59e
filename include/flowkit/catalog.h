// The catalog: the documents the REST server keeps about users and what they own — flows,
// users, accounts (connected services, secrets sealed by the caller), people tasks, and system
// and service configuration. Adapters: memory and SQLite (here), PostgreSQL (later); all run
// through one conformance suite (tests/store/catalog_conformance_test.cc).
//
// Scoping: objects a user owns are looked up through that user (accounts by user id, people
// tasks and shared flows through a Viewer), so one user's objects never reach another. Flow ids
// are global (webhook URLs carry them), so FlowCatalog::Get/Update/SetStage/Delete take only
// the id: they serve the engine and callers that have already checked access with GetFor.
//
// Threading: every method of every interface here is thread-safe. Records are plain values.
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

// Who is asking: a user id and, for matching Appmixer's sharedWith entries and people-task
// approvers/requesters (which name people by email), that user's email (compared
// case-insensitively; empty = match by user id only).
struct Viewer {
  std::string user_id;
  std::string email;
};

struct FlowRecord {
  std::string flow_id;
  std::string user_id;  // the owner
  std::string name;
  Json descriptor = Json::MakeObject();  // the whole Appmixer flow document as given ("flow")
  std::string stage = "stopped";         // "stopped" | "running"
  Json custom_fields = Json::MakeObject();
  // Appmixer sharedWith: [{email | userId, permissions: ["read", "start", "stop"]}].
  Json shared_with = Json::MakeArray();
  std::string thumbnail;
  int64_t created_ms = 0;  // when the catalog stored it; set by Create
  int64_t mtime_ms = 0;    // last Update
  int64_t btime_ms = 0;    // Appmixer's "btime"; Create sets it to created_ms unless given
  // Appmixer's GET /flows/:id shape: {flowId, userId, name, stage, btime, mtime, thumbnail,
  // customFields, sharedWith, flow} (times as ISO text). `projection` as in FlowQuery; members
  // left Undefined by a projected List are omitted too.
  Json ToJson(const std::vector<std::string>& projection = {}) const;
};

// Whether `flow` is visible to `viewer`: it owns the flow, or a sharedWith entry names the
// viewer (by userId, or by email case-insensitively) and grants `permission` (empty = any entry).
bool FlowVisibleTo(const FlowRecord& flow, const Viewer& viewer,
                   std::string_view permission = "read");

struct FlowQuery {
  // Whose flows: those `viewer.user_id` owns, plus (include_shared) those shared with the
  // viewer granting `shared_permission`. REQUIRES: viewer.user_id non-empty unless all_users.
  Viewer viewer;
  bool include_shared = false;
  std::string shared_permission = "read";
  bool all_users = false;  // admin: every user's flows; viewer is ignored
  // Field paths to conditions, as DataStore::Find queries ($eq $ne $gt ... $regex, $and, $or).
  // Fields: flowId, userId, name, stage, thumbnail, customFields[.x], sharedWith[.x], btime,
  // mtime (epoch ms; operands may be date text). Null = all.
  Json filter;
  std::string pattern;  // case-insensitive substring of the name; empty = any
  // Any filter field; empty = creation order.
  std::string sort_by;
  bool descending = false;
  int64_t offset = 0;
  int64_t limit = -1;  // -1 = all
  // Top-level members of ToJson to drop ("-flow", "-thumbnail") or, without '-', the only
  // ones to keep (flowId always stays). Dropped flow/thumbnail/customFields/sharedWith are not
  // read at all. Mixing the two forms is kInvalidArgument.
  std::vector<std::string> projection;
};

class FlowCatalog {
 public:
  virtual ~FlowCatalog() = default;
  // Stores `flow`; flow_id empty = a new UUID. Sets created_ms and mtime_ms to now (btime_ms
  // too unless given). kAlreadyExists when the id is taken; kInvalidArgument for an empty
  // user_id, an unknown stage, customFields that is not an object or sharedWith not an array.
  virtual Result<FlowRecord> Create(FlowRecord flow) = 0;
  // kNotFound "flow '<id>' not found".
  virtual Result<FlowRecord> Get(std::string_view flow_id) = 0;
  // Get, but kNotFound also when !FlowVisibleTo(flow, viewer, permission).
  virtual Result<FlowRecord> GetFor(const Viewer& viewer, std::string_view flow_id,
                                    std::string_view permission = "read") = 0;
  // Replaces name, descriptor, custom_fields, shared_with and thumbnail of flow `flow.flow_id`
  // and sets mtime_ms to now; owner, stage, created_ms and btime_ms stay. Returns the stored
  // record. kNotFound when absent.
  virtual Result<FlowRecord> Update(FlowRecord flow) = 0;
  // `stage`: "stopped" or "running" (else kInvalidArgument). Does not change mtime.
  virtual Status SetStage(std::string_view flow_id, std::string_view stage) = 0;
  virtual Status Delete(std::string_view flow_id) = 0;
  // The matching flows, filtered, sorted, paged and projected. kInvalidArgument for a bad
  // filter, sort field, projection, negative offset, or a missing viewer.
  virtual Result<std::vector<FlowRecord>> List(const FlowQuery& query) = 0;
  // How many flows List would return without offset and limit.
  virtual Result<int64_t> Count(const FlowQuery& query) = 0;
};

struct UserRecord {
  std::string id;
  std::string username;
  std::string email;
  std::string password_hash;  // computed by the caller (argon2id); stored as given
  std::vector<std::string> scope = {"user"};
  bool is_active = true;
  Json metadata = Json::MakeObject();
  std::string plan;
  int64_t created_ms = 0;
  // Appmixer's GET /user: {id, username, email, isActive, scope, metadata, plan}; never the hash.
  Json ToJson() const;
};

class UserCatalog {
 public:
  virtual ~UserCatalog() = default;
  // id empty = a new UUID; sets created_ms. Usernames are unique exactly, emails
  // case-insensitively: kAlreadyExists naming the id, username or email that is taken.
  // kInvalidArgument for an empty username or email.
  virtual Result<UserRecord> Create(UserRecord user) = 0;
  virtual Result<UserRecord> Get(std::string_view id) = 0;
  // Case-insensitive.
  virtual Result<UserRecord> FindByEmail(std::string_view email) = 0;
  virtual Result<UserRecord> FindByUsername(std::string_view username) = 0;
  // In creation order.
  virtual Result<std::vector<UserRecord>> List(int64_t offset = 0, int64_t limit = -1) = 0;
  virtual Result<int64_t> Count() = 0;
  // Replaces every field of user `user.id` but created_ms (uniqueness checked as in Create).
  virtual Result<UserRecord> Update(UserRecord user) = 0;
  virtual Status Delete(std::string_view id) = 0;
};

struct AccountRecord {
  std::string account_id;
  std::string user_id;
  std::string service;  // "appmixer:slack"
  std::string name;
  std::string display_name;
  std::string auth_type;  // "oauth2" | "apiKey" | "basic" | ...
  Json profile_info = Json::MakeObject();
  std::string sealed_secrets;  // opaque bytes sealed by the caller; stored byte-exact
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  // Appmixer's GET /accounts item: {accountId, userId, service, name, displayName, authType,
  // profileInfo}; never the secrets.
  Json ToJson() const;
};

class AccountCatalog {
 public:
  virtual ~AccountCatalog() = default;
  // account_id empty = a new UUID; sets both times. kAlreadyExists when the id is taken;
  // kInvalidArgument for an empty user_id or service.
  virtual Result<AccountRecord> Create(AccountRecord account) = 0;
  // kNotFound also when the account belongs to another user.
  virtual Result<AccountRecord> Get(std::string_view user_id, std::string_view account_id) = 0;
  // The user's accounts in creation order; `service` non-empty keeps only that service's.
  virtual Result<std::vector<AccountRecord>> List(std::string_view user_id,
                                                  std::string_view service = {}) = 0;
  // Replaces name, display_name, auth_type, profile_info and sealed_secrets of account
  // (account.user_id, account.account_id); sets updated_ms. kNotFound as Get.
  virtual Result<AccountRecord> Update(AccountRecord account) = 0;
  virtual Status Delete(std::string_view user_id, std::string_view account_id) = 0;
};

struct PeopleTaskRecord {
  std::string id;
  std::string user_id;  // the owner (whose flow created it)
  std::string flow_id;
  std::string component_id;
  std::string title;
  std::string description;
  std::string requester;             // email
  std::string approver;              // email
  std::string decision = "pending";  // "pending" | "approved" | "rejected"
  // Appmixer's status: "pending" until decided, then the decision; the engine may set "due".
  std::string status = "pending";
  int64_t deadline_ms = 0;  // 0 = none
  Json data = Json::MakeObject();
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  // {id, userId, flowId, componentId, title, description, requester, approver, decision,
  // status, decisionBy (ISO, when a deadline is set), data, created, mtime}.
  Json ToJson() const;
};

struct PeopleTaskQuery {
  // Tasks the viewer owns (kOwner), approves (kApprover: approver == viewer.email), requested
  // (kRequester), or any of these (kAny).
  enum class Role { kAny, kOwner, kApprover, kRequester };
  Viewer viewer;
  Role role = Role::kAny;
  std::string status;  // empty = any
  int64_t offset = 0;
  int64_t limit = -1;  // -1 = all
};

class PeopleTaskCatalog {
 public:
  virtual ~PeopleTaskCatalog() = default;
  // id empty = a new UUID; decision and status start "pending"; sets both times.
  // kAlreadyExists when the id is taken; kInvalidArgument for an empty user_id or approver.
  virtual Result<PeopleTaskRecord> Create(PeopleTaskRecord task) = 0;
  // kNotFound unless the viewer owns, approves or requested the task.
  virtual Result<PeopleTaskRecord> Get(const Viewer& viewer, std::string_view id) = 0;
  // In creation order. kInvalidArgument for a negative offset.
  virtual Result<std::vector<PeopleTaskRecord>> List(const PeopleTaskQuery& query) = 0;
  virtual Result<int64_t> Count(const PeopleTaskQuery& query) = 0;
  // The owner (task.user_id) replaces title, description, requester, approver, status,
  // deadline_ms and data; sets updated_ms. kNotFound unless the task is the owner's.
  virtual Result<PeopleTaskRecord> Update(PeopleTaskRecord task) = 0;
  // The approver decides: `decision` "approved" or "rejected" (else kInvalidArgument) becomes
  // decision and status. kNotFound when the viewer cannot see the task, kPermissionDenied when
  // the viewer is not its approver, kFailedPrecondition when it was already decided.
  virtual Result<PeopleTaskRecord> Decide(const Viewer& approver, std::string_view id,
                                          std::string_view decision) = 0;
  // Owner only; kNotFound otherwise.
  virtual Status Delete(std::string_view user_id, std::string_view id) = 0;
  // The deadline job (every user's tasks): each task with status "pending" and a deadline_ms at
  // or before `now_ms` gets status "due" (its decision stays "pending": the approver may still
  // decide) and updated_ms = now. Returns the changed tasks, earliest deadline first, at most
  // `limit` (-1 = all). A task changes once, so concurrent callers never both get it.
  virtual Result<std::vector<PeopleTaskRecord>> MarkDue(int64_t now_ms, int64_t limit = -1) = 0;
};

struct ConfigEntry {
  std::string key;
  Json value;
};

struct ServiceConfig {
  std::string service_id;  // "appmixer:google"
  Json values = Json::MakeObject();
  // Appmixer's /service-config item: {serviceId, ...values}.
  Json ToJson() const;
};

class ConfigCatalog {
 public:
  virtual ~ConfigCatalog() = default;
  // System configuration (Appmixer /config): key → any JSON value.
  virtual Result<Json> Get(std::string_view key) = 0;  // kNotFound
  virtual Status Set(std::string_view key, Json value) = 0;
  virtual Status Delete(std::string_view key) = 0;      // kNotFound
  virtual Result<std::vector<ConfigEntry>> List() = 0;  // by key

  // Service configuration (Appmixer /service-config): a JSON object per service id.
  virtual Result<ServiceConfig> GetService(std::string_view service_id) = 0;  // kNotFound
  // Creates or fully overwrites; `values` must be an object (a "serviceId" member is dropped).
  virtual Result<ServiceConfig> PutService(std::string_view service_id, Json values) = 0;
  virtual Status DeleteService(std::string_view service_id) = 0;  // kNotFound
  // By service id; `pattern` a case-insensitive substring of the id (empty = all).
  virtual Result<std::vector<ServiceConfig>> ListServices(std::string_view pattern = {},
                                                          int64_t offset = 0,
                                                          int64_t limit = -1) = 0;
};

// Every catalog of one backend. The accessors' references live as long as the Catalog.
class Catalog {
 public:
  virtual ~Catalog() = default;
  virtual FlowCatalog& flows() = 0;
  virtual UserCatalog& users() = 0;
  virtual AccountCatalog& accounts() = 0;
  virtual PeopleTaskCatalog& people_tasks() = 0;
  virtual ConfigCatalog& config() = 0;
};

// `clock` null = SystemClock(); otherwise it must outlive the catalog.
std::unique_ptr<Catalog> NewMemoryCatalog(const Clock* clock = nullptr);

struct SqliteCatalogOptions {
  // The database file, e.g. "<data dir>/catalog.db". Its directory is created (mode 0700)
  // when missing; the database and its -wal/-shm files get mode 0600. Required.
  std::string path;
  const Clock* clock = nullptr;  // null = SystemClock(); must outlive the catalog
  // How long a call waits for another connection's lock before failing kUnavailable.
  int busy_timeout_ms = 5000;
};

// Opens (creating or migrating) the SQLite catalog database. Errors: kFailedPrecondition when
// the directory path is not a directory or the database was written by a newer flowkit (the
// file is then left untouched) or is another SQLite database; kCorruption when the file is not
// a database; kIOError when it cannot be opened. Several catalogs (in this or other processes)
// may share one file: writers wait for each other (WAL, busy_timeout_ms).
Result<std::unique_ptr<Catalog>> NewSqliteCatalog(const SqliteCatalogOptions& options);

}  // namespace flowkit
