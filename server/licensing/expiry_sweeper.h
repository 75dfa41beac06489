// server/licensing/expiry_sweeper.h — the background thread of `allot serve`
// that, every `expiry_sweep_seconds`, removes the overrides whose expires_at
// has passed (overrides.h, SweepExpiredOverrides) so the users are evaluated
// again, and sweeps the terms of subscriptions (terms.h: ended ones release
// every seat, started ones serve their queue). Several instances on one database may sweep at once: each expired
// override is removed, and audited, by exactly one of them. A failed sweep
// is logged and tried again at the next tick.
// Thread-safety: Start and Stop from the owning thread; the sweep runs on
// its own thread with the thread-safe Database.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/store/database.h"

namespace allot::licensing {

class ExpirySweeper {
 public:
  ExpirySweeper(store::Database& db, std::chrono::seconds interval);
  ~ExpirySweeper();  // stops the thread
  ExpirySweeper(const ExpirySweeper&) = delete;
  ExpirySweeper& operator=(const ExpirySweeper&) = delete;

  void Start();
  // Wakes the thread and waits for it to end (a sweep in flight finishes).
  void Stop();

 private:
  void Run();

  store::Database& db_;
  const std::chrono::seconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace allot::licensing
