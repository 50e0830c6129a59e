// Cryptography of flowkitd, all from libsodium: argon2id password hashes, HS256 JWTs, secrets
// sealed at rest with XChaCha20-Poly1305 under a master key, random tokens, base64.
//
// Threading: every function and const method is thread-safe once InitCrypto has returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "flowkit/json.h"
#include "flowkit/status.h"

namespace flowkit::server {

// Initialises libsodium once; kInternal when it cannot.
Status InitCrypto();

// argon2id cost parameters.
struct PasswordHashParams {
  uint64_t ops_limit = 2;             // libsodium's OPSLIMIT_INTERACTIVE
  size_t mem_limit = 64 << 20;        // 64 MiB, MEMLIMIT_INTERACTIVE
  // The minimum libsodium allows: for tests only.
  static PasswordHashParams ForTests() { return PasswordHashParams{1, 8192}; }
};

// An encoded argon2id hash ("$argon2id$v=19$m=…"), salted per call. kInvalidArgument for an
// empty password or one over 4096 bytes; kResourceExhausted when the memory cannot be had.
Result<std::string> HashPassword(std::string_view password, const PasswordHashParams& params);
// Whether `password` matches; false for malformed hashes.
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);

// JSON Web Tokens signed with HMAC-SHA-256 (RFC 7519 compact form; only "HS256" is accepted).
class JwtSigner {
 public:
  explicit JwtSigner(std::string key);  // REQUIRES: key.size() >= 32
  ~JwtSigner();
  JwtSigner(const JwtSigner&) = delete;
  JwtSigner& operator=(const JwtSigner&) = delete;

  std::string Sign(const Json& claims) const;  // claims: an object
  // The claims, after checking the shape, the algorithm, the signature (constant time), `exp`
  // (required, > now_s) and `nbf` (when present, <= now_s). kUnauthenticated naming the problem.
  Result<Json> Verify(std::string_view token, int64_t now_s) const;
  // A capability token for `purpose` and `subject` (e.g. a people task's approver link):
  // base64url HMAC-SHA-256 under the same key, domain-separated from tokens by a NUL byte that
  // no JWT signing input contains. Deterministic, so nothing needs storing.
  std::string Capability(std::string_view purpose, std::string_view subject) const;

 private:
  std::string key_;
};

// Seals secrets under a 32-byte master key with XChaCha20-Poly1305 (random 24-byte nonce per
// seal). `associated` binds a sealed blob to its record (e.g. "account:<user>:<id>") so it
// cannot be moved to another.
class SecretBox {
 public:
  // The key from `env_key` (base64 of 32 bytes) when non-empty, else from <data_dir>/master.key:
  // created at first use (mode 0600, 32 random bytes in base64), refused when group or others
  // may read it or it is damaged.
  static Result<SecretBox> Open(const std::string& data_dir, std::string_view env_key);
  static SecretBox FromKey(std::string_view raw32);  // REQUIRES: 32 bytes
  SecretBox(SecretBox&& other) noexcept;
  SecretBox& operator=(SecretBox&& other) noexcept;
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;
  ~SecretBox();  // wipes the key

  // version byte (1) | nonce (24) | ciphertext + tag (16).
  std::string Seal(std::string_view plaintext, std::string_view associated) const;
  // kCorruption "secret cannot be decrypted" for a wrong key, tampering, other associated data or
  // truncation.
  Result<std::string> Unseal(std::string_view sealed, std::string_view associated) const;

 private:
  SecretBox() = default;
  std::string key_;  // 32 bytes
};

// `bytes` random bytes as base64url without padding.
std::string RandomToken(size_t bytes = 32);
bool ConstantTimeEquals(std::string_view a, std::string_view b);
std::string Base64UrlEncode(std::string_view bytes);  // no padding
// Standard or URL-safe alphabet, padding optional; kInvalidArgument on other characters.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace flowkit::server
