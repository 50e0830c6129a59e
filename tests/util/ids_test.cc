#include "util/ids.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace flowkit::internal {
namespace {

TEST(Ids, Uuid4HasTheRfc4122Form) {
  const std::regex form("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuid4();
    ASSERT_TRUE(std::regex_match(id, form)) << id;
  }
}

TEST(Ids, Uuid4IsUniqueAcrossThreadsAndPoolRefills) {
  constexpr int kThreads = 4, kPerThread = 5000;  // several refills of each thread's pool
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) made[t].push_back(NewUuid4());
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (auto& v : made) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
}

TEST(Ids, ForkedChildDoesNotRepeatTheParentsIds) {
  (void)NewUuid4();  // the parent's pool now holds buffered randomness
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::string id = NewUuid4();
    ssize_t n = write(fds[1], id.data(), id.size());
    _exit(n == static_cast<ssize_t>(id.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string parent = NewUuid4();
  char buf[64] = {};
  ssize_t n = read(fds[0], buf, sizeof buf);
  close(fds[0]);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_EQ(n, 36);
  EXPECT_NE(std::string(buf, 36), parent);
}

TEST(Ids, RandomUnitStaysInRange) {
  double lo = 1, hi = 0;
  for (int i = 0; i < 10000; ++i) {
    double r = RandomUnit();
    ASSERT_GE(r, 0.0);
    ASSERT_LT(r, 1.0);
    lo = std::min(lo, r);
    hi = std::max(hi, r);
  }
  EXPECT_LT(lo, 0.01);
  EXPECT_GT(hi, 0.99);
}

}  // namespace
}  // namespace flowkit::internal
