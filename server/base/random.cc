#include "server/base/random.h"

#include "server/base/base64url.h"

#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace allot {
namespace {

template <size_t N>
std::array<uint8_t, N> RandomBytes() {
  std::array<uint8_t, N> bytes{};
  // RAND_bytes fails only when the CSPRNG cannot be seeded; nothing secure
  // can be done then, so stop rather than hand out a guessable secret.
  if (RAND_bytes(bytes.data(), static_cast<int>(N)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no secure randomness");
  }
  return bytes;
}

std::string FormatUuid(const std::array<uint8_t, 16>& b) {
  char buf[37];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return buf;
}

}  // namespace

std::string RandomUuid() {
  auto b = RandomBytes<16>();
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  return FormatUuid(b);
}

std::string TimeOrderedUuid() {
  auto b = RandomBytes<16>();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(static_cast<uint64_t>(ms) >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x70);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  return FormatUuid(b);
}

std::string RandomToken(std::string_view prefix) {
  const auto b = RandomBytes<32>();
  // 32 bytes → 43 base64url characters.
  return std::string(prefix) +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

}  // namespace allot
