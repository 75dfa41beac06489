// Family swaps racing through the domain API (make before break, apply.h and
// queue.h): threads queue users for the other license type of a family,
// move them, unassign, revoke and raise seats at once. Whatever interleaves,
// every committed state keeps the invariants: a subscription never has more
// active than seats and never loses a seat; a user never holds two licenses
// of one family at once; a license kept for a successor always has that
// successor waiting; nobody waits while a seat of an auto-fill subscription
// is free.
#include <atomic>
#include <random>
#include <thread>

#include "licensing_test_util.h"
#include "server/licensing/holds.h"

namespace allot::licensing::testing {
namespace {

class FamilySwapRace : public LicensingTest {
 protected:
  void ExpectFamilyInvariants() {
    EXPECT_EQ(Count("SELECT COUNT(*) FROM (SELECT a.user_id FROM assignments a JOIN subscriptions "
                    "s ON s.tenant_id = a.tenant_id AND s.id = a.subscription_id JOIN products p "
                    "ON p.tenant_id = s.tenant_id AND p.id = s.product_id WHERE a.tenant_id = "
                    ":p0 AND a.state = 'active' AND p.family IS NOT NULL GROUP BY a.user_id, "
                    "p.family HAVING COUNT(*) > 1) twice",
                    {tenant_}),
              0)
        << "a user holds two licenses of one family";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM assignments h WHERE h.tenant_id = :p0 AND h.held_for "
                    "IS NOT NULL AND NOT EXISTS (SELECT 1 FROM assignments n WHERE n.tenant_id = "
                    "h.tenant_id AND n.user_id = h.user_id AND n.subscription_id = h.held_for "
                    "AND n.state = 'pending')",
                    {tenant_}),
              0)
        << "a license is kept for a successor that does not wait";
  }
};

TEST_F(FamilySwapRace, InvariantsHoldUnderRacingSwapsMovesAndReleases) {
  AddSubscription("std", 6, "learning");
  AddSubscription("prem", 2, "learning");
  constexpr int kUsers = 12;
  for (int i = 0; i < kUsers; ++i) {
    const std::string u = "u" + std::to_string(i);
    AddUser(u);
    ASSERT_TRUE(Assign(u, "std", /*queue=*/true));
  }
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1000 + t);
      for (int k = 0; k < 25; ++k) {
        const std::string u = "u" + std::to_string(rng() % kUsers);
        switch (rng() % 6) {
          case 0: (void)Assign(u, "prem", true); break;
          case 1: (void)Assign(u, "std", true); break;
          case 2:
            (void)Move(*db_, tenant_, u, "std", "prem", {.queue = true}, admin_, {});
            break;
          case 3: (void)Unassign(u, "prem"); break;
          case 4: (void)Unassign(u, "std"); break;
          case 5:
            if (k % 5 == 0) {
              (void)RevokeAll(*db_, tenant_, u, "", admin_);
              (void)ClearHold(*db_, tenant_, u, admin_);
            } else {
              (void)SetSeats(*db_, tenant_, "prem", 2 + static_cast<int>(rng() % 3), admin_);
            }
            break;
        }
        ++done;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(done.load(), 150);
  ExpectInvariants("std");
  ExpectInvariants("prem");
  ExpectFamilyInvariants();
}

}  // namespace
}  // namespace allot::licensing::testing
