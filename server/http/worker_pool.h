// server/http/worker_pool.h — the bounded pool of threads that run request
// handlers (they do blocking database work, so they never run on an I/O
// thread), and how long each job waited for a thread.
//
// A job learns whether it waited longer than the pool's queue timeout, so
// the server answers 429 instead of running a request its client has
// probably given up on. The queue itself is bounded by the transport: each
// connection has at most one job queued or running.
//
// A worker that finishes a job waits awake for a few yields before it
// sleeps; Post wakes a sleeping worker only when more jobs wait than there
// are awake ones to take them (worker_pool.cc says why, and how long).
// Every job posted before Shutdown runs.
// Thread-safety: Post may be called from any thread; Shutdown from one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace allot::http {

class WorkerPool {
 public:
  // `overloaded` is true when the job waited longer than the queue timeout.
  using Job = std::function<void(bool overloaded)>;

  WorkerPool(int threads, std::chrono::milliseconds queue_timeout);
  ~WorkerPool();  // Shutdown()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Post(Job job);

  // Runs the jobs already queued, then joins the threads. Jobs posted
  // afterwards are run on the caller's thread (never dropped).
  void Shutdown();

 private:
  using Clock = std::chrono::steady_clock;
  struct Queued {
    Job job;
    Clock::time_point queued_at;
  };
  void Work();

  const std::chrono::milliseconds queue_timeout_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Queued> jobs_;
  bool shutdown_ = false;
  int spinners_ = 0;  // workers waiting awake for a job (guarded by mutex_)
  std::atomic<int> pending_{0};  // jobs queued, for spinners (read without the lock)
  std::vector<std::thread> threads_;
};

}  // namespace allot::http
