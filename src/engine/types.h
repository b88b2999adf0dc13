// The engine's inputs and outputs: plain values, no I/O (spec 6-10, ARCHITECTURE "The one idea").
//
//   Decision evaluate(const Catalog&, const Usage&, const Request&, Instant now)
//
// Money is int64 minor units throughout. Percentages are kept in thousandths of a percent so that
// `12.5` is exact; every rounding step is explicit (see discount.cpp and docs/ENGINE.md).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/json.h"
#include "core/time.h"
#include "core/time_zone.h"
#include "engine/usage.h"
#include "rules/rule_set.h"

namespace openpromo::engine {

using Money = int64_t;

// ---- definitions (spec 6) -----------------------------------------------------------------------

enum class DiscountType { kAmount, kPercent, kFixed, kUnit };
enum class DiscountEffect {
  kApplyToOrder,
  kApplyToItems,
  kApplyToItemsProportionally,
  kApplyToItemsProportionallyByQuantity,
  kApplyToItemsByQuantity,
  kAddMissingItems,
  kAddNewItems,
  kAddManyItems,
};

struct UnitReward {
  int64_t unit_off = 0;
  DiscountEffect effect = DiscountEffect::kAddMissingItems;
  std::string unit_type;            // product or SKU id (or source id) of the free unit
  std::optional<Money> unit_price;  // price of one unit when the cart has no such line
  Json product, sku;                // echoed in the order line the effect adds
};

struct Discount {
  DiscountType type = DiscountType::kAmount;
  DiscountEffect effect = DiscountEffect::kApplyToOrder;
  Money amount_off = 0;
  int64_t percent_off_millis = 0;  // percent x 1000: 12.5 % -> 12500
  Money fixed_amount = 0;
  std::optional<Money> amount_limit;             // PERCENT: max discount (per line for items)
  std::optional<Money> aggregated_amount_limit;  // max discount per order
  std::vector<UnitReward> units;                 // UNIT (one entry, or several for ADD_MANY_ITEMS)
  Json source;                                   // the definition as stored, echoed in results
};

enum class TargetObject { kProduct, kSku, kCollection };
enum class TargetEffect { kEvery, kCheapest, kFromCheapest, kMostExpensive, kFromMostExpensive };

// One `applicable_to` / `inapplicable_to` entry (spec 6.4).
struct Target {
  TargetObject object = TargetObject::kProduct;
  std::string id, source_id, product_id, product_source_id;
  TargetEffect effect = TargetEffect::kEvery;
  bool unit_target = false;  // target UNIT (individual units) instead of ITEM (order lines)
  std::optional<int64_t> quantity_limit;             // discounted units per line
  std::optional<int64_t> aggregated_quantity_limit;  // discounted units over all lines
  std::optional<Money> amount_limit;                 // discount per line
  std::optional<Money> aggregated_amount_limit;      // discount over all lines
  std::optional<Money> price;                        // FIXED: new unit price
  int64_t repeat = 1;                                // every n-th resource
  int64_t skip_initially = 0;                        // skip the first n resources
  Json source;
};

struct ApplicableTo {
  std::vector<Target> included;
  std::vector<Target> excluded;
  bool included_all = false;
  bool empty() const { return included.empty() && excluded.empty() && !included_all; }
};

struct DailyHours {
  int from_minute = 0, to_minute = 0;  // local time, [from, to)
  std::vector<int> days_of_week;       // empty: every day
};

// Start/expiration and recurring windows (spec 8.4), evaluated in the project's time zone.
struct TimeLimits {
  std::optional<Instant> start, expiration;
  std::optional<IsoDuration> timeframe_interval, timeframe_duration;  // anchored at `start`
  std::vector<int> days_of_week;                                      // 0 = Sunday
  std::vector<DailyHours> hours;
};

// A compiled validation rule as the engine uses it: its conditions and its item targets.
struct Rule {
  std::string id;
  std::shared_ptr<const rules::RuleSet> rules;  // null when broken
  ApplicableTo applicable_to;
  // The counters the rule's names read (engine/usage.h), so a validation reads only those rows.
  std::vector<CounterRead> counters;
  // Why the stored rule cannot be used (it no longer compiles, or names a segment or collection
  // whose filter does not): non-empty makes every incentive carrying it inapplicable with
  // `definition_unreadable`. A broken restriction restricts; it never vanishes.
  std::string broken;
};

struct CategoryRef {
  std::string id, name;
  int64_t hierarchy = 0;
  Json source;  // the category object as the API shows it
};

// A redeemable definition, resolved by the service from the store (or by a scenario file).
struct Incentive {
  enum class Kind { kVoucher, kPromotionTier };
  enum class VoucherKind { kDiscount, kGift, kLoyaltyCard };
  Kind kind = Kind::kVoucher;
  VoucherKind voucher_kind = VoucherKind::kDiscount;
  std::string id;    // v_... or promo_...
  std::string code;  // vouchers
  std::string name;  // tiers
  std::optional<std::string> campaign_id, campaign_name;
  bool active = true;
  bool campaign_active = true;
  std::optional<CategoryRef> category;
  TimeLimits limits;
  std::optional<int64_t> quantity;  // nullopt: unlimited
  std::optional<Discount> discount;
  bool gift_applies_to_items = false;  // gift effect APPLY_TO_ITEMS
  std::vector<Rule> rules;             // assigned validation rules, all must pass
  JsonObject metadata;
  std::optional<std::string> holder_id;
  // Why the stored definition cannot be evaluated: non-empty makes the incentive inapplicable
  // with `definition_unreadable` (fail closed).
  std::string broken;
};

// An incentive that cannot be read, for the catalog: found, and always inapplicable.
Incentive broken_incentive(Incentive::Kind kind, std::string id, std::string reason);

// ---- catalog and usage --------------------------------------------------------------------------

// Spec 10.1. Defaults are the spec's where it gives them; `kAll`, STACK, REDEEM_ANYWAY and
// DISCOUNTED_AMOUNT where it does not (docs/ENGINE.md says why).
struct StackingRules {
  enum class Mode { kAll, kPartial };
  enum class Sorting { kRequestedOrder, kCategoryHierarchy };
  enum class NoEffect { kRedeemAnyway, kSkip };
  enum class ProductsMode { kStack, kOnce };
  enum class Calculation { kDiscountedAmount, kInitialAmount };
  int redeemables_limit = 30;
  int applicable_redeemables_limit = 5;
  std::optional<int> applicable_redeemables_per_category_limit = 1;
  std::map<std::string, int> applicable_redeemables_category_limits;
  int applicable_exclusive_redeemables_limit = 1;
  std::optional<int> applicable_exclusive_redeemables_per_category_limit = 1;
  std::vector<std::string> exclusive_categories, joint_categories;
  Mode mode = Mode::kAll;
  Sorting sorting = Sorting::kRequestedOrder;
  bool joint_always_last = false;
  ProductsMode products_mode = ProductsMode::kStack;
  NoEffect no_effect = NoEffect::kRedeemAnyway;
  std::vector<std::string> no_effect_skip_categories, no_effect_redeem_anyway_categories;
  Calculation calculation = Calculation::kDiscountedAmount;
  std::vector<std::string> initial_amount_mode_categories, discounted_amount_mode_categories;
  std::string rollback_order_mode = "WITH_ORDER";
};

// A product collection, in one of two forms: `members` holds product/SKU ids and source ids
// (any line with one of them is in it), or `by_line` says membership was decided per line by
// the caller and recorded in OrderItem::collections (exact for SKUs of AUTO_UPDATE collections,
// which are judged on their own fields, not their product's).
struct Collection {
  std::unordered_set<std::string> members;
  bool by_line = false;
};

// A campaign as the engine sees it: its state, category and the template its codes start from.
struct CampaignEntry {
  std::string id, name;
  bool active = true;
  bool promotion = false;  // a PROMOTION campaign: tiers, no codes
  std::optional<CategoryRef> category;
  // What a code of this campaign is before its own fields (code, counters, overrides): the
  // template compiled once per snapshot, so qualification can judge a campaign without reading
  // its codes. Null for PROMOTION campaigns.
  std::shared_ptr<const Incentive> voucher_template;
  std::vector<std::string> tier_ids;  // PROMOTION: its tiers, in hierarchy order
};

// Immutable definitions shared by many requests: one project's compiled catalog snapshot.
struct Catalog {
  uint64_t version = 0;
  TimeZone zone;
  int week_start = 1;  // first day of a counter week: 0 = Sunday ... 6 = Saturday
  StackingRules stacking;
  // Why the project's stored stacking rules cannot be read: non-empty makes every redeemable
  // inapplicable with `definition_unreadable` (how incentives combine is unknown: fail closed).
  std::string stacking_broken;
  std::unordered_map<std::string, Collection> collections;
  std::unordered_map<std::string, CategoryRef> categories;
  std::unordered_map<std::string, Rule> rules;  // compiled (or broken), by id
  // Object (campaign, voucher, tier) id -> ids of the rules assigned to it, in assignment order.
  std::unordered_map<std::string, std::vector<std::string>> rules_by_object;
  std::unordered_map<std::string, CampaignEntry> campaigns;                 // live, by id
  std::unordered_map<std::string, std::shared_ptr<const Incentive>> tiers;  // by id
  std::unordered_map<std::string, std::vector<std::string>> stacks;         // id -> tier ids

  // The rules of `object_ids`, each rule once, in assignment order.
  std::vector<Rule> rules_of(const std::vector<std::string>& object_ids) const;
};

// What one incentive has left, read for the request: committed use plus active session locks.
struct IncentiveUsage {
  int64_t redeemed_quantity = 0;
  int64_t locked_quantity = 0;  // active session locks held by other sessions
  std::optional<Money> gift_balance;
  Money locked_gift_credits = 0;  // gift credits other sessions hold
  std::optional<int64_t> loyalty_balance;
};

struct Usage {
  std::unordered_map<std::string, IncentiveUsage> by_incentive;  // by Incentive::id
  // Counter rows by key (engine/usage.h); a row that is not here reads as zero.
  CounterRows counters;
};

// ---- request --------------------------------------------------------------------------------

struct OrderItem {
  std::string product_id, sku_id, source_id, related_object;  // related_object: product | sku
  std::string product_source_id, sku_source_id;
  int64_t quantity = 1;
  std::optional<Money> price;  // unit price
  Money amount = 0;            // price x quantity unless given
  JsonObject metadata, product_metadata, sku_metadata;
  Json product, sku;                     // as sent, echoed
  std::vector<std::string> collections;  // ids of by_line collections holding this line
};

struct Order {
  std::optional<std::string> id, source_id, status;
  Money amount = 0;
  std::optional<Money> initial_amount;
  std::vector<OrderItem> items;
  JsonObject metadata;
};

struct Customer {
  bool present = false;
  std::optional<std::string> id, source_id;
  // The stored customer's id (cust_...), when the customer exists: per-customer counters are
  // keyed by it.
  std::optional<std::string> stored_id;
  JsonObject metadata;
  std::vector<std::string> segments;
  Json source;
};

struct RedeemableRef {
  std::string object;  // voucher | promotion_tier
  std::string id;      // as sent: code or id
  std::optional<Money> gift_credits;
  bool has_reward = false;
  std::string stack_id;  // a tier of this promotion stack (its category applies, spec 10.3)
  std::shared_ptr<const Incentive> incentive;  // resolved; null: not found
};

struct Request {
  std::vector<RedeemableRef> redeemables;
  Order order;
  Customer customer;
  JsonObject metadata;  // redemption metadata
  std::optional<std::string> api_key;
  bool explain = false;
  // Why a segment or collection could not match this request (by id), when the request lacked
  // what it needs, e.g. coordinates for a location condition; explain shows it.
  std::unordered_map<std::string, std::string> group_notes;
  // Which rule names count (spec 11): everything; qualification's (the campaign's redemption
  // count and discount budget, per-customer counts and the order-amount budget hold); or the
  // customer's profile only (AUDIENCE_ONLY).
  enum class RuleScope { kAll, kQualification, kAudience };
  RuleScope rule_scope = RuleScope::kAll;
  // Best deal (ours): choose the subset and order of the redeemables that give the largest
  // total discount under the stacking constraints, instead of the sorting rule.
  bool best_deal = false;
  // A redemption: every applied redeemable lists the counter deltas it makes
  // (RedeemableResult::counter_deltas). Validations need them only between their redeemables.
  bool record_effects = false;
};

// ---- decision -------------------------------------------------------------------------------

enum class RedeemableStatus { kApplicable, kInapplicable, kSkipped };

struct Failure {
  int code = 400;
  std::string key, message, details;
  std::string resource_id, resource_type;
  std::optional<std::string> rule_message;  // the validation rule's error.message
};

struct LineResult {
  std::shared_ptr<const OrderItem> item;  // as sent (or added by a UNIT effect)
  int64_t quantity = 0;                   // after units added by effects
  Money amount = 0;                       // after units added by effects
  Money unit_price = 0;
  int64_t initial_quantity = 0;
  Money initial_amount = 0;
  Money discount_amount = 0;          // cumulative on this line
  Money applied_discount_amount = 0;  // added by the redeemable (snapshot) / the request (final)
  int64_t discount_quantity = 0;      // free units, cumulative
  int64_t applied_discount_quantity = 0;
  int64_t applied_quantity = 0;  // units added by effects
  Money applied_quantity_amount = 0;
};

struct OrderResult {
  Money initial_amount = 0;
  Money amount = 0;
  Money discount_amount = 0;          // order-level, cumulative
  Money applied_discount_amount = 0;  // order-level, by the redeemable / request
  Money items_discount_amount = 0;
  Money items_applied_discount_amount = 0;
  std::vector<LineResult> lines;
  Money total_discount_amount() const { return discount_amount + items_discount_amount; }
  Money total_applied_discount_amount() const {
    return applied_discount_amount + items_applied_discount_amount;
  }
  Money total_amount() const { return amount - total_discount_amount(); }
};

// One step of the explain trace (ours, spec issue 6 item 7).
struct ExplainStep {
  std::string step;  // "exists", "active", "start_date", "quantity", "rule", "stacking", ...
  bool passed = true;
  std::string detail;
  std::optional<rules::Check> check;  // for rule steps
  std::string rule_id;
};

struct RedeemableResult {
  size_t request_index = 0;
  RedeemableStatus status = RedeemableStatus::kApplicable;
  std::string id, object;
  std::shared_ptr<const Incentive> incentive;
  std::optional<Failure> failure;      // INAPPLICABLE
  std::string skip_key, skip_message;  // SKIPPED
  Money order_discount = 0;            // order-level discount it applied
  Money items_discount = 0;            // item-level discount it applied
  Money gift_credits = 0;              // gift credits it used
  bool has_effect = false;
  OrderResult order;  // the cart after this redeemable
  std::vector<Target> applicable_to, inapplicable_to;
  // APPLICABLE: the counter rows a redemption of it moves, and by how much.
  std::vector<CounterDelta> counter_deltas;
  bool passed_static = false;  // exists, readable, active, in its dates, quantity and balance
  std::vector<ExplainStep> explain;
};

// Best deal decides at most this many candidate orders and subsets per request (docs/ENGINE.md).
inline constexpr int kBestDealBudget = 1024;

struct Decision {
  bool valid = false;
  std::vector<RedeemableResult> redeemables;  // in request order
  std::vector<size_t> application_order;      // indices into redeemables, as applied
  OrderResult order;                          // the final cart
  StackingRules stacking;
  Periods periods;          // the counter windows `now` falls in
  int best_deal_tried = 0;  // best deal: how many orders and subsets were decided
};

}  // namespace openpromo::engine
