#include "service/qualification_service.h"

#include <algorithm>
#include <set>

#include "engine/engine.h"
#include "service/decision_inputs.h"
#include "service/incentives.h"
#include "service/usage_rows.h"
#include "store/customer_repository.h"
#include "store/redemption_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {
namespace {

using engine::Incentive;
using engine::RedeemableStatus;

bool reads_items(const Incentive& inc) {
  for (const engine::Rule& rule : inc.rules) {
    if (!rule.applicable_to.empty()) return true;
    if (!rule.rules) continue;
    for (const std::string& name : rule.rules->names()) {
      if (name.starts_with("order.items.") || name.starts_with("product.") ||
          name.starts_with("sku.")) {
        return true;
      }
    }
  }
  return false;
}

bool reads_customer(const Incentive& inc) {
  for (const engine::Rule& rule : inc.rules) {
    if (rule.rules && rule.rules->needs_customer()) return true;
  }
  return false;
}

const char* voucher_type_of(const Incentive& inc) {
  switch (inc.voucher_kind) {
    case Incentive::VoucherKind::kGift:
      return "GIFT_VOUCHER";
    case Incentive::VoucherKind::kLoyaltyCard:
      return "LOYALTY_CARD";
    case Incentive::VoucherKind::kDiscount:
      return "DISCOUNT_VOUCHER";
  }
  return "DISCOUNT_VOUCHER";
}

std::optional<std::string> attribute(const QualifiedRedeemable& q, std::string_view field) {
  if (field == "category_id") return q.category_id;
  if (field == "campaign_id") return q.campaign_id;
  if (field == "campaign_type") return q.campaign_type;
  if (field == "resource_id")
    return q.object == "voucher" && q.incentive ? std::optional<std::string>(q.incentive->id)
                                                : std::optional<std::string>(q.id);
  if (field == "resource_type") return q.object;
  if (field == "voucher_type") return q.voucher_type;
  if (field == "code") {
    return q.object == "voucher" ? std::optional<std::string>(q.id) : std::nullopt;
  }
  if (field == "holder_role") return q.holder_role;
  return std::nullopt;
}

bool holds(const QualifiedRedeemable& q, const QualificationFilter& f) {
  const std::optional<std::string> v = attribute(q, f.field);
  auto in = [&] { return v && std::find(f.values.begin(), f.values.end(), *v) != f.values.end(); };
  switch (f.op) {
    case FilterOp::kIs:
      return v && !f.values.empty() && *v == f.values.front();
    case FilterOp::kIsNot:
      return !v || f.values.empty() || *v != f.values.front();
    case FilterOp::kIn:
      return in();
    case FilterOp::kNotIn:
      return !in();
    case FilterOp::kHasValue:
      return v.has_value();
    case FilterOp::kIsUnknown:
      return !v.has_value();
    default:
      return false;
  }
}

bool passes(const QualifiedRedeemable& q, const QualificationInput& input) {
  if (input.filters.empty()) return true;
  bool any = false, all = true;
  for (const QualificationFilter& f : input.filters) {
    const bool ok = holds(q, f);
    any = any || ok;
    all = all && ok;
  }
  return input.filters_or ? any : all;
}

}  // namespace

Result<QualificationRun> QualificationService::qualify(const Principal& who,
                                                       QualificationInput input) {
  const Project& project = who.project;
  const Scope scope = who.scope();
  CatalogCache& cache = validations_.catalog();
  OP_ASSIGN(std::shared_ptr<const CatalogSnapshot> snapshot, cache.current(project));
  const Instant now = now_utc();
  const std::string& scenario = input.scenario;
  const bool wallet_only = scenario == "CUSTOMER_WALLET";
  const bool stacks_only = scenario == "PROMOTION_STACKS";
  const bool by_customer = scenario.ends_with("_BY_CUSTOMER");
  const bool products = scenario.starts_with("PRODUCTS");
  const bool products_discount = scenario.starts_with("PRODUCTS_DISCOUNT");
  engine::Request base = std::move(input.request);
  base.redeemables.clear();
  base.rule_scope = scenario == "AUDIENCE_ONLY" ? engine::Request::RuleScope::kAudience
                                                : engine::Request::RuleScope::kQualification;

  OP_ASSIGN(auto tx, store_.statements());
  // The customer's wallet: codes published to them.
  std::vector<Voucher> wallet;
  {
    const engine::Customer& c = base.customer;
    const std::optional<std::string>& key = c.id ? c.id : c.source_id;
    if (c.present && key) {
      OP_ASSIGN(auto stored, CustomerRepository(tx).find(scope, *key));
      if (stored) {
        OP_ASSIGN(wallet, VoucherRepository(tx).held_by(scope, stored->id, kMaxWallet));
      }
    }
  }

  // Everything the snapshot and the wallet offer, resolved and read as a validation of all of
  // them would be (one read of the customer, collections and counter rows).
  engine::Request all = base;
  for (const Voucher& v : wallet) {
    engine::RedeemableRef ref;
    ref.object = "voucher";
    ref.id = v.id;
    all.redeemables.push_back(std::move(ref));
  }
  // A restricted key is offered only campaigns it sees (spec 14.2): the wallet's codes come
  // through the scoped store; the snapshot's campaigns, tiers and stacks are filtered here on
  // the campaign's assignments (Scope::sees, the SQL predicate's in-memory twin).
  auto visible = [&](const std::optional<std::string>& campaign_id) {
    if (!scope.restricted) return true;
    if (!campaign_id) return false;
    const auto c = snapshot->campaigns.find(*campaign_id);
    return c != snapshot->campaigns.end() && scope.sees(c->second.assignments);
  };
  if (!wallet_only) {
    for (const auto& [id, tier] : snapshot->engine.tiers) {
      if (!tier->active || !tier->campaign_active || !visible(tier->campaign_id)) continue;
      engine::RedeemableRef ref;
      ref.object = "promotion_tier";
      ref.id = id;
      all.redeemables.push_back(std::move(ref));
    }
  }
  OP_ASSIGN(DecisionInputs in, read_decision_inputs(tx, who, wire_, *snapshot, all,
                                                    InputMode::kRead, std::nullopt, now));
  if (in.stale) {
    OP_ASSIGN(snapshot, cache.refresh(project));
    for (auto& ref : all.redeemables) ref.incentive.reset();
    OP_ASSIGN(in, read_decision_inputs(tx, who, wire_, *snapshot, all, InputMode::kRead,
                                       std::nullopt, now));
  }
  // Campaigns with codes, on their compiled template, unless the customer holds one of theirs.
  std::vector<const engine::CampaignEntry*> campaigns;
  if (!wallet_only && !stacks_only) {
    std::set<std::string> held;
    for (const Voucher& v : wallet) {
      if (v.campaign_id) held.insert(*v.campaign_id);
    }
    engine::Request templates = all;
    templates.redeemables.clear();
    for (const auto& [id, entry] : snapshot->engine.campaigns) {
      if (!entry.active || entry.promotion || !entry.voucher_template || held.contains(id) ||
          !visible(id)) {
        continue;
      }
      const auto c = snapshot->campaigns.find(id);
      // Gift and loyalty campaigns qualify through the customer's own cards (their balance).
      if (c == snapshot->campaigns.end() ||
          (c->second.campaign_type != CampaignType::kDiscountCoupons &&
           c->second.campaign_type != CampaignType::kReferralProgram)) {
        continue;
      }
      campaigns.push_back(&entry);
      engine::RedeemableRef ref;
      ref.object = "voucher";
      ref.id = id;
      ref.incentive = entry.voucher_template;
      templates.redeemables.push_back(std::move(ref));
    }
    std::vector<std::string> keys = engine::counter_rows_read(templates);
    std::erase_if(keys, [&](const std::string& k) { return in.usage.counters.contains(k); });
    OP_ASSIGN(auto rows, UsageRepository(tx).read(scope, keys));
    for (const UsageCounter& row : rows) in.usage.counters[row.key] = to_engine(row);
  }

  std::vector<QualifiedRedeemable> qualified;
  engine::Request one = all;  // customer, segments, collections as read
  one.redeemables.resize(1);
  auto decide = [&](const engine::RedeemableRef& ref) {
    one.redeemables[0] = ref;
    return engine::evaluate(snapshot->engine, in.usage, one, now);
  };
  auto keep = [&](QualifiedRedeemable q, const Incentive& inc) {
    if (products && !reads_items(inc)) return;
    if (products_discount && q.result.items_discount == 0 && q.result.applicable_to.empty()) return;
    if (by_customer && q.object != "voucher" && !reads_customer(inc)) return;
    qualified.push_back(std::move(q));
  };
  auto fill = [&](QualifiedRedeemable& q, const Incentive& inc, const engine::Decision& d) {
    q.incentive = d.redeemables.front().incentive;
    q.result = d.redeemables.front();
    q.order = d.order;
    q.discount = d.order.total_applied_discount_amount();
    q.campaign_id = inc.campaign_id;
    q.campaign_name = inc.campaign_name;
    if (inc.category) q.category_id = inc.category->id;
    if (inc.campaign_id) {
      if (const auto c = snapshot->campaigns.find(*inc.campaign_id);
          c != snapshot->campaigns.end()) {
        q.campaign_type = std::string(to_string(c->second.campaign_type));
      }
    }
    for (const engine::Rule& r : inc.rules) q.rule_ids.push_back(r.id);
  };

  if (!stacks_only) {
    for (size_t i = 0; i < all.redeemables.size(); ++i) {
      const engine::RedeemableRef& ref = all.redeemables[i];
      if (!ref.incentive) continue;
      const Incentive& inc = *ref.incentive;
      if (!inc.active || !inc.campaign_active) continue;  // disabled never qualifies
      const engine::Decision d = decide(ref);
      if (d.redeemables.front().status != RedeemableStatus::kApplicable) continue;
      QualifiedRedeemable q;
      fill(q, inc, d);
      if (ref.object == "voucher") {
        const Voucher& v = *in.vouchers[i];
        q.id = v.code;
        q.object = "voucher";
        q.created_at = v.created_at;
        q.voucher_type = voucher_type_of(inc);
        q.holder_role = "OWNER";
        q.gift_balance = v.gift_balance;
        q.locked_credits = in.reserved[i].gift_credits;
      } else {
        q.id = inc.id;
        q.object = "promotion_tier";
        q.name = inc.name;
        if (const auto t = snapshot->tiers.find(inc.id); t != snapshot->tiers.end()) {
          q.created_at = t->second.created_at;
          q.banner = t->second.banner;
        }
      }
      keep(std::move(q), inc);
    }
    for (const engine::CampaignEntry* entry : campaigns) {
      engine::RedeemableRef ref;
      ref.object = "voucher";
      ref.id = entry->id;
      ref.incentive = entry->voucher_template;
      const engine::Decision d = decide(ref);
      if (d.redeemables.front().status != RedeemableStatus::kApplicable) continue;
      QualifiedRedeemable q;
      fill(q, *entry->voucher_template, d);
      q.id = entry->id;
      q.object = "campaign";
      q.name = entry->name;
      q.campaign_id = entry->id;
      q.campaign_name = entry->name;
      q.voucher_type = voucher_type_of(*entry->voucher_template);
      if (const auto c = snapshot->campaigns.find(entry->id); c != snapshot->campaigns.end()) {
        q.created_at = c->second.created_at;
        q.campaign_type = std::string(to_string(c->second.campaign_type));
      }
      keep(std::move(q), *entry->voucher_template);
    }
  } else {
    // A stack qualifies when its tiers, applied together, are valid.
    for (const auto& [id, stack] : snapshot->stacks) {
      if (!visible(stack.campaign_id)) continue;
      engine::Request together = all;
      together.redeemables.clear();
      bool usable = true;
      const auto in_stack = snapshot->stack_tiers.find(id);
      for (const std::string& tier : stack.tier_ids) {
        if (in_stack == snapshot->stack_tiers.end()) {
          usable = false;
          break;
        }
        const auto t = in_stack->second.find(tier);  // with the stack's category
        if (t == in_stack->second.end()) {
          usable = false;
          break;
        }
        engine::RedeemableRef ref;
        ref.object = "promotion_tier";
        ref.id = tier;
        ref.stack_id = id;
        ref.incentive = t->second;
        together.redeemables.push_back(std::move(ref));
      }
      if (!usable || together.redeemables.empty()) continue;
      const engine::Decision d = engine::evaluate(snapshot->engine, in.usage, together, now);
      if (!d.valid) continue;
      QualifiedRedeemable q;
      q.id = id;
      q.object = "promotion_stack";
      q.name = stack.name;
      q.created_at = stack.created_at;
      q.campaign_id = stack.campaign_id;
      q.category_id = stack.category_id;
      q.stacked = d.redeemables;
      q.order = d.order;
      q.discount = d.order.total_applied_discount_amount();
      qualified.push_back(std::move(q));
    }
  }

  // Filter and sort positions, not the (large) results; only the page is moved out.
  std::vector<size_t> order;
  order.reserve(qualified.size());
  for (size_t i = 0; i < qualified.size(); ++i) {
    if (passes(qualified[i], input)) order.push_back(i);
  }
  auto newer = [&](size_t x, size_t y) {
    const QualifiedRedeemable& a = qualified[x];
    const QualifiedRedeemable& b = qualified[y];
    return a.created_at != b.created_at ? b.created_at < a.created_at : a.id > b.id;
  };
  if (input.sorting_rule == "BEST_DEAL" || input.sorting_rule == "LEAST_DEAL") {
    const bool best = input.sorting_rule == "BEST_DEAL";
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      const engine::Money a = qualified[x].discount, b = qualified[y].discount;
      if (a != b) return best ? a > b : a < b;
      return newer(x, y);
    });
  } else {
    std::sort(order.begin(), order.end(), newer);
  }
  QualificationRun run;
  run.total = static_cast<int64_t>(order.size());
  size_t from = 0;
  if (input.starting_after) {
    const Instant cursor = *input.starting_after;
    if (input.sorting_rule == "DEFAULT") {
      while (from < order.size() && !(qualified[order[from]].created_at < cursor)) ++from;
    } else {
      // Past the last item created at the cursor's time.
      for (size_t i = 0; i < order.size(); ++i) {
        if (qualified[order[i]].created_at == cursor) from = i + 1;
      }
    }
  }
  const size_t to = std::min(order.size(), from + static_cast<size_t>(input.limit));
  for (size_t i = from; i < to; ++i) run.items.push_back(std::move(qualified[order[i]]));
  run.has_more = to < order.size();
  run.stacking = snapshot->engine.stacking;
  run.tracking_id = input.tracking_id ? *input.tracking_id : tracking_id_of(base.customer);
  one.redeemables.clear();
  run.order = engine::evaluate(snapshot->engine, in.usage, one, now).order;
  run.request = std::move(one);
  return run;
}

}  // namespace openpromo
