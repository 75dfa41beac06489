#include "server/licensing/expiry_sweeper.h"

#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/licensing/overrides.h"
#include "server/licensing/terms.h"

namespace allot::licensing {

ExpirySweeper::ExpirySweeper(store::Database& db, std::chrono::seconds interval)
    : db_(db), interval_(interval) {}

ExpirySweeper::~ExpirySweeper() { Stop(); }

void ExpirySweeper::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void ExpirySweeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ExpirySweeper::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) break;
    lock.unlock();
    auto removed = SweepExpiredOverrides(db_, NowRfc3339());
    if (!removed) {
      log::Warn("expiry sweep failed", {{"error", removed.error().message}});
    } else if (*removed > 0) {
      log::Info("expired overrides removed", {{"count", *removed}});
    }
    // Terms of subscriptions (terms.h): ended ones release their seats,
    // started ones serve their queue.
    auto terms = SweepSubscriptionTerms(db_, NowRfc3339());
    if (!terms) {
      log::Warn("subscription term sweep failed", {{"error", terms.error().message}});
    } else if (terms->expired > 0 || terms->started > 0) {
      log::Info("subscription terms swept",
                {{"expired", terms->expired}, {"started", terms->started}});
    }
    lock.lock();
  }
}

}  // namespace allot::licensing
