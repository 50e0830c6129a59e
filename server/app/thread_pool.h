// A fixed pool of threads running posted tasks in FIFO order (the API handlers that may block
// on storage), and delayed tasks once their time comes (server jobs). Destruction runs what is
// queued, drops delayed tasks not yet due, then joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace flowkit::server {

class ThreadPool {
 public:
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Post(std::function<void()> task);
  // Runs `task` on the pool once `delay_ms` has passed (steady clock); ignored while stopping.
  void PostAfter(int64_t delay_ms, std::function<void()> task);
  size_t queued() const;

 private:
  void Run();
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> delayed_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace flowkit::server
