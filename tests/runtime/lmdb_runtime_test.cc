// What only the LMDB runtime promises: durability across reopen and kill -9, group commit,
// private files, schema versions, and a full map failing one hop alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lmdb.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <iostream>
#include <iterator>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/runtime.h"
#include "runtime/runtime_test_util.h"

namespace flowkit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::QueuedIds;
using testing_util::Set;
using testing_util::TempDir;
using testing_util::Work;

std::unique_ptr<Runtime> Open(const LmdbRuntimeOptions& options) {
  auto runtime = NewLmdbRuntime(options);
  EXPECT_TRUE(runtime.ok()) << runtime.status().ToString();
  return runtime.ok() ? std::move(runtime).value() : nullptr;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

TEST(LmdbRuntime, PersistsAcrossCloseAndReopen) {
  TempDir dir;
  {
    auto runtime = Open({.path = dir.path()});
    ASSERT_NE(runtime, nullptr);
    ASSERT_TRUE(runtime
                    ->CommitSync({.enqueued = {Work("w1", "f1", "b1", 42), Work("w2", "f2")},
                                  .state = {Set("k", "v")}})
                    .ok());
    ASSERT_TRUE(runtime->CommitSync({.acked = {"w2"}}).ok());
  }
  auto runtime = Open({.path = dir.path()});
  ASSERT_NE(runtime, nullptr);
  std::vector<QueuedWork> all;
  ASSERT_TRUE(runtime
                  ->ForEachQueued("f1",
                                  [&](const QueuedWork& w) {
                                    all.push_back(w);
                                    return true;
                                  })
                  .ok());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, "w1");
  EXPECT_EQ(all[0].body, "b1");
  EXPECT_EQ(all[0].visible_at_ms, 42);
  EXPECT_THAT(QueuedIds(*runtime), ElementsAre("w1"));
  EXPECT_EQ(*runtime->GetState("k"), "v");
  EXPECT_EQ(runtime->Stats().state_keys, 1u);
}

TEST(LmdbRuntime, GroupCommitPutsConcurrentHopsInOneTransaction) {
  TempDir dir;
  auto runtime = Open({.path = dir.path(), .sync = true});
  ASSERT_NE(runtime, nullptr);
  constexpr int kThreads = 4;
  constexpr int kHops = 500;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::atomic<int> done{0};
      for (int i = 0; i < kHops; ++i) {
        runtime->Commit(
            {.enqueued = {Work("t" + std::to_string(t) + "-" + std::to_string(i), "f")}},
            [&](Status status) {
              if (status.ok()) ok.fetch_add(1);
              done.fetch_add(1);
            });
      }
      while (done.load() < kHops) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kHops);
  RuntimeStats stats = runtime->Stats();
  EXPECT_EQ(stats.commits, uint64_t{kThreads * kHops});
  EXPECT_LT(stats.transactions, stats.commits / 4) << "hardly any batching";
  EXPECT_EQ(stats.queued, uint64_t{kThreads * kHops});
}

TEST(LmdbRuntime, MaxBatchBoundsATransaction) {
  TempDir dir;
  auto runtime = Open({.path = dir.path(), .max_batch = 2, .sync = false});
  ASSERT_NE(runtime, nullptr);
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) {
    runtime->Commit({.enqueued = {Work("w" + std::to_string(i), "f")}},
                    [&](Status) { done.fetch_add(1); });
  }
  while (done.load() < 100) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_GE(runtime->Stats().transactions, 50u);
}

TEST(LmdbRuntime, DirectoryIsPrivateAndFilesAre0600) {
  TempDir dir;
  std::string path = dir.Sub("nested/runtime");
  ASSERT_EQ(::mkdir(dir.Sub("nested").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);  // an existing, too-open directory is narrowed
  auto runtime = Open({.path = path});
  ASSERT_NE(runtime, nullptr);
  EXPECT_EQ(Mode(path), 0700);
  EXPECT_EQ(Mode(path + "/data.mdb"), 0600);
  EXPECT_EQ(Mode(path + "/lock.mdb"), 0600);
}

TEST(LmdbRuntime, OpeningTheSameDirectoryTwiceInOneProcessFails) {
  TempDir dir;
  auto first = Open({.path = dir.path()});
  ASSERT_NE(first, nullptr);
  auto second = NewLmdbRuntime({.path = dir.path() + "/."});
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("already open"));
  first.reset();
  EXPECT_NE(Open({.path = dir.path()}), nullptr);  // fine once the first is closed
}

TEST(LmdbRuntime, BadOptionsAndPathsFailClearly) {
  TempDir dir;
  EXPECT_EQ(NewLmdbRuntime({.path = ""}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(NewLmdbRuntime({.path = dir.path(), .max_batch = 0}).status().code(),
            StatusCode::kInvalidArgument);
  std::ofstream(dir.Sub("file")) << "x";
  auto not_dir = NewLmdbRuntime({.path = dir.Sub("file")});
  EXPECT_FALSE(not_dir.ok());
  EXPECT_THAT(not_dir.status().message(), HasSubstr(dir.Sub("file")));
}

TEST(LmdbRuntime, KeysLongerThanLmdbAllowsAreRefused) {
  TempDir dir;
  auto runtime = Open({.path = dir.path()});
  ASSERT_NE(runtime, nullptr);
  Status status = runtime->CommitSync({.enqueued = {Work(std::string(600, 'i'), "f")}});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("511"));
  EXPECT_EQ(runtime->CommitSync({.state = {Set(std::string(512, 'k'), "v")}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(runtime->CommitSync({.enqueued = {Work("w", std::string(512, 'f'))}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(runtime->CommitSync({.state = {Set(std::string(511, 'k'), "v")}}).ok());
  EXPECT_EQ(*runtime->GetState(std::string(600, 'k')), std::nullopt);
}

TEST(LmdbRuntime, NewerSchemaVersionIsRefusedAndLeftUntouched) {
  TempDir dir;
  {
    auto runtime = Open({.path = dir.path()});
    ASSERT_NE(runtime, nullptr);
    ASSERT_TRUE(runtime->CommitSync({.state = {Set("k", "v")}}).ok());
  }
  {  // A newer flowkit wrote the store.
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_maxdbs(env, 4), 0);
    ASSERT_EQ(mdb_env_open(env, dir.path().c_str(), 0, 0600), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi meta = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    std::string key = "schema_version";
    std::string value = "999";
    MDB_val k{key.size(), key.data()};
    MDB_val v{value.size(), value.data()};
    ASSERT_EQ(mdb_put(txn, meta, &k, &v, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
  }
  std::string before = ReadFile(dir.path() + "/data.mdb");
  ASSERT_FALSE(before.empty());
  auto runtime = NewLmdbRuntime({.path = dir.path()});
  ASSERT_FALSE(runtime.ok());
  EXPECT_EQ(runtime.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(runtime.status().message(), HasSubstr("999"));
  EXPECT_THAT(runtime.status().message(), HasSubstr("newer"));
  EXPECT_THAT(runtime.status().message(), HasSubstr(dir.path()));
  EXPECT_TRUE(ReadFile(dir.path() + "/data.mdb") == before) << "data.mdb was modified";
  // The failed open released the directory.
  EXPECT_EQ(NewLmdbRuntime({.path = dir.path()}).status().code(), StatusCode::kFailedPrecondition);
}

TEST(LmdbRuntime, FullMapFailsOnlyTheHopThatDoesNotFit) {
  TempDir dir;
  auto runtime = Open({.path = dir.path(), .map_size_bytes = int64_t{1} << 20, .sync = false});
  ASSERT_NE(runtime, nullptr);
  const std::string big(96 * 1024, 'b');
  int stored = 0;
  Status failure;
  for (; stored < 64; ++stored) {
    failure =
        runtime->CommitSync({.enqueued = {Work("big" + std::to_string(100 + stored), "f", big)}});
    if (!failure.ok()) break;
  }
  ASSERT_FALSE(failure.ok()) << "1 MiB map never filled";
  EXPECT_EQ(failure.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(failure.message(), HasSubstr("full"));
  EXPECT_THAT(failure.message(), HasSubstr("map_size_bytes"));
  ASSERT_GT(stored, 0);
  // Earlier data intact, nothing of the failed hop applied.
  std::vector<std::string> ids = QueuedIds(*runtime);
  ASSERT_EQ(ids.size(), static_cast<size_t>(stored));
  int64_t bytes = 0;
  ASSERT_TRUE(runtime
                  ->ForEachQueued("f",
                                  [&](const QueuedWork& w) {
                                    bytes += static_cast<int64_t>(w.body.size());
                                    return true;
                                  })
                  .ok());
  EXPECT_EQ(bytes, int64_t{stored} * static_cast<int64_t>(big.size()));
  // Small hops still fit, also when one batch mixes them with a hop that cannot fit.
  EXPECT_TRUE(runtime->CommitSync({.state = {Set("small", "1")}}).ok());
  // A gate hop whose `done` holds the committer until all nine are pending, so they form one
  // batch. (Blocking in `done` is not allowed in production; here it makes the batch certain.)
  std::promise<void> open_gate;
  std::shared_future<void> gate = open_gate.get_future().share();
  std::promise<void> entered_gate;
  runtime->Commit({.state = {Set("gate", "1")}}, [gate, &entered_gate](Status) {
    entered_gate.set_value();
    gate.wait();
  });
  entered_gate.get_future().wait();
  std::mutex mu;
  std::vector<Status> outcomes(9);
  std::atomic<int> done{0};
  for (int i = 0; i < 9; ++i) {
    HopCommit hop;
    if (i == 4) {
      hop.enqueued.push_back(Work("huge", "f", std::string(512 * 1024, 'h')));
    } else {
      hop.state.push_back(Set("small" + std::to_string(i), "v"));
    }
    runtime->Commit(std::move(hop), [&, i](Status status) {
      std::lock_guard lock(mu);
      outcomes[i] = std::move(status);
      done.fetch_add(1);
    });
  }
  const uint64_t transactions_before = runtime->Stats().transactions;  // the gate's included
  open_gate.set_value();
  while (done.load() < 9) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The batch failed as a whole and was retried hop by hop: one transaction per small hop.
  EXPECT_EQ(runtime->Stats().transactions - transactions_before, 8u);
  for (int i = 0; i < 9; ++i) {
    if (i == 4) {
      EXPECT_EQ(outcomes[i].code(), StatusCode::kResourceExhausted);
    } else {
      EXPECT_TRUE(outcomes[i].ok()) << i << ": " << outcomes[i].ToString();
      EXPECT_EQ(*runtime->GetState("small" + std::to_string(i)), "v");
    }
  }
  EXPECT_EQ(QueuedIds(*runtime).size(), static_cast<size_t>(stored));
}

// Destruction applies everything accepted before it began; a commit made once it has begun
// (here from a `done` callback) completes with kCancelled; every `done` runs exactly once before
// the destructor returns.
TEST(LmdbRuntime, DestructionDrainsAcceptedCommitsAndCancelsLaterOnes) {
  TempDir dir;
  constexpr int kHops = 300;
  std::atomic<int> first_ok{0};
  std::atomic<int> follow_ok{0};
  std::atomic<int> follow_cancelled{0};
  std::atomic<int> follow_other{0};
  {
    auto runtime = Open({.path = dir.path(), .sync = false});
    ASSERT_NE(runtime, nullptr);
    Runtime* rt = runtime.get();
    for (int i = 0; i < kHops; ++i) {
      rt->Commit({.enqueued = {Work("a" + std::to_string(i), "f")}}, [&, rt, i](Status status) {
        if (status.ok()) first_ok.fetch_add(1);
        rt->Commit({.enqueued = {Work("b" + std::to_string(i), "f")}}, [&](Status follow) {
          if (follow.ok()) {
            follow_ok.fetch_add(1);
          } else if (follow.code() == StatusCode::kCancelled) {
            follow_cancelled.fetch_add(1);
          } else {
            follow_other.fetch_add(1);
          }
        });
      });
    }
    runtime.reset();
    EXPECT_EQ(first_ok.load(), kHops);
    EXPECT_EQ(follow_ok.load() + follow_cancelled.load(), kHops);
    EXPECT_EQ(follow_other.load(), 0);
  }
  auto runtime = Open({.path = dir.path()});
  ASSERT_NE(runtime, nullptr);
  EXPECT_EQ(runtime->Stats().queued, static_cast<uint64_t>(kHops + follow_ok.load()));
}

// --- Crash safety: kill -9 at a random moment loses no hop and repeats none. ---

std::string ItemId(uint64_t i) {
  char id[32];
  std::snprintf(id, sizeof id, "item-%012llu", static_cast<unsigned long long>(i));
  return id;
}

// The child: continues the chain from the stored count, with up to 64 hops in flight, until
// it is killed. Returns (as its exit code) only on error. No gtest here.
int RunCrashChild(const std::string& path, bool sync) {
  // Declared before the runtime: its destructor may still run `done` callbacks that use them.
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  bool failed = false;
  auto opened = NewLmdbRuntime({.path = path, .sync = sync});
  if (!opened.ok()) return 10;
  std::unique_ptr<Runtime> runtime = std::move(opened).value();
  auto count = runtime->GetState("count");
  if (!count.ok() || !count->has_value()) return 11;
  uint64_t next = std::stoull(**count);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);  // the parent died
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight < 64 || failed; });
      if (failed) return 12;
      ++in_flight;
    }
    HopCommit hop;
    hop.acked.push_back(ItemId(next));
    hop.enqueued.push_back(Work(ItemId(next + 1), "chain", std::string(64, 'c')));
    hop.state.push_back(Set("count", std::to_string(next + 1)));
    runtime->Commit(std::move(hop), [&](Status status) {
      std::lock_guard lock(mu);
      if (!status.ok()) failed = true;
      --in_flight;
      cv.notify_one();
    });
    ++next;
  }
  return 13;
}

TEST(LmdbRuntimeCrash, KillNineLosesNoHopAndRepeatsNone) {
  int cycles = 5;
  if (const char* env = std::getenv("FLOWKIT_CRASH_CYCLES")) cycles = std::atoi(env);
  TempDir dir;
  {
    auto runtime = Open({.path = dir.path()});
    ASSERT_NE(runtime, nullptr);
    ASSERT_TRUE(
        runtime->CommitSync({.enqueued = {Work(ItemId(0), "chain")}, .state = {Set("count", "0")}})
            .ok());
  }
  std::random_device seed_source;
  const unsigned seed = seed_source();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(20, 300);
  uint64_t last = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle) + ", seed " + std::to_string(seed));
    const bool sync = cycle % 2 == 0;
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0) << "fork failed";
    if (pid == 0) ::_exit(RunCrashChild(dir.path(), sync));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "the child ended by itself, exit code "
        << (WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);

    auto runtime = Open({.path = dir.path()});
    ASSERT_NE(runtime, nullptr);
    std::vector<std::string> queued = QueuedIds(*runtime);
    auto count = runtime->GetState("count");
    ASSERT_TRUE(count.ok() && count->has_value());
    ASSERT_EQ(queued.size(), 1u) << "count " << **count;
    uint64_t stored = std::stoull(**count);
    EXPECT_EQ(queued[0], ItemId(stored));
    EXPECT_GE(stored, last);
    EXPECT_EQ(runtime->Stats().state_keys, 1u);
    last = stored;
  }
  EXPECT_GT(last, 0u) << "the children never committed a hop";
  std::cout << "[ crash    ] " << cycles << " kills survived; chain reached " << last << " hops\n";
}

}  // namespace
}  // namespace flowkit
