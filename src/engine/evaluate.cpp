// evaluate(): the stacking pipeline of spec 10.4 over static checks (spec 19 order), validation
// rules (spec 7), limits (spec 8) and discount effects (spec 6).
#include <algorithm>
#include <numeric>
#include <set>

#include "engine/effects.h"
#include "engine/engine.h"

namespace openpromo::engine {

namespace {

constexpr size_t kMaxItems = 500;  // spec 9.1

bool contains(const std::vector<std::string>& list, const std::optional<CategoryRef>& category) {
  return category && std::find(list.begin(), list.end(), category->id) != list.end();
}

Failure failure(std::string key, std::string message, std::string details) {
  Failure f;
  f.key = std::move(key);
  f.message = std::move(message);
  f.details = std::move(details);
  return f;
}

// Keys of an incentive's static state, for a voucher or a promotion tier.
struct Keys {
  const char* disabled;
  const char* not_active;
  const char* expired;
  const char* not_active_now;
};

Keys keys_for(const Incentive& inc) {
  if (inc.kind == Incentive::Kind::kPromotionTier) {
    return {"promotion_inactive", "promotion_not_active_now", "promotion_not_active_now",
            "promotion_not_active_now"};
  }
  return {"voucher_disabled", "voucher_not_active", "voucher_expired", "voucher_not_active_now"};
}

std::string message_for(std::string_view key) {
  if (key == "voucher_disabled") return "voucher is disabled";
  if (key == "voucher_not_active") return "voucher not active";
  if (key == "voucher_expired") return "voucher expired";
  if (key == "voucher_not_active_now") return "voucher not active now";
  if (key == "promotion_inactive") return "promotion is not active";
  if (key == "promotion_not_active_now") return "promotion not active now";
  if (key == "quantity_exceeded") return "quantity exceeded";
  if (key == "gift_amount_exceeded") return "gift amount exceeded";
  if (key == "missing_customer") return "Customer is required to validate rules";
  if (key == "missing_reward") return "Reward is required to use a loyalty card";
  if (key == "missing_order_items_amount") return "Order items with amounts are required";
  if (key == "customer_rules_violated") return "customer does not match validation rules";
  if (key == "order_rules_violated") return "order does not match validation rules";
  if (key == "redemption_rules_violated") return "redemption does not match validation rules";
  return std::string(key);
}

// Recurring windows of spec 8.4 at local time `local`.
bool in_recurring_window(const TimeLimits& limits, Instant now, const LocalTime& local) {
  if (limits.timeframe_interval && limits.timeframe_duration && limits.start) {
    const IsoDuration& interval = *limits.timeframe_interval;
    int64_t k = 0;
    if (interval.months == 0) {
      k = (now.millis - limits.start->millis) / interval.millis;
    } else {
      k = (now.millis - limits.start->millis) /
          (interval.months * 28 * 86'400'000LL + interval.millis + 1);
      // The estimate may overshoot (months are longer than 28 days) or fall short: correct it.
      while (k > 0 && add_duration(*limits.start, interval, k) > now) --k;
      while (add_duration(*limits.start, interval, k + 1) <= now) ++k;
    }
    const Instant open = add_duration(*limits.start, interval, k);
    if (now < open || now >= add_duration(open, *limits.timeframe_duration)) return false;
  }
  if (!limits.days_of_week.empty() &&
      std::find(limits.days_of_week.begin(), limits.days_of_week.end(), local.day_of_week) ==
          limits.days_of_week.end()) {
    return false;
  }
  if (!limits.hours.empty()) {
    bool any = false;
    for (const DailyHours& h : limits.hours) {
      const bool day_ok =
          h.days_of_week.empty() || std::find(h.days_of_week.begin(), h.days_of_week.end(),
                                              local.day_of_week) != h.days_of_week.end();
      const int m = local.minute_of_day;
      const bool time_ok = h.from_minute <= h.to_minute ? (m >= h.from_minute && m < h.to_minute)
                                                        : (m >= h.from_minute || m < h.to_minute);
      any = any || (day_ok && time_ok);
    }
    if (!any) return false;
  }
  return true;
}

const IncentiveUsage& usage_of(const Usage& usage, const Incentive& inc) {
  static const IncentiveUsage kNone;
  const auto it = usage.by_incentive.find(inc.id);
  return it == usage.by_incentive.end() ? kNone : it->second;
}

}  // namespace

std::optional<std::string> counter_row_for(const CounterRead& read, const Incentive& incentive,
                                           const Request& request) {
  const std::string& campaign = incentive.campaign_id ? *incentive.campaign_id : incentive.id;
  const std::string& scope_id = read.scope == CounterScope::kCampaign ? campaign : incentive.id;
  const std::optional<std::string>& subject =
      read.subject == CounterSubject::kCustomer ? request.customer.stored_id
      : read.subject == CounterSubject::kApiKey ? request.api_key
                                                : std::nullopt;
  if (read.subject != CounterSubject::kEveryone && !subject) return std::nullopt;
  return counter_row_key(read.scope, scope_id, read.subject, subject ? *subject : std::string());
}

std::vector<std::string> counter_rows_read(const Request& request) {
  std::set<std::string> rows;
  for (const RedeemableRef& ref : request.redeemables) {
    if (!ref.incentive) continue;
    for (const Rule& rule : ref.incentive->rules) {
      for (const CounterRead& read : rule.counters) {
        if (auto row = counter_row_for(read, *ref.incentive, request)) rows.insert(std::move(*row));
      }
    }
  }
  return {rows.begin(), rows.end()};
}

namespace {

// A gift card's balance less what other sessions hold.
Money available_credits(const IncentiveUsage& use) {
  const Money left = use.gift_balance.value_or(0) - use.locked_gift_credits;
  return left < 0 ? 0 : left;
}

// The rule context over the cart before this redeemable and the candidate effect. `counters`:
// the committed rows plus what earlier redeemables of this request add.
class RuleContext final : public rules::Context {
 public:
  RuleContext(const Catalog& catalog, const Request& request, const Incentive& incentive,
              const CounterRows& counters, const Periods& periods, const Cart& before,
              const Cart& after, Money discount, Money gift, Instant now)
      : catalog_(catalog),
        request_(request),
        incentive_(incentive),
        counters_(counters),
        periods_(periods),
        before_(before),
        after_(after),
        discount_(discount),
        gift_(gift),
        now_(now) {}

  rules::Value attribute(std::string_view name, std::string_view property) const override {
    using rules::Value;
    const Customer& customer = request_.customer;
    if (name == "customer.present") return customer.present ? Value::of_bool(true) : Value::null();
    if (name == "customer.metadata") return Value::of_json(customer.metadata.if_contains(property));
    if (name == "order.amount") return Value::of_int(before_.remaining());
    if (name == "order.total_amount") return Value::of_int(after_.remaining());
    if (name == "order.initial_amount") return Value::of_int(before_.initial_amount);
    if (name == "order.items.count")
      return Value::of_int(static_cast<int64_t>(before_.lines.size()));
    if (name == "order.metadata")
      return Value::of_json(request_.order.metadata.if_contains(property));
    if (name == "order.status") {
      return request_.order.status ? Value::of(std::string_view(*request_.order.status))
                                   : Value::null();
    }
    if (name == "redemption.metadata")
      return Value::of_json(request_.metadata.if_contains(property));
    if (name == "redemption.api_key" || name == "redemption.user.login") {
      return request_.api_key ? Value::of(std::string_view(*request_.api_key)) : Value::null();
    }
    if (name == "publication.redeemable_by_linked_customer") {
      const auto& holder = incentive_.holder_id;
      // The holder is a customer id; a request that names the customer by source id is matched
      // through the stored customer it resolved to.
      const bool linked = holder && ((customer.id && *customer.id == *holder) ||
                                     (customer.stored_id && *customer.stored_id == *holder) ||
                                     (customer.source_id && *customer.source_id == *holder));
      return Value::of_bool(linked);
    }
    if (const std::optional<CounterRead> read = counter_read_of(name)) {
      return Value::of(static_cast<double>(counter_value(*read)));
    }
    if (name == "redemption.reward.pay_with_points.points_used")
      return Value::of(0);  // no rewards yet
    return Value::null();
  }

  // Committed (plus this request's earlier redeemables) and, where the read says so, the
  // candidate redemption: `$less_than_or_equal: [N]` means "at most N, this one included".
  int64_t counter_value(const CounterRead& read) const {
    int64_t committed = 0;
    if (const auto row = counter_row_for(read, incentive_, request_)) {
      const auto it = counters_.find(*row);
      if (it != counters_.end()) committed = it->second.value(read.window, read.measure, periods_);
    }
    if (!read.with_candidate) return committed;
    switch (read.measure) {
      case CounterMeasure::kCount:
        return committed + 1;
      case CounterMeasure::kOrderAmount:
        return committed + before_.amount();
      case CounterMeasure::kDiscountAmount:
        return committed + discount_;
      case CounterMeasure::kGiftAmount:
        return committed + gift_;
      case CounterMeasure::kCustomers:
        return committed;
    }
    return committed;
  }

  bool in_segment(std::string_view segment_id) const override {
    const auto& s = request_.customer.segments;
    return std::find(s.begin(), s.end(), segment_id) != s.end();
  }

  std::string note_for(std::string_view id) const override {
    const auto it = request_.group_notes.find(std::string(id));
    return it == request_.group_notes.end() ? std::string() : it->second;
  }

  size_t item_count() const override { return before_.lines.size(); }

  rules::Value item_attribute(size_t i, std::string_view name,
                              std::string_view property) const override {
    using rules::Value;
    const LineResult& line = before_.lines[i];
    const OrderItem& item = *line.item;
    if (name.ends_with(".quantity")) return Value::of_int(line.quantity);
    if (name.ends_with(".price")) return Value::of_int(line.unit_price);
    if (name == "order.items.amount") return Value::of_int(line.amount);
    if (name == "order.items.metadata") return Value::of_json(item.metadata.if_contains(property));
    if (name == "product.metadata") {
      if (const Json* v = item.product_metadata.if_contains(property)) return Value::of_json(v);
      return Value::of_json(item.metadata.if_contains(property));
    }
    if (name.ends_with("discount_applicable")) return Value::of_bool(true);
    if (name == "order.items.source_id") return Value::of(std::string_view(item.source_id));
    if (name == "order.items.product_id") return Value::of(std::string_view(item.product_id));
    if (name == "order.items.sku_id") return Value::of(std::string_view(item.sku_id));
    return Value::null();
  }

  bool item_matches(size_t i, const rules::ItemRef& ref) const override {
    return line_matches(catalog_, *before_.lines[i].item, ref.object, ref.id, ref.source_id);
  }
  Instant now() const override { return now_; }
  const TimeZone& zone() const override { return catalog_.zone; }
  bool ignores(std::string_view name) const override {
    switch (request_.rule_scope) {
      case Request::RuleScope::kAll:
        return false;
      case Request::RuleScope::kAudience:
        return !name.starts_with("customer.") && !name.starts_with("publication.");
      case Request::RuleScope::kQualification:
        return name.starts_with("campaign.orders.amount") ||
               name.starts_with("campaign.redemptions.") ||
               name.starts_with("redemption.count.per_customer");
    }
    return false;
  }

 private:
  const Catalog& catalog_;
  const Request& request_;
  const Incentive& incentive_;
  const CounterRows& counters_;
  const Periods& periods_;
  const Cart& before_;
  const Cart& after_;
  Money discount_, gift_;
  Instant now_;
};

Cart cart_of(const Order& order) {
  Cart cart;
  for (const OrderItem& item : order.items) {
    LineResult line;
    line.item = std::make_shared<const OrderItem>(item);
    line.quantity = item.quantity;
    line.amount = item.amount;
    line.unit_price =
        item.price ? *item.price : (item.quantity > 0 ? item.amount / item.quantity : 0);
    line.initial_quantity = item.quantity;
    line.initial_amount = item.amount;
    cart.lines.push_back(std::move(line));
  }
  if (order.items.empty()) cart.unlisted_amount = order.amount;
  cart.initial_amount = order.initial_amount.value_or(cart.amount());
  return cart;
}

// The cart as a response shows it. `before`: the cart before the redeemable (for applied_*);
// null for the final order (applied = everything this request applied).
OrderResult snapshot(const Cart& cart, const Cart* before) {
  OrderResult out;
  out.initial_amount = cart.initial_amount;
  out.amount = cart.amount();
  out.discount_amount = cart.order_discount;
  out.applied_discount_amount =
      before ? cart.order_discount - before->order_discount : cart.order_discount;
  for (size_t i = 0; i < cart.lines.size(); ++i) {
    LineResult line = cart.lines[i];
    const bool existed = before && i < before->lines.size();
    line.applied_discount_amount =
        existed ? line.discount_amount - before->lines[i].discount_amount : line.discount_amount;
    if (existed) {
      line.applied_discount_quantity = line.discount_quantity - before->lines[i].discount_quantity;
    }
    out.items_discount_amount += line.discount_amount;
    out.items_applied_discount_amount += line.applied_discount_amount;
    out.lines.push_back(std::move(line));
  }
  return out;
}

// The item targets of an incentive: the union of its rules' applicable_to.
ApplicableTo targets_of(const Incentive& inc) {
  ApplicableTo targets;
  for (const Rule& rule : inc.rules) {
    targets.included.insert(targets.included.end(), rule.applicable_to.included.begin(),
                            rule.applicable_to.included.end());
    targets.excluded.insert(targets.excluded.end(), rule.applicable_to.excluded.begin(),
                            rule.applicable_to.excluded.end());
    targets.included_all = targets.included_all || rule.applicable_to.included_all;
  }
  return targets;
}

bool is_exclusive(const StackingRules& s, const Incentive* inc) {
  return inc && contains(s.exclusive_categories, inc->category);
}
bool is_joint(const StackingRules& s, const Incentive* inc) {
  return inc && contains(s.joint_categories, inc->category);
}

}  // namespace

bool line_matches(const Catalog& catalog, const OrderItem& item, std::string_view object,
                  std::string_view id, std::string_view source_id) {
  auto hit = [&](std::string_view key) { return !key.empty() && (key == id || key == source_id); };
  if (object == "products_collection") {
    const auto it = catalog.collections.find(std::string(id));
    if (it == catalog.collections.end()) return false;
    if (it->second.by_line) {
      return std::find(item.collections.begin(), item.collections.end(), id) !=
             item.collections.end();
    }
    const auto& m = it->second.members;
    for (const std::string* key : {&item.product_id, &item.sku_id, &item.product_source_id,
                                   &item.sku_source_id, &item.source_id}) {
      if (!key->empty() && m.contains(*key)) return true;
    }
    return false;
  }
  const bool as_product = object.empty() || object == "product";
  const bool as_sku = object.empty() || object == "sku";
  if (as_product) {
    if (hit(item.product_id) || hit(item.product_source_id)) return true;
    if (item.related_object != "sku" && hit(item.source_id)) return true;
  }
  if (as_sku) {
    if (hit(item.sku_id) || hit(item.sku_source_id)) return true;
    if (item.related_object == "sku" && hit(item.source_id)) return true;
  }
  return false;
}

Status check_request(const Catalog& catalog, const Request& request) {
  auto bad = [](std::string key, std::string details) {
    Error e = Error::invalid_payload(std::move(details));
    e.key = std::move(key);
    return e;
  };
  const size_t n = request.redeemables.size();
  if (n == 0) return bad("invalid_payload", "redeemables must list at least one redeemable");
  if (n > static_cast<size_t>(catalog.stacking.redeemables_limit)) {
    return bad("invalid_redeemables", "at most " +
                                          std::to_string(catalog.stacking.redeemables_limit) +
                                          " redeemables may be sent");
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const RedeemableRef& r : request.redeemables) {
    if (!seen.insert({r.object, r.id}).second) {
      Error e = bad("duplicated_redeemables", "redeemable " + r.id + " is sent more than once");
      e.message = "Duplicated redeemables";
      return e;
    }
  }
  if (request.order.items.size() > kMaxItems) {
    return bad("invalid_order", "an order may have at most 500 items");
  }
  return {};
}

namespace {

// An application order chosen from outside the settings (best deal): a permutation of the
// redeemables, and the ones left out of the subset.
struct Plan {
  std::vector<size_t> order;
  std::vector<bool> left_out;
};

Decision decide(const Catalog& catalog, const Usage& usage, const Request& request, Instant now,
                const Plan* plan) {
  const StackingRules& settings = catalog.stacking;
  Decision decision;
  decision.stacking = settings;
  const size_t n = request.redeemables.size();
  const LocalTime local = catalog.zone.to_local(now);
  const Cart initial = cart_of(request.order);
  decision.periods = periods_at(now, catalog.zone, catalog.week_start);
  const bool explain = request.explain;  // detail texts are built only when asked for
  const Periods& periods = decision.periods;
  // Counters as the running cart sees them: when rules read counters and several redeemables
  // are applied, each adds its deltas, so a second incentive of the same campaign in this
  // request counts the first. Otherwise the committed rows are read as they are (no copy).
  bool reads_counters = false;
  for (const RedeemableRef& ref : request.redeemables) {
    if (!ref.incentive) continue;
    for (const Rule& rule : ref.incentive->rules)
      reads_counters = reads_counters || !rule.counters.empty();
  }
  const bool counts_each_other = n > 1 && reads_counters;
  CounterRows running;
  if (counts_each_other) running = usage.counters;
  const CounterRows& counters = counts_each_other ? running : usage.counters;

  // 1. Static checks, in the order of spec 19.
  std::vector<std::optional<Failure>> static_failure(n);
  decision.redeemables.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const RedeemableRef& ref = request.redeemables[i];
    RedeemableResult& r = decision.redeemables[i];
    r.request_index = i;
    r.id = ref.id;
    r.object = ref.object;
    r.incentive = ref.incentive;
    auto step = [&](std::string name, bool passed, std::string detail = {}) {
      if (request.explain)
        r.explain.push_back(ExplainStep{std::move(name), passed, std::move(detail), {}, {}});
      return passed;
    };
    if (!ref.incentive) {
      step("exists", false, ref.object + " " + ref.id + " was not found");
      Failure f = failure("not_found", "Resource not found",
                          "Cannot find " + ref.object + " with id " + ref.id);
      f.code = 404;
      f.resource_id = ref.id;
      f.resource_type = ref.object;
      static_failure[i] = std::move(f);
      continue;
    }
    const Incentive& inc = *ref.incentive;
    const Keys keys = keys_for(inc);
    const IncentiveUsage& use = usage_of(usage, inc);
    auto fail = [&](const char* key, std::string details) {
      static_failure[i] = failure(key, message_for(key), std::move(details));
    };
    step("exists", true);
    // Fail closed: a definition or rule that cannot be read makes the incentive inapplicable.
    std::string broken = inc.broken;
    if (broken.empty() && !catalog.stacking_broken.empty()) {
      broken = "the project's stacking rules: " + catalog.stacking_broken;
    }
    for (const Rule& rule : inc.rules) {
      if (broken.empty() && !rule.broken.empty()) {
        broken = "validation rule " + rule.id + ": " + rule.broken;
      }
    }
    if (!broken.empty()) {
      step("definition", false, broken);
      Failure f = failure("definition_unreadable", "The incentive's definition cannot be read",
                          (inc.code.empty() ? inc.id : inc.code) + ": " + broken);
      f.resource_id = inc.id;
      f.resource_type = inc.kind == Incentive::Kind::kPromotionTier ? "promotion_tier" : "voucher";
      static_failure[i] = std::move(f);
      continue;
    }
    if (!step("active", inc.active && inc.campaign_active,
              !inc.active ? "disabled" : (!inc.campaign_active ? "campaign disabled" : ""))) {
      fail(keys.disabled, inc.code.empty() ? inc.id : inc.code);
      continue;
    }
    if (!step("start_date", !inc.limits.start || now >= *inc.limits.start,
              explain && inc.limits.start ? format_iso8601(*inc.limits.start) : "")) {
      fail(keys.not_active, inc.code.empty() ? inc.id : inc.code);
      continue;
    }
    if (!step("expiration_date", !inc.limits.expiration || now < *inc.limits.expiration,
              explain && inc.limits.expiration ? format_iso8601(*inc.limits.expiration) : "")) {
      fail(keys.expired, inc.code.empty() ? inc.id : inc.code);
      continue;
    }
    if (!step("validity_window", in_recurring_window(inc.limits, now, local),
              explain ? "local time " + std::to_string(local.hour) + ":" +
                            std::to_string(local.minute) + ", day " +
                            std::to_string(local.day_of_week) + " in " + catalog.zone.name()
                      : std::string())) {
      fail(keys.not_active_now, inc.code.empty() ? inc.id : inc.code);
      continue;
    }
    if (inc.quantity) {
      const int64_t used = use.redeemed_quantity + use.locked_quantity;
      if (!step("quantity", used < *inc.quantity,
                explain ? std::to_string(used) + " of " + std::to_string(*inc.quantity) + " used"
                        : std::string())) {
        fail("quantity_exceeded", inc.code);
        continue;
      }
    }
    if (inc.voucher_kind == Incentive::VoucherKind::kGift) {
      const Money balance = available_credits(use);
      if (!step("gift_balance", !ref.gift_credits || *ref.gift_credits <= balance,
                explain ? "balance " + std::to_string(balance) +
                              (use.locked_gift_credits ? " after credits other sessions hold" : "")
                        : std::string())) {
        fail("gift_amount_exceeded", inc.code);
        continue;
      }
    }
    if (inc.voucher_kind == Incentive::VoucherKind::kGift && inc.gift_applies_to_items &&
        request.order.items.empty()) {
      step("order_items", false, "a gift card paying for items needs order items");
      fail("missing_order_items_amount", inc.code);
      continue;
    }
    if (inc.voucher_kind == Incentive::VoucherKind::kLoyaltyCard && !ref.has_reward) {
      step("reward", false, "a loyalty card needs a reward");
      fail("missing_reward", inc.code);
      continue;
    }
    bool needs_customer = false;
    for (const Rule& rule : inc.rules)
      needs_customer = needs_customer || rule.rules->needs_customer();
    if (needs_customer && !request.customer.present) {
      step("customer", false, "a rule reads the customer");
      fail("missing_customer", inc.code.empty() ? inc.id : inc.code);
      continue;
    }
  }

  for (size_t i = 0; i < n; ++i) {
    decision.redeemables[i].passed_static = request.redeemables[i].incentive && !static_failure[i];
  }

  // 2. Application order.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  auto left_out = [&](size_t i) { return plan && plan->left_out[i]; };
  auto hierarchy = [&](size_t i) -> int64_t {
    const auto& inc = request.redeemables[i].incentive;
    return inc && inc->category ? inc->category->hierarchy : INT64_MAX;
  };
  if (settings.sorting == StackingRules::Sorting::kCategoryHierarchy) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return hierarchy(a) < hierarchy(b); });
  }
  if (settings.joint_always_last) {
    std::stable_partition(order.begin(), order.end(), [&](size_t i) {
      return !is_joint(settings, request.redeemables[i].incentive.get());
    });
  }
  if (plan) order = plan->order;
  // Each redeemable's place in the application order, for the explain texts of its stacking
  // decision.
  std::vector<std::string> placed(explain ? n : 0);
  if (explain) {
    const char* how = plan ? "best deal"
                      : settings.sorting == StackingRules::Sorting::kCategoryHierarchy
                          ? "CATEGORY_HIERARCHY"
                          : "REQUESTED_ORDER";
    for (size_t k = 0; k < n; ++k) {
      placed[order[k]] =
          "#" + std::to_string(k + 1) + " of " + std::to_string(n) + " in application order (" +
          how + (settings.joint_always_last && !plan ? ", Always stackable last" : "") + ")";
    }
  }

  // 3. A valid Never-stackable incentive keeps Common ones out. Valid means its static checks
  // pass and its rules hold on the cart as sent (ours: an exclusive incentive that cannot apply
  // must not block the others).
  bool exclusive_present = false;
  for (size_t i = 0; i < n && !exclusive_present; ++i) {
    const auto& inc = request.redeemables[i].incentive;
    if (static_failure[i] || left_out(i) || !is_exclusive(settings, inc.get())) continue;
    Cart after = initial;
    Money discount = 0;
    if (inc->discount && inc->voucher_kind == Incentive::VoucherKind::kDiscount) {
      const EffectContext ctx{catalog, settings.calculation, false};
      const EffectResult effect = apply_discount(ctx, *inc->discount, targets_of(*inc), after);
      discount = effect.order_discount + effect.items_discount;
    }
    bool holds = true;
    for (const Rule& rule : inc->rules) {
      const RuleContext rc(catalog, request, *inc, counters, periods, initial, after, discount, 0,
                           now);
      holds = holds && rule.rules->evaluate(rc, false).passed;
    }
    exclusive_present = holds;
  }

  // 4. Apply one after another on the running cart.
  Cart cart = initial;
  bool stopped = false;  // ALL mode after an inapplicable redeemable
  int applicable = 0, exclusive_applicable = 0;
  std::map<std::string, int> per_category, exclusive_per_category;
  const EffectContext base_ctx{catalog, settings.calculation,
                               settings.products_mode == StackingRules::ProductsMode::kOnce};
  for (size_t i : order) {
    RedeemableResult& r = decision.redeemables[i];
    const RedeemableRef& ref = request.redeemables[i];
    auto skip = [&](std::string key, std::string message, std::string why = {}) {
      r.status = RedeemableStatus::kSkipped;
      r.skip_key = std::move(key);
      r.skip_message = std::move(message);
      if (request.explain) {
        std::string detail = r.skip_key + ": " + placed[i];
        if (!why.empty()) detail += "; " + why;
        r.explain.push_back(ExplainStep{"stacking", false, std::move(detail), {}, {}});
      }
    };
    auto inapplicable = [&](Failure f) {
      r.status = RedeemableStatus::kInapplicable;
      r.failure = std::move(f);
      if (settings.mode == StackingRules::Mode::kAll) stopped = true;
    };
    if (left_out(i)) {
      skip("not_in_best_deal", "Leaving it out gives the customer a larger discount",
           "the best deal does without it");
      continue;
    }
    if (stopped) {
      skip("preceding_validation_failed", "Preceding validation failed");
      continue;
    }
    if (static_failure[i]) {
      inapplicable(*static_failure[i]);
      continue;
    }
    const Incentive& inc = *ref.incentive;
    const bool exclusive = is_exclusive(settings, &inc);
    const bool joint = is_joint(settings, &inc);
    if (exclusive_present && !exclusive && !joint) {
      skip("exclusion_rules_not_met",
           "Redeemable cannot be applied together with exclusive redeemables",
           explain ? "a Never stackable incentive applies; this one is Common" : "");
      continue;
    }

    // Candidate effect on a copy of the cart.
    Cart after = cart;
    EffectContext ctx = base_ctx;
    if (contains(settings.initial_amount_mode_categories, inc.category)) {
      ctx.calculation = StackingRules::Calculation::kInitialAmount;
    } else if (contains(settings.discounted_amount_mode_categories, inc.category)) {
      ctx.calculation = StackingRules::Calculation::kDiscountedAmount;
    }
    const ApplicableTo targets = targets_of(inc);
    EffectResult effect;
    Money gift = 0;
    if (inc.voucher_kind == Incentive::VoucherKind::kGift) {
      const Money balance = available_credits(usage_of(usage, inc));
      gift = apply_gift(ctx, ref.gift_credits.value_or(balance),
                        inc.gift_applies_to_items ? &targets : nullptr, after);
      if (inc.gift_applies_to_items) {
        effect.applicable_to = targets.included;
        effect.inapplicable_to = targets.excluded;
      }
      (inc.gift_applies_to_items ? effect.items_discount : effect.order_discount) = gift;
    } else if (inc.discount) {
      effect = apply_discount(ctx, *inc.discount, targets, after);
    }

    // Validation rules, against the cart before this redeemable and the candidate effect.
    bool rules_ok = true;
    for (const Rule& rule : inc.rules) {
      const RuleContext rc(catalog, request, inc, counters, periods, cart, after,
                           effect.order_discount + effect.items_discount, gift, now);
      rules::Outcome outcome = rule.rules->evaluate(rc, request.explain);
      if (request.explain) {
        for (rules::Check& c : outcome.checks) {
          r.explain.push_back(ExplainStep{"rule", c.passed, {}, std::move(c), rule.id});
        }
      }
      if (outcome.passed) continue;
      const char* key =
          outcome.missing_customer                                ? "missing_customer"
          : outcome.failed_group == rules::RuleGroup::kCustomer   ? "customer_rules_violated"
          : outcome.failed_group == rules::RuleGroup::kRedemption ? "redemption_rules_violated"
                                                                  : "order_rules_violated";
      Failure f = failure(key, message_for(key), inc.code.empty() ? inc.id : inc.code);
      f.rule_message = outcome.message;
      f.resource_id = rule.id;
      f.resource_type = "validation_rules";
      inapplicable(std::move(f));
      rules_ok = false;
      break;
    }
    if (!rules_ok) continue;

    // Stacking limits (spec 10.1).
    const std::string category = inc.category ? inc.category->id : std::string();
    if (applicable >= settings.applicable_redeemables_limit) {
      skip("applicable_redeemables_limit_exceeded", "Applicable redeemables limit exceeded",
           explain ? "applicable_redeemables_limit " +
                         std::to_string(settings.applicable_redeemables_limit) + " reached"
                   : "");
      continue;
    }
    if (!category.empty()) {
      const auto custom = settings.applicable_redeemables_category_limits.find(category);
      const std::optional<int> limit =
          custom != settings.applicable_redeemables_category_limits.end()
              ? std::optional<int>(custom->second)
              : settings.applicable_redeemables_per_category_limit;
      if (limit && per_category[category] >= *limit) {
        skip("applicable_redeemables_per_category_limit_exceeded",
             "Applicable redeemables limit per category exceeded",
             explain ? "limit " + std::to_string(*limit) + " of category " + category +
                           (custom != settings.applicable_redeemables_category_limits.end()
                                ? " (its own limit)"
                                : " (applicable_redeemables_per_category_limit)") +
                           " reached"
                     : "");
        continue;
      }
    }
    if (exclusive) {
      if (exclusive_applicable >= settings.applicable_exclusive_redeemables_limit) {
        skip("applicable_exclusive_redeemables_limit_exceeded",
             "Applicable exclusive redeemables limit exceeded",
             explain
                 ? "applicable_exclusive_redeemables_limit " +
                       std::to_string(settings.applicable_exclusive_redeemables_limit) + " reached"
                 : "");
        continue;
      }
      if (settings.applicable_exclusive_redeemables_per_category_limit &&
          exclusive_per_category[category] >=
              *settings.applicable_exclusive_redeemables_per_category_limit) {
        skip("applicable_exclusive_redeemables_per_category_limit_exceeded",
             "Applicable exclusive redeemables limit per category exceeded",
             explain ? "applicable_exclusive_redeemables_per_category_limit reached in " + category
                     : "");
        continue;
      }
    }
    const bool has_effect = effect.order_discount + effect.items_discount > 0 || effect.added_units;
    if (!has_effect) {
      bool skip_no_effect = settings.no_effect == StackingRules::NoEffect::kSkip;
      if (contains(settings.no_effect_skip_categories, inc.category)) skip_no_effect = true;
      if (contains(settings.no_effect_redeem_anyway_categories, inc.category))
        skip_no_effect = false;
      if (skip_no_effect) {
        skip("no_effect", "Redeemable has no effect on the order",
             explain ? "its effect on the cart as it is by now is zero" : "");
        continue;
      }
    }

    // Commit to the running cart.
    if (explain) {
      r.explain.push_back(ExplainStep{"stacking",
                                      true,
                                      placed[i] + "; applied as " + std::to_string(applicable + 1) +
                                          " of at most " +
                                          std::to_string(settings.applicable_redeemables_limit) +
                                          (exclusive ? " (Never stackable)"
                                           : joint   ? " (Always stackable)"
                                                     : ""),
                                      {},
                                      {}});
    }
    r.status = RedeemableStatus::kApplicable;
    r.order_discount = effect.order_discount;
    r.items_discount = effect.items_discount;
    r.gift_credits = gift;
    r.has_effect = has_effect;
    r.applicable_to = std::move(effect.applicable_to);
    r.inapplicable_to = std::move(effect.inapplicable_to);
    r.order = snapshot(after, &cart);
    if (request.record_effects || counts_each_other) {
      r.counter_deltas =
          redemption_deltas(inc.id, inc.campaign_id, request.customer.stored_id, request.api_key,
                            cart.amount(), effect.order_discount + effect.items_discount, gift);
      if (counts_each_other) apply_deltas(running, r.counter_deltas, periods);
    }
    cart = std::move(after);
    ++applicable;
    if (!category.empty()) ++per_category[category];
    if (exclusive) {
      ++exclusive_applicable;
      ++exclusive_per_category[category];
    }
    decision.application_order.push_back(i);
  }

  bool any_inapplicable = false;
  for (const RedeemableResult& r : decision.redeemables) {
    any_inapplicable = any_inapplicable || r.status == RedeemableStatus::kInapplicable;
  }
  if (settings.mode == StackingRules::Mode::kAll) {
    decision.valid = !any_inapplicable && applicable > 0;
  } else {
    decision.valid = applicable > 0;
  }
  // ALL mode with a failure applies nothing: the order is shown as sent.
  decision.order = snapshot(
      decision.valid || settings.mode == StackingRules::Mode::kPartial ? cart : initial, nullptr);
  return decision;
}

// What the customer gets: a valid decision first, then the larger total discount.
std::pair<bool, Money> score_of(const Decision& d) {
  return {d.valid, d.valid ? d.order.total_applied_discount_amount() : 0};
}

// Best deal (ours, docs/ENGINE.md): among the requested redeemables, the subset and order that
// give the largest total discount under every stacking constraint. Each candidate is decided by
// the same resolver, so whatever it picks satisfies the constraints by construction; the search
// only chooses the order and, in PARTIAL mode, whether Never stackable incentives take part
// (the order already chooses among the rest: limits keep out the ones placed last).
// Bounded: at most kBestDealBudget decisions per request, shared among the subsets (smallest
// first). A subset whose every order fits in its share is searched exhaustively (up to 6
// redeemables); otherwise two seeds (as requested, and by what each gives alone) are improved by
// first-improvement moves of one redeemable to another position until the share is spent. A
// candidate replaces the best only when strictly better, so ties keep the earlier one (the
// requested order, then the smaller subset, then permutations in lexicographic order):
// deterministic.
Decision best_deal(const Catalog& catalog, const Usage& usage, const Request& request,
                   Instant now) {
  const StackingRules& settings = catalog.stacking;
  Decision best = decide(catalog, usage, request, now, nullptr);
  auto best_score = score_of(best);
  const size_t n = request.redeemables.size();
  int tried = 1;
  int stop_at = kBestDealBudget;  // the current subset's share ends here

  std::vector<size_t> movable, fixed;  // statically valid ones are ordered; the rest stay behind
  for (size_t i = 0; i < n; ++i) {
    (best.redeemables[i].passed_static ? movable : fixed).push_back(i);
  }
  auto plan_for = [&](const std::vector<size_t>& moved, const std::vector<bool>& out) {
    Plan p;
    p.order = moved;
    p.order.insert(p.order.end(), fixed.begin(), fixed.end());
    // The left-out ones come last, so each is visited and reported as left out.
    for (size_t i : movable) {
      if (out[i]) p.order.push_back(i);
    }
    p.left_out = out;
    return p;
  };
  auto try_plan = [&](const Plan& p) {
    if (tried >= stop_at) return false;
    ++tried;
    Decision d = decide(catalog, usage, request, now, &p);
    const auto s = score_of(d);
    if (s > best_score) {
      best = std::move(d);
      best_score = s;
      return true;
    }
    return false;
  };

  // Subsets: everything; in PARTIAL mode also without the Never stackable ones (a small
  // exclusive discount would otherwise keep every Common one out). Smallest first.
  std::vector<std::vector<bool>> subsets{std::vector<bool>(n, false)};
  if (settings.mode == StackingRules::Mode::kPartial) {
    std::vector<bool> without(n, false);
    bool any = false;
    for (size_t i : movable) {
      if (is_exclusive(settings, request.redeemables[i].incentive.get())) without[i] = any = true;
    }
    if (any) subsets.insert(subsets.begin(), std::move(without));
  }
  for (size_t s = 0; s < subsets.size(); ++s) {
    const std::vector<bool>& out = subsets[s];
    const int share = (kBestDealBudget - tried) / static_cast<int>(subsets.size() - s);
    stop_at = tried + share;
    std::vector<size_t> in;
    for (size_t i : movable) {
      if (!out[i]) in.push_back(i);
    }
    int64_t orders = 1;  // in.size()!, stopping once past the share
    for (size_t k = 2; k <= in.size() && orders <= share; ++k) orders *= static_cast<int64_t>(k);
    if (orders <= share) {
      std::vector<size_t> perm = in;  // ascending: the requested order first
      do {
        try_plan(plan_for(perm, out));
      } while (std::next_permutation(perm.begin(), perm.end()));
      continue;
    }
    // Seeds: as requested, then by what each gives alone.
    std::vector<std::vector<size_t>> seeds{in};
    std::vector<std::pair<Money, size_t>> alone;
    for (size_t i : in) {
      if (tried >= stop_at) break;
      Request single = request;
      single.redeemables = {request.redeemables[i]};
      single.explain = false;
      single.best_deal = false;
      const Decision d = decide(catalog, usage, single, now, nullptr);
      ++tried;
      alone.emplace_back(-d.order.total_applied_discount_amount(), i);
    }
    if (alone.size() == in.size()) {
      std::stable_sort(alone.begin(), alone.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      std::vector<size_t> by_discount;
      for (const auto& [d, i] : alone) by_discount.push_back(i);
      seeds.push_back(std::move(by_discount));
    }
    for (std::vector<size_t> current : seeds) {
      try_plan(plan_for(current, out));
      bool improved = true;
      while (improved && tried < stop_at) {
        improved = false;
        for (size_t from = 0; from < current.size() && !improved && tried < stop_at; ++from) {
          for (size_t to = 0; to < current.size() && tried < stop_at; ++to) {
            if (to == from) continue;
            std::vector<size_t> moved = current;
            const size_t x = moved[from];
            moved.erase(moved.begin() + static_cast<std::ptrdiff_t>(from));
            moved.insert(moved.begin() + static_cast<std::ptrdiff_t>(to), x);
            if (try_plan(plan_for(moved, out))) {
              current = std::move(moved);
              improved = true;
              break;
            }
          }
        }
      }
    }
  }
  best.best_deal_tried = tried;
  return best;
}

}  // namespace

Decision evaluate(const Catalog& catalog, const Usage& usage, const Request& request, Instant now) {
  if (request.best_deal && request.redeemables.size() > 1) {
    return best_deal(catalog, usage, request, now);
  }
  return decide(catalog, usage, request, now, nullptr);
}

}  // namespace openpromo::engine
