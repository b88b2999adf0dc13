// Voucher: one code (spec 5.3). Counters and the fields limits use are typed columns; the rest of
// the definition (discount, gift effect, validity windows, additional_info, metadata) is JSON.
//
// A voucher generated in a campaign stores only what differs from the campaign's template
// (`definition` holds overrides); the service resolves the effective voucher. Vouchers created
// one by one store their whole definition.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

enum class VoucherType { kDiscount, kGift, kLoyaltyCard };
std::string_view to_string(VoucherType t);
std::optional<VoucherType> voucher_type_from_string(std::string_view s);

struct Voucher {
  std::string id;  // v_...
  std::string project_id;
  std::string code;
  std::optional<std::string> campaign_id;
  std::optional<std::string> category_id;
  VoucherType type = VoucherType::kDiscount;
  bool active = true;
  std::optional<Instant> start_date;
  std::optional<Instant> expiration_date;
  std::optional<int64_t> redemption_quantity;  // nullopt: unlimited
  int64_t redeemed_quantity = 0;
  std::optional<int64_t> gift_amount;   // gift cards: initial amount plus additions
  std::optional<int64_t> gift_balance;  // what is left to spend
  std::optional<int64_t> loyalty_points;
  std::optional<int64_t> loyalty_balance;
  std::optional<std::string> holder_id;
  bool is_referral_code = false;
  int64_t publish_count = 0;
  JsonObject definition;
  Instant created_at;  // Set when the stored definition text could not be parsed: the catalog fails
                       // closed on it.
  std::optional<std::string> unreadable;

  std::optional<Instant> updated_at;
  std::optional<Instant> deleted_at;  // in the bin: code stays reserved
};

// Normalises a code for uniqueness and lookup under the project's case sensitivity.
std::string code_key(std::string_view code, bool case_sensitive);

}  // namespace openpromo
