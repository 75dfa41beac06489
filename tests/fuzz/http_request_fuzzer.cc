// Fuzzes the transport's request reader (server/http/request_reader.h) with
// whole HTTP requests: request line, headers and body. Small limits, so the
// fuzzer reaches every one of them. The first input byte picks a mode:
//
//  - raw: the rest is what a client sends on a connection. Fed in one piece
//    and fed in small pieces (their sizes taken from the input), the reader
//    completes a request in both cases or in neither, and then the same
//    request (method, path, query, headers, body, bytes consumed); a
//    complete request respects every limit; a refusal is 400, 413, 414 or
//    431.
//  - built: the rest chooses a valid request (method, path, query, headers,
//    body, Content-Length or chunked framing). Serialised and read back in
//    pieces, it is exactly what was built, or exactly the refusal its size
//    calls for (414, then 431, then 413).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server/http/request_reader.h"
#include "tests/fuzz/fuzz_assert.h"

namespace {

using allot::http::ReadLimits;
using allot::http::RequestReader;
using State = RequestReader::State;

const ReadLimits kLimits = {.max_request_line_bytes = 256,
                            .max_header_bytes = 1024,
                            .max_header_fields = 16,
                            .max_body_bytes = 256};

// Reads input bytes as small choices; past the end, zeros.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Byte() { return at_ < size_ ? data_[at_++] : 0; }
  size_t Below(size_t n) { return n == 0 ? 0 : Byte() % n; }
  std::string Bytes(size_t max) {
    std::string out;
    const size_t n = Below(max + 1);
    for (size_t i = 0; i < n; ++i) out += static_cast<char>(Byte());
    return out;
  }
  std::string_view Rest() {
    std::string_view rest(reinterpret_cast<const char*>(data_ + at_), size_ - at_);
    at_ = size_;
    return rest;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

struct Outcome {
  State state = State::kHead;
  int status = 0;
  size_t consumed = 0;
  std::string method, path, body;
  std::multimap<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = false;
};

// What a connection does: bytes arrive in pieces; after each, the reader is
// fed until it makes no more progress; the body is read right after the head
// (as after a successful authentication).
Outcome Read(std::string_view bytes, const std::vector<size_t>& pieces) {
  RequestReader reader(kLimits);
  Outcome out;
  std::string pending;
  size_t at = 0, piece = 0;
  while (reader.state() == State::kHead || reader.state() == State::kBody) {
    if (at == bytes.size()) break;
    size_t take = pieces.empty() ? bytes.size() : pieces[piece++ % pieces.size()];
    take = std::min(std::max<size_t>(take, 1), bytes.size() - at);
    pending.append(bytes.substr(at, take));
    at += take;
    for (;;) {
      const size_t used = reader.Feed(pending);
      FUZZ_CHECK(used <= pending.size(), "consumed more than given");
      pending.erase(0, used);
      out.consumed += used;
      if (used == 0 || pending.empty()) break;
    }
  }
  out.state = reader.state();
  out.status = reader.error_status();
  if (out.state == State::kDone) {
    const auto& r = reader.request();
    out.method = r.method;
    out.path = r.path;
    out.body = r.body;
    out.query = r.query;
    for (const auto& [k, v] : r.headers) out.headers.emplace_back(k, v);
    out.keep_alive = reader.keep_alive();
  }
  return out;
}

void CheckVerdict(const Outcome& o) {
  if (o.state == State::kFailed) {
    FUZZ_CHECK(o.status == 400 || o.status == 413 || o.status == 414 || o.status == 431,
               std::to_string(o.status));
  }
  if (o.state == State::kDone) {
    FUZZ_CHECK(o.body.size() <= kLimits.max_body_bytes, "body over the limit");
    FUZZ_CHECK(o.headers.size() <= kLimits.max_header_fields, "too many fields");
    FUZZ_CHECK(!o.method.empty(), "no method");
  }
}

void RawMode(Input& in) {
  std::vector<size_t> pieces;
  for (int i = 0, n = 1 + static_cast<int>(in.Below(8)); i < n; ++i) pieces.push_back(1 + in.Below(64));
  const std::string_view bytes = in.Rest();
  const Outcome whole = Read(bytes, {});
  const Outcome split = Read(bytes, pieces);
  CheckVerdict(whole);
  CheckVerdict(split);
  // A success must not depend on how the bytes arrived. A refusal may: with
  // everything at hand the parser may find a defect that, arriving in
  // pieces, it only meets once the head is complete (Beast waits for the
  // end of the head after an incomplete first piece), or name another of
  // several defects.
  FUZZ_CHECK((whole.state == State::kDone) == (split.state == State::kDone), std::string(bytes));
  if (whole.state == State::kDone) {
    FUZZ_CHECK(whole.consumed == split.consumed, "consumed");
    FUZZ_CHECK(whole.method == split.method && whole.path == split.path, whole.path);
    FUZZ_CHECK(whole.query == split.query, "query");
    FUZZ_CHECK(whole.headers == split.headers, "headers");
    FUZZ_CHECK(whole.body == split.body, "body");
    FUZZ_CHECK(whole.keep_alive == split.keep_alive, "keep-alive");
  }
}

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string Encode(std::string_view raw, bool space_as_plus) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : raw) {
    if (Unreserved(c)) {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Token(Input& in, size_t max) {
  static const std::string_view kChars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
  std::string out;
  const size_t n = 1 + in.Below(max);
  for (size_t i = 0; i < n; ++i) out += kChars[in.Below(kChars.size())];
  return out;
}

void BuiltMode(Input& in) {
  static const char* kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
  const std::string method = kMethods[in.Below(7)];
  std::string path, target;
  for (size_t i = 0, n = 1 + in.Below(4); i < n; ++i) {
    const std::string segment = in.Bytes(24);
    path += "/" + segment;
    target += "/" + Encode(segment, false);
  }
  std::multimap<std::string, std::string> query;
  for (size_t i = 0, n = in.Below(4); i < n; ++i) {
    std::string key = in.Bytes(12), value = in.Bytes(24);
    if (key.empty()) key = "k";
    query.emplace(key, value);
    target += (i == 0 ? "?" : "&") + Encode(key, true) + "=" + Encode(value, true);
  }
  const std::string line = method + " " + target + " HTTP/1.1";

  std::vector<std::pair<std::string, std::string>> fields = {{"Host", "h"}};
  for (size_t i = 0, n = in.Below(20); i < n; ++i) {
    std::string value;
    for (size_t j = 0, m = in.Below(40); j < m; ++j) value += static_cast<char>(0x21 + in.Below(94));
    fields.emplace_back("X-" + Token(in, 12), value);
  }
  const std::string body = in.Bytes(400);
  const bool chunked = !body.empty() && in.Below(2) == 1;
  std::string framed;
  if (chunked) {
    fields.emplace_back("Transfer-Encoding", "chunked");
    size_t at = 0;
    while (at < body.size()) {
      const size_t n = std::min(body.size() - at, 1 + in.Below(100));
      char size_hex[32];
      std::snprintf(size_hex, sizeof size_hex, "%zx", n);
      framed += std::string(size_hex) + "\r\n" + body.substr(at, n) + "\r\n";
      at += n;
    }
    framed += "0\r\n\r\n";
  } else if (!body.empty() || in.Below(2) == 1) {
    fields.emplace_back("Content-Length", std::to_string(body.size()));
    framed = body;
  }
  std::string head = line + "\r\n";
  for (const auto& [k, v] : fields) head += k + ": " + v + "\r\n";
  head += "\r\n";

  std::vector<size_t> pieces;
  for (int i = 0, n = 1 + static_cast<int>(in.Below(8)); i < n; ++i) pieces.push_back(1 + in.Below(200));
  const std::string wire = head + framed + "GET /next HTTP/1.1\r\n\r\n";
  const Outcome got = Read(wire, pieces);
  CheckVerdict(got);

  if (line.size() > kLimits.max_request_line_bytes) {
    FUZZ_CHECK(got.state == State::kFailed && got.status == 414, line);
  } else if (head.size() > kLimits.max_header_bytes || fields.size() > kLimits.max_header_fields) {
    FUZZ_CHECK(got.state == State::kFailed && got.status == 431, head);
  } else if (body.size() > kLimits.max_body_bytes) {
    FUZZ_CHECK(got.state == State::kFailed && got.status == 413, head);
  } else {
    FUZZ_CHECK(got.state == State::kDone, head + " status " + std::to_string(got.status));
    FUZZ_CHECK(got.method == method, method);
    FUZZ_CHECK(got.path == path, got.path + " vs " + path);
    FUZZ_CHECK(got.query == query, target);
    FUZZ_CHECK(got.headers.size() == fields.size(), head);
    for (const auto& field : fields) {
      bool found = false;
      for (const auto& h : got.headers) found = found || h == field;
      FUZZ_CHECK(found, field.first + ": " + field.second);
    }
    FUZZ_CHECK(got.body == body, "body");
    FUZZ_CHECK(got.keep_alive, "keep-alive");
    FUZZ_CHECK(got.consumed == head.size() + framed.size(), "the next request was consumed");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  if (in.Byte() % 2 == 0) {
    RawMode(in);
  } else {
    BuiltMode(in);
  }
  return 0;
}
