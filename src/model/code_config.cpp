#include "model/code_config.h"

#include <cmath>
#include <set>

#include "core/crypto.h"

namespace openpromo {
namespace {
Error invalid_code_config(std::string details) {
  return Error{400, "invalid_code_config", "Invalid code config", std::move(details), {}, {}};
}
}  // namespace

int CodeConfig::random_characters() const {
  if (!pattern.empty()) {
    int n = 0;
    for (char c : pattern) n += c == '#' ? 1 : 0;
    return n;
  }
  return length.value_or(kDefaultLength);
}

Status CodeConfig::validate() const {
  if (charset.empty()) return invalid_code_config("charset must not be empty");
  if (charset.size() > 256) return invalid_code_config("charset is too long");
  std::set<char> seen;
  for (char c : charset) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) {
      return invalid_code_config("charset may hold only printable ASCII characters without spaces");
    }
    if (!seen.insert(c).second) {
      return invalid_code_config(std::string("charset repeats the character '") + c + "'");
    }
  }
  if (pattern.empty() && length && (*length < 1 || *length > kMaxCodeLength)) {
    return invalid_code_config("length must be between 1 and " + std::to_string(kMaxCodeLength));
  }
  if (!pattern.empty() && random_characters() == 0) {
    return invalid_code_config("pattern must contain at least one '#'");
  }
  const size_t total =
      prefix.size() + postfix.size() +
      (pattern.empty() ? static_cast<size_t>(random_characters()) : pattern.size());
  if (total > static_cast<size_t>(kMaxCodeLength)) {
    return invalid_code_config("codes would be longer than " + std::to_string(kMaxCodeLength) +
                               " characters");
  }
  return {};
}

double CodeConfig::key_space_bits() const {
  return random_characters() * std::log2(static_cast<double>(charset.size()));
}

Status CodeConfig::check_capacity(int64_t count) const {
  OP_TRY(validate());
  if (count <= 0) return {};
  const double needed_bits = std::log2(static_cast<double>(count) * 4.0);
  if (key_space_bits() < needed_bits) {
    return invalid_code_config(
        "the code pattern allows about " +
        std::to_string(static_cast<long long>(std::pow(2.0, std::min(key_space_bits(), 62.0)))) +
        " codes, too few for " + std::to_string(count) +
        " distinct codes; use a longer pattern or a larger charset");
  }
  return {};
}

CodeGenerator::CodeGenerator(CodeConfig config) : config_(std::move(config)) {
  const unsigned n = static_cast<unsigned>(config_.charset.size());
  limit_ = 256 - (256 % n);
}

unsigned char CodeGenerator::random_byte() {
  if (used_ == sizeof(buffer_)) {
    random_bytes(buffer_, sizeof(buffer_));
    used_ = 0;
  }
  return buffer_[used_++];
}

std::string CodeGenerator::next() {
  const auto n = static_cast<unsigned>(config_.charset.size());
  auto draw = [&] {
    for (;;) {
      const unsigned b = random_byte();
      if (b < limit_) return config_.charset[b % n];
    }
  };
  std::string code = config_.prefix;
  if (config_.pattern.empty()) {
    for (int i = 0; i < config_.random_characters(); ++i) code += draw();
  } else {
    for (char c : config_.pattern) code += c == '#' ? draw() : c;
  }
  code += config_.postfix;
  return code;
}

}  // namespace openpromo
