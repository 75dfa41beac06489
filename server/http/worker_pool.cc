#include "server/http/worker_pool.h"

#include <algorithm>

#include "server/base/log.h"

namespace allot::http {

WorkerPool::WorkerPool(int threads, std::chrono::milliseconds queue_timeout)
    : queue_timeout_(queue_timeout) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Work(); });
}

WorkerPool::~WorkerPool() { Shutdown(); }

void WorkerPool::Post(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (!shutdown_) {
      jobs_.push_back({std::move(job), Clock::now()});
      job = nullptr;
    }
  }
  if (job) {
    job(false);
    return;
  }
  cv_.notify_one();
}

void WorkerPool::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (shutdown_) return;
    shutdown_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::Work() {
  for (;;) {
    Queued next;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return shutdown_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // shut down and drained
      next = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      next.job(Clock::now() - next.queued_at > queue_timeout_);
    } catch (const std::exception& e) {
      // Jobs catch what handlers throw; this is out of memory or a bug. The
      // job's connection is dropped with it; the worker lives on.
      log::Error("worker: a job threw; continuing", {{"error", e.what()}});
    }
  }
}

}  // namespace allot::http
