#include "server/http/request_reader.h"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <limits>

#include "server/base/ascii.h"

namespace allot::http {
namespace {

namespace beast_http = boost::beast::http;
using boost::beast::error_code;

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 && HexValue(in[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void ParseTarget(std::string_view target, std::string& path,
                 std::multimap<std::string, std::string>& query) {
  const size_t mark = target.find('?');
  path = Decode(target.substr(0, mark), false);
  if (mark == std::string_view::npos) return;
  std::string_view rest = target.substr(mark + 1);
  // A fragment never belongs to the request; drop it if a client sends one.
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (key.empty()) continue;
    query.emplace(Decode(key, true), Decode(value, true));
  }
}

// Beast's grammar, writing straight into the reader's Request.
class RequestReader::Parser : public beast_http::basic_parser<true> {
 public:
  Parser(RequestReader& reader) : reader_(reader) {}
  size_t fields = 0;
  bool too_many_fields = false;

 private:
  void on_request_impl(beast_http::verb, boost::beast::string_view method,
                       boost::beast::string_view target, int version, error_code&) override {
    Request& r = reader_.request_;
    reader_.version_ = version;
    r.method.assign(method.data(), method.size());
    ParseTarget(View(target), r.path, r.query);
    reader_.head_parsed_ = true;
  }
  void on_response_impl(int, boost::beast::string_view, int, error_code& ec) override {
    ec = beast_http::error::bad_version;  // never called for requests
  }
  void on_field_impl(beast_http::field, boost::beast::string_view name,
                     boost::beast::string_view value, error_code& ec) override {
    if (++fields > reader_.limits_.max_header_fields) {
      too_many_fields = true;
      ec = beast_http::error::header_limit;
      return;
    }
    // Chunked trailers count toward the limit but are not kept.
    if (is_header_done()) return;
    reader_.request_.headers.emplace(std::string(View(name)), std::string(View(value)));
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    // Beast checked the announced length against the limit; the caller
    // reads a body only once its credential passed.
    if (length) reader_.request_.body.reserve(static_cast<size_t>(*length));
  }
  size_t on_body_impl(boost::beast::string_view body, error_code& ec) override {
    return Append(body, ec);
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                            error_code& ec) override {
    return Append(body, ec);
  }
  void on_finish_impl(error_code&) override {}

  size_t Append(boost::beast::string_view body, error_code& ec) {
    std::string& out = reader_.request_.body;
    // Beast's body_limit already holds; this guards the invariant itself.
    if (out.size() + body.size() > reader_.limits_.max_body_bytes) {
      ec = beast_http::error::body_limit;
      return 0;
    }
    out.append(body.data(), body.size());
    return body.size();
  }

  RequestReader& reader_;
};

RequestReader::RequestReader(const ReadLimits& limits)
    : limits_(limits), parser_(std::make_unique<Parser>(*this)) {
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(limits_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser_->body_limit(static_cast<std::uint64_t>(limits_.max_body_bytes));
  // Stop after the head, so the caller decides whether to read the body.
  parser_->eager(false);
}

RequestReader::~RequestReader() = default;

std::optional<uint64_t> RequestReader::content_length() const {
  if (!head_parsed_ || !parser_->is_header_done() || parser_->chunked()) return std::nullopt;
  const auto length = parser_->content_length();
  if (!length) return std::nullopt;
  return *length;
}

void RequestReader::Fail(int status, std::string reason) {
  state_ = State::kFailed;
  error_status_ = status;
  error_reason_ = std::move(reason);
}

void RequestReader::LowerBodyLimit(size_t max_body_bytes) {
  if (state_ != State::kBody || max_body_bytes >= limits_.max_body_bytes) return;
  limits_.max_body_bytes = max_body_bytes;
  // Beast checks a Content-Length against its limit while parsing the head
  // (already done) and chunk sizes as they come; Append guards the rest.
  parser_->body_limit(static_cast<std::uint64_t>(max_body_bytes));
  const auto length = parser_->content_length();
  if (length && *length > max_body_bytes) {
    Fail(413, "the request body exceeds the limit of " + std::to_string(max_body_bytes) +
                  " bytes");
  }
}

size_t RequestReader::Feed(std::string_view bytes) {
  if (state_ == State::kDone || state_ == State::kFailed || bytes.empty()) return 0;
  error_code ec;
  if (state_ == State::kHead) {
    if (!head_parsed_ && head_bytes_ == 0 && (bytes[0] == '\r' || bytes[0] == '\n')) {
      // RFC 9112 §2.2: empty lines before a request line are ignored (some
      // clients send a CRLF after a body).
      const size_t blank = std::min(bytes.find_first_not_of("\r\n"), bytes.size());
      return blank;
    }
    if (!head_parsed_) {
      // Beast cannot tell the request line from the rest of the head: look
      // for its end here (the bytes start with the request line).
      const size_t limit = limits_.max_request_line_bytes;
      const size_t eol = bytes.substr(0, limit + 2).find('\n');
      size_t line = eol;
      if (eol != std::string_view::npos && eol > 0 && bytes[eol - 1] == '\r') --line;
      if ((eol == std::string_view::npos && bytes.size() > limit + 1) ||
          (eol != std::string_view::npos && line > limit)) {
        Fail(414, "the request line is longer than " + std::to_string(limit) + " bytes");
        return 0;
      }
    }
    const size_t used = parser_->put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    head_bytes_ += used;
    if (ec == beast_http::error::need_more) {
      if (head_bytes_ + (bytes.size() - used) > limits_.max_header_bytes) {
        Fail(431, "the request head is larger than " + std::to_string(limits_.max_header_bytes) +
                      " bytes");
      }
      return used;
    }
    if (!ec && head_bytes_ > limits_.max_header_bytes) {
      ec = beast_http::error::header_limit;
    }
    if (ec) {
      if (ec == beast_http::error::body_limit) {
        Fail(413, "the request body exceeds the limit of " +
                      std::to_string(limits_.max_body_bytes) + " bytes");
      } else if (ec == beast_http::error::header_limit) {
        Fail(431, parser_->too_many_fields
                      ? "the request has more than " + std::to_string(limits_.max_header_fields) +
                            " header fields"
                      : "the request head is larger than " +
                            std::to_string(limits_.max_header_bytes) + " bytes");
      } else {
        Fail(400, "the HTTP request is malformed: " + ec.message());
      }
      return used;
    }
    if (!parser_->is_header_done()) return used;
    keep_alive_ = parser_->keep_alive();
    expects_continue_ = EqualsIgnoreAsciiCase(request_.Header("Expect"), "100-continue");
    state_ = parser_->is_done() ? State::kDone : State::kBody;
    // From here on, parse the body in one go per call.
    parser_->eager(true);
    return used;
  }
  // kBody
  const size_t used = parser_->put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec == beast_http::error::need_more) return used;
  if (ec == beast_http::error::body_limit) {
    Fail(413, "the request body exceeds the limit of " + std::to_string(limits_.max_body_bytes) +
                  " bytes");
  } else if (ec == beast_http::error::header_limit) {
    Fail(431, parser_->too_many_fields
                  ? "the request has more than " + std::to_string(limits_.max_header_fields) +
                        " header and trailer fields"
                  : std::string("the chunked trailer is too large"));
  } else if (ec) {
    Fail(400, "the HTTP request body is malformed: " + ec.message());
  } else if (parser_->is_done()) {
    state_ = State::kDone;
  }
  return used;
}

}  // namespace allot::http
