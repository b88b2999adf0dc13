// Typed inputs of the campaign, voucher and promotion use cases: what a request carries, decoded
// by the api codecs. Present fields only; definition parts that are stored and shown as given
// (discounts, windows, metadata) stay JSON values and are checked by the engine's parsers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "model/area.h"
#include "model/validation_rule.h"

namespace openpromo {

// A present-but-null date clears it: outer optional = present in the request.
using OptionalDate = std::optional<std::optional<Instant>>;

struct TierInput {
  std::optional<std::string> name, banner, category_id;
  std::optional<bool> active;
  std::optional<int64_t> hierarchy;
  OptionalDate start_date, expiration_date;
  std::optional<Json> action, metadata, validity_timeframe, validity_day_of_week, validity_hours;
  std::vector<std::string> validation_rules;  // rule ids to assign when creating
  // Rules to create in the tier's unit and assign to it (a tier made from a template).
  std::vector<ValidationRule> new_rules;
};

struct StackInput {
  std::optional<std::string> name, hierarchy_mode, category_id;
  std::optional<std::vector<std::string>> tier_ids;
};

struct CampaignInput {
  std::optional<std::string> name, description, campaign_type, type, category_id, category;
  OptionalDate start_date, expiration_date;
  std::optional<bool> join_once, auto_join, use_voucher_metadata_schema, is_protected;
  std::optional<int64_t> vouchers_count;
  // `access_settings.assign|unassign` (spec 14.1): applied in the campaign's own unit of work.
  std::optional<AccessSettings> access_settings;
  // Pass-through definition parts, stored and returned as given once checked.
  std::optional<Json> voucher, validity_timeframe, validity_day_of_week, validity_hours,
      referral_program, activity_duration_after_publishing, metadata;
  std::vector<std::string> validation_rules;  // rule ids to assign when creating
  std::vector<TierInput> tiers;               // PROMOTION: `promotion.tiers` to create with it
  // Rules to create in the campaign's unit and assign to it (a campaign made from a template).
  std::vector<ValidationRule> new_rules;
  // Updates: metadata keys to remove (contract CampaignsUpdateBase); `metadata` merges there.
  std::vector<std::string> unset_metadata_fields;
  std::optional<std::string> cloned_from;  // set by clone: the source campaign (audit log)
};

// Fields for creating or updating one voucher.
struct VoucherInput {
  std::optional<std::string> code, type, campaign, category_id, category, additional_info;
  OptionalDate start_date, expiration_date;
  std::optional<bool> active;
  std::optional<std::optional<int64_t>>
      redemption_quantity;  // redemption.quantity (null: unlimited)
  std::optional<Json> discount, gift, loyalty_card, code_config, metadata, validity_timeframe,
      validity_day_of_week, validity_hours;
  std::vector<std::string> validation_rules;  // rule ids to assign when creating
};

}  // namespace openpromo
