// Which IP addresses HttpClientOptions::deny_private_addresses refuses.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace flowkit::http {

// Why `address` is not a public unicast address ("loopback", "private", "link-local", ...), or
// "" when it is one. IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:a.b.c.d,
// IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that address.
std::string_view NonPublicAddressReason(const sockaddr* address);
std::string_view NonPublicIPv4Reason(uint32_t address);  // host byte order
std::string_view NonPublicIPv6Reason(const uint8_t (&bytes)[16]);

// The numeric form of `address` ("127.0.0.1", "::1"); "?" for other families.
std::string AddressText(const sockaddr* address);

}  // namespace flowkit::http
