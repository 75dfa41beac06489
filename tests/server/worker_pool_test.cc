// The worker pool's hand-off between spinning and sleeping workers must
// never lose a job, whatever the timing: jobs from many threads, bursts
// larger than the pool, jobs spaced so that spinners give up and sleep,
// and shutdown. Waits have generous deadlines; nothing asserts speed.
#include "server/http/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace allot::http {
namespace {

using namespace std::chrono_literals;

// Counts finished jobs and lets a test wait for a number of them.
class Done {
 public:
  void Add() {
    std::lock_guard lock(mutex_);
    ++count_;
    cv_.notify_all();
  }
  // False if `n` jobs have not finished within a minute (a lost job).
  bool WaitFor(int n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, 60s, [&] { return count_ >= n; });
  }
  int count() {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int count_ = 0;
};

TEST(WorkerPool, RunsEveryJobPostedFromManyThreads) {
  WorkerPool pool(4, 60s);
  Done done;
  constexpr int kPosters = 8, kJobs = 2000;
  std::vector<std::thread> posters;
  for (int t = 0; t < kPosters; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < kJobs; ++i) pool.Post([&](bool) { done.Add(); });
    });
  }
  for (auto& p : posters) p.join();
  EXPECT_TRUE(done.WaitFor(kPosters * kJobs)) << done.count();
}

// Every worker blocked, more jobs queued behind them: all run once the
// blocked ones return.
TEST(WorkerPool, ABurstLargerThanThePoolRunsWhole) {
  constexpr int kThreads = 3;
  WorkerPool pool(kThreads, 60s);
  Done done;
  std::mutex gate_mutex;
  std::condition_variable gate_cv;
  bool open = false;
  std::atomic<int> blocked{0};
  for (int i = 0; i < kThreads; ++i) {
    pool.Post([&](bool) {
      blocked.fetch_add(1);
      std::unique_lock lock(gate_mutex);
      gate_cv.wait(lock, [&] { return open; });
      done.Add();
    });
  }
  while (blocked.load() < kThreads) std::this_thread::yield();
  for (int i = 0; i < 100; ++i) pool.Post([&](bool) { done.Add(); });
  {
    std::lock_guard lock(gate_mutex);
    open = true;
  }
  gate_cv.notify_all();
  EXPECT_TRUE(done.WaitFor(kThreads + 100)) << done.count();
}

// Jobs one at a time, with pauses from none to longer than a spin, so that
// workers are caught spinning, giving up and sleeping: each job runs.
TEST(WorkerPool, JobsSpacedAroundTheSpinAreNeverLost) {
  WorkerPool pool(4, 60s);
  Done done;
  int posted = 0;
  for (auto pause : {0us, 1us, 20us, 200us, 2000us}) {
    for (int i = 0; i < 50; ++i) {
      pool.Post([&](bool) { done.Add(); });
      ++posted;
      ASSERT_TRUE(done.WaitFor(posted)) << "job " << posted << " was not run";
      std::this_thread::sleep_for(pause);
    }
  }
}

// Posting from inside jobs (as the transport does when a job hands work
// on) never deadlocks, even with one worker.
TEST(WorkerPool, AJobMayPostAnother) {
  WorkerPool pool(1, 60s);
  Done done;
  std::function<void(int)> chain = [&](int left) {
    done.Add();
    if (left > 0) pool.Post([&, left](bool) { chain(left - 1); });
  };
  pool.Post([&](bool) { chain(500); });
  EXPECT_TRUE(done.WaitFor(501)) << done.count();
}

TEST(WorkerPool, ShutdownRunsWhatIsQueuedAndLaterJobsInline) {
  Done done;
  std::atomic<int> inline_runs{0};
  {
    WorkerPool pool(2, 60s);
    for (int i = 0; i < 200; ++i) pool.Post([&](bool) { done.Add(); });
    pool.Shutdown();
    EXPECT_EQ(done.count(), 200);
    const auto caller = std::this_thread::get_id();
    pool.Post([&](bool overloaded) {
      EXPECT_FALSE(overloaded);
      if (std::this_thread::get_id() == caller) inline_runs.fetch_add(1);
    });
  }
  EXPECT_EQ(inline_runs.load(), 1);
}

// A job that waited past the queue timeout is told so (the server answers
// 429 instead of running it).
TEST(WorkerPool, AJobThatWaitedPastTheTimeoutIsTold) {
  WorkerPool pool(1, 1ms);
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  Done done;
  pool.Post([&](bool) {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return release; });
  });
  std::atomic<bool> told{false};
  pool.Post([&](bool overloaded) {
    told = overloaded;
    done.Add();
  });
  std::this_thread::sleep_for(20ms);  // the second job waits at least this long
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  ASSERT_TRUE(done.WaitFor(1));
  EXPECT_TRUE(told.load());
}

}  // namespace
}  // namespace allot::http
