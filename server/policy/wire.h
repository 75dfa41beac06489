// server/policy/wire.h — the plugin host protocol: what the server and a
// plugin host process (`allot plugin-host`, plugin_host_main.cc) say to each
// other over their socketpair.
//
// Every message is one frame: a 4-byte little-endian payload length, then the
// payload, whose first byte is the message type. Integers are little-endian;
// a string is a u32 length and its bytes.
//
//   host   -> server  kReady{protocol, abi} or kLoadFailed{message}, once,
//                     as soon as the plugin is loaded (or not).
//   server -> host    kCreate{id, policy, config JSON}
//   host   -> server    kCreated{id, paths[]} | kCreateFailed{id, message}
//   server -> host    kDestroy{id}
//   host   -> server    kDone
//   server -> host    kEvaluate{ids[], facts}: one batch for several instances
//   host   -> server    kResult{ok, error, grants per user} per id, in order
//                       (each as soon as that instance is done), then kDone
//
// One request is outstanding at a time. The server treats everything a host
// sends as untrusted: every decoder checks every length and index, and a
// frame that does not decode counts as a crash of the host.
// Thread-safety: pure functions; the fd functions use only their arguments.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/policy/batch_result.h"
#include "server/policy/facts_batch.h"

namespace allot::policy::wire {

inline constexpr uint32_t kProtocolVersion = 1;
// Larger frames from a host are refused (the host is then killed).
inline constexpr size_t kMaxFrameFromHost = 64u << 20;

enum class Type : uint8_t {
  kReady = 1,
  kLoadFailed = 2,
  kCreate = 3,
  kCreated = 4,
  kCreateFailed = 5,
  kDestroy = 6,
  kEvaluate = 7,
  kResult = 8,
  kDone = 9,
};

// The type of a payload (its first byte), or 0 when empty.
uint8_t TypeOf(std::string_view payload);

// ---- encoders: each returns a whole frame (length prefix included).
std::string EncodeReady(uint32_t abi_version);
std::string EncodeLoadFailed(std::string_view message);
std::string EncodeCreate(uint64_t id, std::string_view policy, std::string_view config_json);
std::string EncodeCreated(uint64_t id, const std::vector<std::string>& paths);
std::string EncodeCreateFailed(uint64_t id, std::string_view message);
std::string EncodeDestroy(uint64_t id);
std::string EncodeEvaluate(std::span<const uint64_t> ids, const FactsBatch& facts);
// The facts part of kEvaluate, to encode a batch once for several hosts.
std::string EncodeFacts(const FactsBatch& facts);
std::string EncodeEvaluate(std::span<const uint64_t> ids, std::string_view encoded_facts);
std::string EncodeResult(const BatchResult& result);
std::string EncodeDone();

// ---- decoders: each takes a payload (no length prefix) of its type.
struct Ready {
  uint32_t protocol = 0, abi_version = 0;
};
std::expected<Ready, std::string> DecodeReady(std::string_view payload);
std::expected<std::string, std::string> DecodeLoadFailed(std::string_view payload);

struct Create {
  uint64_t id = 0;
  std::string policy, config_json;
};
std::expected<Create, std::string> DecodeCreate(std::string_view payload);

struct Created {
  uint64_t id = 0;
  bool ok = false;
  std::vector<std::string> paths;  // when ok
  std::string message;             // when not
};
// Decodes kCreated or kCreateFailed.
std::expected<Created, std::string> DecodeCreated(std::string_view payload);

std::expected<uint64_t, std::string> DecodeDestroy(std::string_view payload);

struct Evaluate {
  std::vector<uint64_t> ids;
  std::unique_ptr<FactsBatch> facts;
};
std::expected<Evaluate, std::string> DecodeEvaluate(std::string_view payload);

// Decodes a kResult for a batch of `users` users; grants are checked again
// (CheckGrant against `facts`): a bad one makes the result a failure.
std::expected<BatchResult, std::string> DecodeResult(std::string_view payload,
                                                     const FactsBatch& facts);

// ---- frames on a stream socket.

// Blocking (the host's side). WriteFrame: false on any error. ReadFrame:
// the payload, or an error ("closed" at a clean end of stream).
bool WriteFrame(int fd, std::string_view frame);
std::expected<std::string, std::string> ReadFrame(int fd, size_t max_payload);

// With a deadline and a cancel fd (the server's side): the socket is
// non-blocking; `cancel_fd` readable stops the wait.
enum class IoError { kClosed, kTimeout, kCancelled, kTooLarge, kFailed };
using Deadline = std::chrono::steady_clock::time_point;
std::expected<void, IoError> SendFrame(int fd, int cancel_fd, std::string_view frame,
                                       Deadline deadline);
std::expected<std::string, IoError> ReceiveFrame(int fd, int cancel_fd, size_t max_payload,
                                                 Deadline deadline);

}  // namespace allot::policy::wire
