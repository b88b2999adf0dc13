// Discount effects on a running cart (spec 6.2, 6.4): internal to the engine.
//
// Rounding rules (all amounts are int64 minor units):
// - percentages round half up per computed amount (per line for item effects, once for the order);
// - a proportional split gives each line floor(D x weight / total) and hands the cents left over,
//   one each, to the lines with the largest remainders (ties: earlier line first), so the parts
//   always sum exactly to D;
// - a discount never exceeds what is left to pay on the line (items) or the order (order effects).
#pragma once

#include <vector>

#include "engine/types.h"

namespace openpromo::engine {

// The cart as discounts see it while redeemables are applied one after another.
struct Cart {
  Money initial_amount = 0;
  Money order_discount = 0;   // order-level discounts so far
  Money unlisted_amount = 0;  // an order sent with an amount but no items
  std::vector<LineResult> lines;

  Money amount() const;
  Money items_discount() const;
  Money remaining() const { return amount() - order_discount - items_discount(); }
};

struct EffectContext {
  const Catalog& catalog;
  StackingRules::Calculation calculation;
  bool products_once;  // lines discounted before are not discounted again
};

struct EffectResult {
  Money order_discount = 0;
  Money items_discount = 0;
  bool added_units = false;
  std::vector<Target> applicable_to, inapplicable_to;  // resolved, for the response
};

// Applies `discount` targeted by `targets` to `cart` (which the caller copied if it may discard).
EffectResult apply_discount(const EffectContext& ctx, const Discount& discount,
                            const ApplicableTo& targets, Cart& cart);

// Gift credits: `credits` off the order (`targets` null) or split over the targeted lines by
// what is left on each, at most what is left to pay. Returns the credits used.
Money apply_gift(const EffectContext& ctx, Money credits, const ApplicableTo* targets, Cart& cart);

// Largest-remainder split of `total` by `weights` (sum > 0); parts sum exactly to `total`.
std::vector<Money> split_proportionally(Money total, const std::vector<Money>& weights);

// round(amount x percent_millis / 100000), half up; amount >= 0.
Money percent_of(Money amount, int64_t percent_millis);

}  // namespace openpromo::engine
