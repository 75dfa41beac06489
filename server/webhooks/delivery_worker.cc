#include "server/webhooks/delivery_worker.h"

#include <algorithm>
#include <ctime>

#include "server/base/log.h"
#include "server/base/random.h"
#include "server/store/database.h"
#include "server/webhooks/outbox.h"
#include "server/webhooks/signature.h"

namespace allot::webhooks {

DeliveryWorker::DeliveryWorker(store::Database& db, DeliveryOptions options)
    : db_(db), options_(std::move(options)), owner_(RandomUuid()) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

std::chrono::milliseconds DeliveryWorker::lease() const {
  // Connect, write and read may each take the timeout.
  return options_.send.timeout * 3 * options_.batch + std::chrono::seconds(5);
}

void DeliveryWorker::Start() {
  for (int i = 0; i < options_.senders; ++i) aborts_.push_back(std::make_unique<SendAbort>());
  for (int i = 0; i < options_.senders; ++i) threads_.emplace_back([this, i] { Send(i); });
  threads_.emplace_back([this] { PruneLoop(); });
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  NotifyOutbox(/*everyone=*/true);
  for (auto& abort : aborts_) abort->Abort();
  const bool started = !threads_.empty();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  if (started) {
    if (auto s = ReleaseLeases(db_, owner_ + "/"); !s) {
      log::Warn("webhook deliveries: cannot give back leases at shutdown; they run out "
                "on their own",
                {{"error", s.error().message}});
    }
  }
}

void DeliveryWorker::Sleep(std::chrono::milliseconds d) {
  const uint64_t seen = OutboxGeneration();
  if (!stopping_) WaitForOutbox(seen, d);
}

void DeliveryWorker::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(stop_mu_);
  stop_cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

AttemptOutcome DeliveryWorker::Attempt(const ClaimedDelivery& d, SendAbort& abort) const {
  AttemptOutcome out{.id = d.id, .attempts_before = d.attempts};
  auto url = ParseWebhookUrl(d.url);
  if (!url) {
    out.error = url.error().message;
    return out;
  }
  // Again at every attempt: the name may point elsewhere by now.
  auto addresses = ResolveAllowed(*url, options_.target);
  if (!addresses) {
    out.error = addresses.error().message;
    return out;
  }
  auto key = SecretKey(d.secret);
  if (!key) {
    out.error = "the webhook's secret is malformed";
    return out;
  }
  const std::string timestamp = std::to_string(std::time(nullptr));
  const SendResult sent = PostJson(*url, addresses->front(),
                                   {{"webhook-id", d.event_id},
                                    {"webhook-timestamp", timestamp},
                                    {"webhook-signature", Sign(*key, d.event_id, timestamp, d.body)}},
                                   d.body, options_.send, &abort);
  out.status = sent.status;
  out.delivered = sent.ok();
  if (!out.delivered) {
    out.error = sent.status != 0 ? "the receiver answered " + std::to_string(sent.status)
                                 : "no answer: " + sent.error;
  }
  return out;
}

void DeliveryWorker::Send(int index) {
  const std::string owner = owner_ + "/" + std::to_string(index);
  while (!stopping_) {
    const uint64_t seen = OutboxGeneration();
    auto due = AnyDue(db_);
    if (!due) {
      log::Warn("webhook deliveries: cannot read the outbox", {{"error", due.error().message}});
      Sleep(options_.poll_interval);
      continue;
    }
    std::vector<ClaimedDelivery> claimed;
    if (*due) {
      auto c = ClaimDue(db_, owner, options_.batch, lease());
      if (!c) {
        log::Warn("webhook deliveries: cannot claim", {{"error", c.error().message}});
      } else {
        claimed = std::move(*c);
      }
    }
    if (claimed.empty()) {
      // Until this process commits deliveries, or the next poll for those
      // of other instances.
      WaitForOutbox(seen, options_.poll_interval);
      // Woken by a commit: a moment more lets the commits right behind it
      // share the claim (a claim is a write transaction, queued with the
      // requests' writes on SQLite).
      if (!stopping_ && OutboxGeneration() != seen) Pause(options_.gather);
      continue;
    }
    // A full batch: there may be more; another sender takes it meanwhile.
    if (static_cast<int>(claimed.size()) == options_.batch) NotifyOutbox();
    std::vector<AttemptOutcome> outcomes;
    for (const ClaimedDelivery& d : claimed) {
      // Stopping: what is left keeps its lease until Stop gives it back.
      if (stopping_) break;
      AttemptOutcome o = Attempt(d, *aborts_[index]);
      if (stopping_) break;  // cut short: not an attempt of the receiver's
      outcomes.push_back(o);
      if (!o.delivered) {
        log::Info("webhook delivery failed", {{"delivery_id", o.id},
                                              {"tenant", d.tenant},
                                              {"webhook_id", d.webhook_id},
                                              {"attempt", o.attempts_before + 1},
                                              {"error", o.error}});
      }
    }
    if (auto s = RecordOutcomes(db_, owner, outcomes, options_.retry); !s) {
      // The leases run out and the deliveries are sent again: at least once.
      log::Warn("webhook deliveries: cannot record outcomes", {{"error", s.error().message}});
    }
  }
}

void DeliveryWorker::PruneLoop() {
  // Often enough that a short retention (tests) is kept to within a second
  // or so; at most once a minute.
  const auto period = std::clamp<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention) / 2,
      std::chrono::milliseconds(500), std::chrono::milliseconds(60000));
  while (!stopping_) {
    auto removed = Prune(db_, options_.retention);
    if (!removed) {
      log::Warn("webhook deliveries: cannot prune", {{"error", removed.error().message}});
    } else if (*removed > 0) {
      log::Debug("webhook deliveries pruned", {{"rows", *removed}});
      continue;  // more may be left
    }
    Pause(period);
  }
}

}  // namespace allot::webhooks
