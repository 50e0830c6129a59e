// The memory documents adapter: per-user data stores and files held in maps.
//
// Each user gets one UserDocuments (its data-store view and file view share one mutex); the
// user table has its own mutex and only grows, so the references DataStoresOf/FilesOf return
// stay valid for the DocumentStore's life.
#include <cstdint>
#include <functional>
#include <map>
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
#include "util/ids.h"
#include "util/string_map.h"

namespace flowkit {
namespace {

using util::StringMap;

struct MemoryStore {
  StoreInfo info;
  // Records by insertion sequence (so iteration is insertion order), and key → sequence.
  std::map<uint64_t, StoreRecord> records;
  StringMap<uint64_t> by_key;
};

struct StoredFile {
  FileInfo info;
  std::string content;
};

class UserDocuments;

class MemoryDataStore final : public DataStore {
 public:
  explicit MemoryDataStore(UserDocuments* owner) : owner_(owner) {}
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
  UserDocuments* owner_;
};

class MemoryFileStore final : public FileStore {
 public:
  explicit MemoryFileStore(UserDocuments* owner) : owner_(owner) {}
  Result<FileInfo> Save(std::string_view filename, std::string_view content,
                        std::string_view content_type, std::string_view file_id) override;
  Result<FileInfo> Replace(std::string_view file_id, std::string_view content) override;
  Result<FileInfo> Info(std::string_view file_id) override;
  Result<std::string> Read(std::string_view file_id) override;
  Status Remove(std::string_view file_id) override;
  Result<FileInfo> Archive(std::string_view file_id) override;
  Result<std::vector<FileInfo>> List() override;

 private:
  UserDocuments* owner_;
};

class UserDocuments {
 public:
  explicit UserDocuments(const MemoryDocumentOptions& options)
      : options_(options), data_(this), files_(this) {}

  DataStore& data() { return data_; }
  FileStore& files() { return files_; }

 private:
  friend class MemoryDataStore;
  friend class MemoryFileStore;

  int64_t Now() const { return options_.clock->NowMillis(); }

  // The store `store_id`, created when the options say so; nullptr when absent.
  // REQUIRES: mu_ held.
  MemoryStore* FindStore(std::string_view store_id) {
    auto it = stores_by_id_.find(store_id);
    if (it != stores_by_id_.end()) return it->second;
    if (!options_.create_stores_on_first_use || store_id.empty()) return nullptr;
    return AddStore(std::string(store_id), std::string(store_id));
  }
  MemoryStore* AddStore(std::string id, std::string name) {
    auto store = std::make_unique<MemoryStore>();
    store->info = {std::move(id), std::move(name)};
    MemoryStore* raw = store.get();
    stores_.push_back(std::move(store));
    stores_by_id_.emplace(raw->info.store_id, raw);
    return raw;
  }
  static Status NoStore(std::string_view store_id) { return store::StoreNotFound(store_id); }
  static Status NoFile(std::string_view file_id) { return store::FileNotFound(file_id); }
  Status CheckSize(std::string_view filename, size_t size) const {
    return store::CheckFileSize(filename, size, options_.max_file_bytes);
  }

  const MemoryDocumentOptions options_;
  MemoryDataStore data_;
  MemoryFileStore files_;

  std::mutex mu_;
  // Guarded by mu_. Stores in creation order; ids index into them.
  std::vector<std::unique_ptr<MemoryStore>> stores_;
  StringMap<MemoryStore*> stores_by_id_;
  uint64_t next_seq_ = 1;
  // Files by sequence (insertion order) and id → sequence.
  std::map<uint64_t, StoredFile> files_by_seq_;
  StringMap<uint64_t> file_seq_;
};

Result<std::vector<StoreInfo>> MemoryDataStore::ListStores() {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  std::vector<StoreInfo> out;
  out.reserve(owner_->stores_.size());
  for (const auto& store : owner_->stores_) out.push_back(store->info);
  return out;
}

Result<StoreInfo> MemoryDataStore::CreateStore(std::string_view name, std::string_view store_id) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  std::string id = store_id.empty() ? internal::NewUuid4() : std::string(store_id);
  if (owner_->stores_by_id_.contains(id)) {
    return Status::AlreadyExists("data store '" + id + "' already exists");
  }
  return owner_->AddStore(std::move(id), std::string(name))->info;
}

Status MemoryDataStore::DeleteStore(std::string_view store_id) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  auto it = owner_->stores_by_id_.find(store_id);
  if (it == owner_->stores_by_id_.end()) return UserDocuments::NoStore(store_id);
  MemoryStore* store = it->second;
  owner_->stores_by_id_.erase(it);
  std::erase_if(owner_->stores_, [store](const auto& s) { return s.get() == store; });
  return Status::OK();
}

Result<std::optional<StoreRecord>> MemoryDataStore::Get(std::string_view store_id,
                                                        std::string_view key) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  MemoryStore* store = owner_->FindStore(store_id);
  if (store == nullptr) return UserDocuments::NoStore(store_id);
  auto it = store->by_key.find(key);
  if (it == store->by_key.end()) return std::optional<StoreRecord>();
  return std::optional<StoreRecord>(store->records.at(it->second));
}

Result<DataStore::SetResult> MemoryDataStore::Set(std::string_view store_id, std::string_view key,
                                                  Json value) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  MemoryStore* store = owner_->FindStore(store_id);
  if (store == nullptr) return UserDocuments::NoStore(store_id);
  const int64_t now = owner_->Now();
  SetResult result;
  auto it = store->by_key.find(key);
  if (it != store->by_key.end()) {
    // An update keeps the record's place in insertion order.
    StoreRecord& record = store->records.at(it->second);
    result.old_value = std::exchange(record.value, std::move(value));
    record.updated_ms = now;
    result.record = record;
    return result;
  }
  const uint64_t seq = owner_->next_seq_++;
  StoreRecord record{store->info.store_id, std::string(key), std::move(value), now, now};
  result.record = record;
  result.old_value = Json::Undefined();
  store->records.emplace(seq, std::move(record));
  store->by_key.emplace(std::string(key), seq);
  return result;
}

Result<std::optional<StoreRecord>> MemoryDataStore::Remove(std::string_view store_id,
                                                           std::string_view key) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  MemoryStore* store = owner_->FindStore(store_id);
  if (store == nullptr) return UserDocuments::NoStore(store_id);
  auto it = store->by_key.find(key);
  if (it == store->by_key.end()) return std::optional<StoreRecord>();
  auto record_it = store->records.find(it->second);
  std::optional<StoreRecord> removed(std::move(record_it->second));
  store->records.erase(record_it);
  store->by_key.erase(it);
  return removed;
}

Result<int64_t> MemoryDataStore::Clear(std::string_view store_id) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  MemoryStore* store = owner_->FindStore(store_id);
  if (store == nullptr) return UserDocuments::NoStore(store_id);
  const auto count = static_cast<int64_t>(store->records.size());
  store->records.clear();
  store->by_key.clear();
  return count;
}

Result<std::vector<StoreRecord>> MemoryDataStore::Find(std::string_view store_id, const Json& query,
                                                       const FindOptions& options) {
  // Compile outside the lock: a bad query should fail without touching the store.
  FLOWKIT_ASSIGN_OR_RETURN(store::Query compiled, store::Query::Compile(query));
  std::vector<StoreRecord> out;
  {
    std::lock_guard<std::mutex> lock(owner_->mu_);
    MemoryStore* store = owner_->FindStore(store_id);
    if (store == nullptr) return UserDocuments::NoStore(store_id);
    for (const auto& [seq, record] : store->records) {
      FLOWKIT_ASSIGN_OR_RETURN(bool match, compiled.Matches(record));
      if (match) out.push_back(record);
    }
  }
  FLOWKIT_RETURN_IF_ERROR(store::ApplyFindOptions(options, &out));
  return out;
}

Result<int64_t> MemoryDataStore::Count(std::string_view store_id, const Json& query) {
  FLOWKIT_ASSIGN_OR_RETURN(store::Query compiled, store::Query::Compile(query));
  std::lock_guard<std::mutex> lock(owner_->mu_);
  MemoryStore* store = owner_->FindStore(store_id);
  if (store == nullptr) return UserDocuments::NoStore(store_id);
  int64_t count = 0;
  for (const auto& [seq, record] : store->records) {
    FLOWKIT_ASSIGN_OR_RETURN(bool match, compiled.Matches(record));
    if (match) ++count;
  }
  return count;
}

Result<FileInfo> MemoryFileStore::Save(std::string_view filename, std::string_view content,
                                       std::string_view content_type, std::string_view file_id) {
  FLOWKIT_RETURN_IF_ERROR(owner_->CheckSize(filename, content.size()));
  std::lock_guard<std::mutex> lock(owner_->mu_);
  std::string id = file_id.empty() ? internal::NewUuid4() : std::string(file_id);
  if (owner_->file_seq_.contains(id)) return Status::AlreadyExists("file '" + id + "' already exists");
  const int64_t now = owner_->Now();
  StoredFile file;
  file.info = {id, std::string(filename), std::string(content_type),
               static_cast<int64_t>(content.size()), now, now};
  file.content.assign(content);
  const uint64_t seq = owner_->next_seq_++;
  FileInfo info = file.info;
  owner_->files_by_seq_.emplace(seq, std::move(file));
  owner_->file_seq_.emplace(std::move(id), seq);
  return info;
}

Result<FileInfo> MemoryFileStore::Replace(std::string_view file_id, std::string_view content) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  auto it = owner_->file_seq_.find(file_id);
  if (it == owner_->file_seq_.end()) return UserDocuments::NoFile(file_id);
  StoredFile& file = owner_->files_by_seq_.at(it->second);
  FLOWKIT_RETURN_IF_ERROR(owner_->CheckSize(file.info.filename, content.size()));
  file.content.assign(content);
  file.info.length = static_cast<int64_t>(content.size());
  file.info.updated_ms = owner_->Now();
  return file.info;
}

Result<FileInfo> MemoryFileStore::Info(std::string_view file_id) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  auto it = owner_->file_seq_.find(file_id);
  if (it == owner_->file_seq_.end()) return UserDocuments::NoFile(file_id);
  return owner_->files_by_seq_.at(it->second).info;
}

Result<std::string> MemoryFileStore::Read(std::string_view file_id) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  auto it = owner_->file_seq_.find(file_id);
  if (it == owner_->file_seq_.end()) return UserDocuments::NoFile(file_id);
  return owner_->files_by_seq_.at(it->second).content;
}

Status MemoryFileStore::Remove(std::string_view file_id) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  auto it = owner_->file_seq_.find(file_id);
  if (it == owner_->file_seq_.end()) return UserDocuments::NoFile(file_id);
  owner_->files_by_seq_.erase(it->second);
  owner_->file_seq_.erase(it);
  return Status::OK();
}

Result<FileInfo> MemoryFileStore::Archive(std::string_view file_id) {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  auto it = owner_->file_seq_.find(file_id);
  if (it == owner_->file_seq_.end()) return UserDocuments::NoFile(file_id);
  FileInfo& info = owner_->files_by_seq_.at(it->second).info;
  info.archived = true;
  return info;
}

Result<std::vector<FileInfo>> MemoryFileStore::List() {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  std::vector<FileInfo> out;
  out.reserve(owner_->files_by_seq_.size());
  for (const auto& [seq, file] : owner_->files_by_seq_) out.push_back(file.info);
  return out;
}

class MemoryDocumentStore final : public DocumentStore {
 public:
  explicit MemoryDocumentStore(const MemoryDocumentOptions& options) : options_(options) {
    if (options_.clock == nullptr) options_.clock = SystemClock();
  }

  DataStore& DataStoresOf(std::string_view user_id) override { return UserOf(user_id).data(); }
  FileStore& FilesOf(std::string_view user_id) override { return UserOf(user_id).files(); }

 private:
  UserDocuments& UserOf(std::string_view user_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = users_.find(user_id);
    if (it == users_.end()) {
      it = users_.emplace(std::string(user_id), std::make_unique<UserDocuments>(options_)).first;
    }
    return *it->second;
  }

  MemoryDocumentOptions options_;
  std::mutex mu_;
  StringMap<std::unique_ptr<UserDocuments>> users_;  // guarded by mu_; never shrinks
};

}  // namespace

std::unique_ptr<DocumentStore> NewMemoryDocumentStore(const MemoryDocumentOptions& options) {
  return std::make_unique<MemoryDocumentStore>(options);
}

}  // namespace flowkit
