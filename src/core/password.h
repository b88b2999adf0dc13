// Password hashing for dashboard users: libsodium's crypto_pwhash (Argon2id), in its
// self-describing string form (algorithm, parameters and salt inside the hash).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace openpromo {

// The stored form of `password`; none when libsodium cannot allocate the memory it needs.
std::optional<std::string> hash_password(std::string_view password);

// Whether `password` matches `stored` (a hash_password result). A malformed `stored` never
// matches. Takes as long for a wrong password as for a right one.
bool verify_password(std::string_view stored, std::string_view password);

// A hash of a password nobody knows: verified against when a sign-in names an unknown user, so
// the answer takes as long as for a known one.
const std::string& decoy_password_hash();

}  // namespace openpromo
