#include "server/http/worker_pool.h"

#include <algorithm>

#include "server/base/log.h"

namespace allot::http {
namespace {

// A worker that has just finished a job looks for the next one for a few
// yields before it sleeps: under load the next job usually comes within
// that time, and taking it awake spares a futex wait, a wake and two context
// switches, which cost more than a simple request's handler (GET by id:
// ~+30% requests/s, ~-35% CPU per request; bench/results/transport.md).
// Yielding gives the processor to anyone else runnable meanwhile; on an idle
// server it costs some 100 µs of CPU per job.
constexpr int kSpinYields = 200;

}  // namespace

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
      pending_.fetch_add(1, std::memory_order_relaxed);
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

void WorkerPool::Spin() {
  for (int i = 0; i < kSpinYields && pending_.load(std::memory_order_relaxed) == 0; ++i) {
    std::this_thread::yield();
  }
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
      pending_.fetch_sub(1, std::memory_order_relaxed);
    }
    try {
      next.job(Clock::now() - next.queued_at > queue_timeout_);
    } catch (const std::exception& e) {
      // Jobs catch what handlers throw; this is out of memory or a bug. The
      // job's connection is dropped with it; the worker lives on.
      log::Error("worker: a job threw; continuing", {{"error", e.what()}});
    }
    next = Queued{};  // release the job (and its connection) before waiting
    Spin();
  }
}

}  // namespace allot::http
