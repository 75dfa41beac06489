// server/http/request_reader.h — reads one HTTP/1.1 request from the bytes
// of a connection, with the limits of the contract, and nothing else: no
// socket, no clock, no authentication (the transport does those), so that a
// fuzzer can drive it with any bytes in any pieces.
//
// Boost.Beast's request parser does the HTTP grammar; this unit adds what it
// lacks and what allot decides:
//   - a request line longer than max_request_line_bytes       → 414
//   - a head over max_header_bytes or over max_header_fields  → 431
//   - a body over max_body_bytes (Content-Length announced, or
//     chunks as they arrive, before their data is read)       → 413
//   - anything malformed (bad method, target, version, field,
//     Content-Length, chunk, Transfer-Encoding)               → 400
// A request with neither Content-Length nor chunked encoding has an empty
// body. Reading stops after the head (state kBody) until the caller feeds
// again, so it can authenticate before a byte of the body is read, and stops
// at the end of the request, so pipelined requests stay for the next reader.
//
// Thread-safety: one reader per connection and request; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/http/types.h"

namespace allot::http {

struct ReadLimits {
  size_t max_request_line_bytes = 8 * 1024;
  size_t max_header_bytes = 64 * 1024;  // request line and header lines
  size_t max_header_fields = 100;       // header lines (and chunked trailer lines)
  size_t max_body_bytes = 4 * 1024 * 1024;
};

class RequestReader {
 public:
  enum class State {
    kHead,    // the head is still arriving
    kBody,    // the head is complete; the body follows (Feed to read it)
    kDone,    // the request is complete
    kFailed,  // the request is refused: error_status() says how
  };

  explicit RequestReader(const ReadLimits& limits);
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Consumes a prefix of `bytes` (the unconsumed bytes of the connection,
  // oldest first) and returns its length; the caller drops that prefix and
  // passes the rest, with what arrives next, to the next call. Stops after
  // the head, at the end of the request, and on failure. In kDone and
  // kFailed it consumes nothing.
  size_t Feed(std::string_view bytes);

  State state() const { return state_; }

  // Lowers the body limit of this request once its head is known (kBody),
  // for routes that take only small bodies. A Content-Length above the new
  // limit fails at once (413), before a byte of the body is read.
  void LowerBodyLimit(size_t max_body_bytes);

  // From kBody on (and in kFailed when the head was parsed): method, path,
  // headers and query. The body grows as it is read; complete in kDone.
  Request& request() { return request_; }
  const Request& request() const { return request_; }
  bool head_parsed() const { return head_parsed_; }

  // The head's verdicts, valid from kBody on.
  bool keep_alive() const { return keep_alive_; }
  int version() const { return version_; }  // 10 or 11
  bool expects_continue() const { return expects_continue_; }
  // The announced Content-Length; none for a chunked body.
  std::optional<uint64_t> content_length() const;

  // kFailed: 400, 413, 414 or 431, and a sentence for the error body.
  int error_status() const { return error_status_; }
  const std::string& error_reason() const { return error_reason_; }

 private:
  class Parser;
  void Fail(int status, std::string reason);

  ReadLimits limits_;
  std::unique_ptr<Parser> parser_;
  Request request_;
  State state_ = State::kHead;
  bool head_parsed_ = false;  // the request line was parsed (method and path are known)
  bool keep_alive_ = false;
  int version_ = 11;
  bool expects_continue_ = false;
  size_t head_bytes_ = 0;  // consumed while in kHead
  int error_status_ = 0;
  std::string error_reason_;
};

// Splits a request target into its decoded path and query parameters:
// "%41" is 'A' in both, '+' is a space in the query only; "a=1&b" gives
// a → "1" and b → "". A malformed escape is kept as it is.
void ParseTarget(std::string_view target, std::string& path,
                 std::multimap<std::string, std::string>& query);

}  // namespace allot::http
