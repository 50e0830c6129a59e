#include "http/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace flowkit::http {
namespace {

bool InNet(uint32_t address, uint32_t net, int prefix) {
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return (address & mask) == (net & mask);
}

constexpr uint32_t V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

uint32_t V4At(const uint8_t* p) { return V4(p[0], p[1], p[2], p[3]); }

}  // namespace

std::string_view NonPublicIPv4Reason(uint32_t a) {
  struct Range {
    uint32_t net;
    int prefix;
    std::string_view reason;
  };
  static constexpr Range kRanges[] = {
      {V4(0, 0, 0, 0), 8, "unspecified"},
      {V4(10, 0, 0, 0), 8, "private"},
      {V4(100, 64, 0, 0), 10, "carrier-grade NAT"},
      {V4(127, 0, 0, 0), 8, "loopback"},
      {V4(169, 254, 0, 0), 16, "link-local"},
      {V4(172, 16, 0, 0), 12, "private"},
      {V4(192, 0, 0, 0), 24, "reserved"},
      {V4(192, 0, 2, 0), 24, "reserved"},
      {V4(192, 168, 0, 0), 16, "private"},
      {V4(198, 18, 0, 0), 15, "reserved"},
      {V4(198, 51, 100, 0), 24, "reserved"},
      {V4(203, 0, 113, 0), 24, "reserved"},
      {V4(224, 0, 0, 0), 4, "multicast"},
      {V4(240, 0, 0, 0), 4, "reserved"},  // includes the broadcast address
  };
  for (const Range& r : kRanges) {
    if (InNet(a, r.net, r.prefix)) return r.reason;
  }
  return {};
}

std::string_view NonPublicIPv6Reason(const uint8_t (&b)[16]) {
  static constexpr uint8_t kZero[12] = {};
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kZero, 12) == 0) {
    uint32_t low = V4At(b + 12);
    if (low == 0) return "unspecified";
    if (low == 1) return "loopback";
    return NonPublicIPv4Reason(low);  // IPv4-compatible ::a.b.c.d
  }
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) return NonPublicIPv4Reason(V4At(b + 12));
  if (b[0] == 0x20 && b[1] == 0x02) return NonPublicIPv4Reason(V4At(b + 2));  // 6to4
  if ((b[0] & 0xfe) == 0xfc) return "private";                              // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";            // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "private";               // fec0::/10 site-local
  if (b[0] == 0xff) return "multicast";
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return "reserved";  // documentation
  return {};
}

std::string_view NonPublicAddressReason(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return NonPublicIPv4Reason(ntohl(in->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    uint8_t bytes[16];
    std::memcpy(bytes, in6->sin6_addr.s6_addr, 16);
    return NonPublicIPv6Reason(bytes);
  }
  return "non-IP";
}

std::string AddressText(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
  }
  return text;
}

}  // namespace flowkit::http
