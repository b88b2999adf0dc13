// CodeConfig: how random voucher codes are made (spec 5.4): a `pattern` where each `#` is one
// random character from `charset`, or `length` random characters; then `prefix` and `postfix`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"

namespace openpromo {

struct CodeConfig {
  static constexpr const char* kAlphanumeric =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static constexpr int kDefaultLength = 8;
  static constexpr int kMaxCodeLength = 100;

  std::optional<int> length;
  std::string charset = kAlphanumeric;
  std::string prefix;
  std::string postfix;
  std::string pattern;  // empty: `length` random characters

  // Checks the configuration itself (charset of distinct printable characters, sane lengths).
  Status validate() const;
  int random_characters() const;  // how many characters of the code are random
  // log2 of the number of distinct codes this configuration can produce.
  double key_space_bits() const;
  // Refuses (400 invalid_code_config) a configuration that cannot hold `count` distinct codes
  // with a safe margin: the key space must be at least 4x the codes wanted, so random draws
  // rarely collide and generation never degenerates into retrying.
  Status check_capacity(int64_t count) const;
};

// Draws random codes for one CodeConfig from the kernel CSPRNG, buffering randomness so that a
// million codes cost few system calls. Not thread-safe: one per job.
class CodeGenerator {
 public:
  explicit CodeGenerator(CodeConfig config);
  std::string next();

 private:
  unsigned char random_byte();
  CodeConfig config_;
  unsigned char buffer_[4096];
  size_t used_ = sizeof(buffer_);
  unsigned limit_;  // bytes >= limit_ are rejected so every charset character is equally likely
};

}  // namespace openpromo
