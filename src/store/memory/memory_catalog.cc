// The memory catalog adapter: each catalog keeps its records in an insertion-ordered table
// behind its own mutex. Validation, errors and flow selection come from store/catalog_common.h,
// shared with the SQLite adapter.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "flowkit/catalog.h"
#include "store/catalog_common.h"
#include "util/ids.h"
#include "util/string_map.h"

namespace flowkit {
namespace {

using util::StringMap;

// Records in insertion order with an index by id. Not thread-safe; its owner locks.
template <typename T>
class Table {
 public:
  T* Find(std::string_view id) {
    auto it = seq_by_id_.find(id);
    return it == seq_by_id_.end() ? nullptr : &rows_.at(it->second);
  }
  T& Insert(const std::string& id, T row) {
    const uint64_t seq = next_seq_++;
    seq_by_id_.emplace(id, seq);
    return rows_.emplace(seq, std::move(row)).first->second;
  }
  bool Erase(std::string_view id) {
    auto it = seq_by_id_.find(id);
    if (it == seq_by_id_.end()) return false;
    rows_.erase(it->second);
    seq_by_id_.erase(it);
    return true;
  }
  const std::map<uint64_t, T>& rows() const { return rows_; }

 private:
  std::map<uint64_t, T> rows_;
  StringMap<uint64_t> seq_by_id_;
  uint64_t next_seq_ = 1;
};

class MemoryFlows final : public FlowCatalog {
 public:
  explicit MemoryFlows(const Clock* clock) : clock_(clock) {}

  Result<FlowRecord> Create(FlowRecord flow) override {
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeFlow(&flow));
    if (flow.flow_id.empty()) flow.flow_id = internal::NewUuid4();
    std::lock_guard<std::mutex> lock(mu_);
    if (flows_.Find(flow.flow_id) != nullptr) return store::FlowExists(flow.flow_id);
    flow.created_ms = flow.mtime_ms = clock_->NowMillis();
    if (flow.btime_ms == 0) flow.btime_ms = flow.created_ms;
    return flows_.Insert(flow.flow_id, flow);
  }

  Result<FlowRecord> Get(std::string_view flow_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    const FlowRecord* flow = flows_.Find(flow_id);
    if (flow == nullptr) return store::FlowNotFound(flow_id);
    return *flow;
  }

  Result<FlowRecord> GetFor(const Viewer& viewer, std::string_view flow_id,
                            std::string_view permission) override {
    std::lock_guard<std::mutex> lock(mu_);
    const FlowRecord* flow = flows_.Find(flow_id);
    if (flow == nullptr || !FlowVisibleTo(*flow, viewer, permission))
      return store::FlowNotFound(flow_id);
    return *flow;
  }

  Result<FlowRecord> Update(FlowRecord update) override {
    std::lock_guard<std::mutex> lock(mu_);
    FlowRecord* flow = flows_.Find(update.flow_id);
    if (flow == nullptr) return store::FlowNotFound(update.flow_id);
    update.user_id = flow->user_id;
    update.stage = flow->stage;
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeFlow(&update));
    flow->name = std::move(update.name);
    flow->descriptor = std::move(update.descriptor);
    flow->custom_fields = std::move(update.custom_fields);
    flow->shared_with = std::move(update.shared_with);
    flow->thumbnail = std::move(update.thumbnail);
    flow->mtime_ms = clock_->NowMillis();
    return *flow;
  }

  Status SetStage(std::string_view flow_id, std::string_view stage) override {
    FLOWKIT_RETURN_IF_ERROR(store::ValidateStage(stage));
    std::lock_guard<std::mutex> lock(mu_);
    FlowRecord* flow = flows_.Find(flow_id);
    if (flow == nullptr) return store::FlowNotFound(flow_id);
    flow->stage = std::string(stage);
    return Status::OK();
  }

  Status Delete(std::string_view flow_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return flows_.Erase(flow_id) ? Status::OK() : store::FlowNotFound(flow_id);
  }

  Result<std::vector<FlowRecord>> List(const FlowQuery& query) override {
    return Select(query, true);
  }

  Result<int64_t> Count(const FlowQuery& query) override {
    FLOWKIT_ASSIGN_OR_RETURN(std::vector<FlowRecord> flows, Select(query, false));
    return static_cast<int64_t>(flows.size());
  }

 private:
  Result<std::vector<FlowRecord>> Select(const FlowQuery& query, bool page) {
    FLOWKIT_ASSIGN_OR_RETURN(store::FlowSelection selection, store::FlowSelection::Compile(query));
    std::vector<FlowRecord> candidates;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [seq, flow] : flows_.rows()) {
        if (query.all_users || query.include_shared || flow.user_id == query.viewer.user_id) {
          candidates.push_back(flow);
        }
      }
    }
    return selection.Apply(std::move(candidates), page);
  }

  const Clock* const clock_;
  std::mutex mu_;
  Table<FlowRecord> flows_;  // guarded by mu_
};

class MemoryUsers final : public UserCatalog {
 public:
  explicit MemoryUsers(const Clock* clock) : clock_(clock) {}

  Result<UserRecord> Create(UserRecord user) override {
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeUser(&user));
    if (user.id.empty()) user.id = internal::NewUuid4();
    std::lock_guard<std::mutex> lock(mu_);
    if (users_.Find(user.id) != nullptr) return store::UserExists(user.id);
    FLOWKIT_RETURN_IF_ERROR(CheckUnique(user, nullptr));
    user.created_ms = clock_->NowMillis();
    Index(user);
    return users_.Insert(user.id, user);
  }

  Result<UserRecord> Get(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    const UserRecord* user = users_.Find(id);
    if (user == nullptr) return store::UserNotFound("'" + std::string(id) + "'");
    return *user;
  }

  Result<UserRecord> FindByEmail(std::string_view email) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_email_.find(store::AsciiLower(email));
    if (it == by_email_.end())
      return store::UserNotFound("with email '" + std::string(email) + "'");
    return *users_.Find(it->second);
  }

  Result<UserRecord> FindByUsername(std::string_view username) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_username_.find(username);
    if (it == by_username_.end())
      return store::UserNotFound("with username '" + std::string(username) + "'");
    return *users_.Find(it->second);
  }

  Result<std::vector<UserRecord>> List(int64_t offset, int64_t limit) override {
    FLOWKIT_RETURN_IF_ERROR(store::CheckPaging(offset, "user list"));
    std::vector<UserRecord> out;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [seq, user] : users_.rows()) out.push_back(user);
    }
    store::Page(&out, offset, limit);
    return out;
  }

  Result<int64_t> Count() override {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int64_t>(users_.rows().size());
  }

  Result<UserRecord> Update(UserRecord update) override {
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeUser(&update));
    std::lock_guard<std::mutex> lock(mu_);
    UserRecord* user = users_.Find(update.id);
    if (user == nullptr) return store::UserNotFound("'" + update.id + "'");
    FLOWKIT_RETURN_IF_ERROR(CheckUnique(update, user));
    Unindex(*user);
    update.created_ms = user->created_ms;
    *user = std::move(update);
    Index(*user);
    return *user;
  }

  Status Delete(std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    const UserRecord* user = users_.Find(id);
    if (user == nullptr) return store::UserNotFound("'" + std::string(id) + "'");
    Unindex(*user);
    users_.Erase(id);
    return Status::OK();
  }

 private:
  // REQUIRES: mu_ held. `self`: the stored record being updated (its own names do not clash).
  Status CheckUnique(const UserRecord& user, const UserRecord* self) {
    auto name = by_username_.find(user.username);
    if (name != by_username_.end() && (self == nullptr || name->second != self->id)) {
      return Status::AlreadyExists("username '" + user.username + "' is already taken");
    }
    auto email = by_email_.find(store::AsciiLower(user.email));
    if (email != by_email_.end() && (self == nullptr || email->second != self->id)) {
      return Status::AlreadyExists("a user with email '" + user.email + "' already exists");
    }
    return Status::OK();
  }
  void Index(const UserRecord& user) {
    by_username_[user.username] = user.id;
    by_email_[store::AsciiLower(user.email)] = user.id;
  }
  void Unindex(const UserRecord& user) {
    by_username_.erase(user.username);
    by_email_.erase(store::AsciiLower(user.email));
  }

  const Clock* const clock_;
  std::mutex mu_;
  // Guarded by mu_.
  Table<UserRecord> users_;
  StringMap<std::string> by_username_;
  StringMap<std::string> by_email_;  // lower-case email → id
};

class MemoryAccounts final : public AccountCatalog {
 public:
  explicit MemoryAccounts(const Clock* clock) : clock_(clock) {}

  Result<AccountRecord> Create(AccountRecord account) override {
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeAccount(&account));
    if (account.account_id.empty()) account.account_id = internal::NewUuid4();
    std::lock_guard<std::mutex> lock(mu_);
    if (accounts_.Find(account.account_id) != nullptr)
      return store::AccountExists(account.account_id);
    account.created_ms = account.updated_ms = clock_->NowMillis();
    return accounts_.Insert(account.account_id, account);
  }

  Result<AccountRecord> Get(std::string_view user_id, std::string_view account_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOWKIT_ASSIGN_OR_RETURN(AccountRecord * account, Owned(user_id, account_id));
    return *account;
  }

  Result<std::vector<AccountRecord>> List(std::string_view user_id,
                                          std::string_view service) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<AccountRecord> out;
    for (const auto& [seq, account] : accounts_.rows()) {
      if (account.user_id == user_id && (service.empty() || account.service == service))
        out.push_back(account);
    }
    return out;
  }

  Result<AccountRecord> Update(AccountRecord update) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOWKIT_ASSIGN_OR_RETURN(AccountRecord * account, Owned(update.user_id, update.account_id));
    update.service = account->service;
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeAccount(&update));
    account->name = std::move(update.name);
    account->display_name = std::move(update.display_name);
    account->auth_type = std::move(update.auth_type);
    account->profile_info = std::move(update.profile_info);
    account->sealed_secrets = std::move(update.sealed_secrets);
    account->updated_ms = clock_->NowMillis();
    return *account;
  }

  Status Delete(std::string_view user_id, std::string_view account_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    FLOWKIT_RETURN_IF_ERROR(Owned(user_id, account_id).status());
    accounts_.Erase(account_id);
    return Status::OK();
  }

 private:
  // REQUIRES: mu_ held.
  Result<AccountRecord*> Owned(std::string_view user_id, std::string_view account_id) {
    AccountRecord* account = accounts_.Find(account_id);
    if (account == nullptr || account->user_id != user_id)
      return store::AccountNotFound(account_id);
    return account;
  }

  const Clock* const clock_;
  std::mutex mu_;
  Table<AccountRecord> accounts_;  // guarded by mu_
};

class MemoryPeopleTasks final : public PeopleTaskCatalog {
 public:
  explicit MemoryPeopleTasks(const Clock* clock) : clock_(clock) {}

  Result<PeopleTaskRecord> Create(PeopleTaskRecord task) override {
    FLOWKIT_RETURN_IF_ERROR(store::NormalizePeopleTask(&task));
    if (task.id.empty()) task.id = internal::NewUuid4();
    task.decision = task.status = "pending";
    std::lock_guard<std::mutex> lock(mu_);
    if (tasks_.Find(task.id) != nullptr) return store::PeopleTaskExists(task.id);
    task.created_ms = task.updated_ms = clock_->NowMillis();
    return tasks_.Insert(task.id, task);
  }

  Result<PeopleTaskRecord> Get(const Viewer& viewer, std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    const PeopleTaskRecord* task = tasks_.Find(id);
    if (task == nullptr || !store::PeopleTaskVisibleTo(*task, viewer))
      return store::PeopleTaskNotFound(id);
    return *task;
  }

  Result<std::vector<PeopleTaskRecord>> List(const PeopleTaskQuery& query) override {
    FLOWKIT_RETURN_IF_ERROR(store::CheckPaging(query.offset, "people task list"));
    std::vector<PeopleTaskRecord> out;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [seq, task] : tasks_.rows()) {
        if (store::PeopleTaskMatches(task, query)) out.push_back(task);
      }
    }
    store::Page(&out, query.offset, query.limit);
    return out;
  }

  Result<int64_t> Count(const PeopleTaskQuery& query) override {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t count = 0;
    for (const auto& [seq, task] : tasks_.rows())
      count += store::PeopleTaskMatches(task, query) ? 1 : 0;
    return count;
  }

  Result<PeopleTaskRecord> Update(PeopleTaskRecord update) override {
    FLOWKIT_RETURN_IF_ERROR(store::NormalizePeopleTask(&update));
    std::lock_guard<std::mutex> lock(mu_);
    PeopleTaskRecord* task = tasks_.Find(update.id);
    if (task == nullptr || task->user_id != update.user_id)
      return store::PeopleTaskNotFound(update.id);
    task->title = std::move(update.title);
    task->description = std::move(update.description);
    task->requester = std::move(update.requester);
    task->approver = std::move(update.approver);
    task->status = std::move(update.status);
    task->deadline_ms = update.deadline_ms;
    task->data = std::move(update.data);
    task->updated_ms = clock_->NowMillis();
    return *task;
  }

  Result<PeopleTaskRecord> Decide(const Viewer& approver, std::string_view id,
                                  std::string_view decision) override {
    FLOWKIT_RETURN_IF_ERROR(store::ValidateDecision(decision));
    std::lock_guard<std::mutex> lock(mu_);
    PeopleTaskRecord* task = tasks_.Find(id);
    if (task == nullptr || !store::PeopleTaskVisibleTo(*task, approver))
      return store::PeopleTaskNotFound(id);
    FLOWKIT_RETURN_IF_ERROR(store::CheckDecision(*task, approver));
    task->decision = task->status = std::string(decision);
    task->updated_ms = clock_->NowMillis();
    return *task;
  }

  Status Delete(std::string_view user_id, std::string_view id) override {
    std::lock_guard<std::mutex> lock(mu_);
    const PeopleTaskRecord* task = tasks_.Find(id);
    if (task == nullptr || task->user_id != user_id) return store::PeopleTaskNotFound(id);
    tasks_.Erase(id);
    return Status::OK();
  }

  Result<std::vector<PeopleTaskRecord>> MarkDue(int64_t now_ms, int64_t limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<const PeopleTaskRecord*> overdue;
    for (const auto& [seq, task] : tasks_.rows()) {
      if (store::PeopleTaskOverdue(task, now_ms)) overdue.push_back(&task);
    }
    std::stable_sort(overdue.begin(), overdue.end(), [](const PeopleTaskRecord* a, const PeopleTaskRecord* b) {
      return a->deadline_ms < b->deadline_ms;
    });
    if (limit >= 0 && overdue.size() > static_cast<size_t>(limit)) overdue.resize(static_cast<size_t>(limit));
    std::vector<PeopleTaskRecord> out;
    for (const PeopleTaskRecord* found : overdue) {
      PeopleTaskRecord* task = tasks_.Find(found->id);
      task->status = "due";
      task->updated_ms = now_ms;
      out.push_back(*task);
    }
    return out;
  }

 private:
  const Clock* const clock_;
  std::mutex mu_;
  Table<PeopleTaskRecord> tasks_;  // guarded by mu_
};

class MemoryConfig final : public ConfigCatalog {
 public:
  Result<Json> Get(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = config_.find(key);
    if (it == config_.end()) return store::ConfigNotFound(key);
    return it->second;
  }

  Status Set(std::string_view key, Json value) override {
    FLOWKIT_RETURN_IF_ERROR(store::ValidateConfigKey(key));
    std::lock_guard<std::mutex> lock(mu_);
    config_.insert_or_assign(std::string(key), std::move(value));
    return Status::OK();
  }

  Status Delete(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = config_.find(key);
    if (it == config_.end()) return store::ConfigNotFound(key);
    config_.erase(it);
    return Status::OK();
  }

  Result<std::vector<ConfigEntry>> List() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<ConfigEntry> out;
    for (const auto& [key, value] : config_) out.push_back({key, value});
    return out;
  }

  Result<ServiceConfig> GetService(std::string_view service_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = services_.find(service_id);
    if (it == services_.end()) return store::ServiceConfigNotFound(service_id);
    return ServiceConfig{it->first, it->second};
  }

  Result<ServiceConfig> PutService(std::string_view service_id, Json values) override {
    FLOWKIT_RETURN_IF_ERROR(store::NormalizeServiceValues(service_id, &values));
    std::lock_guard<std::mutex> lock(mu_);
    services_.insert_or_assign(std::string(service_id), values);
    return ServiceConfig{std::string(service_id), std::move(values)};
  }

  Status DeleteService(std::string_view service_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = services_.find(service_id);
    if (it == services_.end()) return store::ServiceConfigNotFound(service_id);
    services_.erase(it);
    return Status::OK();
  }

  Result<std::vector<ServiceConfig>> ListServices(std::string_view pattern, int64_t offset,
                                                  int64_t limit) override {
    FLOWKIT_RETURN_IF_ERROR(store::CheckPaging(offset, "service config list"));
    std::vector<ServiceConfig> out;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [id, values] : services_) {
        if (store::ContainsIgnoringCase(id, pattern)) out.push_back({id, values});
      }
    }
    store::Page(&out, offset, limit);
    return out;
  }

 private:
  std::mutex mu_;
  // Guarded by mu_; ordered by key / service id.
  std::map<std::string, Json, std::less<>> config_;
  std::map<std::string, Json, std::less<>> services_;
};

class MemoryCatalog final : public Catalog {
 public:
  explicit MemoryCatalog(const Clock* clock)
      : flows_(clock), users_(clock), accounts_(clock), tasks_(clock) {}
  FlowCatalog& flows() override { return flows_; }
  UserCatalog& users() override { return users_; }
  AccountCatalog& accounts() override { return accounts_; }
  PeopleTaskCatalog& people_tasks() override { return tasks_; }
  ConfigCatalog& config() override { return config_; }

 private:
  MemoryFlows flows_;
  MemoryUsers users_;
  MemoryAccounts accounts_;
  MemoryPeopleTasks tasks_;
  MemoryConfig config_;
};

}  // namespace

std::unique_ptr<Catalog> NewMemoryCatalog(const Clock* clock) {
  return std::make_unique<MemoryCatalog>(clock != nullptr ? clock : SystemClock());
}

}  // namespace flowkit
