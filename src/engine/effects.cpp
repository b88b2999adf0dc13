#include "engine/effects.h"

#include <algorithm>
#include <numeric>

#include "engine/engine.h"

namespace openpromo::engine {

// 128-bit intermediates keep amount x weight products exact.
__extension__ typedef __int128 Wide;

Money Cart::amount() const {
  Money sum = unlisted_amount;
  for (const LineResult& l : lines) sum += l.amount;
  return sum;
}

Money Cart::items_discount() const {
  Money sum = 0;
  for (const LineResult& l : lines) sum += l.discount_amount;
  return sum;
}

Money percent_of(Money amount, int64_t percent_millis) {
  const Wide scaled = static_cast<Wide>(amount) * percent_millis;
  return static_cast<Money>((scaled + 50'000) / 100'000);
}

std::vector<Money> split_proportionally(Money total, const std::vector<Money>& weights) {
  std::vector<Money> parts(weights.size(), 0);
  Wide sum = 0;
  for (Money w : weights) sum += w;
  if (sum <= 0 || total <= 0) return parts;
  std::vector<std::pair<Wide, size_t>> remainders;
  Money given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const Wide scaled = static_cast<Wide>(total) * weights[i];
    parts[i] = static_cast<Money>(scaled / sum);
    given += parts[i];
    remainders.emplace_back(scaled % sum, i);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < total && k < remainders.size(); ++k, ++given) {
    ++parts[remainders[k].second];
  }
  return parts;
}

namespace {

Money line_remaining(const LineResult& l) {
  return l.amount - l.discount_amount;
}

// `units` of a line's base amount: its remaining amount (or its initial amount in INITIAL_AMOUNT
// mode, still capped by what remains), pro rata to the units, half up.
Money portion_base(const EffectContext& ctx, const LineResult& l, int64_t units) {
  const Money whole = ctx.calculation == StackingRules::Calculation::kInitialAmount
                          ? std::min(l.amount, line_remaining(l) + l.discount_amount)
                          : line_remaining(l);
  if (l.quantity <= 0 || units >= l.quantity) return std::max<Money>(0, whole);
  const Wide scaled = static_cast<Wide>(whole) * units * 2 + l.quantity;
  return std::max<Money>(0, static_cast<Money>(scaled / (2 * static_cast<Wide>(l.quantity))));
}

bool matches(const Catalog& catalog, const OrderItem& item, const Target& t) {
  const std::string_view object = t.object == TargetObject::kProduct ? "product"
                                  : t.object == TargetObject::kSku   ? "sku"
                                                                     : "products_collection";
  return line_matches(catalog, item, object, t.id, t.source_id);
}

// The units of one line a target selected.
struct Portion {
  size_t line;
  int64_t units;
  const Target* target;  // null: no applicable_to (every line)
};

std::vector<Portion> select_portions(const EffectContext& ctx, const ApplicableTo& targets,
                                     const Cart& cart) {
  const auto& lines = cart.lines;
  auto usable = [&](size_t i) {
    if (lines[i].quantity <= 0 || line_remaining(lines[i]) <= 0) return false;
    if (ctx.products_once && lines[i].discount_amount > 0) return false;
    for (const Target& ex : targets.excluded) {
      if (matches(ctx.catalog, *lines[i].item, ex)) return false;  // exclusions always win
    }
    return true;
  };
  std::vector<Portion> out;
  if (targets.included.empty()) {
    if (!targets.excluded.empty() || targets.included_all || targets.empty()) {
      for (size_t i = 0; i < lines.size(); ++i) {
        if (usable(i)) out.push_back({i, lines[i].quantity, nullptr});
      }
    }
    return out;
  }
  // Each line belongs to the first included entry it matches.
  std::vector<std::vector<size_t>> groups(targets.included.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!usable(i)) continue;
    for (size_t t = 0; t < targets.included.size(); ++t) {
      if (matches(ctx.catalog, *lines[i].item, targets.included[t])) {
        groups[t].push_back(i);
        break;
      }
    }
  }
  if (targets.included_all) {
    // Lines no entry names still qualify, as "every" with no limits.
    for (size_t i = 0; i < lines.size(); ++i) {
      bool grouped = false;
      for (const auto& g : groups) grouped = grouped || std::find(g.begin(), g.end(), i) != g.end();
      if (!grouped && usable(i)) out.push_back({i, lines[i].quantity, nullptr});
    }
  }
  for (size_t t = 0; t < targets.included.size(); ++t) {
    const Target& target = targets.included[t];
    // Resources (lines, or units of lines) in application order.
    struct Resource {
      size_t line;
      int64_t units;
      Money unit_price;
    };
    std::vector<Resource> resources;
    for (size_t i : groups[t]) {
      if (target.unit_target) {
        for (int64_t u = 0; u < lines[i].quantity && u < 100'000; ++u) {
          resources.push_back({i, 1, lines[i].unit_price});
        }
      } else {
        resources.push_back({i, lines[i].quantity, lines[i].unit_price});
      }
    }
    const bool ascending =
        target.effect == TargetEffect::kCheapest || target.effect == TargetEffect::kFromCheapest;
    if (target.effect != TargetEffect::kEvery) {
      std::stable_sort(
          resources.begin(), resources.end(), [&](const Resource& a, const Resource& b) {
            return ascending ? a.unit_price < b.unit_price : a.unit_price > b.unit_price;
          });
    }
    if (target.effect == TargetEffect::kCheapest || target.effect == TargetEffect::kMostExpensive) {
      if (resources.size() > 1) resources.erase(resources.begin() + 1, resources.end());
    }
    std::vector<Resource> chosen;
    for (size_t k = 0; k < resources.size(); ++k) {
      if (static_cast<int64_t>(k) < target.skip_initially) continue;
      const int64_t position = static_cast<int64_t>(k) - target.skip_initially;
      if ((position + 1) % target.repeat != 0) continue;
      chosen.push_back(resources[k]);
    }
    int64_t units_left = target.aggregated_quantity_limit.value_or(INT64_MAX);
    std::vector<std::pair<size_t, int64_t>> per_line;  // merged in order of first choice
    for (const Resource& r : chosen) {
      if (units_left <= 0) break;
      auto it = std::find_if(per_line.begin(), per_line.end(),
                             [&](const auto& p) { return p.first == r.line; });
      if (it == per_line.end()) {
        per_line.emplace_back(r.line, 0);
        it = per_line.end() - 1;
      }
      int64_t take = std::min(r.units, units_left);
      if (target.quantity_limit) take = std::min(take, *target.quantity_limit - it->second);
      if (take <= 0) continue;
      it->second += take;
      units_left -= take;
    }
    for (const auto& [line, units] : per_line) {
      if (units > 0) out.push_back({line, units, &target});
    }
  }
  return out;
}

// Caps each portion's discount: a target's amount_limit per line, its aggregated_amount_limit
// over its lines, then the discount's aggregated limit over everything (in application order).
void apply_caps(const std::vector<Portion>& portions, std::vector<Money>& d,
                std::optional<Money> aggregated_limit) {
  std::vector<std::pair<const Target*, Money>> per_target;
  for (size_t k = 0; k < portions.size(); ++k) {
    const Target* t = portions[k].target;
    if (!t) continue;
    if (t->amount_limit) d[k] = std::min(d[k], *t->amount_limit);
    if (t->aggregated_amount_limit) {
      auto it = std::find_if(per_target.begin(), per_target.end(),
                             [&](const auto& p) { return p.first == t; });
      if (it == per_target.end()) {
        per_target.emplace_back(t, 0);
        it = per_target.end() - 1;
      }
      d[k] = std::min(d[k], *t->aggregated_amount_limit - it->second);
      it->second += d[k];
    }
  }
  if (aggregated_limit) {
    Money left = *aggregated_limit;
    for (Money& x : d) {
      x = std::min(x, left);
      left -= x;
    }
  }
}

void add_resolved(const ApplicableTo& targets, EffectResult& result) {
  result.applicable_to = targets.included;
  result.inapplicable_to = targets.excluded;
}

Money item_effect(const EffectContext& ctx, const Discount& discount, const ApplicableTo& targets,
                  Cart& cart) {
  const std::vector<Portion> portions = select_portions(ctx, targets, cart);
  if (portions.empty()) return 0;
  std::vector<Money> base(portions.size()), d(portions.size(), 0);
  for (size_t k = 0; k < portions.size(); ++k) {
    base[k] = portion_base(ctx, cart.lines[portions[k].line], portions[k].units);
  }
  switch (discount.type) {
    case DiscountType::kAmount:
      switch (discount.effect) {
        case DiscountEffect::kApplyToItemsByQuantity:
          for (size_t k = 0; k < portions.size(); ++k) {
            d[k] = std::min(base[k], discount.amount_off * portions[k].units);
          }
          break;
        case DiscountEffect::kApplyToItemsProportionally:
        case DiscountEffect::kApplyToItemsProportionallyByQuantity: {
          Money available = 0;
          for (Money b : base) available += b;
          Money total = std::min(discount.amount_off, available);
          if (discount.aggregated_amount_limit)
            total = std::min(total, *discount.aggregated_amount_limit);
          const bool by_quantity =
              discount.effect == DiscountEffect::kApplyToItemsProportionallyByQuantity;
          // Split, cap each line at its base, and split what the caps left over again among the
          // lines that still have room (at most one round per line).
          std::vector<bool> open(portions.size(), true);
          Money left = total;
          for (size_t round = 0; round <= portions.size() && left > 0; ++round) {
            std::vector<Money> weights(portions.size(), 0);
            for (size_t k = 0; k < portions.size(); ++k) {
              if (open[k]) weights[k] = by_quantity ? portions[k].units : base[k];
            }
            const std::vector<Money> parts = split_proportionally(left, weights);
            left = 0;
            for (size_t k = 0; k < portions.size(); ++k) {
              const Money room = base[k] - d[k];
              const Money take = std::min(parts[k], room);
              d[k] += take;
              left += parts[k] - take;
              if (d[k] >= base[k]) open[k] = false;
            }
          }
          break;
        }
        default:  // APPLY_TO_ITEMS: the full amount off each line
          for (size_t k = 0; k < portions.size(); ++k)
            d[k] = std::min(base[k], discount.amount_off);
          break;
      }
      break;
    case DiscountType::kPercent:
      for (size_t k = 0; k < portions.size(); ++k) {
        d[k] = percent_of(base[k], discount.percent_off_millis);
        if (discount.amount_limit) d[k] = std::min(d[k], *discount.amount_limit);
      }
      break;
    case DiscountType::kFixed:
      for (size_t k = 0; k < portions.size(); ++k) {
        const Target* t = portions[k].target;
        const Money new_price = t && t->price ? *t->price : discount.fixed_amount;
        const Wide new_total = static_cast<Wide>(new_price) * portions[k].units;
        d[k] = new_total >= base[k] ? 0 : base[k] - static_cast<Money>(new_total);
      }
      break;
    case DiscountType::kUnit:
      break;
  }
  const bool proportional =
      discount.effect == DiscountEffect::kApplyToItemsProportionally ||
      discount.effect == DiscountEffect::kApplyToItemsProportionallyByQuantity;
  apply_caps(portions, d, proportional ? std::nullopt : discount.aggregated_amount_limit);
  Money total = 0;
  // A line gives at most what is left of it, and all lines together at most what is left of the
  // order: order-level discounts applied before took their share of it too (without this cap an
  // item discount after them could make the total negative).
  Money order_left = std::max<Money>(0, cart.remaining());
  for (size_t k = 0; k < portions.size(); ++k) {
    LineResult& line = cart.lines[portions[k].line];
    const Money take = std::clamp<Money>(d[k], 0, std::min(line_remaining(line), order_left));
    order_left -= take;
    line.discount_amount += take;
    total += take;
  }
  return total;
}

Money order_effect(const EffectContext& ctx, const Discount& discount, Cart& cart) {
  const Money remaining = std::max<Money>(0, cart.remaining());
  Money d = 0;
  switch (discount.type) {
    case DiscountType::kAmount:
      d = discount.amount_off;
      break;
    case DiscountType::kPercent: {
      const Money base = ctx.calculation == StackingRules::Calculation::kInitialAmount
                             ? cart.initial_amount
                             : remaining;
      d = percent_of(base, discount.percent_off_millis);
      if (discount.amount_limit) d = std::min(d, *discount.amount_limit);
      break;
    }
    case DiscountType::kFixed:
      d = std::max<Money>(0, remaining - discount.fixed_amount);
      break;
    case DiscountType::kUnit:
      break;
  }
  if (discount.aggregated_amount_limit) d = std::min(d, *discount.aggregated_amount_limit);
  d = std::clamp<Money>(d, 0, remaining);
  cart.order_discount += d;
  return d;
}

// UNIT rewards: free units of a product, added to the cart when missing (spec 6.2).
Money unit_effect(const EffectContext& ctx, const Discount& discount, Cart& cart, bool& added) {
  Money total = 0;
  for (const UnitReward& unit : discount.units) {
    if (unit.unit_off <= 0) continue;
    std::optional<size_t> line;
    for (size_t i = 0; i < cart.lines.size() && !line; ++i) {
      if (line_matches(ctx.catalog, *cart.lines[i].item, "", unit.unit_type, unit.unit_type))
        line = i;
    }
    Money price = unit.unit_price.value_or(0);
    if (line) price = cart.lines[*line].unit_price;
    int64_t add = unit.effect == DiscountEffect::kAddNewItems ? unit.unit_off : 0;
    if (unit.effect == DiscountEffect::kAddMissingItems) {
      const int64_t have = line ? cart.lines[*line].quantity : 0;
      add = std::max<int64_t>(0, unit.unit_off - have);
    }
    if (!line) {
      auto item = std::make_shared<OrderItem>();
      const bool sku = unit.unit_type.starts_with("sku_");
      (sku ? item->sku_id : item->product_id) = unit.unit_type;
      item->related_object = sku ? "sku" : "product";
      item->quantity = 0;
      item->price = price;
      item->product = unit.product;
      item->sku = unit.sku;
      LineResult fresh;
      fresh.item = std::move(item);
      fresh.unit_price = price;
      cart.lines.push_back(std::move(fresh));
      line = cart.lines.size() - 1;
    }
    LineResult& l = cart.lines[*line];
    if (add > 0) {
      l.quantity += add;
      l.amount += add * price;
      l.applied_quantity += add;
      l.applied_quantity_amount += add * price;
      added = true;
    }
    const Money free_amount = std::min(unit.unit_off * price, line_remaining(l));
    l.discount_amount += free_amount;
    l.discount_quantity += unit.unit_off;
    l.applied_discount_quantity += unit.unit_off;
    total += free_amount;
  }
  return total;
}

}  // namespace

EffectResult apply_discount(const EffectContext& ctx, const Discount& discount,
                            const ApplicableTo& targets, Cart& cart) {
  EffectResult result;
  add_resolved(targets, result);
  if (discount.type == DiscountType::kUnit) {
    result.items_discount = unit_effect(ctx, discount, cart, result.added_units);
  } else if (discount.effect == DiscountEffect::kApplyToOrder) {
    result.order_discount = order_effect(ctx, discount, cart);
  } else {
    result.items_discount = item_effect(ctx, discount, targets, cart);
  }
  return result;
}

Money apply_gift(const EffectContext& ctx, Money credits, const ApplicableTo* targets, Cart& cart) {
  const Money left = std::max<Money>(0, cart.remaining());
  if (!targets) {
    const Money take = std::clamp<Money>(credits, 0, left);
    cart.order_discount += take;
    return take;
  }
  // On items: the lines the rules target (every line without applicable_to), split by what is
  // left to pay on each.
  const std::vector<Portion> portions = select_portions(ctx, *targets, cart);
  std::vector<Money> weights;
  Money available = 0;
  for (const Portion& p : portions) {
    weights.push_back(portion_base(ctx, cart.lines[p.line], p.units));
    available += weights.back();
  }
  const Money take = std::clamp<Money>(credits, 0, std::min(left, available));
  const std::vector<Money> parts = split_proportionally(take, weights);
  for (size_t k = 0; k < portions.size(); ++k)
    cart.lines[portions[k].line].discount_amount += parts[k];
  return take;
}

}  // namespace openpromo::engine
