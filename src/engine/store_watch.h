// Store triggers: which components watch which data stores, and a DocumentStore decorator that
// reports every record change of a watched store.
//
// The decorator sits between components (and the server) and the real adapter, so changes are
// seen whatever the adapter; writes that bypass this process's DocumentStore (another process
// sharing a SQLite file) are not.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flowkit/json.h"
#include "flowkit/storage.h"

namespace flowkit::engine {

struct StoreWatcher {
  std::string flow_id;
  std::string component_id;
  auto operator<=>(const StoreWatcher&) const = default;
};

// Thread-safe.
class StoreWatchTable {
 public:
  void Add(std::string_view user_id, std::string_view store_id, StoreWatcher watcher);
  void Remove(std::string_view user_id, std::string_view store_id, const StoreWatcher& watcher);
  // Removes every watch of a flow; returns them as (store id, component id).
  std::vector<std::pair<std::string, std::string>> RemoveFlow(std::string_view flow_id);
  std::vector<StoreWatcher> Watchers(std::string_view user_id, std::string_view store_id) const;
  // Whether anyone watches the store (checked on every record write; copies nothing).
  bool Watched(std::string_view user_id, std::string_view store_id) const;

 private:
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::set<StoreWatcher>> watchers_;  // (user, store)
};

// A record change, in the shape store triggers receive: {type, currentValue}.
struct StoreChange {
  std::string user_id;
  std::string store_id;
  Json data;
};

// Wraps `inner`; every successful Set/Remove on a store some component watches calls `notify`
// (on the writing thread, after the write). Clear and DeleteStore report nothing, as in
// Appmixer.
std::shared_ptr<DocumentStore> NewWatchedDocumentStore(std::shared_ptr<DocumentStore> inner,
                                                       const StoreWatchTable* table,
                                                       std::function<void(const StoreChange&)> notify);

}  // namespace flowkit::engine
