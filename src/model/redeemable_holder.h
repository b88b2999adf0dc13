// A redeemable holder (spec 12, contract RedeemableHolder): one customer holding one code in one
// role. A publication makes the customer the code's OWNER, or its REFERRER for a referral code;
// the referral holders API adds REFEREEs. A customer's wallet (`/customers/{id}/redeemables`) is
// the list of their holder rows.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

inline constexpr std::string_view kHolderOwner = "OWNER";
inline constexpr std::string_view kHolderReferrer = "REFERRER";
inline constexpr std::string_view kHolderReferee = "REFEREE";

struct RedeemableHolder {
  std::string id;  // rh_...
  std::string project_id;
  std::string redeemable_id;  // the voucher's id
  std::string redeemable_object = "voucher";
  std::string customer_id;
  std::string holder_role;  // OWNER | REFERRER | REFEREE
  std::optional<std::string> campaign_id, campaign_type, voucher_type;
  JsonObject metadata;
  Instant created_at;
};

}  // namespace openpromo
