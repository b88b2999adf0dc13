#include "engine/definitions.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/money.h"

namespace openpromo::engine {
namespace {

Error invalid(std::string key, std::string details) {
  Error e = Error::invalid_payload(std::move(details));
  e.key = std::move(key);
  return e;
}

std::string text_of(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Definitions are refused with invalid_payload (discounts) or invalid_validation_rules (rule
// targets), as the writes that check them document.
constexpr std::string_view kDiscountKey = "invalid_payload";
constexpr std::string_view kRulesKey = "invalid_validation_rules";

// Counts in definitions (quantity limits, repeat, skip): whole numbers up to a billion.
constexpr int64_t kMaxDefinitionCount = 1'000'000'000;

constexpr std::array<std::pair<std::string_view, DiscountEffect>, 8> kEffects = {{
    {"APPLY_TO_ORDER", DiscountEffect::kApplyToOrder},
    {"APPLY_TO_ITEMS", DiscountEffect::kApplyToItems},
    {"APPLY_TO_ITEMS_PROPORTIONALLY", DiscountEffect::kApplyToItemsProportionally},
    {"APPLY_TO_ITEMS_PROPORTIONALLY_BY_QUANTITY",
     DiscountEffect::kApplyToItemsProportionallyByQuantity},
    {"APPLY_TO_ITEMS_BY_QUANTITY", DiscountEffect::kApplyToItemsByQuantity},
    {"ADD_MISSING_ITEMS", DiscountEffect::kAddMissingItems},
    {"ADD_NEW_ITEMS", DiscountEffect::kAddNewItems},
    {"ADD_MANY_ITEMS", DiscountEffect::kAddManyItems},
}};

constexpr std::array<std::pair<std::string_view, TargetEffect>, 5> kTargetEffects = {{
    {"APPLY_TO_EVERY", TargetEffect::kEvery},
    {"APPLY_TO_CHEAPEST", TargetEffect::kCheapest},
    {"APPLY_FROM_CHEAPEST", TargetEffect::kFromCheapest},
    {"APPLY_TO_MOST_EXPENSIVE", TargetEffect::kMostExpensive},
    {"APPLY_FROM_MOST_EXPENSIVE", TargetEffect::kFromMostExpensive},
}};

std::optional<DiscountEffect> effect_of(std::string_view s) {
  for (const auto& [name, effect] : kEffects) {
    if (name == s) return effect;
  }
  return std::nullopt;
}

Result<UnitReward> parse_unit(const JsonObject& o, DiscountEffect default_effect) {
  UnitReward unit;
  unit.unit_type = text_of(o, "unit_type");
  if (unit.unit_type.empty())
    return invalid(std::string(kDiscountKey), "discount.unit_type is required");
  const Json* off = o.if_contains("unit_off");
  if (o.contains("unit_off_formula") && (!off || off->is_null())) {
    return invalid(std::string(kDiscountKey),
                   "discount formulas are not supported yet; send unit_off as well");
  }
  OP_ASSIGN(auto units, read_count(o, "unit_off", kMaxQuantity, "discount.", kDiscountKey));
  if (!units) return invalid(std::string(kDiscountKey), "discount.unit_off is required");
  unit.unit_off = *units;
  unit.effect = default_effect;
  if (const std::string e = text_of(o, "effect"); !e.empty()) {
    const auto effect = effect_of(e);
    if (!effect ||
        (*effect != DiscountEffect::kAddMissingItems && *effect != DiscountEffect::kAddNewItems)) {
      return invalid(std::string(kDiscountKey),
                     "a unit's effect must be ADD_MISSING_ITEMS or ADD_NEW_ITEMS");
    }
    unit.effect = *effect;
  }
  if (const Json* p = o.if_contains("product")) unit.product = *p;
  if (const Json* s = o.if_contains("sku")) unit.sku = *s;
  // The price of a free unit: the definition may carry it (the service fills it from the
  // catalogue); otherwise the cart's line supplies it.
  for (const char* holder_key : {"sku", "product"}) {
    const Json* holder = o.if_contains(holder_key);
    if (!holder || !holder->is_object()) continue;
    OP_ASSIGN(auto price, read_money(holder->as_object(), "price",
                                     "discount." + std::string(holder_key) + ".", kDiscountKey));
    if (price) {
      unit.unit_price = *price;
      break;
    }
  }
  return unit;
}

// `validity_day_of_week` and the days of an hours window: 0 (Sunday) to 6.
Result<std::vector<int>> day_list(const Json* v, std::string_view field) {
  std::vector<int> out;
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return invalid("invalid_payload", std::string(field) + " must be an array");
  for (const Json& d : v->as_array()) {
    const double n = json_number(d);
    if (!json_is_number(d) || n < 0 || n > 6 || std::floor(n) != n) {
      return invalid("invalid_payload", std::string(field) + " holds days 0 (Sunday) to 6");
    }
    out.push_back(static_cast<int>(n));
  }
  return out;
}

}  // namespace

std::string_view to_string(DiscountEffect effect) {
  for (const auto& [name, e] : kEffects) {
    if (e == effect) return name;
  }
  return "APPLY_TO_ORDER";
}

std::string_view to_string(TargetEffect effect) {
  for (const auto& [name, e] : kTargetEffects) {
    if (e == effect) return name;
  }
  return "APPLY_TO_EVERY";
}

Result<Discount> parse_discount(const Json& value, bool has_targets) {
  const std::string key(kDiscountKey);
  if (!value.is_object()) return invalid(key, "discount must be an object");
  const JsonObject& o = value.as_object();
  Discount d;
  d.source = value;
  const std::string type = text_of(o, "type");
  const std::string effect = text_of(o, "effect");
  for (const char* formula :
       {"amount_off_formula", "percent_off_formula", "fixed_amount_formula"}) {
    // A formula with a static fallback uses the fallback (spec 6.3); formulas themselves are
    // phase 2 of the spec.
    const char* fallback = formula == std::string_view("amount_off_formula")    ? "amount_off"
                           : formula == std::string_view("percent_off_formula") ? "percent_off"
                                                                                : "fixed_amount";
    if (o.contains(formula) && !o.contains(fallback)) {
      return invalid(key, "discount formulas are not supported yet; send " + std::string(fallback) +
                              " as well");
    }
  }
  if (type == "AMOUNT") {
    d.type = DiscountType::kAmount;
    OP_ASSIGN(auto amount, read_money(o, "amount_off", "discount.", kDiscountKey));
    if (!amount) return invalid(key, "discount.amount_off is required");
    d.amount_off = *amount;
  } else if (type == "PERCENT") {
    d.type = DiscountType::kPercent;
    const Json* p = o.if_contains("percent_off");
    if (!p || !json_is_number(*p) || json_number(*p) < 0 || json_number(*p) > 100) {
      return invalid(key, "discount.percent_off must be a number from 0 to 100");
    }
    d.percent_off_millis = std::llround(json_number(*p) * 1000);
    OP_ASSIGN(d.amount_limit, read_money(o, "amount_limit", "discount.", kDiscountKey));
  } else if (type == "FIXED") {
    d.type = DiscountType::kFixed;
    OP_ASSIGN(auto fixed, read_money(o, "fixed_amount", "discount.", kDiscountKey));
    if (!fixed) return invalid(key, "discount.fixed_amount is required");
    d.fixed_amount = *fixed;
  } else if (type == "UNIT") {
    d.type = DiscountType::kUnit;
    if (effect == "ADD_MANY_ITEMS") {
      d.effect = DiscountEffect::kAddManyItems;
      const Json* units = o.if_contains("units");
      if (!units || !units->is_array() || units->as_array().empty() ||
          units->as_array().size() > 100) {
        return invalid(key, "discount.units must list 1-100 units");
      }
      for (const Json& u : units->as_array()) {
        if (!u.is_object()) return invalid(key, "each discount.units entry is an object");
        OP_ASSIGN(UnitReward unit, parse_unit(u.as_object(), DiscountEffect::kAddMissingItems));
        d.units.push_back(std::move(unit));
      }
      return d;
    }
    d.effect = DiscountEffect::kAddMissingItems;  // the spec's default when omitted
    if (!effect.empty()) {
      const auto e = effect_of(effect);
      if (!e || (*e != DiscountEffect::kAddMissingItems && *e != DiscountEffect::kAddNewItems)) {
        return invalid(key,
                       "a UNIT discount's effect must be ADD_MISSING_ITEMS, "
                       "ADD_NEW_ITEMS or ADD_MANY_ITEMS");
      }
      d.effect = *e;
    }
    OP_ASSIGN(UnitReward unit, parse_unit(o, d.effect));
    d.units.push_back(std::move(unit));
    return d;
  } else {
    return invalid(key, "discount.type must be AMOUNT, PERCENT, FIXED or UNIT");
  }
  OP_ASSIGN(d.aggregated_amount_limit,
            read_money(o, "aggregated_amount_limit", "discount.", kDiscountKey));
  // Default effect (spec 6.1): items when the rules target products, else the order.
  d.effect = has_targets ? DiscountEffect::kApplyToItems : DiscountEffect::kApplyToOrder;
  if (!effect.empty()) {
    const auto e = effect_of(effect);
    const bool allowed =
        e && (d.type == DiscountType::kAmount
                  ? (*e != DiscountEffect::kAddMissingItems && *e != DiscountEffect::kAddNewItems &&
                     *e != DiscountEffect::kAddManyItems)
                  : (*e == DiscountEffect::kApplyToOrder || *e == DiscountEffect::kApplyToItems));
    if (!allowed) {
      return invalid(key, "discount.effect " + effect + " is not valid for " + type);
    }
    d.effect = *e;
  }
  return d;
}

namespace {

Result<Target> parse_target(const Json& value) {
  if (!value.is_object())
    return invalid("invalid_validation_rules", "applicable_to entries are objects");
  const JsonObject& o = value.as_object();
  Target t;
  t.source = value;
  const std::string object = text_of(o, "object");
  if (object == "product") {
    t.object = TargetObject::kProduct;
  } else if (object == "sku") {
    t.object = TargetObject::kSku;
  } else if (object == "products_collection") {
    t.object = TargetObject::kCollection;
  } else {
    return invalid("invalid_validation_rules",
                   "applicable_to object must be product, sku or products_collection");
  }
  t.id = text_of(o, "id");
  t.source_id = text_of(o, "source_id");
  t.product_id = text_of(o, "product_id");
  t.product_source_id = text_of(o, "product_source_id");
  if (t.id.empty() && t.source_id.empty()) {
    return invalid("invalid_validation_rules", "applicable_to entries need an id or source_id");
  }
  if (const std::string e = text_of(o, "effect"); !e.empty()) {
    bool found = false;
    for (const auto& [name, effect] : kTargetEffects) {
      if (name == e) {
        t.effect = effect;
        found = true;
      }
    }
    if (!found) return invalid("invalid_validation_rules", "unknown applicable_to effect " + e);
  }
  const std::string target = text_of(o, "target");
  if (!target.empty() && target != "ITEM" && target != "UNIT") {
    return invalid("invalid_validation_rules", "applicable_to target must be ITEM or UNIT");
  }
  t.unit_target = target == "UNIT";
  auto count = [&](std::string_view key, std::optional<int64_t>& out) -> Status {
    OP_ASSIGN(out, read_count(o, key, kMaxDefinitionCount, "applicable_to.", kRulesKey));
    return {};
  };
  auto money = [&](std::string_view key, std::optional<int64_t>& out) -> Status {
    OP_ASSIGN(out, read_money(o, key, "applicable_to.", kRulesKey));
    return {};
  };
  OP_TRY(count("quantity_limit", t.quantity_limit));
  OP_TRY(count("aggregated_quantity_limit", t.aggregated_quantity_limit));
  OP_TRY(money("amount_limit", t.amount_limit));
  OP_TRY(money("aggregated_amount_limit", t.aggregated_amount_limit));
  OP_TRY(money("price", t.price));
  std::optional<int64_t> repeat, skip;
  OP_TRY(count("repeat", repeat));
  OP_TRY(count("skip_initially", skip));
  t.repeat = std::max<int64_t>(1, repeat.value_or(1));
  t.skip_initially = skip.value_or(0);
  return t;
}

}  // namespace

Result<ApplicableTo> parse_applicable_to(const Json& value) {
  ApplicableTo out;
  if (value.is_null()) return out;
  if (!value.is_object())
    return invalid("invalid_validation_rules", "applicable_to must be an object");
  const JsonObject& o = value.as_object();
  for (auto [key, list] :
       {std::pair{"included", &out.included}, std::pair{"excluded", &out.excluded}}) {
    const Json* v = o.if_contains(key);
    if (!v || v->is_null()) continue;
    if (!v->is_array() || v->as_array().size() > 1000) {
      return invalid("invalid_validation_rules", std::string("applicable_to.") + key +
                                                     " must be a list of at most 1000 entries");
    }
    for (const Json& entry : v->as_array()) {
      OP_ASSIGN(Target t, parse_target(entry));
      list->push_back(std::move(t));
    }
  }
  if (const Json* all = o.if_contains("included_all"); all && all->is_bool()) {
    out.included_all = all->as_bool();
  }
  return out;
}

Result<TimeLimits> parse_time_limits(const JsonObject& def) {
  TimeLimits limits;
  for (auto [key, field] :
       {std::pair{"start_date", &limits.start}, std::pair{"expiration_date", &limits.expiration}}) {
    const Json* v = def.if_contains(key);
    if (!v || v->is_null()) continue;
    const auto t = v->is_string() ? parse_iso8601(v->as_string()) : std::nullopt;
    if (!t) return invalid("invalid_payload", std::string(key) + " is not a valid date");
    *field = *t;
  }
  if (const Json* tf = def.if_contains("validity_timeframe"); tf && !tf->is_null()) {
    if (!tf->is_object()) return invalid("invalid_payload", "validity_timeframe must be an object");
    const JsonObject& o = tf->as_object();
    limits.timeframe_interval = parse_iso_duration(text_of(o, "interval"));
    limits.timeframe_duration = parse_iso_duration(text_of(o, "duration"));
    if (!limits.timeframe_interval || !limits.timeframe_duration ||
        limits.timeframe_interval->empty()) {
      return invalid("invalid_payload",
                     "validity_timeframe needs an ISO 8601 interval and duration");
    }
  }
  OP_ASSIGN(limits.days_of_week,
            day_list(def.if_contains("validity_day_of_week"), "validity_day_of_week"));
  if (const Json* hours = def.if_contains("validity_hours"); hours && !hours->is_null()) {
    const Json* daily = hours->is_object() ? hours->as_object().if_contains("daily") : nullptr;
    if (!daily || !daily->is_array()) {
      return invalid("invalid_payload", "validity_hours must be {daily: [...]}");
    }
    for (const Json& h : daily->as_array()) {
      if (!h.is_object()) return invalid("invalid_payload", "validity_hours.daily holds objects");
      const JsonObject& ho = h.as_object();
      const auto from = parse_time_of_day(text_of(ho, "start_time"));
      const auto to = parse_time_of_day(text_of(ho, "expiration_time"));
      if (!from || !to) {
        return invalid("invalid_payload",
                       "validity_hours.daily[] needs start_time and expiration_time as HH:mm");
      }
      OP_ASSIGN(auto days,
                day_list(ho.if_contains("days_of_week"), "validity_hours.daily[].days_of_week"));
      limits.hours.push_back(DailyHours{*from, *to, std::move(days)});
    }
  }
  return limits;
}

Result<Rule> compile_rule(std::string id, const JsonObject& rule) {
  Rule out;
  out.id = std::move(id);
  std::optional<std::string> message;
  if (const Json* e = rule.if_contains("error"); e && e->is_object()) {
    if (const Json* m = e->as_object().if_contains("message"); m && m->is_string()) {
      message = std::string(m->as_string());
    }
  }
  const Json* rules = rule.if_contains("rules");
  OP_ASSIGN(rules::RuleSet set, rules::RuleSet::compile(rules ? *rules : Json(), message));
  out.rules = std::make_shared<const rules::RuleSet>(std::move(set));
  for (const std::string& name : out.rules->names()) {
    if (auto read = counter_read_of(name)) out.counters.push_back(*read);
  }
  if (const Json* a = rule.if_contains("applicable_to")) {
    OP_ASSIGN(out.applicable_to, parse_applicable_to(*a));
  }
  return out;
}

namespace {

template <class E>
Status enum_field(const JsonObject& o, std::string_view key,
                  std::initializer_list<std::pair<std::string_view, E>> values, E& out) {
  const Json* v = o.if_contains(key);
  if (!v || v->is_null()) return {};
  if (v->is_string()) {
    for (const auto& [name, value] : values) {
      if (v->as_string() == name) {
        out = value;
        return {};
      }
    }
  }
  return invalid("invalid_payload", "stacking_rules." + std::string(key) + " has an unknown value");
}

Status int_field(const JsonObject& o, std::string_view key, int low, int high, int& out) {
  const Json* v = o.if_contains(key);
  if (!v || v->is_null()) return {};
  const bool whole = json_is_number(*v) &&
                     json_number(*v) == static_cast<double>(static_cast<int64_t>(json_number(*v)));
  if (!whole || json_number(*v) < low || json_number(*v) > high) {
    return invalid("invalid_payload", "stacking_rules." + std::string(key) + " must be from " +
                                          std::to_string(low) + " to " + std::to_string(high));
  }
  out = static_cast<int>(json_number(*v));
  return {};
}

// A list of category ids: strings, each once, at most 100.
Result<std::vector<std::string>> id_list(const JsonObject& o, std::string_view key) {
  std::vector<std::string> out;
  const Json* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  const std::string field = "stacking_rules." + std::string(key);
  if (!v->is_array()) return invalid("invalid_payload", field + " must be a list of category ids");
  if (v->as_array().size() > 100)
    return invalid("invalid_payload", field + " has more than 100 ids");
  for (const Json& id : v->as_array()) {
    if (!id.is_string() || id.as_string().empty() || id.as_string().size() > 100) {
      return invalid("invalid_payload", field + " must be a list of category ids");
    }
    const std::string text(id.as_string());
    if (std::find(out.begin(), out.end(), text) != out.end()) {
      return invalid("invalid_payload", field + " names " + text + " twice");
    }
    out.push_back(text);
  }
  return out;
}

Status disjoint(const std::vector<std::string>& a, std::string_view a_name,
                const std::vector<std::string>& b, std::string_view b_name) {
  for (const std::string& id : a) {
    if (std::find(b.begin(), b.end(), id) != b.end()) {
      return invalid("invalid_payload", "category " + id + " cannot be in both stacking_rules." +
                                            std::string(a_name) + " and " + std::string(b_name));
    }
  }
  return {};
}

JsonArray to_array(const std::vector<std::string>& ids) {
  JsonArray out;
  for (const auto& id : ids) out.emplace_back(id);
  return out;
}

}  // namespace

Result<Incentive> incentive_from_json(const JsonObject& o, std::vector<Rule> rules) {
  Incentive inc;
  inc.kind = text_of(o, "object") == "promotion_tier" ? Incentive::Kind::kPromotionTier
                                                      : Incentive::Kind::kVoucher;
  inc.id = text_of(o, "id");
  inc.code = text_of(o, "code");
  inc.name = text_of(o, "name");
  const std::string type = text_of(o, "type");
  if (type == "GIFT_VOUCHER") inc.voucher_kind = Incentive::VoucherKind::kGift;
  if (type == "LOYALTY_CARD") inc.voucher_kind = Incentive::VoucherKind::kLoyaltyCard;
  if (const Json* a = o.if_contains("active"); a && a->is_bool()) inc.active = a->as_bool();
  if (const Json* c = o.if_contains("campaign"); c && c->is_object()) {
    const JsonObject& co = c->as_object();
    if (auto id = text_of(co, "id"); !id.empty()) inc.campaign_id = id;
    if (auto name = text_of(co, "name"); !name.empty()) inc.campaign_name = name;
    if (const Json* a = co.if_contains("active"); a && a->is_bool())
      inc.campaign_active = a->as_bool();
  }
  if (const Json* c = o.if_contains("category"); c && c->is_object()) {
    const JsonObject& co = c->as_object();
    CategoryRef cat;
    cat.id = text_of(co, "id");
    cat.name = text_of(co, "name");
    if (const Json* h = co.if_contains("hierarchy"); h && json_is_number(*h)) {
      cat.hierarchy = static_cast<int64_t>(json_number(*h));
    }
    cat.source = *c;
    if (!cat.id.empty()) inc.category = std::move(cat);
  }
  OP_ASSIGN(inc.limits, parse_time_limits(o));
  if (const Json* r = o.if_contains("redemption"); r && r->is_object()) {
    if (const Json* q = r->as_object().if_contains("quantity"); q && json_is_number(*q)) {
      inc.quantity = static_cast<int64_t>(json_number(*q));
    }
  }
  bool has_targets = false;
  for (const Rule& rule : rules) has_targets = has_targets || !rule.applicable_to.empty();
  const Json* discount = o.if_contains("discount");
  if (const Json* action = o.if_contains("action"); action && action->is_object()) {
    discount = action->as_object().if_contains("discount");
  }
  if (discount && discount->is_object()) {
    OP_ASSIGN(Discount d, parse_discount(*discount, has_targets));
    inc.discount = std::move(d);
  }
  if (const Json* g = o.if_contains("gift"); g && g->is_object()) {
    inc.gift_applies_to_items = text_of(g->as_object(), "effect") == "APPLY_TO_ITEMS";
  }
  if (const Json* m = o.if_contains("metadata"); m && m->is_object()) inc.metadata = m->as_object();
  if (auto holder = text_of(o, "holder_id"); !holder.empty()) inc.holder_id = holder;
  inc.rules = std::move(rules);
  return inc;
}

Result<StackingRules> parse_stacking_rules(const Json& value) {
  StackingRules s;
  if (value.is_null()) return s;
  if (!value.is_object()) return invalid("invalid_payload", "stacking_rules must be an object");
  const JsonObject& o = value.as_object();
  static constexpr std::array<std::string_view, 22> kKnown{
      "redeemables_limit", "applicable_redeemables_limit",
      "applicable_redeemables_per_category_limit", "applicable_redeemables_category_limits",
      "applicable_exclusive_redeemables_limit",
      "applicable_exclusive_redeemables_per_category_limit", "exclusive_categories",
      "joint_categories", "redeemables_application_mode", "redeemables_sorting_rule",
      "grouped_redeemables_sorting_rule", "redeemables_products_application_mode",
      "redeemables_no_effect_rule", "no_effect_skip_categories",
      "no_effect_redeem_anyway_categories", "redeemables_rollback_order_mode",
      "discount_calculation_mode", "initial_amount_mode_categories",
      "discounted_amount_mode_categories",
      // Echoed fields a client may send back unchanged.
      "id", "created_at", "updated_at"};
  for (const auto& [key, v] : o) {
    if (key == "object") continue;
    if (std::find(kKnown.begin(), kKnown.end(), std::string_view(key)) == kKnown.end()) {
      return invalid("invalid_payload", "stacking_rules." + std::string(key) + " is not a setting");
    }
  }
  OP_TRY(int_field(o, "redeemables_limit", 1, 30, s.redeemables_limit));
  OP_TRY(int_field(o, "applicable_redeemables_limit", 1, 30, s.applicable_redeemables_limit));
  if (s.applicable_redeemables_limit > s.redeemables_limit) {
    return invalid("invalid_payload",
                   "stacking_rules.applicable_redeemables_limit cannot exceed redeemables_limit");
  }
  OP_TRY(int_field(o, "applicable_exclusive_redeemables_limit", 1, 5,
                   s.applicable_exclusive_redeemables_limit));
  for (auto [key, field] : {std::pair{"applicable_redeemables_per_category_limit",
                                      &s.applicable_redeemables_per_category_limit},
                            std::pair{"applicable_exclusive_redeemables_per_category_limit",
                                      &s.applicable_exclusive_redeemables_per_category_limit}}) {
    if (const Json* v = o.if_contains(key); v && v->is_null()) {
      field->reset();
    } else if (v) {
      int n = 1;
      OP_TRY(int_field(o, key, 1, 30, n));
      *field = n;
    }
  }
  if (s.applicable_redeemables_per_category_limit &&
      *s.applicable_redeemables_per_category_limit > s.applicable_redeemables_limit) {
    return invalid("invalid_payload",
                   "stacking_rules.applicable_redeemables_per_category_limit cannot exceed "
                   "applicable_redeemables_limit");
  }
  if (const Json* limits = o.if_contains("applicable_redeemables_category_limits");
      limits && !limits->is_null()) {
    if (!limits->is_object() || limits->as_object().size() > 100) {
      return invalid("invalid_payload",
                     "stacking_rules.applicable_redeemables_category_limits must map category ids "
                     "to limits");
    }
    for (const auto& [cat, n] : limits->as_object()) {
      const bool whole =
          json_is_number(n) &&
          json_number(n) == static_cast<double>(static_cast<int64_t>(json_number(n)));
      if (!whole || json_number(n) < 1 || json_number(n) > 10) {
        return invalid("invalid_payload", "stacking_rules.applicable_redeemables_category_limits." +
                                              std::string(cat) + " must be from 1 to 10");
      }
      s.applicable_redeemables_category_limits[std::string(cat)] = static_cast<int>(json_number(n));
    }
  }
  OP_ASSIGN(s.exclusive_categories, id_list(o, "exclusive_categories"));
  OP_ASSIGN(s.joint_categories, id_list(o, "joint_categories"));
  OP_ASSIGN(s.no_effect_skip_categories, id_list(o, "no_effect_skip_categories"));
  OP_ASSIGN(s.no_effect_redeem_anyway_categories, id_list(o, "no_effect_redeem_anyway_categories"));
  OP_ASSIGN(s.initial_amount_mode_categories, id_list(o, "initial_amount_mode_categories"));
  OP_ASSIGN(s.discounted_amount_mode_categories, id_list(o, "discounted_amount_mode_categories"));
  OP_TRY(disjoint(s.exclusive_categories, "exclusive_categories", s.joint_categories,
                  "joint_categories"));
  OP_TRY(disjoint(s.no_effect_skip_categories, "no_effect_skip_categories",
                  s.no_effect_redeem_anyway_categories, "no_effect_redeem_anyway_categories"));
  OP_TRY(disjoint(s.initial_amount_mode_categories, "initial_amount_mode_categories",
                  s.discounted_amount_mode_categories, "discounted_amount_mode_categories"));
  using S = StackingRules;
  OP_TRY(enum_field<S::Mode>(o, "redeemables_application_mode",
                             {{"ALL", S::Mode::kAll}, {"PARTIAL", S::Mode::kPartial}}, s.mode));
  OP_TRY(enum_field<S::Sorting>(o, "redeemables_sorting_rule",
                                {{"REQUESTED_ORDER", S::Sorting::kRequestedOrder},
                                 {"CATEGORY_HIERARCHY", S::Sorting::kCategoryHierarchy}},
                                s.sorting));
  OP_TRY(enum_field<S::NoEffect>(
      o, "redeemables_no_effect_rule",
      {{"REDEEM_ANYWAY", S::NoEffect::kRedeemAnyway}, {"SKIP", S::NoEffect::kSkip}}, s.no_effect));
  OP_TRY(enum_field<S::ProductsMode>(
      o, "redeemables_products_application_mode",
      {{"STACK", S::ProductsMode::kStack}, {"ONCE", S::ProductsMode::kOnce}}, s.products_mode));
  OP_TRY(enum_field<S::Calculation>(o, "discount_calculation_mode",
                                    {{"DISCOUNTED_AMOUNT", S::Calculation::kDiscountedAmount},
                                     {"INITIAL_AMOUNT", S::Calculation::kInitialAmount}},
                                    s.calculation));
  bool joint_last = false;
  OP_TRY(enum_field<bool>(o, "grouped_redeemables_sorting_rule", {{"JOINT_ALWAYS_LAST", true}},
                          joint_last));
  s.joint_always_last = joint_last;
  bool without_order = false;
  OP_TRY(enum_field<bool>(o, "redeemables_rollback_order_mode",
                          {{"WITH_ORDER", false}, {"WITHOUT_ORDER", true}}, without_order));
  s.rollback_order_mode = without_order ? "WITHOUT_ORDER" : "WITH_ORDER";
  return s;
}

JsonObject stacking_rules_to_json(const StackingRules& s) {
  using S = StackingRules;
  JsonObject o;
  o["redeemables_limit"] = s.redeemables_limit;
  o["applicable_redeemables_limit"] = s.applicable_redeemables_limit;
  o["applicable_redeemables_per_category_limit"] =
      s.applicable_redeemables_per_category_limit
          ? Json(*s.applicable_redeemables_per_category_limit)
          : Json(nullptr);
  JsonObject category_limits;
  for (const auto& [cat, n] : s.applicable_redeemables_category_limits) category_limits[cat] = n;
  o["applicable_redeemables_category_limits"] = std::move(category_limits);
  o["applicable_exclusive_redeemables_limit"] = s.applicable_exclusive_redeemables_limit;
  o["applicable_exclusive_redeemables_per_category_limit"] =
      s.applicable_exclusive_redeemables_per_category_limit
          ? Json(*s.applicable_exclusive_redeemables_per_category_limit)
          : Json(nullptr);
  o["exclusive_categories"] = to_array(s.exclusive_categories);
  o["joint_categories"] = to_array(s.joint_categories);
  o["redeemables_application_mode"] = s.mode == S::Mode::kAll ? "ALL" : "PARTIAL";
  o["redeemables_sorting_rule"] =
      s.sorting == S::Sorting::kRequestedOrder ? "REQUESTED_ORDER" : "CATEGORY_HIERARCHY";
  o["redeemables_no_effect_rule"] = s.no_effect == S::NoEffect::kSkip ? "SKIP" : "REDEEM_ANYWAY";
  o["no_effect_skip_categories"] = to_array(s.no_effect_skip_categories);
  o["no_effect_redeem_anyway_categories"] = to_array(s.no_effect_redeem_anyway_categories);
  o["redeemables_products_application_mode"] =
      s.products_mode == S::ProductsMode::kOnce ? "ONCE" : "STACK";
  o["redeemables_rollback_order_mode"] = s.rollback_order_mode;
  o["discount_calculation_mode"] =
      s.calculation == S::Calculation::kInitialAmount ? "INITIAL_AMOUNT" : "DISCOUNTED_AMOUNT";
  o["initial_amount_mode_categories"] = to_array(s.initial_amount_mode_categories);
  o["discounted_amount_mode_categories"] = to_array(s.discounted_amount_mode_categories);
  if (s.joint_always_last) o["grouped_redeemables_sorting_rule"] = "JOINT_ALWAYS_LAST";
  return o;
}

}  // namespace openpromo::engine

namespace openpromo::engine {

Incentive broken_incentive(Incentive::Kind kind, std::string id, std::string reason) {
  Incentive inc;
  inc.kind = kind;
  inc.id = std::move(id);
  inc.broken = std::move(reason);
  return inc;
}

std::vector<Rule> Catalog::rules_of(const std::vector<std::string>& object_ids) const {
  std::vector<Rule> out;
  for (const std::string& object : object_ids) {
    const auto it = rules_by_object.find(object);
    if (it == rules_by_object.end()) continue;
    for (const std::string& rule_id : it->second) {
      bool seen = false;
      for (const auto& r : out) seen = seen || r.id == rule_id;
      if (seen) continue;
      const auto rule = rules.find(rule_id);
      if (rule != rules.end()) {
        out.push_back(rule->second);
      } else {
        // An assignment whose rule the snapshot lacks (a race with its deletion, or a row that
        // could not be read): the restriction is unknown, so it restricts.
        Rule missing;
        missing.id = rule_id;
        missing.broken = "the assigned rule could not be loaded";
        out.push_back(std::move(missing));
      }
    }
  }
  return out;
}

}  // namespace openpromo::engine
