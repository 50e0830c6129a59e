#include "engine/store_watch.h"

namespace flowkit::engine {

void StoreWatchTable::Add(std::string_view user_id, std::string_view store_id, StoreWatcher watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  watchers_[{std::string(user_id), std::string(store_id)}].insert(std::move(watcher));
}

void StoreWatchTable::Remove(std::string_view user_id, std::string_view store_id, const StoreWatcher& watcher) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watchers_.find({std::string(user_id), std::string(store_id)});
  if (it == watchers_.end()) return;
  it->second.erase(watcher);
  if (it->second.empty()) watchers_.erase(it);
}

std::vector<std::pair<std::string, std::string>> StoreWatchTable::RemoveFlow(std::string_view flow_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, std::string>> removed;
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    for (auto w = it->second.begin(); w != it->second.end();) {
      if (w->flow_id == flow_id) {
        removed.emplace_back(it->first.second, w->component_id);
        w = it->second.erase(w);
      } else {
        ++w;
      }
    }
    it = it->second.empty() ? watchers_.erase(it) : std::next(it);
  }
  return removed;
}

std::vector<StoreWatcher> StoreWatchTable::Watchers(std::string_view user_id, std::string_view store_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = watchers_.find({std::string(user_id), std::string(store_id)});
  if (it == watchers_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

bool StoreWatchTable::Watched(std::string_view user_id, std::string_view store_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return !watchers_.empty() && watchers_.count({std::string(user_id), std::string(store_id)}) > 0;
}

namespace {

class WatchedDataStore final : public DataStore {
 public:
  WatchedDataStore(std::string user_id, DataStore& inner, const StoreWatchTable* table,
                   const std::function<void(const StoreChange&)>* notify)
      : user_id_(std::move(user_id)), inner_(inner), table_(table), notify_(notify) {}

  Result<std::vector<StoreInfo>> ListStores() override { return inner_.ListStores(); }
  Result<StoreInfo> CreateStore(std::string_view name, std::string_view store_id) override {
    return inner_.CreateStore(name, store_id);
  }
  Status DeleteStore(std::string_view store_id) override { return inner_.DeleteStore(store_id); }
  Result<std::optional<StoreRecord>> Get(std::string_view store_id, std::string_view key) override {
    return inner_.Get(store_id, key);
  }
  Result<SetResult> Set(std::string_view store_id, std::string_view key, Json value) override {
    Result<SetResult> result = inner_.Set(store_id, key, std::move(value));
    if (result.ok() && Watched(store_id)) {
      Json current = result->record.ToJson();
      if (!result->old_value.IsUndefined()) current.Set("oldValue", result->old_value);
      Report(store_id, result->old_value.IsUndefined() ? "insert" : "update", std::move(current));
    }
    return result;
  }
  Result<std::optional<StoreRecord>> Remove(std::string_view store_id, std::string_view key) override {
    Result<std::optional<StoreRecord>> removed = inner_.Remove(store_id, key);
    if (removed.ok() && removed->has_value() && Watched(store_id)) Report(store_id, "delete", (*removed)->ToJson());
    return removed;
  }
  Result<int64_t> Clear(std::string_view store_id) override { return inner_.Clear(store_id); }
  Result<std::vector<StoreRecord>> Find(std::string_view store_id, const Json& query,
                                        const FindOptions& options) override {
    return inner_.Find(store_id, query, options);
  }
  Result<int64_t> Count(std::string_view store_id, const Json& query) override { return inner_.Count(store_id, query); }

 private:
  bool Watched(std::string_view store_id) const { return table_->Watched(user_id_, store_id); }
  void Report(std::string_view store_id, const char* type, Json current) {
    (*notify_)(StoreChange{user_id_, std::string(store_id),
                           Json::MakeObject({{"type", type}, {"currentValue", std::move(current)}})});
  }

  std::string user_id_;
  DataStore& inner_;
  const StoreWatchTable* table_;
  const std::function<void(const StoreChange&)>* notify_;
};

class WatchedDocumentStore final : public DocumentStore {
 public:
  WatchedDocumentStore(std::shared_ptr<DocumentStore> inner, const StoreWatchTable* table,
                       std::function<void(const StoreChange&)> notify)
      : inner_(std::move(inner)), table_(table), notify_(std::move(notify)) {}

  DataStore& DataStoresOf(std::string_view user_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = views_.find(user_id);
    if (it == views_.end()) {
      it = views_
               .emplace(std::string(user_id), std::make_unique<WatchedDataStore>(
                                                  std::string(user_id), inner_->DataStoresOf(user_id), table_, &notify_))
               .first;
    }
    return *it->second;
  }
  FileStore& FilesOf(std::string_view user_id) override { return inner_->FilesOf(user_id); }

 private:
  std::shared_ptr<DocumentStore> inner_;
  const StoreWatchTable* table_;
  std::function<void(const StoreChange&)> notify_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<WatchedDataStore>, std::less<>> views_;
};

}  // namespace

std::shared_ptr<DocumentStore> NewWatchedDocumentStore(std::shared_ptr<DocumentStore> inner,
                                                       const StoreWatchTable* table,
                                                       std::function<void(const StoreChange&)> notify) {
  return std::make_shared<WatchedDocumentStore>(std::move(inner), table, std::move(notify));
}

}  // namespace flowkit::engine
