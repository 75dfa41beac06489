// The SSRF checks of webhook targets (server/webhooks/target.h), as a unit:
// address classes, the policy, URL parsing, and resolution of literals and
// "localhost" (/etc/hosts: nothing leaves the machine).
#include "server/webhooks/target.h"

#include <gtest/gtest.h>

namespace allot::webhooks {
namespace {

constexpr TargetPolicy kPublicOnly{.allow_private_networks = false};
constexpr TargetPolicy kPrivateToo{.allow_private_networks = true};

TEST(ClassifyAddress, Loopback) {
  for (const char* a : {"127.0.0.1", "127.255.255.254", "::1"}) {
    EXPECT_EQ(ClassifyAddress(a), AddressClass::kLoopback) << a;
  }
}

TEST(ClassifyAddress, Private) {
  for (const char* a : {"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
                        "192.168.1.1", "100.64.0.1", "100.127.255.255", "fc00::1", "fd12:3456::1"}) {
    EXPECT_EQ(ClassifyAddress(a), AddressClass::kPrivate) << a;
  }
}

TEST(ClassifyAddress, LinkLocal) {
  for (const char* a : {"169.254.169.254", "169.254.0.1", "fe80::1", "febf::1"}) {
    EXPECT_EQ(ClassifyAddress(a), AddressClass::kLinkLocal) << a;
  }
}

TEST(ClassifyAddress, UnspecifiedMulticastReservedAndDocumentation) {
  for (const char* a : {"0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "240.0.0.1",
                        "255.255.255.255", "192.0.2.1", "198.51.100.7", "203.0.113.9",
                        "198.18.0.1", "192.0.0.8", "::", "ff02::1", "ff05::2", "2001:db8::1",
                        "fec0::1", "100::1", "not an address", "", "1.2.3"}) {
    EXPECT_EQ(ClassifyAddress(a), AddressClass::kRefused) << a;
  }
}

TEST(ClassifyAddress, Ipv4InIpv6FormsAreRefusedWhateverTheyCarry) {
  for (const char* a : {"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:8.8.8.8", "::127.0.0.1",
                        "::8.8.8.8", "64:ff9b::a00:1", "64:ff9b::808:808", "2002:7f00:1::1",
                        "2001:0:4136:e378::1"}) {
    EXPECT_EQ(ClassifyAddress(a), AddressClass::kRefused) << a;
  }
}

TEST(ClassifyAddress, Public) {
  for (const char* a : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "11.0.0.1",
                        "2606:4700::1111", "2a00:1450:4001::200e"}) {
    EXPECT_EQ(ClassifyAddress(a), AddressClass::kPublic) << a;
  }
}

TEST(Allowed, PrivateNetworksOnlyWhenTheOperatorSaysSo) {
  EXPECT_TRUE(Allowed(AddressClass::kPublic, kPublicOnly));
  EXPECT_FALSE(Allowed(AddressClass::kLoopback, kPublicOnly));
  EXPECT_FALSE(Allowed(AddressClass::kPrivate, kPublicOnly));
  EXPECT_TRUE(Allowed(AddressClass::kLoopback, kPrivateToo));
  EXPECT_TRUE(Allowed(AddressClass::kPrivate, kPrivateToo));
}

TEST(Allowed, LinkLocalAndSpecialAddressesNeverEvenWithPrivateNetworks) {
  for (TargetPolicy p : {kPublicOnly, kPrivateToo}) {
    EXPECT_FALSE(Allowed(AddressClass::kLinkLocal, p));
    EXPECT_FALSE(Allowed(AddressClass::kRefused, p));
  }
}

TEST(ParseWebhookUrl, TakesHostPortAndTarget) {
  auto u = ParseWebhookUrl("https://Hooks.Example.com:8443/in/allot?x=1");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_TRUE(u->https);
  EXPECT_EQ(u->host, "hooks.example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/in/allot?x=1");
  auto plain = ParseWebhookUrl("http://127.0.0.1");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->https);
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/");
  auto v6 = ParseWebhookUrl("https://[::1]:9/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9);
  EXPECT_TRUE(v6->ipv6_literal);
}

TEST(ParseWebhookUrl, RefusesWhatIsNotAPlainHttpUrl) {
  for (const char* bad :
       {"ftp://example.com/", "example.com/hook", "file:///etc/passwd", "gopher://x",
        "https://user:pw@example.com/", "https://example.com/#frag", "https:///nohost",
        "https://example.com:0/", "https://example.com:65536/", "https://example.com:x/",
        "https://example.com:/", "https://exa mple.com/", "https://example.com/\r\nX: y",
        "https://[::1/", "https://[nothex]/", "https://ex_ample.com/"}) {
    EXPECT_FALSE(ParseWebhookUrl(bad)) << bad;
  }
  EXPECT_FALSE(ParseWebhookUrl("https://example.com/" + std::string(2100, 'a')));
}

// Resolution of numeric hosts and of "localhost" answers from the local
// resolver (no DNS query leaves the machine).
TEST(ResolveAllowed, RefusesLoopbackPrivateAndLinkLocalByDefault) {
  for (const char* url : {"https://127.0.0.1/", "https://localhost/", "https://[::1]/",
                          "https://10.1.2.3/", "https://192.168.0.10/", "https://172.20.0.1/",
                          "https://169.254.169.254/latest/meta-data/", "https://[fe80::1]/",
                          "https://0.0.0.0/", "https://[::ffff:127.0.0.1]/",
                          "https://2130706433/", "https://0x7f.1/", "https://127.1/",
                          "https://224.0.0.1/"}) {
    auto parsed = ParseWebhookUrl(url);
    ASSERT_TRUE(parsed) << url;
    auto r = ResolveAllowed(*parsed, kPublicOnly);
    EXPECT_FALSE(r) << url;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidRequest);
    }
  }
}

TEST(ResolveAllowed, PrivateNetworksAdmitLoopbackAndPrivateOnly) {
  for (const char* url : {"https://127.0.0.1:9/", "http://127.0.0.1:9/", "http://localhost:9/",
                          "http://10.1.2.3/", "https://192.168.0.10/"}) {
    auto parsed = ParseWebhookUrl(url);
    ASSERT_TRUE(parsed) << url;
    auto r = ResolveAllowed(*parsed, kPrivateToo);
    ASSERT_TRUE(r) << url << ": " << r.error().message;
    ASSERT_FALSE(r->empty());
  }
  for (const char* url : {"https://169.254.169.254/", "http://[fe80::1]/", "http://0.0.0.0/",
                          "http://[::ffff:10.0.0.1]/", "http://224.0.0.1/"}) {
    auto parsed = ParseWebhookUrl(url);
    ASSERT_TRUE(parsed) << url;
    EXPECT_FALSE(ResolveAllowed(*parsed, kPrivateToo)) << url;
  }
}

TEST(ResolveAllowed, PlainHttpOnlyToPrivateNetworks) {
  // Without the flag, http:// is refused before any name is resolved.
  auto local = ParseWebhookUrl("http://127.0.0.1/");
  ASSERT_TRUE(local);
  auto refused = ResolveAllowed(*local, kPublicOnly);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("https://"), std::string::npos);
  // With it, http:// to a public address is still refused (numeric: no DNS).
  auto public_http = ParseWebhookUrl("http://8.8.8.8/");
  ASSERT_TRUE(public_http);
  auto r = ResolveAllowed(*public_http, kPrivateToo);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("https://"), std::string::npos);
}

TEST(ResolveAllowed, ConnectsToTheAddressItChecked) {
  auto parsed = ParseWebhookUrl("https://127.0.0.1:1/");
  ASSERT_TRUE(parsed);
  auto r = ResolveAllowed(*parsed, kPrivateToo);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->front(), "127.0.0.1");
}

}  // namespace
}  // namespace allot::webhooks
