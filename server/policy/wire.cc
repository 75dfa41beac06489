// server/policy/wire.cc — see wire.h.
#include "server/policy/wire.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "server/policy/host_api.h"

namespace allot::policy::wire {
namespace {

class Writer {
 public:
  explicit Writer(Type type) {
    buf_.resize(4);
    buf_.push_back(static_cast<char>(type));
  }
  Writer& U8(uint8_t v) {
    buf_.push_back(static_cast<char>(v));
    return *this;
  }
  Writer& U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  Writer& U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) buf_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  Writer& Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    buf_.append(s);
    return *this;
  }
  Writer& Raw(std::string_view bytes) {
    buf_.append(bytes);
    return *this;
  }
  std::string Finish() {
    const auto n = static_cast<uint32_t>(buf_.size() - 4);
    for (int i = 0; i < 4; ++i) buf_[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return std::move(buf_);
  }

 private:
  std::string buf_;
};

// Reads a payload; any read past the end sets `failed` and yields zeroes.
class Reader {
 public:
  Reader(std::string_view payload, Type expected) : rest_(payload) {
    if (U8() != static_cast<uint8_t>(expected)) failed_ = true;
  }
  uint8_t U8() {
    if (!Need(1)) return 0;
    const auto v = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return v;
  }
  uint32_t U32() {
    if (!Need(4)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    rest_.remove_prefix(4);
    return v;
  }
  uint64_t U64() {
    if (!Need(8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(rest_[i])) << (8 * i);
    rest_.remove_prefix(8);
    return v;
  }
  std::string_view Str() {
    const uint32_t n = U32();
    if (!Need(n)) return {};
    std::string_view s = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return s;
  }
  // A count of items of at least `min_item_size` bytes each: refused when
  // the rest cannot hold that many (so no count makes us allocate wildly).
  uint32_t Count(size_t min_item_size) {
    const uint32_t n = U32();
    if (min_item_size > 0 && n > rest_.size() / min_item_size) failed_ = true;
    return failed_ ? 0 : n;
  }
  void Fail() { failed_ = true; }
  bool ok() const { return !failed_; }
  // True when everything was read and nothing is left over.
  bool Complete() const { return !failed_ && rest_.empty(); }

 private:
  bool Need(size_t n) {
    if (failed_ || rest_.size() < n) {
      failed_ = true;
      return false;
    }
    return true;
  }
  std::string_view rest_;
  bool failed_ = false;
};

std::string Malformed(const char* what) { return std::string("malformed ") + what + " message"; }

}  // namespace

uint8_t TypeOf(std::string_view payload) {
  return payload.empty() ? 0 : static_cast<uint8_t>(payload[0]);
}

std::string EncodeReady(uint32_t abi_version) {
  return Writer(Type::kReady).U32(kProtocolVersion).U32(abi_version).Finish();
}

std::string EncodeLoadFailed(std::string_view message) {
  return Writer(Type::kLoadFailed).Str(message).Finish();
}

std::string EncodeCreate(uint64_t id, std::string_view policy, std::string_view config_json) {
  return Writer(Type::kCreate).U64(id).Str(policy).Str(config_json).Finish();
}

std::string EncodeCreated(uint64_t id, const std::vector<std::string>& paths) {
  Writer w(Type::kCreated);
  w.U64(id).U32(static_cast<uint32_t>(paths.size()));
  for (const std::string& p : paths) w.Str(p);
  return w.Finish();
}

std::string EncodeCreateFailed(uint64_t id, std::string_view message) {
  return Writer(Type::kCreateFailed).U64(id).Str(message).Finish();
}

std::string EncodeDestroy(uint64_t id) { return Writer(Type::kDestroy).U64(id).Finish(); }

std::string EncodeFacts(const FactsBatch& facts) {
  Writer w(Type::kEvaluate);
  w.Str(facts.tenant());
  w.U32(static_cast<uint32_t>(facts.subscriptions().size()));
  for (const std::string& s : facts.subscriptions()) w.Str(s);
  w.U32(facts.path_count());
  for (const std::string& p : facts.paths()) w.Str(p);
  w.U32(facts.group_count());
  for (uint32_t g = 0; g < facts.group_count(); ++g) {
    const FactsBatch::Group group = facts.group(g);
    w.Str(group.id).Str(group.display_name).Str(group.external_id);
  }
  w.U32(facts.size());
  for (uint32_t i = 0; i < facts.size(); ++i) {
    w.Str(facts.user_id(i)).U8(facts.user_active(i) ? 1 : 0);
    const uint32_t ng = facts.user_group_count(i);
    w.U32(ng);
    for (uint32_t g = 0; g < ng; ++g) w.U32(facts.user_group(i, g));
    for (uint32_t p = 0; p < facts.path_count(); ++p) {
      const uint32_t nv = facts.value_count(i, p);
      w.U32(nv);
      for (uint32_t k = 0; k < nv; ++k) w.Str(facts.value(i, p, k));
    }
  }
  std::string body = w.Finish();
  return body.substr(5);  // without the frame length and the type
}

std::string EncodeEvaluate(std::span<const uint64_t> ids, std::string_view encoded_facts) {
  Writer w(Type::kEvaluate);
  w.U32(static_cast<uint32_t>(ids.size()));
  for (uint64_t id : ids) w.U64(id);
  w.Raw(encoded_facts);
  return w.Finish();
}

std::string EncodeEvaluate(std::span<const uint64_t> ids, const FactsBatch& facts) {
  return EncodeEvaluate(ids, EncodeFacts(facts));
}

std::string EncodeResult(const BatchResult& result) {
  Writer w(Type::kResult);
  w.U8(result.ok ? 1 : 0).Str(result.error);
  w.U32(static_cast<uint32_t>(result.grants_by_user.size()));
  for (const auto& grants : result.grants_by_user) {
    w.U32(static_cast<uint32_t>(grants.size()));
    for (const Grant& g : grants) w.Str(g.subscription_id).Str(g.reason);
  }
  return w.Finish();
}

std::string EncodeDone() { return Writer(Type::kDone).Finish(); }

std::expected<Ready, std::string> DecodeReady(std::string_view payload) {
  Reader r(payload, Type::kReady);
  Ready out{r.U32(), r.U32()};
  if (!r.Complete()) return std::unexpected(Malformed("ready"));
  return out;
}

std::expected<std::string, std::string> DecodeLoadFailed(std::string_view payload) {
  Reader r(payload, Type::kLoadFailed);
  std::string message(r.Str());
  if (!r.Complete()) return std::unexpected(Malformed("load-failed"));
  return message;
}

std::expected<Create, std::string> DecodeCreate(std::string_view payload) {
  Reader r(payload, Type::kCreate);
  Create out;
  out.id = r.U64();
  out.policy = std::string(r.Str());
  out.config_json = std::string(r.Str());
  if (!r.Complete()) return std::unexpected(Malformed("create"));
  return out;
}

std::expected<Created, std::string> DecodeCreated(std::string_view payload) {
  const bool ok = TypeOf(payload) == static_cast<uint8_t>(Type::kCreated);
  Reader r(payload, ok ? Type::kCreated : Type::kCreateFailed);
  Created out;
  out.ok = ok;
  out.id = r.U64();
  if (ok) {
    const uint32_t n = r.Count(4);
    for (uint32_t i = 0; i < n && r.ok(); ++i) out.paths.emplace_back(r.Str());
  } else {
    out.message = std::string(r.Str());
  }
  if (!r.Complete()) return std::unexpected(Malformed("created"));
  return out;
}

std::expected<uint64_t, std::string> DecodeDestroy(std::string_view payload) {
  Reader r(payload, Type::kDestroy);
  const uint64_t id = r.U64();
  if (!r.Complete()) return std::unexpected(Malformed("destroy"));
  return id;
}

std::expected<Evaluate, std::string> DecodeEvaluate(std::string_view payload) {
  Reader r(payload, Type::kEvaluate);
  Evaluate out;
  const uint32_t n_ids = r.Count(8);
  for (uint32_t i = 0; i < n_ids; ++i) out.ids.push_back(r.U64());
  std::string tenant(r.Str());
  std::vector<std::string> subs, paths;
  const uint32_t n_subs = r.Count(4);
  for (uint32_t i = 0; i < n_subs && r.ok(); ++i) subs.emplace_back(r.Str());
  const uint32_t n_paths = r.Count(4);
  for (uint32_t i = 0; i < n_paths && r.ok(); ++i) paths.emplace_back(r.Str());
  if (!r.ok()) return std::unexpected(Malformed("evaluate"));
  out.facts = std::make_unique<FactsBatch>(std::move(tenant), std::move(subs), std::move(paths));
  FactsBatch& facts = *out.facts;
  const uint32_t n_groups = r.Count(12);
  for (uint32_t g = 0; g < n_groups && r.ok(); ++g) {
    const std::string_view id = r.Str(), name = r.Str(), external = r.Str();
    facts.AddGroup(id, name, external);
  }
  const uint32_t n_users = r.Count(9);
  for (uint32_t i = 0; i < n_users && r.ok(); ++i) {
    const std::string_view id = r.Str();
    facts.AddUser(id, r.U8() != 0);
    const uint32_t ng = r.Count(4);
    for (uint32_t g = 0; g < ng && r.ok(); ++g) {
      const uint32_t index = r.U32();
      if (index >= facts.group_count()) r.Fail();
      if (r.ok()) facts.AddUserGroup(index);
    }
    for (uint32_t p = 0; p < facts.path_count() && r.ok(); ++p) {
      const uint32_t nv = r.Count(4);
      for (uint32_t k = 0; k < nv && r.ok(); ++k) {
        const std::string_view v = r.Str();
        if (r.ok()) facts.AddUserValue(p, v);
      }
    }
  }
  if (!r.Complete()) return std::unexpected(Malformed("evaluate"));
  return out;
}

std::expected<BatchResult, std::string> DecodeResult(std::string_view payload,
                                                     const FactsBatch& facts) {
  Reader r(payload, Type::kResult);
  BatchResult out;
  out.ok = r.U8() != 0;
  out.error = std::string(r.Str());
  const uint32_t n = r.Count(4);
  if (r.ok() && out.ok && n != facts.size()) r.Fail();
  std::string problem;
  out.grants_by_user.resize(out.ok ? facts.size() : 0);
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    const uint32_t ng = r.Count(8);
    for (uint32_t g = 0; g < ng && r.ok(); ++g) {
      const std::string_view sub = r.Str(), reason = r.Str();
      if (!r.ok() || !out.ok || !problem.empty()) continue;
      problem = CheckGrant(facts, i, sub, reason);
      if (!problem.empty()) continue;
      auto& grants = out.grants_by_user[i];
      bool seen = false;
      for (const Grant& have : grants) seen = seen || have.subscription_id == sub;
      if (!seen) grants.push_back({std::string(sub), std::string(reason)});
    }
  }
  if (!r.Complete()) return std::unexpected(Malformed("result"));
  if (out.ok && !problem.empty()) {
    out = BatchResult{false, "invalid output: " + problem, {}};
  }
  if (!out.ok) {
    out.grants_by_user.clear();
    if (out.error.empty()) out.error = "evaluation failed with no message";
  }
  return out;
}

// ---- frames

bool WriteFrame(int fd, std::string_view frame) {
  while (!frame.empty()) {
    const ssize_t n = ::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    frame.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

namespace {

bool ReadExactly(int fd, char* out, size_t n, bool* clean_eof) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, out + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (clean_eof != nullptr) *clean_eof = r == 0 && got == 0;
      return false;
    }
    got += static_cast<size_t>(r);
  }
  return true;
}

uint32_t LengthOf(const unsigned char* h) {
  return static_cast<uint32_t>(h[0]) | static_cast<uint32_t>(h[1]) << 8 |
         static_cast<uint32_t>(h[2]) << 16 | static_cast<uint32_t>(h[3]) << 24;
}

}  // namespace

std::expected<std::string, std::string> ReadFrame(int fd, size_t max_payload) {
  unsigned char header[4];
  bool eof = false;
  if (!ReadExactly(fd, reinterpret_cast<char*>(header), 4, &eof)) {
    return std::unexpected(eof ? "closed" : "read failed: " + std::string(std::strerror(errno)));
  }
  const uint32_t n = LengthOf(header);
  if (n > max_payload) return std::unexpected("frame of " + std::to_string(n) + " bytes is too large");
  std::string payload(n, '\0');
  if (!ReadExactly(fd, payload.data(), n, nullptr)) return std::unexpected("truncated frame");
  return payload;
}

namespace {

// Waits until `fd` is ready for `events`, the deadline passes or `cancel_fd`
// becomes readable.
std::expected<void, IoError> Wait(int fd, short events, int cancel_fd, Deadline deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::unexpected(IoError::kTimeout);
    pollfd fds[2] = {{fd, events, 0}, {cancel_fd, POLLIN, 0}};
    const int n = ::poll(fds, cancel_fd >= 0 ? 2 : 1, static_cast<int>(std::min<int64_t>(left.count() + 1, 60000)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(IoError::kFailed);
    if (n == 0) continue;  // re-check the deadline
    if (cancel_fd >= 0 && (fds[1].revents & POLLIN)) return std::unexpected(IoError::kCancelled);
    if (fds[0].revents != 0) return {};
  }
}

}  // namespace

std::expected<void, IoError> SendFrame(int fd, int cancel_fd, std::string_view frame,
                                       Deadline deadline) {
  while (!frame.empty()) {
    const ssize_t n = ::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      frame.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (auto w = Wait(fd, POLLOUT, cancel_fd, deadline); !w) return w;
      continue;
    }
    return std::unexpected(n < 0 && errno == EPIPE ? IoError::kClosed : IoError::kFailed);
  }
  return {};
}

std::expected<std::string, IoError> ReceiveFrame(int fd, int cancel_fd, size_t max_payload,
                                                 Deadline deadline) {
  auto read_exactly = [&](char* out, size_t n) -> std::expected<void, IoError> {
    size_t got = 0;
    while (got < n) {
      const ssize_t r = ::recv(fd, out + got, n - got, MSG_DONTWAIT);
      if (r > 0) {
        got += static_cast<size_t>(r);
        continue;
      }
      if (r == 0) return std::unexpected(IoError::kClosed);
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (auto w = Wait(fd, POLLIN, cancel_fd, deadline); !w) return w;
        continue;
      }
      return std::unexpected(errno == ECONNRESET ? IoError::kClosed : IoError::kFailed);
    }
    return {};
  };
  unsigned char header[4];
  if (auto r = read_exactly(reinterpret_cast<char*>(header), 4); !r) return std::unexpected(r.error());
  const uint32_t n = LengthOf(header);
  if (n > max_payload) return std::unexpected(IoError::kTooLarge);
  std::string payload(n, '\0');
  if (auto r = read_exactly(payload.data(), n); !r) return std::unexpected(r.error());
  return payload;
}

}  // namespace allot::policy::wire
