// Dozens of threads racing for a small pool through the domain API: never
// more active than seats, no seat lost (assigned == count(active)).
#include <atomic>
#include <thread>

#include "licensing_test_util.h"

namespace allot::licensing::testing {
namespace {

class Concurrency : public LicensingTest {};

TEST_F(Concurrency, ThreadsRacingForFewSeatsNeverOverbook) {
  AddSubscription("s", 5);
  constexpr int kUsers = 48;
  for (int i = 0; i < kUsers; ++i) AddUser("u" + std::to_string(i));
  std::atomic<int> granted{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kUsers; ++t) {
    threads.emplace_back([&, t] {
      const std::string user = "u" + std::to_string(t);
      for (int round = 0; round < 5; ++round) {
        auto l = Assign(user, "s");
        if (l) {
          ++granted;
          (void)Unassign(user, "s");
          (void)ClearOverride(*db_, tenant_, user, "s", admin_, {});
        } else {
          ++refused;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GT(granted.load(), 0);
  ExpectInvariants("s");
}

TEST_F(Concurrency, QueuedAssignsAndReleasesKeepCounterInStep) {
  AddSubscription("s", 3);
  constexpr int kUsers = 32;
  for (int i = 0; i < kUsers; ++i) AddUser("u" + std::to_string(i));
  std::vector<std::thread> threads;
  for (int t = 0; t < kUsers; ++t) {
    threads.emplace_back([&, t] {
      const std::string user = "u" + std::to_string(t);
      (void)Assign(user, "s", true);
      if (t % 2 == 0) (void)Unassign(user, "s");
    });
  }
  for (auto& th : threads) th.join();
  ExpectInvariants("s");
  EXPECT_EQ(Active("s"), 3);
}

}  // namespace
}  // namespace allot::licensing::testing
