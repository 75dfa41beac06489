#include "server/http/worker_pool.h"

#include <algorithm>

#include "server/base/log.h"

namespace allot::http {
namespace {

// A worker that has just finished a job looks for the next one for a few
// yields before it sleeps (a "spinner"): under load the next job usually
// comes within that time, and taking it awake spares a futex wait, a wake
// and two context switches, which cost more than a simple request's
// handler. How long to look was measured (bench/results/transport.md,
// section 5): under GET /Users/{id} a spinner found its job within 2
// yields on average; under POST /Users, bound by the one SQLite writer, it
// took 17, and one spin in six ran out a budget of 200 yields, which made
// spinning 30% of a POST's CPU. 20 yields keep GET's rate and cut the CPU
// of a POST by a third.
constexpr int kSpinYields = 20;

}  // namespace

WorkerPool::WorkerPool(int threads, std::chrono::milliseconds queue_timeout)
    : queue_timeout_(queue_timeout) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Work(); });
}

WorkerPool::~WorkerPool() { Shutdown(); }

void WorkerPool::Post(Job job) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!shutdown_) {
      jobs_.push_back({std::move(job), Clock::now()});
      pending_.fetch_add(1, std::memory_order_relaxed);
      job = nullptr;
      // A spinner takes the job without a wake-up; a sleeper is woken only
      // for the jobs the spinners cannot take. No job is lost: a spinner
      // that gives up looks at the queue under this lock before it sleeps.
      wake = jobs_.size() > static_cast<size_t>(spinners_);
    }
  }
  if (job) {
    job(false);
    return;
  }
  if (wake) cv_.notify_one();
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
  bool spinning = false;
  for (;;) {
    Queued next;
    {
      std::unique_lock lock(mutex_);
      if (spinning) --spinners_;
      spinning = false;
      cv_.wait(lock, [&] { return shutdown_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // shut down and drained
      next = std::move(jobs_.front());
      jobs_.pop_front();
      pending_.fetch_sub(1, std::memory_order_relaxed);
      // More jobs than spinners to take them (a burst): wake a sleeper now
      // rather than leave them for the next worker to finish.
      if (jobs_.size() > static_cast<size_t>(spinners_)) cv_.notify_one();
    }
    try {
      next.job(Clock::now() - next.queued_at > queue_timeout_);
    } catch (const std::exception& e) {
      // Jobs catch what handlers throw; this is out of memory or a bug. The
      // job's connection is dropped with it; the worker lives on.
      log::Error("worker: a job threw; continuing", {{"error", e.what()}});
    }
    next = Queued{};  // release the job (and its connection) before waiting
    {
      std::lock_guard lock(mutex_);
      ++spinners_;
      spinning = true;
    }
    for (int i = 0; i < kSpinYields && pending_.load(std::memory_order_relaxed) == 0; ++i) {
      std::this_thread::yield();
    }
  }
}

}  // namespace allot::http
