// server/webhooks/delivery_worker.h — the background threads of `allot
// serve` that send webhook deliveries (outbox.h wrote them) and prune the
// finished ones.
//
// Each sender thread claims a few due deliveries under a lease
// (delivery_store.h), then, outside any transaction, checks each target's
// addresses again (target.h: DNS rebinding), signs (signature.h) and POSTs
// it (sender.h), and records the outcomes in one short transaction: a 2xx
// is delivered; anything else, or no answer within webhook_timeout_ms, is
// retried after a growing, jittered back-off until webhook_max_attempts,
// then `failed`. A slow or dead receiver costs these threads only: request
// handlers never wait for them, and no transaction is open while a request
// is on the wire.
//
// Wake-up: at once when this process wrote deliveries (outbox.h), and every
// poll_interval for those other instances wrote. A process killed mid-send
// leaves leases that run out after `lease`; another instance (or this one
// started again) then sends those deliveries.
// Thread-safety: Start and Stop from one thread; the work runs on its own
// threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/webhooks/delivery_store.h"
#include "server/webhooks/sender.h"
#include "server/webhooks/target.h"

namespace allot::store {
class Database;
}

namespace allot::webhooks {

struct DeliveryOptions {
  TargetPolicy target;
  SendOptions send;
  RetryPolicy retry;
  std::chrono::seconds retention{7 * 24 * 3600};
  int senders = 4;                          // threads
  int batch = 4;                            // deliveries per claim
  std::chrono::milliseconds poll_interval{500};
  // After a wake-up, how long a sender waits for more commits to claim
  // together: fewer claims (write transactions, queued with the requests'
  // writes on SQLite) for a few milliseconds of lag (bench/results/
  // entitlements.md: 5 ms vs 20 ms).
  std::chrono::milliseconds gather{20};
};

class DeliveryWorker {
 public:
  DeliveryWorker(store::Database& db, DeliveryOptions options);
  ~DeliveryWorker();  // Stop()
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void Start();
  // Stops claiming, cuts the sends in flight short (a receiver may still
  // have got them: at least once) and gives back the leases of what was
  // claimed and not sent, so another instance sends it at once.
  void Stop();

  // How long a claim holds its deliveries: every one of a batch may take
  // its whole timeout, plus a margin.
  std::chrono::milliseconds lease() const;

 private:
  void Send(int index);
  void PruneLoop();
  AttemptOutcome Attempt(const ClaimedDelivery& delivery, SendAbort& abort) const;
  // Until the outbox moves or `d` passed (senders).
  void Sleep(std::chrono::milliseconds d);
  // Until Stop() or `d` passed (pruning).
  void Pause(std::chrono::milliseconds d);

  store::Database& db_;
  const DeliveryOptions options_;
  const std::string owner_;  // lease owner: this process
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::vector<std::thread> threads_;
  std::vector<std::unique_ptr<SendAbort>> aborts_;  // one per sender
};

}  // namespace allot::webhooks
