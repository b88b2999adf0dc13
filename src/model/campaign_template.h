// CampaignTemplate: a discount or gift campaign's configuration (or a promotion tier's, as a
// discount campaign) saved to start new campaigns and tiers from (contract tag templates).
// Name, category and code count are not part of it, as in the reference.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct CampaignTemplate {
  std::string id;  // camp_tpl_...
  std::string project_id;
  std::string name;  // unique per project
  std::optional<std::string> description;
  std::string campaign_type;  // DISCOUNT_COUPONS | GIFT_VOUCHERS
  // What a campaign made from it starts with: description, type, dates, join_once, auto_join,
  // use_voucher_metadata_schema, voucher, validity_*, activity_duration_after_publishing,
  // metadata; `rules`: copies of the source's validation rules ({name, type, context_type,
  // definition}), so later edits of those rules do not change the template.
  JsonObject config;
  std::optional<std::string> source_campaign_id, source_tier_id;
  Instant created_at;
  std::optional<Instant> updated_at;
};

}  // namespace openpromo
