// Promotion tiers (code-less conditional discounts of a PROMOTION campaign) and promotion stacks
// (an ordered list of up to 30 tiers of one campaign, sent as one redeemable). Spec 5.5.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct PromotionTier {
  std::string id;  // promo_...
  std::string project_id;
  std::string campaign_id;
  std::string name;
  std::optional<std::string> banner;
  bool active = true;
  int64_t hierarchy = 1;  // order of application inside the campaign
  std::optional<std::string> category_id;
  std::optional<Instant> start_date;
  std::optional<Instant> expiration_date;
  JsonObject definition;  // action {discount}, metadata, validity_timeframe/_day_of_week/_hours
  // Set when the stored definition text could not be parsed: the catalog fails closed on it.
  std::optional<std::string> unreadable;
  Instant created_at;
  std::optional<Instant> updated_at;
};

struct PromotionStack {
  static constexpr size_t kMaxTiers = 30;
  std::string id;  // stack_...
  std::string project_id;
  std::string campaign_id;
  std::string name;
  std::vector<std::string> tier_ids;  // in application order
  std::string hierarchy_mode = "MANUAL";
  std::optional<std::string> category_id;
  Instant created_at;
  std::optional<Instant> updated_at;
};

}  // namespace openpromo
