// flowkitd's API thread pool: delayed tasks (the people-task deadline job runs on them).
#include "app/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace flowkit::server {
namespace {

TEST(ServerThreadPool, DelayedTasksRunByDueTimeAndThoseNotDueAreDroppedAtDestruction) {
  std::mutex mu;
  std::vector<std::string> ran;
  auto record = [&](const char* name) {
    return [&, name] {
      std::lock_guard<std::mutex> lock(mu);
      ran.emplace_back(name);
    };
  };
  std::atomic<bool> never{false};
  {
    ThreadPool pool(1);
    pool.PostAfter(200, record("late"));
    pool.PostAfter(20, record("soon"));
    pool.PostAfter(3600 * 1000, [&] { never = true; });
    pool.Post(record("now"));
    for (int i = 0; i < 2000; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (ran.size() == 3) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  EXPECT_EQ(ran, (std::vector<std::string>{"now", "soon", "late"}));
  EXPECT_FALSE(never.load());
}

}  // namespace
}  // namespace flowkit::server
