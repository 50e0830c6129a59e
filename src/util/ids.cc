#include "util/ids.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace flowkit::internal {
namespace {

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness: nothing safe to do
  });
}

}  // namespace

std::string NewUuid4() {
  EnsureSodium();
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xF]);
  }
  return out;
}

double RandomUnit() {
  EnsureSodium();
  uint64_t r;
  randombytes_buf(&r, sizeof r);
  return static_cast<double>(r >> 11) * 0x1.0p-53;  // 53 random bits → [0, 1)
}

}  // namespace flowkit::internal
