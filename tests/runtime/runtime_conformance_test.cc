// The runtime conformance suite: every adapter runs the same cases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flowkit/runtime.h"
#include "runtime/runtime_test_util.h"

namespace flowkit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::Delete;
using testing_util::QueuedIds;
using testing_util::Set;
using testing_util::StateEntries;
using testing_util::TempDir;
using testing_util::Work;

struct Adapter {
  std::string name;
  // Opens a runtime in `dir` (ignored by the memory adapter).
  std::function<std::unique_ptr<Runtime>(const std::string& dir)> open;
};

std::unique_ptr<Runtime> OpenLmdb(const std::string& dir, bool sync) {
  auto runtime = NewLmdbRuntime({.path = dir, .sync = sync});
  EXPECT_TRUE(runtime.ok()) << runtime.status().ToString();
  return runtime.ok() ? std::move(runtime).value() : nullptr;
}

class RuntimeConformance : public ::testing::TestWithParam<Adapter> {
 protected:
  void SetUp() override {
    runtime_ = GetParam().open(dir_.path());
    ASSERT_NE(runtime_, nullptr);
  }

  void Commit(HopCommit hop) {
    Status status = runtime_->CommitSync(std::move(hop));
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  std::optional<std::string> State(std::string_view key) {
    auto value = runtime_->GetState(key);
    EXPECT_TRUE(value.ok()) << value.status().ToString();
    return value.ok() ? *value : std::nullopt;
  }

  TempDir dir_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_P(RuntimeConformance, CommitThenReadBack) {
  Commit({.enqueued = {Work("w2", "f1", "second", 1700000000123),
                       Work("w1", "f2", std::string("a\0b", 3))},
          .state = {Set("flows/f1/k", "v")}});
  std::vector<QueuedWork> all;
  ASSERT_TRUE(runtime_
                  ->ForEachQueued("",
                                  [&](const QueuedWork& w) {
                                    all.push_back(w);
                                    return true;
                                  })
                  .ok());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "w1");  // id order
  EXPECT_EQ(all[0].flow_id, "f2");
  EXPECT_EQ(all[0].visible_at_ms, 0);
  EXPECT_EQ(all[0].body, std::string("a\0b", 3));
  EXPECT_EQ(all[1].id, "w2");
  EXPECT_EQ(all[1].flow_id, "f1");
  EXPECT_EQ(all[1].visible_at_ms, 1700000000123);
  EXPECT_EQ(all[1].body, "second");
  EXPECT_EQ(State("flows/f1/k"), "v");
  EXPECT_EQ(State("flows/f1/missing"), std::nullopt);
}

TEST_P(RuntimeConformance, AckRemovesWork) {
  Commit({.enqueued = {Work("a", "f"), Work("b", "f")}});
  Commit({.acked = {"a"}});
  EXPECT_THAT(QueuedIds(*runtime_), ElementsAre("b"));
  EXPECT_THAT(QueuedIds(*runtime_, "f"), ElementsAre("b"));
}

TEST_P(RuntimeConformance, AckOfUnknownIdIsNotAnError) {
  Commit({.enqueued = {Work("a", "f")}});
  Commit({.acked = {"never-queued", "a", "a"}});
  EXPECT_TRUE(QueuedIds(*runtime_).empty());
}

TEST_P(RuntimeConformance, EnqueueWithExistingIdReplaces) {
  Commit({.enqueued = {Work("t1", "f1", "old", 10)}});
  Commit({.enqueued = {Work("t1", "f1", "new", 20)}});
  std::vector<QueuedWork> all;
  ASSERT_TRUE(runtime_
                  ->ForEachQueued("f1",
                                  [&](const QueuedWork& w) {
                                    all.push_back(w);
                                    return true;
                                  })
                  .ok());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].body, "new");
  EXPECT_EQ(all[0].visible_at_ms, 20);

  // Replaced under another flow: it moves to that flow.
  Commit({.enqueued = {Work("t1", "f2", "moved")}});
  EXPECT_TRUE(QueuedIds(*runtime_, "f1").empty());
  EXPECT_THAT(QueuedIds(*runtime_, "f2"), ElementsAre("t1"));
  EXPECT_EQ(runtime_->Stats().queued, 1u);
  Commit({.acked = {"t1"}});
  EXPECT_TRUE(QueuedIds(*runtime_, "f2").empty());
}

TEST_P(RuntimeConformance, WorkWithoutFlowIsListedOnlyInFull) {
  Commit({.enqueued = {Work("x", ""), Work("y", "f")}});
  EXPECT_THAT(QueuedIds(*runtime_), ElementsAre("x", "y"));
  EXPECT_THAT(QueuedIds(*runtime_, "f"), ElementsAre("y"));
  Commit({.acked = {"x"}});
  EXPECT_THAT(QueuedIds(*runtime_), ElementsAre("y"));
}

TEST_P(RuntimeConformance, StateIsSetOverwrittenAndDeleted) {
  Commit({.state = {Set("k", "1"), Set("empty", "")}});
  EXPECT_EQ(State("k"), "1");
  EXPECT_EQ(State("empty"), "");
  Commit({.state = {Set("k", "2")}});
  EXPECT_EQ(State("k"), "2");
  Commit({.state = {Delete("k"), Delete("never-set")}});
  EXPECT_EQ(State("k"), std::nullopt);
  EXPECT_EQ(runtime_->Stats().state_keys, 1u);
}

TEST_P(RuntimeConformance, WritesWithinAHopApplyInOrder) {
  Commit({.state = {Set("a", "1"), Set("a", "2"), Set("b", "1"), Delete("b"), Delete("c"),
                    Set("c", "3")}});
  EXPECT_EQ(State("a"), "2");
  EXPECT_EQ(State("b"), std::nullopt);
  EXPECT_EQ(State("c"), "3");
  // Enqueueing one id twice keeps the later; acks apply before the hop's enqueues.
  Commit({.enqueued = {Work("w", "f", "first"), Work("w", "f", "second")}});
  Commit({.acked = {"w"}, .enqueued = {Work("w", "f", "again")}});
  std::string body;
  ASSERT_TRUE(runtime_
                  ->ForEachQueued("",
                                  [&](const QueuedWork& w) {
                                    body = w.body;
                                    return true;
                                  })
                  .ok());
  EXPECT_EQ(body, "again");
  EXPECT_EQ(runtime_->Stats().queued, 1u);
}

TEST_P(RuntimeConformance, InvalidHopIsRefusedWithNothingApplied) {
  Status status = runtime_->CommitSync({.enqueued = {Work("ok", "f")}, .state = {Set("", "v")}});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("state key"));
  EXPECT_EQ(runtime_->CommitSync({.acked = {""}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(runtime_->CommitSync({.enqueued = {Work("", "f")}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(QueuedIds(*runtime_).empty());
  EXPECT_EQ(runtime_->Stats().commits, 0u);
}

TEST_P(RuntimeConformance, ForEachQueuedFiltersByFlowAndStopsEarly) {
  HopCommit hop;
  for (int i = 0; i < 600; ++i) {  // more than one chunk of the memory adapter's walk
    char id[16];
    std::snprintf(id, sizeof id, "w%04d", i);
    hop.enqueued.push_back(Work(id, i % 3 == 0 ? "f1" : (i % 3 == 1 ? "f10" : "f2")));
  }
  Commit(std::move(hop));
  std::vector<std::string> f1 = QueuedIds(*runtime_, "f1");
  ASSERT_EQ(f1.size(), 200u);
  EXPECT_EQ(f1.front(), "w0000");
  EXPECT_EQ(f1[1], "w0003");
  EXPECT_EQ(f1.back(), "w0597");
  EXPECT_TRUE(std::is_sorted(f1.begin(), f1.end()));
  EXPECT_EQ(QueuedIds(*runtime_).size(), 600u);
  EXPECT_TRUE(QueuedIds(*runtime_, "nope").empty());

  int seen = 0;
  ASSERT_TRUE(runtime_
                  ->ForEachQueued("f10",
                                  [&](const QueuedWork& w) {
                                    EXPECT_EQ(w.flow_id, "f10");
                                    return ++seen < 3;
                                  })
                  .ok());
  EXPECT_EQ(seen, 3);
  seen = 0;
  ASSERT_TRUE(runtime_->ForEachQueued("", [&](const QueuedWork&) { return ++seen < 300; }).ok());
  EXPECT_EQ(seen, 300);
}

TEST_P(RuntimeConformance, ForEachStateWalksAPrefixInKeyOrderAndStopsEarly) {
  HopCommit hop;
  hop.state = {Set("a", "0"),   Set("a/", "1"), Set("a/y", "3"),
               Set("a/x", "2"), Set("a0", "4"), Set("b", "5")};
  for (int i = 0; i < 600; ++i) hop.state.push_back(Set("many/" + std::to_string(1000 + i), "v"));
  Commit(std::move(hop));
  EXPECT_THAT(StateEntries(*runtime_, "a/"), ElementsAre("a/=1", "a/x=2", "a/y=3"));
  EXPECT_THAT(StateEntries(*runtime_, "a"), ElementsAre("a=0", "a/=1", "a/x=2", "a/y=3", "a0=4"));
  EXPECT_TRUE(StateEntries(*runtime_, "c").empty());
  EXPECT_EQ(StateEntries(*runtime_, "many/").size(), 600u);
  EXPECT_EQ(StateEntries(*runtime_).size(), 606u);

  std::vector<std::string> keys;
  ASSERT_TRUE(runtime_
                  ->ForEachState("many/",
                                 [&](std::string_view key, std::string_view) {
                                   keys.emplace_back(key);
                                   return keys.size() < 2;
                                 })
                  .ok());
  EXPECT_THAT(keys, ElementsAre("many/1000", "many/1001"));
}

TEST_P(RuntimeConformance, WalkCallbacksMayCallBackIntoTheRuntime) {
  Commit({.enqueued = {Work("w1", "f")}, .state = {Set("s/1", "x")}});
  ASSERT_TRUE(runtime_
                  ->ForEachQueued("f",
                                  [&](const QueuedWork&) {
                                    EXPECT_EQ(State("s/1"), "x");
                                    return true;
                                  })
                  .ok());
  ASSERT_TRUE(runtime_
                  ->ForEachState("s/",
                                 [&](std::string_view, std::string_view) {
                                   EXPECT_EQ(runtime_->Stats().queued, 1u);
                                   return true;
                                 })
                  .ok());
}

TEST_P(RuntimeConformance, DropFlowRemovesExactlyThatFlow) {
  Commit({.enqueued = {Work("a1", "f1"), Work("a2", "f1"), Work("b1", "f10"), Work("c1", "f2"),
                       Work("n1", "")},
          .state = {Set("flows/f1/x", "1"), Set("flows/f1/y", "2"), Set("flows/f10/x", "3"),
                    Set("flows/f2/x", "4")}});
  ASSERT_TRUE(runtime_->DropFlow("f1", "flows/f1/").ok());
  EXPECT_THAT(QueuedIds(*runtime_), ElementsAre("b1", "c1", "n1"));
  EXPECT_TRUE(QueuedIds(*runtime_, "f1").empty());
  EXPECT_THAT(StateEntries(*runtime_), ElementsAre("flows/f10/x=3", "flows/f2/x=4"));
  // Dropping a flow with nothing left is fine; an empty prefix drops no state.
  ASSERT_TRUE(runtime_->DropFlow("f1", "flows/f1/").ok());
  ASSERT_TRUE(runtime_->DropFlow("f2", "").ok());
  EXPECT_THAT(QueuedIds(*runtime_), ElementsAre("b1", "n1"));
  EXPECT_EQ(StateEntries(*runtime_).size(), 2u);
  EXPECT_EQ(runtime_->DropFlow("", "flows/").code(), StatusCode::kInvalidArgument);
  // The flow can be used again after a drop.
  Commit({.enqueued = {Work("a3", "f1")}});
  EXPECT_THAT(QueuedIds(*runtime_, "f1"), ElementsAre("a3"));
}

TEST_P(RuntimeConformance, StatsCountCommitsQueueAndState) {
  RuntimeStats empty = runtime_->Stats();
  EXPECT_EQ(empty.commits, 0u);
  EXPECT_EQ(empty.queued, 0u);
  EXPECT_EQ(empty.state_keys, 0u);
  Commit({.enqueued = {Work("a", "f"), Work("b", "f")}, .state = {Set("k1", "v")}});
  Commit({.acked = {"a"}, .state = {Set("k2", "v"), Set("k3", "v")}});
  RuntimeStats stats = runtime_->Stats();
  EXPECT_EQ(stats.commits, 2u);
  EXPECT_GE(stats.transactions, 1u);
  EXPECT_LE(stats.transactions, 2u);
  EXPECT_EQ(stats.queued, 1u);
  EXPECT_EQ(stats.state_keys, 3u);
}

TEST_P(RuntimeConformance, CommitSyncReportsTheOutcome) {
  EXPECT_TRUE(runtime_->CommitSync({.state = {Set("k", "v")}}).ok());
  EXPECT_EQ(State("k"), "v");                  // visible once CommitSync returns
  EXPECT_TRUE(runtime_->CommitSync({}).ok());  // an empty hop is fine
}

// Each thread runs a chain: hop i acks item i-1, enqueues item i and sets its counter to i+1,
// with up to kWindow hops in flight. Every hop must apply exactly once, in order per thread.
TEST_P(RuntimeConformance, ConcurrentCommitsLoseNothing) {
  constexpr int kThreads = 4;
  constexpr int kHops = 2000;
  constexpr int kWindow = 64;
  auto item = [](int t, int i) {
    return "t" + std::to_string(t) + "/" + std::to_string(100000 + i);
  };
  std::atomic<int> failures{0};
  std::atomic<int> completed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mutex mu;
      std::condition_variable cv;
      int in_flight = 0;
      for (int i = 0; i < kHops; ++i) {
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return in_flight < kWindow; });
          ++in_flight;
        }
        HopCommit hop;
        if (i > 0) hop.acked.push_back(item(t, i - 1));
        hop.enqueued.push_back(Work(item(t, i), "flow" + std::to_string(t), std::string(100, 'x')));
        hop.state.push_back(Set("count/" + std::to_string(t), std::to_string(i + 1)));
        runtime_->Commit(std::move(hop), [&](Status status) {
          if (!status.ok()) failures.fetch_add(1);
          completed.fetch_add(1);
          std::lock_guard lock(mu);
          --in_flight;
          cv.notify_one();
        });
      }
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return in_flight == 0; });
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(completed.load(), kThreads * kHops);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_THAT(QueuedIds(*runtime_, "flow" + std::to_string(t)), ElementsAre(item(t, kHops - 1)));
    EXPECT_EQ(State("count/" + std::to_string(t)), std::to_string(kHops));
  }
  RuntimeStats stats = runtime_->Stats();
  EXPECT_EQ(stats.commits, uint64_t{kThreads * kHops});
  EXPECT_EQ(stats.queued, uint64_t{kThreads});
  EXPECT_EQ(stats.state_keys, uint64_t{kThreads});
}

INSTANTIATE_TEST_SUITE_P(
    Adapters, RuntimeConformance,
    ::testing::Values(
        Adapter{"Memory", [](const std::string&) { return NewMemoryRuntime(); }},
        Adapter{"LmdbSync", [](const std::string& dir) { return OpenLmdb(dir, true); }},
        Adapter{"LmdbNoSync", [](const std::string& dir) { return OpenLmdb(dir, false); }}),
    [](const ::testing::TestParamInfo<Adapter>& param) { return param.param.name; });

}  // namespace
}  // namespace flowkit
