#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace openpromo {

namespace {
constexpr char kHex[] = "0123456789abcdef";

std::string to_hex(const unsigned char* data, size_t n) {
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0x0f];
  }
  return out;
}
}  // namespace

void random_bytes(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  while (n > 0) {
    const ssize_t got = getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::perror("getrandom");
      std::abort();  // no safe fallback for ids and credentials
    }
    p += got;
    n -= static_cast<size_t>(got);
  }
}

namespace {
// Ids are minted in bulk (a million codes per job): draw kernel randomness 4 KiB at a time per
// thread instead of one system call per id.
void buffered_random(unsigned char* out, size_t n) {
  thread_local unsigned char buffer[4096];
  thread_local size_t used = sizeof(buffer);
  for (size_t i = 0; i < n; ++i) {
    if (used == sizeof(buffer)) {
      random_bytes(buffer, sizeof(buffer));
      used = 0;
    }
    out[i] = buffer[used];
    buffer[used++] = 0;  // never hand out the same bytes twice, even if memory leaks later
  }
}
}  // namespace

std::string new_id(std::string_view prefix) {
  // 14 hex digits of a per-process strictly increasing clock (milliseconds << 12, plus a
  // sequence within the millisecond), then 40 random bits. Ids made later sort later, so
  // primary-key and creation-order indexes grow at their right edge (a million-code job stays
  // in cache) and lists in creation order need no created_at index, even for ids made in the same
  // millisecond; the random part keeps ids unguessable. Voucherify's own ids are time-ordered.
  static std::atomic<uint64_t> last{0};
  const auto millis = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  uint64_t previous = last.load(std::memory_order_relaxed);
  uint64_t stamp = 0;
  do {
    stamp = std::max(previous + 1, millis << 12);
  } while (!last.compare_exchange_weak(previous, stamp, std::memory_order_relaxed));
  unsigned char raw[5];
  buffered_random(raw, sizeof raw);
  std::string id(prefix);
  id.reserve(prefix.size() + 24);
  for (int shift = 52; shift >= 0; shift -= 4) id += kHex[(stamp >> shift) & 0x0f];
  id += to_hex(raw, sizeof raw);
  return id;
}

std::string new_uuid() {
  unsigned char raw[16];
  random_bytes(raw, sizeof raw);
  raw[6] = static_cast<unsigned char>((raw[6] & 0x0f) | 0x40);  // version 4
  raw[8] = static_cast<unsigned char>((raw[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = to_hex(raw, sizeof raw);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string random_token(size_t length) {
  static constexpr std::string_view kAlphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    unsigned char buf[64];
    random_bytes(buf, sizeof buf);
    for (unsigned char b : buf) {
      // 62 * 4 = 248: bytes above it are dropped so every character is equally likely.
      if (b < 248 && out.size() < length) out.push_back(kAlphabet[b % 62]);
    }
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  // Fetched once: with OpenSSL 3, EVP_sha256() makes every digest look the algorithm up again,
  // which costs more than hashing a token (every request hashes one).
  static EVP_MD* const sha256 = [] {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md) {
      std::fputs("EVP_MD_fetch(SHA256) failed\n", stderr);
      std::abort();
    }
    return md;
  }();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, sha256, nullptr) != 1) {
    std::fputs("EVP_Digest(sha256) failed\n", stderr);
    std::abort();
  }
  return to_hex(digest, len);
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace openpromo
