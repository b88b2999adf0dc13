#include "core/money.h"

#include <cmath>
#include <string>

namespace openpromo {
namespace {

// The value as an exact integer, if it is one.
std::optional<int64_t> whole(const Json& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) {
    if (v.as_uint64() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v.as_uint64());
  }
  if (v.is_double()) {
    const double d = v.as_double();
    if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9.0e15) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

Result<std::optional<int64_t>> read_whole(const JsonObject& obj, std::string_view key, int64_t max,
                                          std::string_view where, std::string_view error_key,
                                          const char* what) {
  const Json* v = obj.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  const auto n = whole(*v);
  if (!n || *n < 0 || *n > max) {
    Error e = Error::invalid_payload(std::string(where) + std::string(key) + " must be " + what +
                                     " from 0 to " + std::to_string(max));
    e.key = std::string(error_key);
    if (error_key == "invalid_amount") e.message = "Amount has to be a valid positive number";
    return e;
  }
  return n;
}

}  // namespace

Result<std::optional<int64_t>> read_money(const JsonObject& obj, std::string_view key,
                                          std::string_view where, std::string_view error_key) {
  return read_whole(obj, key, kMaxMoney, where, error_key, "a whole amount in minor units");
}

Result<std::optional<int64_t>> read_count(const JsonObject& obj, std::string_view key, int64_t max,
                                          std::string_view where, std::string_view error_key) {
  return read_whole(obj, key, max, where, error_key, "a whole number");
}

bool is_money(const Json& value) {
  return money_value(value).has_value();
}

std::optional<int64_t> money_value(const Json& value) {
  const auto n = whole(value);
  if (!n || *n < 0 || *n > kMaxMoney) return std::nullopt;
  return n;
}

std::optional<int64_t> money_times(int64_t amount, int64_t quantity) {
  int64_t out = 0;
  if (__builtin_mul_overflow(amount, quantity, &out) || out < 0 || out > kMaxMoney) {
    return std::nullopt;
  }
  return out;
}

std::optional<int64_t> money_plus(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out) || out < 0 || out > kMaxMoney) return std::nullopt;
  return out;
}

}  // namespace openpromo
