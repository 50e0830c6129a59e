#include "util/ids.h"

#include <pthread.h>
#include <sodium.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace flowkit::internal {
namespace {

// Ids are made on the engine's hot path (one per message); a getrandom() system call each was a
// fifth of a hop's cost. Each thread draws from its own buffer, refilled 256 UUIDs at a time by
// a fast-key-erasure generator: ChaCha20 (libsodium's randombytes_buf_deterministic, vectorized)
// keyed by a 32-byte seed from the kernel; the first 32 bytes of every refill become the next
// key and are never handed out, so bytes already given out cannot be recomputed from the state.
// The key is fetched from the kernel again every kReseedEvery refills. A fork() child must not
// repeat its parent's stream, so forking bumps a generation that makes every thread reseed.
std::atomic<uint64_t> g_fork_generation{0};

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness: nothing safe to do
    pthread_atfork(nullptr, nullptr, [] { g_fork_generation.fetch_add(1, std::memory_order_relaxed); });
  });
}

struct RandomPool {
  static constexpr size_t kSize = 4096 + randombytes_SEEDBYTES;
  static constexpr int kReseedEvery = 1024;
  unsigned char bytes[kSize];
  unsigned char key[randombytes_SEEDBYTES];
  size_t used = kSize;
  int refills = kReseedEvery;
  uint64_t generation = UINT64_MAX;

  void Refill() {
    const uint64_t gen = g_fork_generation.load(std::memory_order_relaxed);
    if (refills >= kReseedEvery || generation != gen) {
      EnsureSodium();
      randombytes_buf(key, sizeof key);
      refills = 0;
      generation = g_fork_generation.load(std::memory_order_relaxed);
    }
    randombytes_buf_deterministic(bytes, kSize, key);
    std::memcpy(key, bytes, sizeof key);  // the next key; erased from the output below
    sodium_memzero(bytes, sizeof key);
    used = sizeof key;
    ++refills;
  }

  void Take(void* out, size_t n) {
    if (used + n > kSize || generation != g_fork_generation.load(std::memory_order_relaxed)) Refill();
    std::memcpy(out, bytes + used, n);
    sodium_memzero(bytes + used, n);  // handed-out randomness is not kept around
    used += n;
  }
};

RandomPool& Pool() {
  thread_local RandomPool pool;
  return pool;
}

}  // namespace

std::string NewUuid4() {
  unsigned char b[16];
  Pool().Take(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) ++pos;
    out[pos++] = kHex[b[i] >> 4];
    out[pos++] = kHex[b[i] & 0xF];
  }
  return out;
}

double RandomUnit() {
  uint64_t r;
  Pool().Take(&r, sizeof r);
  return static_cast<double>(r >> 11) * 0x1.0p-53;  // 53 random bits → [0, 1)
}

}  // namespace flowkit::internal
