// Slow, idle and half-open clients through the real binary: they hold
// sockets, never workers, and are closed at their deadlines; /healthz from a
// new connection still answers within 1 s and valid requests are served.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "tests/hostile/hostile_util.h"

namespace allot::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The contract's bound for /healthz while slow clients hold connections.
constexpr auto kHealthzBound = milliseconds(1000);

// Asks /healthz on a new connection and the SCIM API with a token, and
// checks both answer: /healthz within the contract's second.
void ExpectServing(TestServer& server, bool tls) {
  const auto start = Clock::now();
  RawResponse health = HealthzOnNewConnection(server.port(), tls, seconds(5));
  const auto took = Clock::now() - start;
  EXPECT_EQ(health.status, 200);
  EXPECT_LT(took, kHealthzBound) << "healthz took "
                                 << std::chrono::duration_cast<milliseconds>(took).count() << " ms";
  auto c = RawConnection::Open(server.port(), tls);
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send("GET /scim/v2/Users?count=1 HTTP/1.1\r\nHost: t\r\n" +
                      Bearer(server.scim_token()) + "\r\n"));
  EXPECT_EQ(c->ReadResponse(seconds(5)).status, 200);
}

TEST(SlowClients, SlowlorisHoldsNoWorker) {
  RaiseOpenFileLimit();
  auto server = StartServer({"--threads", "4"});
  ASSERT_TRUE(server);
  const bool measure = !kUnderAsan && ResetPeakResident(server->pid());
  const int64_t before = ResidentBytes(server->pid());

  // 500 connections, each sending its head one header line at a time.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 500; ++i) {
    auto c = RawConnection::Open(server->port());
    ASSERT_TRUE(c) << i;
    ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: t\r\n"));
    slow.push_back(std::move(c));
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& c : slow) ASSERT_TRUE(c->Send("X-Slow-" + std::to_string(round) + ": x\r\n"));
    ExpectServing(*server, false);
    std::this_thread::sleep_for(milliseconds(1500));
  }
  // Slow, not refused: none of them was answered or closed yet.
  EXPECT_FALSE(slow.front()->ClosedWithin(milliseconds(10)));
  if (measure) {
    EXPECT_LT(PeakResidentBytes(server->pid()) - before, kFloodMemoryBound);
  }
}

TEST(SlowClients, IdleTlsConnectionsHoldNoWorkerAndAreClosedAtTheHeaderDeadline) {
  RaiseOpenFileLimit();
  auto server = StartServer({"--threads", "4", "--header-timeout-seconds", "3"}, /*tls=*/true);
  ASSERT_TRUE(server);
  const bool measure = !kUnderAsan && ResetPeakResident(server->pid());
  const int64_t before = ResidentBytes(server->pid());

  std::vector<std::unique_ptr<RawConnection>> silent, handshaken;
  for (int i = 0; i < 300; ++i) {  // TCP only: the handshake never starts
    auto c = RawConnection::Open(server->port(), true, /*handshake=*/false);
    ASSERT_TRUE(c) << i;
    silent.push_back(std::move(c));
  }
  for (int i = 0; i < 100; ++i) {  // handshake done, no request
    auto c = RawConnection::Open(server->port(), true);
    ASSERT_TRUE(c) << i;
    handshaken.push_back(std::move(c));
  }
  const auto opened = Clock::now();
  ExpectServing(*server, true);
  if (measure) {
    EXPECT_LT(PeakResidentBytes(server->pid()) - before, kFloodMemoryBound);
  }
  // Both kinds are closed at the deadline (3 s after they connected; the
  // margin is for a loaded machine).
  const auto wait = milliseconds(8000) - std::chrono::duration_cast<milliseconds>(Clock::now() - opened);
  EXPECT_TRUE(silent.back()->ClosedWithin(wait));
  EXPECT_TRUE(handshaken.back()->ClosedWithin(milliseconds(2000)));
  EXPECT_TRUE(silent.front()->ClosedWithin(milliseconds(100)));
}

TEST(SlowClients, TheHeaderDeadlineCoversTheWholeHeadNotEachRead) {
  auto server = StartServer({"--header-timeout-seconds", "2"});
  ASSERT_TRUE(server);
  auto c = RawConnection::Open(server->port());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\n"));
  // A line every 300 ms: never idle, but the head never ends.
  const auto start = Clock::now();
  bool closed = false;
  while (!closed && Clock::now() - start < seconds(10)) {
    closed = !c->Send("X-Drip: 1\r\n") || c->ClosedWithin(milliseconds(300));
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - start, seconds(8));
}

TEST(SlowClients, AnIdleKeepAliveConnectionIsClosed) {
  auto server = StartServer({"--keep-alive-timeout-seconds", "1"});
  ASSERT_TRUE(server);
  auto c = RawConnection::Open(server->port());
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(c->ReadResponse().status, 200);
  EXPECT_TRUE(c->ClosedWithin(seconds(6)));
}

TEST(SlowClients, ConnectionsPastMaxConnectionsAreClosedAtOnce) {
  auto server = StartServer({"--max-connections", "10"});
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 10; ++i) {
    auto c = RawConnection::Open(server->port());
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_EQ(c->ReadResponse().status, 200) << i;  // accepted and counted
    held.push_back(std::move(c));
  }
  auto extra = RawConnection::Open(server->port());
  ASSERT_TRUE(extra);
  extra->Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(extra->ReadResponse(seconds(3)).status, 0);
  EXPECT_TRUE(extra->ClosedWithin(seconds(1)));

  // One leaves; a newcomer is served again.
  held.pop_back();
  int status = 0;
  for (auto start = Clock::now(); status != 200 && Clock::now() - start < seconds(5);) {
    status = HealthzOnNewConnection(server->port(), false, seconds(2)).status;
  }
  EXPECT_EQ(status, 200);
}

TEST(SlowClients, ShutdownClosesIdleConnectionsAndExitsZero) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 50; ++i) {
    auto c = RawConnection::Open(server->port());
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_EQ(c->ReadResponse().status, 200);
    idle.push_back(std::move(c));
  }
  const auto start = Clock::now();
  EXPECT_EQ(server->Stop(SIGTERM, seconds(20)), 0) << server->Log();
  EXPECT_LT(Clock::now() - start, seconds(10));
  EXPECT_TRUE(idle.front()->ClosedWithin(milliseconds(100)));
}

}  // namespace
}  // namespace allot::testing
