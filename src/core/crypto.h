// Randomness, prefixed ids and token hashing.
//
// Ids (`cat_...`, `camp_...`) and API credentials come from the kernel's CSPRNG, so they are
// unguessable. Tokens are stored only as SHA-256 digests: a token is 122 random bits, so a fast
// hash is enough (no password-style stretching needed), and comparisons run in constant time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace openpromo {

// Fills `out` with `n` bytes from the kernel CSPRNG (getrandom); aborts if the kernel refuses.
void random_bytes(void* out, size_t n);

// `prefix` + 24 lowercase hex characters: a creation stamp (milliseconds and a sequence, strictly
// increasing within a process) then 40 random bits, so ids sort by creation and cannot be
// guessed. Treat as opaque.
std::string new_id(std::string_view prefix);

// A random RFC 4122 version-4 UUID, the format Voucherify uses for application ids and tokens.
std::string new_uuid();

// `length` characters from [0-9A-Za-z], uniformly drawn from the CSPRNG (OAuth access tokens:
// 48 characters are about 285 bits).
std::string random_token(size_t length);

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Compares two strings in time that depends only on their lengths.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace openpromo
