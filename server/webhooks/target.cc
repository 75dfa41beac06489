#include "server/webhooks/target.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>

#include "server/base/ascii.h"

namespace allot::webhooks {
namespace {

bool InV4(uint32_t a, uint32_t net, int bits) {
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

constexpr uint32_t V4(int a, int b, int c, int d) {
  return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | uint32_t(d);
}

AddressClass ClassifyV4(uint32_t a) {
  if (InV4(a, V4(127, 0, 0, 0), 8)) return AddressClass::kLoopback;
  if (InV4(a, V4(10, 0, 0, 0), 8) || InV4(a, V4(172, 16, 0, 0), 12) ||
      InV4(a, V4(192, 168, 0, 0), 16) || InV4(a, V4(100, 64, 0, 0), 10)) {
    return AddressClass::kPrivate;
  }
  if (InV4(a, V4(169, 254, 0, 0), 16)) return AddressClass::kLinkLocal;
  // "This network" (0.0.0.0 reaches the local host), IETF protocol
  // assignments, documentation, benchmarking, multicast, reserved and
  // broadcast.
  if (InV4(a, V4(0, 0, 0, 0), 8) || InV4(a, V4(192, 0, 0, 0), 24) ||
      InV4(a, V4(192, 0, 2, 0), 24) || InV4(a, V4(198, 18, 0, 0), 15) ||
      InV4(a, V4(198, 51, 100, 0), 24) || InV4(a, V4(203, 0, 113, 0), 24) ||
      InV4(a, V4(224, 0, 0, 0), 4) || InV4(a, V4(240, 0, 0, 0), 4)) {
    return AddressClass::kRefused;
  }
  return AddressClass::kPublic;
}

bool InV6(const uint8_t* a, std::initializer_list<uint8_t> prefix, int bits) {
  int i = 0;
  for (uint8_t byte : prefix) {
    const int take = bits - 8 * i;
    if (take <= 0) break;
    const uint8_t mask = take >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - take));
    if ((a[i] & mask) != (byte & mask)) return false;
    ++i;
  }
  return true;
}

AddressClass ClassifyV6(const uint8_t* a) {
  static const uint8_t kZero[16] = {};
  if (std::memcmp(a, kZero, 16) == 0) return AddressClass::kRefused;  // ::
  if (std::memcmp(a, kZero, 15) == 0 && a[15] == 1) return AddressClass::kLoopback;  // ::1
  // IPv4 embedded in IPv6: mapped (::ffff:0:0/96), compatible (::/96),
  // NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4 (2002::/16), Teredo
  // (2001::/32). Whatever IPv4 address they carry, a name should resolve
  // to it plainly: refused.
  if (InV6(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96) ||
      InV6(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 96) ||
      InV6(a, {0x00, 0x64, 0xff, 0x9b}, 32) || InV6(a, {0x20, 0x02}, 16) ||
      InV6(a, {0x20, 0x01, 0x00, 0x00}, 32)) {
    return AddressClass::kRefused;
  }
  if (InV6(a, {0xfc}, 7)) return AddressClass::kPrivate;       // unique local
  if (InV6(a, {0xfe, 0x80}, 10)) return AddressClass::kLinkLocal;
  if (InV6(a, {0xfe, 0xc0}, 10) ||                              // site-local (deprecated)
      InV6(a, {0xff}, 8) ||                                     // multicast
      InV6(a, {0x20, 0x01, 0x0d, 0xb8}, 32) ||                  // documentation
      InV6(a, {0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64) ||            // discard
      InV6(a, {0x20, 0x01, 0x00}, 23)) {                        // IETF protocol assignments
    return AddressClass::kRefused;
  }
  // Global unicast is 2000::/3; anything else is unassigned.
  if (!InV6(a, {0x20}, 3)) return AddressClass::kRefused;
  return AddressClass::kPublic;
}

AddressClass ClassifySockaddr(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    return ClassifyV4(ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr));
  }
  if (sa->sa_family == AF_INET6) {
    return ClassifyV6(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr.s6_addr);
  }
  return AddressClass::kRefused;
}

std::string NumericText(const sockaddr* sa) {
  char text[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
  }
  return text;
}

Status Invalid(std::string message) {
  return Fail(ErrorCode::kInvalidRequest, "url: " + std::move(message));
}

}  // namespace

Result<WebhookUrl> ParseWebhookUrl(std::string_view url) {
  if (url.size() > 2048) return std::unexpected(Invalid("longer than 2048 characters").error());
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return std::unexpected(Invalid("contains a space or a control character").error());
    }
  }
  WebhookUrl out;
  std::string_view rest;
  if (StartsWithIgnoreAsciiCase(url, "https://")) {
    rest = url.substr(8);
  } else if (StartsWithIgnoreAsciiCase(url, "http://")) {
    out.https = false;
    out.port = 80;
    rest = url.substr(7);
  } else {
    return std::unexpected(Invalid("must start with https:// (or http:// to a private network "
                                   "when the operator allows it)")
                               .error());
  }
  if (rest.find('#') != std::string_view::npos) {
    return std::unexpected(Invalid("must not carry a fragment (#…)").error());
  }
  const size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  out.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return std::unexpected(Invalid("must not carry a user name or password").error());
  }
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::unexpected(Invalid("unclosed [ in the host").error());
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::unexpected(Invalid("malformed host").error());
      port = after.substr(1);
    }
    in6_addr probe{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &probe) != 1) {
      return std::unexpected(Invalid("malformed IPv6 address in the host").error());
    }
    out.ipv6_literal = true;
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return std::unexpected(Invalid("has no host").error());
  if (!out.ipv6_literal) {
    for (char c : host) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
        return std::unexpected(Invalid("the host may hold only letters, digits, '-' and '.'").error());
      }
    }
  }
  out.host = AsciiLower(host);
  if (!port.empty() || authority.ends_with(':')) {
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) {
        return std::unexpected(Invalid("the port must be a number from 1 to 65535").error());
      }
      value = value * 10 + (c - '0');
    }
    if (port.empty() || value < 1 || value > 65535) {
      return std::unexpected(Invalid("the port must be a number from 1 to 65535").error());
    }
    out.port = value;
  }
  return out;
}

AddressClass ClassifyAddress(std::string_view numeric) {
  const std::string text(numeric);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return ClassifyV4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return ClassifyV6(v6.s6_addr);
  return AddressClass::kRefused;
}

std::string_view ClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic: return "public";
    case AddressClass::kLoopback: return "loopback";
    case AddressClass::kPrivate: return "private";
    case AddressClass::kLinkLocal: return "link-local";
    case AddressClass::kRefused: return "special-purpose";
  }
  return "special-purpose";
}

bool Allowed(AddressClass c, const TargetPolicy& policy) {
  switch (c) {
    case AddressClass::kPublic: return true;
    case AddressClass::kLoopback:
    case AddressClass::kPrivate: return policy.allow_private_networks;
    case AddressClass::kLinkLocal:
    case AddressClass::kRefused: return false;
  }
  return false;
}

Result<std::vector<std::string>> ResolveAllowed(const WebhookUrl& url, const TargetPolicy& policy) {
  if (!url.https && !policy.allow_private_networks) {
    return Fail(ErrorCode::kInvalidRequest,
                "url: must be https:// (http:// only to a private network, when the operator sets "
                "webhooks_allow_private_networks)");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(url.host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    return Fail(ErrorCode::kInvalidRequest,
                "url: the host " + url.host + " does not resolve (" + gai_strerror(rc) + ")");
  }
  std::vector<std::string> addresses;
  Status verdict = Ok();
  for (const addrinfo* ai = found; ai != nullptr && verdict; ai = ai->ai_next) {
    const AddressClass c = ClassifySockaddr(ai->ai_addr);
    const std::string text = NumericText(ai->ai_addr);
    if (!Allowed(c, policy)) {
      const bool could_allow = c == AddressClass::kLoopback || c == AddressClass::kPrivate;
      verdict = Fail(ErrorCode::kInvalidRequest,
                     "url: " + url.host + " resolves to " + text + ", a " +
                         std::string(ClassName(c)) + " address; " +
                         (could_allow ? "webhooks may reach loopback and private networks only "
                                        "when the operator sets webhooks_allow_private_networks"
                                      : "webhooks never send there"));
    } else if (!url.https && c == AddressClass::kPublic) {
      verdict = Fail(ErrorCode::kInvalidRequest,
                     "url: http:// is allowed only to loopback and private addresses; " +
                         url.host + " resolves to the public address " + text + ": use https://");
    } else {
      addresses.push_back(text);
    }
  }
  freeaddrinfo(found);
  if (!verdict) return std::unexpected(verdict.error());
  return addresses;
}

}  // namespace allot::webhooks
