// Campaign: a container of incentives of one type that share configuration (spec 5.1-5.2).
//
// Scalar fields that rules, lists and filters use are typed; nested definition objects that the
// API stores and returns as given (the voucher template with its discount or gift, validity
// windows, referral settings, metadata) travel as JSON in `definition`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/time.h"
#include "model/area.h"

namespace openpromo {

enum class CampaignType {
  kDiscountCoupons,
  kPromotion,
  kGiftVouchers,
  kReferralProgram,
  kLoyaltyProgram
};
std::string_view to_string(CampaignType t);
std::optional<CampaignType> campaign_type_from_string(std::string_view s);

// `type` on the wire: how the code pool behaves.
enum class CampaignMode { kAutoUpdate, kStatic, kStandalone };
std::string_view to_string(CampaignMode m);
std::optional<CampaignMode> campaign_mode_from_string(std::string_view s);

// creation_status / vouchers_generation_status
inline constexpr std::string_view kStatusDone = "DONE";
inline constexpr std::string_view kStatusInProgress = "IN_PROGRESS";
inline constexpr std::string_view kStatusFailed = "FAILED";

struct Campaign {
  std::string id;  // camp_...
  std::string project_id;
  std::string name;
  std::optional<std::string> description;
  CampaignType campaign_type = CampaignType::kDiscountCoupons;
  CampaignMode mode = CampaignMode::kAutoUpdate;
  bool active = true;
  std::optional<std::string> category_id;
  std::optional<Instant> start_date;
  std::optional<Instant> expiration_date;
  bool join_once = false;
  bool auto_join = false;
  bool use_voucher_metadata_schema = false;
  bool is_protected = false;
  std::string creation_status{kStatusDone};
  std::string vouchers_generation_status{kStatusDone};
  int64_t vouchers_count = 0;
  // voucher (template: type, discount | gift | loyalty_card, redemption, code_config,
  // is_referral_code), validity_timeframe, validity_day_of_week, validity_hours,
  // activity_duration_after_publishing, referral_program, metadata.
  JsonObject definition;
  Instant created_at;  // Set when the stored definition text could not be parsed: the catalog fails
                       // closed on it.
  std::optional<std::string> unreadable;
  // The areas and stores it is assigned to (spec 14.1): read by the catalog snapshot, by edits
  // and for `expand=access_settings_assignments`.
  std::vector<StoredAssignment> assignments;
  // Set for a restricted caller: true when it may see the campaign but not edit it (spec 14.2).
  std::optional<bool> readonly;

  std::optional<Instant> updated_at;
  std::optional<Instant> deleted_at;  // in the bin
};

}  // namespace openpromo
