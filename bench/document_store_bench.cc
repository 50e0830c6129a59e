// Data-store Set and Get on the memory and SQLite documents adapters (SQLite: a fresh database in
// a temporary directory, WAL, synchronous=NORMAL; shared and exclusive locking).
//
//   flowkit_bench --benchmark_filter=DocumentStore
//
// Set writes a ~100-byte object under one of 10 000 keys (the first pass inserts, later passes
// update); Get reads a random one of 10 000 existing keys. ->Threads(2) shares one store.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>

#include "flowkit/storage.h"

namespace flowkit {
namespace {

constexpr int kKeys = 10000;

class BenchDir {
 public:
  BenchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "flowkit-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~BenchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

BenchDir& Dir() {
  static BenchDir dir;
  return dir;
}

Json Value(int i) {
  return Json::MakeObject({{"id", i}, {"name", "customer " + std::to_string(i)}, {"email", "c@example.com"},
                           {"active", true}, {"score", i * 0.5}});
}

// The benchmark's store for one adapter, opened (and filled with `fill` records) by the first
// thread to ask; shared by all threads and left open until exit.
enum class Adapter { kMemory, kSqlite, kSqliteExclusive };

DocumentStore* Shared(benchmark::State& state, Adapter adapter, const char* name, int fill) {
  static std::mutex mu;
  static std::map<std::string, DocumentStore*> stores;
  std::lock_guard<std::mutex> lock(mu);
  const std::string id = std::string(name) + "-" + std::to_string(static_cast<int>(adapter));
  auto it = stores.find(id);
  if (it != stores.end()) return it->second;
  std::unique_ptr<DocumentStore> docs;
  if (adapter != Adapter::kMemory) {
    auto opened = NewSqliteDocumentStore({.path = Dir().path() + "/" + id + ".db",
                                          .create_stores_on_first_use = true,
                                          .exclusive_lock = adapter == Adapter::kSqliteExclusive});
    if (!opened.ok()) {
      state.SkipWithError(opened.status().ToString().c_str());
      return nullptr;
    }
    docs = std::move(opened).value();
  } else {
    docs = NewMemoryDocumentStore({.create_stores_on_first_use = true});
  }
  for (int i = 0; i < fill; ++i) {
    if (!docs->DataStoresOf("bench").Set("s", "key-" + std::to_string(i), Value(i)).ok()) {
      state.SkipWithError("fill failed");
      return nullptr;
    }
  }
  return stores[id] = docs.release();
}

void BM_DocumentStoreSet(benchmark::State& state, Adapter adapter) {
  DocumentStore* docs = Shared(state, adapter, "set", 0);
  if (docs == nullptr) return;
  DataStore& ds = docs->DataStoresOf("bench");
  int i = state.thread_index() * 7919;
  for (auto _ : state) {
    auto result = ds.Set("s", "key-" + std::to_string(i % kKeys), Value(i));
    if (!result.ok()) {
      state.SkipWithError(result.status().ToString().c_str());
      break;
    }
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DocumentStoreGet(benchmark::State& state, Adapter adapter) {
  DocumentStore* docs = Shared(state, adapter, "get", kKeys);
  if (docs == nullptr) return;
  DataStore& ds = docs->DataStoresOf("bench");
  uint32_t x = 12345u + static_cast<uint32_t>(state.thread_index());
  for (auto _ : state) {
    x = x * 1664525u + 1013904223u;
    auto result = ds.Get("s", "key-" + std::to_string((x >> 8) % kKeys));
    if (!result.ok() || !result->has_value()) {
      state.SkipWithError("get failed");
      break;
    }
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_DocumentStoreSet, memory, Adapter::kMemory)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_DocumentStoreSet, sqlite, Adapter::kSqlite)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_DocumentStoreSet, sqlite_exclusive, Adapter::kSqliteExclusive)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_DocumentStoreGet, memory, Adapter::kMemory)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_DocumentStoreGet, sqlite, Adapter::kSqlite)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_DocumentStoreGet, sqlite_exclusive, Adapter::kSqliteExclusive)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace flowkit
