// Money: int64 minor units, read from JSON in one place with one bound.
//
// Every amount the API takes (discount definitions, carts, orders, gift credits, balances) goes
// through read_money, so a value one part of the system accepts is one every other part can
// compute with: whole numbers (JavaScript's integral doubles such as 100.0 included) from 0 to
// kMaxMoney. Fractions are refused, not rounded: money is exact. The error key says which
// document the amount was in (invalid_amount for validation requests, invalid_payload for
// orders and definitions), as each endpoint documents.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

namespace openpromo {

// 10^13 minor units: 100 billion in a two-decimal currency, far above any real cart, and small
// enough that a cart of 500 lines, or 900,000 orders of one customer, sums without overflow.
inline constexpr int64_t kMaxMoney = 10'000'000'000'000;
// Units of one order line.
inline constexpr int64_t kMaxQuantity = 1'000'000;

// The amount at `obj[key]`: nullopt when absent or null; `where` prefixes the field in the
// error's details ("order.items[2].").
Result<std::optional<int64_t>> read_money(const JsonObject& obj, std::string_view key,
                                          std::string_view where, std::string_view error_key);
// A whole number from 0 to `max` (quantities, counts), with the same conventions.
Result<std::optional<int64_t>> read_count(const JsonObject& obj, std::string_view key, int64_t max,
                                          std::string_view where, std::string_view error_key);
// The same check on a bare value, and the amount when it is one.
bool is_money(const Json& value);
std::optional<int64_t> money_value(const Json& value);

// a x b and a + b for amounts: nullopt when the result leaves [0, kMaxMoney].
std::optional<int64_t> money_times(int64_t amount, int64_t quantity);
std::optional<int64_t> money_plus(int64_t a, int64_t b);

}  // namespace openpromo
