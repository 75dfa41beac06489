// The request reader alone: limits, framing, pipelining, incremental input.
#include "server/http/request_reader.h"

#include <gtest/gtest.h>

namespace allot::http {
namespace {

using State = RequestReader::State;

// Feeds `bytes` in pieces of `piece` bytes, as a connection would, and
// returns how many bytes were consumed in all.
size_t FeedAll(RequestReader& r, std::string_view bytes, size_t piece = 1 << 30) {
  std::string pending;
  size_t consumed = 0;
  size_t at = 0;
  while (r.state() == State::kHead || r.state() == State::kBody) {
    if (at >= bytes.size() && pending.empty()) break;
    const size_t take = std::min(piece, bytes.size() - at);
    pending.append(bytes.substr(at, take));
    at += take;
    for (;;) {
      const size_t used = r.Feed(pending);
      pending.erase(0, used);
      consumed += used;
      if (used == 0 || pending.empty()) break;
    }
    if (at >= bytes.size() && (r.state() == State::kHead || r.state() == State::kBody)) {
      const size_t used = r.Feed(pending);
      pending.erase(0, used);
      consumed += used;
      break;
    }
  }
  return consumed;
}

// Feeds until the head is read, then the body: what the server does after
// authentication.
void ReadWhole(RequestReader& r, std::string_view bytes) {
  size_t used = r.Feed(bytes);
  while ((r.state() == State::kBody || r.state() == State::kHead) && used < bytes.size()) {
    const size_t more = r.Feed(bytes.substr(used));
    if (more == 0) break;
    used += more;
  }
}

TEST(RequestReader, ReadsAGetWithQueryAndHeaders) {
  RequestReader r({});
  ReadWhole(r,
            "GET /scim/v2/Users?filter=userName+eq+%22a%22&count=2&flag HTTP/1.1\r\n"
            "Host: example\r\nX-Two: 1\r\nx-two: 2\r\n\r\n");
  ASSERT_EQ(r.state(), State::kDone);
  EXPECT_EQ(r.request().method, "GET");
  EXPECT_EQ(r.request().path, "/scim/v2/Users");
  EXPECT_EQ(r.request().Query("filter"), "userName eq \"a\"");
  EXPECT_EQ(r.request().Query("count"), "2");
  EXPECT_TRUE(r.request().HasQuery("flag"));
  EXPECT_EQ(r.request().headers.count("X-TWO"), 2u);
  EXPECT_TRUE(r.keep_alive());
}

TEST(RequestReader, DecodesThePathButKeepsPlus) {
  std::string path;
  std::multimap<std::string, std::string> query;
  ParseTarget("/a%20b+c/%zz?x=%2B+y", path, query);
  EXPECT_EQ(path, "/a b+c/%zz");
  EXPECT_EQ(query.find("x")->second, "+ y");
}

TEST(RequestReader, StopsAfterTheHeadUntilFedAgain) {
  RequestReader r({});
  const std::string head = "POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
  const std::string all = head + "hello";
  EXPECT_EQ(r.Feed(all), head.size());
  EXPECT_EQ(r.state(), State::kBody);
  EXPECT_EQ(r.request().body, "");
  EXPECT_EQ(r.Feed(std::string_view(all).substr(head.size())), 5u);
  EXPECT_EQ(r.state(), State::kDone);
  EXPECT_EQ(r.request().body, "hello");
}

TEST(RequestReader, APostWithoutLengthHasAnEmptyBody) {
  RequestReader r({});
  r.Feed("POST /x HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(r.state(), State::kDone);
  EXPECT_EQ(r.request().body, "");
}

TEST(RequestReader, ReadsChunkedBodies) {
  RequestReader r({});
  ReadWhole(r, "PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_EQ(r.state(), State::kDone);
  EXPECT_EQ(r.request().body, "abcde");
}

TEST(RequestReader, LeavesAPipelinedRequestUnconsumed) {
  RequestReader r({});
  const std::string first = "GET /a HTTP/1.1\r\n\r\n";
  const std::string both = first + "GET /b HTTP/1.1\r\n\r\n";
  EXPECT_EQ(r.Feed(both), first.size());
  EXPECT_EQ(r.state(), State::kDone);
  EXPECT_EQ(r.request().path, "/a");
}

TEST(RequestReader, RefusesALongRequestLineWith414) {
  RequestReader r({.max_request_line_bytes = 1024});
  r.Feed("GET /" + std::string(2000, 'a'));  // no end of line yet
  EXPECT_EQ(r.state(), State::kFailed);
  EXPECT_EQ(r.error_status(), 414);
  RequestReader exact({.max_request_line_bytes = 1024});
  const std::string line = "GET /" + std::string(1024 - 14, 'a') + " HTTP/1.1";
  ASSERT_EQ(line.size(), 1024u);
  exact.Feed(line + "\r\n\r\n");
  EXPECT_EQ(exact.state(), State::kDone);
}

TEST(RequestReader, RefusesTooManyFieldsWith431) {
  RequestReader r({.max_header_fields = 100});
  std::string head = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
  FeedAll(r, head + "\r\n", 7);
  EXPECT_EQ(r.state(), State::kFailed);
  EXPECT_EQ(r.error_status(), 431);
}

TEST(RequestReader, RefusesALargeHeadWith431WhileItArrives) {
  RequestReader r({.max_header_bytes = 64 * 1024});
  std::string head = "GET / HTTP/1.1\r\nX-Big: " + std::string(70 * 1024, 'a');  // unfinished
  FeedAll(r, head, 4096);
  EXPECT_EQ(r.state(), State::kFailed);
  EXPECT_EQ(r.error_status(), 431);
}

TEST(RequestReader, RefusesAnAnnouncedOversizedBodyAtTheHead) {
  RequestReader r({.max_body_bytes = 1024});
  r.Feed("POST /scim/v2/Users HTTP/1.1\r\nContent-Length: 1025\r\n\r\n");
  EXPECT_EQ(r.state(), State::kFailed);
  EXPECT_EQ(r.error_status(), 413);
  EXPECT_TRUE(r.head_parsed());
  EXPECT_EQ(r.request().path, "/scim/v2/Users");
}

TEST(RequestReader, RefusesAChunkThatPassesTheLimitBeforeItsData) {
  RequestReader r({.max_body_bytes = 1024});
  ReadWhole(r, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n" +
                   std::string(512, 'a') + "\r\n201\r\n");  // 512 + 513 > 1024
  EXPECT_EQ(r.state(), State::kFailed);
  EXPECT_EQ(r.error_status(), 413);
  EXPECT_EQ(r.request().body.size(), 512u);
}

TEST(RequestReader, ALoweredBodyLimitRefusesAnAnnouncedLargerBodyAtOnce) {
  RequestReader r({.max_body_bytes = 1 << 20});
  r.Feed("POST /admin/v1/sessions HTTP/1.1\r\nContent-Length: 9000\r\n\r\n");
  ASSERT_EQ(r.state(), State::kBody);
  r.LowerBodyLimit(8192);
  EXPECT_EQ(r.state(), State::kFailed);
  EXPECT_EQ(r.error_status(), 413);
  EXPECT_TRUE(r.request().body.empty()) << "nothing of the body was read";
}

TEST(RequestReader, ALoweredBodyLimitHoldsForChunksAndKeepsSmallBodies) {
  RequestReader chunked({.max_body_bytes = 1 << 20});
  chunked.Feed("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  chunked.LowerBodyLimit(1024);
  ASSERT_EQ(chunked.state(), State::kBody);
  ReadWhole(chunked, "401\r\n" + std::string(1025, 'a') + "\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.state(), State::kFailed);
  EXPECT_EQ(chunked.error_status(), 413);

  RequestReader small({.max_body_bytes = 1 << 20});
  const std::string body = R"({"token":"t"})";
  small.Feed("POST /x HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  small.LowerBodyLimit(1024);
  ReadWhole(small, body);
  EXPECT_EQ(small.state(), State::kDone);
  EXPECT_EQ(small.request().body, body);
}

TEST(RequestReader, RefusesMalformedRequestsWith400) {
  for (const char* bad : {"GET\r\n\r\n", "GET / HTTP/2.0\r\n\r\n", "G@T / HTTP/1.1\r\n\r\n",
                          "GET / HTTP/1.1\r\nBad Field: x\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
                          "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}) {
    RequestReader r({});
    r.Feed(bad);
    EXPECT_EQ(r.state(), State::kFailed) << bad;
    EXPECT_EQ(r.error_status(), 400) << bad;
  }
}

TEST(RequestReader, GivesTheSameResultWhateverThePieces) {
  const std::string request =
      "PATCH /scim/v2/Groups/1?x=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
      "Expect: 100-continue\r\n\r\n4\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: t\r\n\r\nGET /next";
  for (size_t piece : {1, 2, 3, 7, 64, 4096}) {
    RequestReader r({});
    const size_t used = FeedAll(r, request, piece);
    ASSERT_EQ(r.state(), State::kDone) << piece;
    EXPECT_EQ(r.request().body, "wikipedia");
    EXPECT_TRUE(r.expects_continue());
    EXPECT_EQ(request.substr(used), "GET /next") << piece;
    EXPECT_FALSE(r.request().headers.contains("Trailer"));
  }
}

TEST(RequestReader, HonoursConnectionClose) {
  RequestReader r({});
  r.Feed("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(r.keep_alive());
  RequestReader old({});
  old.Feed("GET / HTTP/1.0\r\n\r\n");
  EXPECT_FALSE(old.keep_alive());
  EXPECT_EQ(old.version(), 10);
}

}  // namespace
}  // namespace allot::http
