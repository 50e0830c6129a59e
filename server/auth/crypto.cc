#include "auth/crypto.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace flowkit::server {
namespace {

constexpr size_t kMaxPasswordBytes = 4096;
constexpr unsigned char kSealVersion = 1;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
static_assert(kKeyBytes == 32);

std::string Encode(std::string_view bytes, int variant) {
  if (bytes.empty()) return {};
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Result<std::string> Decode(std::string_view text, int variant) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &length, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return Status::InvalidArgument("invalid base64");
  }
  out.resize(length);
  return out;
}

}  // namespace

Status InitCrypto() {
  static const int rc = sodium_init();
  return rc < 0 ? Status::Internal("libsodium cannot initialise") : Status::OK();
}

std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }

Result<std::string> Base64Decode(std::string_view text) {
  bool url = text.find_first_of("-_") != std::string_view::npos;
  bool padded = !text.empty() && text.back() == '=';
  int variant = url ? (padded ? sodium_base64_VARIANT_URLSAFE : sodium_base64_VARIANT_URLSAFE_NO_PADDING)
                    : (padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
  return Decode(text, variant);
}

std::string RandomToken(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out = Base64UrlEncode(raw);
  sodium_memzero(raw.data(), raw.size());
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> HashPassword(std::string_view password, const PasswordHashParams& params) {
  if (password.empty()) return Status::InvalidArgument("the password must not be empty");
  if (password.size() > kMaxPasswordBytes) return Status::InvalidArgument("the password is longer than 4096 bytes");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.ops_limit, params.mem_limit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("not enough memory to hash the password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view encoded_hash, std::string_view password) {
  if (encoded_hash.empty() || encoded_hash.size() >= crypto_pwhash_STRBYTES || password.size() > kMaxPasswordBytes) {
    return false;
  }
  std::string hash(encoded_hash);  // NUL-terminated copy
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

JwtSigner::JwtSigner(std::string key) : key_(std::move(key)) {}

JwtSigner::~JwtSigner() { sodium_memzero(key_.data(), key_.size()); }

namespace {

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof(mac));
}

}  // namespace

std::string JwtSigner::Sign(const Json& claims) const {
  static const std::string kHeader = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  std::string signing_input = kHeader + "." + Base64UrlEncode(claims.Dump());
  return signing_input + "." + Base64UrlEncode(HmacSha256(key_, signing_input));
}

std::string JwtSigner::Capability(std::string_view purpose, std::string_view subject) const {
  std::string message;
  message.reserve(purpose.size() + subject.size() + 1);
  message.append(purpose).push_back('\0');
  message.append(subject);
  return Base64UrlEncode(HmacSha256(key_, message));
}

Result<Json> JwtSigner::Verify(std::string_view token, int64_t now_s) const {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos ||
      token.find('.', second + 1) != std::string_view::npos) {
    return Status::Unauthenticated("malformed token");
  }
  Result<std::string> header_text = Decode(token.substr(0, first), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  Result<std::string> payload_text =
      Decode(token.substr(first + 1, second - first - 1), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  Result<std::string> signature = Decode(token.substr(second + 1), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  if (!header_text.ok() || !payload_text.ok() || !signature.ok()) return Status::Unauthenticated("malformed token");
  Result<Json> header = Json::Parse(*header_text);
  if (!header.ok() || !header->IsObject()) return Status::Unauthenticated("malformed token");
  std::string alg = header->Get("alg").AsString();
  if (alg != "HS256") return Status::Unauthenticated("unsupported algorithm '" + alg + "'");
  if (!ConstantTimeEquals(*signature, HmacSha256(key_, token.substr(0, second)))) {
    return Status::Unauthenticated("bad signature");
  }
  Result<Json> claims = Json::Parse(*payload_text);
  if (!claims.ok() || !claims->IsObject()) return Status::Unauthenticated("malformed token");
  const Json& exp = claims->Get("exp");
  if (!exp.IsNumber()) return Status::Unauthenticated("token without expiry");
  if (exp.AsDouble() <= static_cast<double>(now_s)) return Status::Unauthenticated("token expired");
  if (const Json& nbf = claims->Get("nbf"); nbf.IsNumber() && nbf.AsDouble() > static_cast<double>(now_s)) {
    return Status::Unauthenticated("token not valid yet");
  }
  return claims;
}

SecretBox SecretBox::FromKey(std::string_view raw32) {
  SecretBox box;
  box.key_.assign(raw32.data(), raw32.size());
  return box;
}

SecretBox::SecretBox(SecretBox&& other) noexcept : key_(std::move(other.key_)) { other.key_.clear(); }

SecretBox& SecretBox::operator=(SecretBox&& other) noexcept {
  if (this != &other) {
    sodium_memzero(key_.data(), key_.size());
    key_ = std::move(other.key_);
    other.key_.clear();
  }
  return *this;
}

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

Result<SecretBox> SecretBox::Open(const std::string& data_dir, std::string_view env_key) {
  if (!env_key.empty()) {
    Result<std::string> key = Base64Decode(env_key);
    if (!key.ok() || key->size() != kKeyBytes) {
      return Status::InvalidArgument("FLOWKIT_MASTER_KEY must be 32 bytes in base64");
    }
    SecretBox box = FromKey(*key);
    sodium_memzero(key->data(), key->size());
    return box;
  }
  std::string path = data_dir + "/master.key";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    std::string raw(kKeyBytes, '\0');
    randombytes_buf(raw.data(), raw.size());
    std::string text = Encode(raw, sodium_base64_VARIANT_ORIGINAL) + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    sodium_memzero(text.data(), text.size());
    if (!ok) {
      ::unlink(path.c_str());
      return Status::IOError("cannot write " + path);
    }
    SecretBox box = FromKey(raw);
    sodium_memzero(raw.data(), raw.size());
    return box;
  }
  if (errno != EEXIST) return Status::IOError("cannot create " + path + ": " + std::strerror(errno));
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    ::close(fd);
    return Status::FailedPrecondition(path + " must not be readable by group or others (chmod 600 " + path + ")");
  }
  char buffer[128];
  ssize_t n = ::read(fd, buffer, sizeof(buffer));
  ::close(fd);
  std::string text(buffer, n > 0 ? static_cast<size_t>(n) : 0);
  sodium_memzero(buffer, sizeof(buffer));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  Result<std::string> key = Base64Decode(text);
  sodium_memzero(text.data(), text.size());
  if (!key.ok() || key->size() != kKeyBytes) {
    return Status::FailedPrecondition(path + " is damaged: it must hold 32 bytes in base64");
  }
  SecretBox box = FromKey(*key);
  sodium_memzero(key->data(), key->size());
  return box;
}

std::string SecretBox::Seal(std::string_view plaintext, std::string_view associated) const {
  std::string out(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  bytes[0] = kSealVersion;
  randombytes_buf(bytes + 1, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      bytes + 1 + kNonceBytes, &written, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(associated.data()), associated.size(), nullptr, bytes + 1,
      reinterpret_cast<const unsigned char*>(key_.data()));
  out.resize(1 + kNonceBytes + written);
  return out;
}

Result<std::string> SecretBox::Unseal(std::string_view sealed, std::string_view associated) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes || static_cast<unsigned char>(sealed[0]) != kSealVersion ||
      key_.size() != kKeyBytes) {
    return Status::Corruption("secret cannot be decrypted");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string out(sealed.size() - 1 - kNonceBytes - kTagBytes, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, bytes + 1 + kNonceBytes,
          sealed.size() - 1 - kNonceBytes, reinterpret_cast<const unsigned char*>(associated.data()), associated.size(),
          bytes + 1, reinterpret_cast<const unsigned char*>(key_.data())) != 0) {
    return Status::Corruption("secret cannot be decrypted");
  }
  out.resize(written);
  return out;
}

}  // namespace flowkit::server
