// Definition JSON (as campaigns, vouchers, tiers and validation rules store it) -> engine values.
// Shared by the service (building incentives from the store) and the scenario runner (building
// them from data files), so both read definitions the same way.
#pragma once

#include "core/error.h"
#include "core/json.h"
#include "engine/types.h"

namespace openpromo::engine {

// `discount` object (spec 6.1). `has_targets`: the incentive's rules define applicable_to, which
// makes APPLY_TO_ITEMS the default effect of AMOUNT and PERCENT.
Result<Discount> parse_discount(const Json& discount, bool has_targets);
// `applicable_to` ({included, excluded, included_all}) of a validation rule (spec 6.4).
Result<ApplicableTo> parse_applicable_to(const Json& applicable_to);
// start_date, expiration_date, validity_timeframe, validity_day_of_week, validity_hours of
// `definition`; `start`/`expiration` override the definition's dates when given.
Result<TimeLimits> parse_time_limits(const JsonObject& definition);
// A validation rule object ({rules, error{message}, applicable_to}) compiled for the engine.
Result<Rule> compile_rule(std::string id, const JsonObject& rule);
// `stacking_rules` object (spec 10.1) over the defaults; unknown enum values are a 400.
Result<StackingRules> parse_stacking_rules(const Json& stacking);
JsonObject stacking_rules_to_json(const StackingRules& rules);

// An incentive from its definition object, the shape campaigns and vouchers are shown in:
//   {object: voucher|promotion_tier, id, code, name, type: DISCOUNT_VOUCHER|GIFT_VOUCHER|
//    LOYALTY_CARD, active, discount (vouchers) or action.discount (tiers), gift{effect},
//    campaign{id, name, active}, category{id, name, hierarchy}, start_date, expiration_date,
//    validity_timeframe, validity_day_of_week, validity_hours, redemption{quantity}, metadata,
//    holder_id}
// `rules`: the incentive's compiled validation rules (looked up by the caller).
Result<Incentive> incentive_from_json(const JsonObject& definition, std::vector<Rule> rules);

std::string_view to_string(DiscountEffect effect);
std::string_view to_string(TargetEffect effect);

}  // namespace openpromo::engine
