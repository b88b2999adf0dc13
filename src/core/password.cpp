#include "core/password.h"

#include <sodium.h>

#include <cstdlib>

#include "core/crypto.h"

namespace openpromo {
namespace {

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

std::optional<std::string> hash_password(std::string_view password) {
  if (!sodium_ready()) return std::nullopt;
  char out[crypto_pwhash_STRBYTES];
  // INTERACTIVE limits (64 MiB, 2 passes): about 0.1 s here, libsodium's advice for sign-ins.
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return std::nullopt;
  }
  return std::string(out);
}

bool verify_password(std::string_view stored, std::string_view password) {
  if (!sodium_ready() || stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(stored);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

const std::string& decoy_password_hash() {
  static const std::string decoy = hash_password(random_token(32)).value_or("");
  return decoy;
}

}  // namespace openpromo
