// The request limits through the real binary: the request line (414), the
// head (431), the body (413, Content-Length or chunked, without reading the
// rest), bodies of unauthenticated requests (401, never read), requests
// without a length, 100-continue, pipelining, malformed requests. The
// server keeps serving after each, and floods leave its memory bounded.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "tests/hostile/hostile_util.h"

namespace allot::testing {
namespace {

using std::chrono::seconds;

class Limits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RaiseOpenFileLimit();
    server_ = StartServer().release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(server_); }
  void TearDown() override {
    // Whatever a test did, the server still serves.
    if (server_) {
      EXPECT_EQ(HealthzOnNewConnection(server_->port()).status, 200) << server_->Log();
    }
  }

  static std::unique_ptr<RawConnection> Open() { return RawConnection::Open(server_->port()); }

  // The flood's peak resident growth stays under the contract's bound.
  struct MemoryProbe {
    MemoryProbe() : measure(!kUnderAsan && ResetPeakResident(server_->pid())),
                    before(ResidentBytes(server_->pid())) {}
    void ExpectBounded() const {
      if (measure) {
        EXPECT_LT(PeakResidentBytes(server_->pid()) - before, kFloodMemoryBound);
      }
    }
    bool measure;
    int64_t before;
  };

  static TestServer* server_;
};
TestServer* Limits::server_ = nullptr;

TEST_F(Limits, ARequestLineOver8KiBGets414) {
  auto c = Open();
  ASSERT_TRUE(c->Send("GET /scim/v2/Users?filter=" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n"));
  RawResponse r = c->ReadResponse();
  EXPECT_EQ(r.status, 414);
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(c->ClosedWithin(seconds(3)));
}

TEST_F(Limits, MoreThan100HeaderFieldsGet431) {
  std::string head = "GET /healthz HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) head += "X-Field-" + std::to_string(i) + ": v\r\n";
  auto c = Open();
  ASSERT_TRUE(c->Send(head + "\r\n"));
  EXPECT_EQ(c->ReadResponse().status, 431);
  // 100 fields are fine.
  std::string fine = "GET /healthz HTTP/1.1\r\n";
  for (int i = 0; i < 100; ++i) fine += "X-Field-" + std::to_string(i) + ": v\r\n";
  auto d = Open();
  ASSERT_TRUE(d->Send(fine + "\r\n"));
  EXPECT_EQ(d->ReadResponse().status, 200);
}

TEST_F(Limits, AHeaderFloodGets431WithoutReadingIt) {
  MemoryProbe memory;
  auto c = Open();
  bool first = true;
  const std::string line = "X-Flood: " + std::string(4000, 'a') + "\r\n";
  uint64_t sent = 0;
  RawResponse r = c->FloodUntilAnswered(
      [&] {
        if (!first) return line;
        first = false;
        return "GET /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" + line;
      },
      100 * kMiB, seconds(30), &sent);
  EXPECT_EQ(r.status, 431);
  EXPECT_LT(sent, static_cast<uint64_t>(50 * kMiB)) << "the server read the flood";
  memory.ExpectBounded();
}

TEST_F(Limits, AChunkedFloodWithATokenGets413AsSoonAsItPassesTheLimit) {
  MemoryProbe memory;
  auto c = Open();
  const std::string chunk = "100000\r\n" + std::string(1024 * 1024, 'x') + "\r\n";  // 1 MiB
  bool first = true;
  uint64_t sent = 0;
  RawResponse r = c->FloodUntilAnswered(
      [&] {
        if (!first) return chunk;
        first = false;
        return "POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" + Bearer(server_->scim_token()) +
               "Content-Type: application/scim+json\r\nTransfer-Encoding: chunked\r\n\r\n";
      },
      512 * kMiB, seconds(60), &sent);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], "413");
  EXPECT_LT(sent, static_cast<uint64_t>(100 * kMiB)) << "the server read the flood";
  memory.ExpectBounded();
}

TEST_F(Limits, AChunkedBodyWithoutATokenGets401BeforeAnyOfItIsSent) {
  auto c = Open();
  ASSERT_TRUE(c->Send(
      "POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  RawResponse r = c->ReadResponse(seconds(5));  // no body byte was sent
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Header("connection"), "close");
}

TEST_F(Limits, AChunkedFloodWithoutATokenIsNotRead) {
  MemoryProbe memory;
  auto c = Open();
  const std::string chunk = "100000\r\n" + std::string(1024 * 1024, 'x') + "\r\n";
  bool first = true;
  uint64_t sent = 0;
  RawResponse r = c->FloodUntilAnswered(
      [&] {
        if (!first) return chunk;
        first = false;
        return std::string(
            "POST /admin/v1/products HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
            "Authorization: Bearer wrong\r\n\r\n");
      },
      512 * kMiB, seconds(60), &sent);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(nlohmann::json::parse(r.body)["error"]["code"], "unauthorized");
  EXPECT_LT(sent, static_cast<uint64_t>(100 * kMiB)) << "the server read the flood";
  memory.ExpectBounded();
}

TEST_F(Limits, AnOversizedContentLengthGets413BeforeTheBody) {
  for (const std::string& auth : {Bearer(server_->scim_token()), std::string()}) {
    auto c = Open();
    ASSERT_TRUE(c->Send("POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" + auth +
                        "Content-Length: 10737418240\r\n\r\n"));
    EXPECT_EQ(c->ReadResponse(seconds(5)).status, 413) << auth;
  }
  auto c = Open();
  ASSERT_TRUE(c->Send("POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" + Bearer(server_->scim_token()) +
                      "Content-Length: 4194305\r\n\r\n"));
  EXPECT_EQ(c->ReadResponse(seconds(5)).status, 413);
}

TEST_F(Limits, ABodyOfAnUnauthenticatedRequestIsNeverAwaited) {
  auto c = Open();
  ASSERT_TRUE(c->Send("PUT /scim/v2/Users/x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n"));
  EXPECT_EQ(c->ReadResponse(seconds(5)).status, 401);
}

TEST_F(Limits, ABodyForAPathWithoutCredentialsIsNeverAwaited) {
  // No route without a credential takes a body: 404 or 405 at once, body unread.
  for (const std::string path : {"/healthz", "/nowhere", "/console/x"}) {
    auto c = Open();
    ASSERT_TRUE(c->Send("POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Length: 4000000\r\n\r\n"));
    RawResponse r = c->ReadResponse(seconds(5));
    EXPECT_TRUE(r.status == 404 || r.status == 405) << path << ": " << r.status;
    EXPECT_EQ(r.Header("connection"), "close");
  }
}

TEST_F(Limits, TheConsoleSignInTakesOnlyASmallBodyWithoutACredential) {
  // POST /admin/v1/sessions is the one route that reads a body without a
  // credential (the token is in it): a body over 8 KiB gets 413 before any
  // of it is read, a small one is answered.
  auto c = Open();
  ASSERT_TRUE(c->Send("POST /admin/v1/sessions HTTP/1.1\r\nHost: t\r\nContent-Length: 4000000\r\n\r\n"));
  RawResponse r = c->ReadResponse(seconds(5));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Header("connection"), "close");
  auto small = Open();
  const std::string body = R"({"token":"allot_admin_wrong"})";
  ASSERT_TRUE(small->Send("POST /admin/v1/sessions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  EXPECT_EQ(small->ReadResponse(seconds(5)).status, 401);
}

TEST_F(Limits, APostWithoutContentLengthHasAnEmptyBodyAndIsAnsweredAtOnce) {
  auto c = Open();
  ASSERT_TRUE(c->Send("POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" +
                      Bearer(server_->scim_token()) +
                      "Content-Type: application/scim+json\r\n\r\n"));
  RawResponse r = c->ReadResponse(seconds(5));
  EXPECT_EQ(r.status, 400) << r.body;
  // The connection carries the next request.
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(c->ReadResponse().status, 200);
}

TEST_F(Limits, ExpectContinueIsAnsweredOnlyForAValidToken) {
  const std::string body = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"continue-1"})";
  auto c = Open();
  ASSERT_TRUE(c->Send("POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" +
                      Bearer(server_->scim_token()) +
                      "Content-Type: application/scim+json\r\nExpect: 100-continue\r\n"
                      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  EXPECT_EQ(c->ReadResponse().status, 100);
  ASSERT_TRUE(c->Send(body));
  EXPECT_EQ(c->ReadResponse().status, 201);

  auto d = Open();
  ASSERT_TRUE(d->Send("POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                      "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  EXPECT_EQ(d->ReadResponse().status, 401);
}

// A body that arrives in one write with its head is authenticated and
// served by one worker job: a wrong token still gets 401 and changes
// nothing, a good one creates the user and keeps the connection; a body
// only partly there is still read to its end.
TEST_F(Limits, ABodyThatArrivesWithItsHeadIsServedOnlyWithAValidToken) {
  auto user = [](const std::string& name) {
    return R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":")" + name +
           R"("})";
  };
  auto post = [](const std::string& auth, const std::string& body) {
    return "POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\n" + auth +
           "Content-Type: application/scim+json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n";
  };
  auto count = [&](const std::string& name) {
    auto c = Open();
    EXPECT_TRUE(c->Send("GET /scim/v2/Users?filter=userName%20eq%20%22" + name +
                        "%22 HTTP/1.1\r\nHost: t\r\n" + Bearer(server_->scim_token()) + "\r\n"));
    RawResponse r = c->ReadResponse();
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body)["totalResults"].get<int>();
  };

  for (const std::string& auth : {Bearer("wrong"), std::string()}) {
    auto c = Open();
    ASSERT_TRUE(c->Send(post(auth, user("with-head-refused")) + user("with-head-refused")));
    RawResponse r = c->ReadResponse();
    EXPECT_EQ(r.status, 401) << auth;
    EXPECT_EQ(r.Header("connection"), "close");
  }
  EXPECT_EQ(count("with-head-refused"), 0);

  auto c = Open();
  ASSERT_TRUE(c->Send(post(Bearer(server_->scim_token()), user("with-head-1")) +
                      user("with-head-1")));
  RawResponse r = c->ReadResponse();
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["userName"], "with-head-1");
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_EQ(c->ReadResponse().status, 200);

  const std::string half_there = user("with-head-2");
  auto d = Open();
  ASSERT_TRUE(d->Send(post(Bearer(server_->scim_token()), half_there) +
                      half_there.substr(0, half_there.size() / 2)));
  ASSERT_TRUE(d->Send(half_there.substr(half_there.size() / 2)));
  r = d->ReadResponse();
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(count("with-head-1"), 1);
  EXPECT_EQ(count("with-head-2"), 1);
}

TEST_F(Limits, PipelinedRequestsAreAnsweredInOrder) {
  const std::string user = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"pipelined-1"})";
  const std::string auth = Bearer(server_->scim_token());
  auto c = Open();
  ASSERT_TRUE(c->Send(
      "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: p1\r\n\r\n"
      "GET /scim/v2/ServiceProviderConfig HTTP/1.1\r\nHost: t\r\nX-Request-Id: p2\r\n" + auth +
      "\r\n"
      "POST /scim/v2/Users HTTP/1.1\r\nHost: t\r\nX-Request-Id: p3\r\n" + auth +
      "Content-Type: application/scim+json\r\nContent-Length: " + std::to_string(user.size()) +
      "\r\n\r\n" + user +
      "GET /readyz HTTP/1.1\r\nHost: t\r\nX-Request-Id: p4\r\n\r\n"));
  const int expected[] = {200, 200, 201, 200};
  for (int i = 0; i < 4; ++i) {
    RawResponse r = c->ReadResponse();
    EXPECT_EQ(r.status, expected[i]) << i;
    EXPECT_EQ(r.Header("x-request-id"), "p" + std::to_string(i + 1));
  }
}

TEST_F(Limits, ThreeGetsInOneWriteGetThreeAnswers) {
  auto c = Open();
  std::string three;
  for (int i = 1; i <= 3; ++i) {
    three += "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: g" + std::to_string(i) + "\r\n\r\n";
  }
  ASSERT_TRUE(c->Send(three));
  for (int i = 1; i <= 3; ++i) {
    RawResponse r = c->ReadResponse();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("x-request-id"), "g" + std::to_string(i));
  }
}

TEST_F(Limits, MalformedRequestsGet400) {
  const std::string auth = Bearer(server_->scim_token());
  for (const std::string& bad :
       {std::string("GARBAGE\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
        std::string("GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n"),
        std::string("POST /healthz HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
        "POST /scim/v2/Users HTTP/1.1\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    auto c = Open();
    ASSERT_TRUE(c->Send(bad));
    EXPECT_EQ(c->ReadResponse().status, 400) << bad;
  }
}

TEST_F(Limits, ResponseHeadersCarryNoLineBreaksFromTheRequest) {
  auto c = Open();
  ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: a\rb\r\n\r\n"));
  RawResponse r = c->ReadResponse();
  // Either refused as malformed or answered without the injected id.
  EXPECT_TRUE(r.status == 400 || r.Header("x-request-id") != "a") << r.head;
}

}  // namespace
}  // namespace allot::testing
