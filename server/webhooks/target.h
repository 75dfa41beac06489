// server/webhooks/target.h — where a webhook may send: its URL and the
// addresses it resolves to, checked against server-side request forgery.
//
// - The URL is https://, or http:// only when the operator allows private
//   networks and every address of the host is loopback or private.
// - Every address the host resolves to must be public (a host with one
//   refused address is refused), unless allow_private_networks, which then
//   admits loopback and private (RFC 1918, CGNAT, IPv6 unique local)
//   addresses. Link-local (169.254/16 — cloud metadata services — and
//   fe80::/10), unspecified, multicast, broadcast, documentation, reserved
//   and IPv4-mapped or -translated IPv6 forms are refused always.
// - The check runs when a webhook is created and again before every
//   delivery, which then connects to the address it checked (so a DNS
//   answer that changes between the check and the connection cannot
//   redirect it).
// Thread-safety: pure functions, except that Resolve calls getaddrinfo
// (thread-safe; it blocks for DNS).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/base/error.h"

namespace allot::webhooks {

struct TargetPolicy {
  bool allow_private_networks = false;
};

struct WebhookUrl {
  bool https = true;
  std::string host;  // lower-case; an IPv6 literal without brackets
  int port = 443;
  std::string target;  // path and query, "/" at least
  bool ipv6_literal = false;
};

// Parses an absolute http(s) URL: no user info, no fragment, no spaces or
// control characters, at most 2048 characters. kInvalidRequest naming what
// is wrong.
Result<WebhookUrl> ParseWebhookUrl(std::string_view url);

enum class AddressClass {
  kPublic,
  kLoopback,   // 127/8, ::1
  kPrivate,    // 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7
  kLinkLocal,  // 169.254/16, fe80::/10
  kRefused,    // unspecified, multicast, broadcast, reserved, documentation,
               // IPv4-mapped/-compatible/translated IPv6, …
};

// The class of a numeric IPv4 or IPv6 address ("10.0.0.1", "::1"); kRefused
// for text that is not one.
AddressClass ClassifyAddress(std::string_view numeric);

// A short name for messages ("loopback", "private", …).
std::string_view ClassName(AddressClass c);

// True when `policy` lets a webhook send to an address of class `c`.
bool Allowed(AddressClass c, const TargetPolicy& policy);

// The host's addresses (numeric text, in resolver order), each checked:
// kInvalidRequest naming the host and the refused address (or saying it
// does not resolve) unless every one is allowed, and for http:// unless
// every one is loopback or private with allow_private_networks.
Result<std::vector<std::string>> ResolveAllowed(const WebhookUrl& url, const TargetPolicy& policy);

}  // namespace allot::webhooks
