#include "service/promotion_service.h"

#include <map>
#include <set>

#include "core/crypto.h"
#include "service/definitions.h"
#include "service/events.h"
#include "service/incentives.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"
#include "service/validation_rule_service.h"
#include "store/promotion_repository.h"
#include "store/redemption_repository.h"
#include "store/validation_rule_repository.h"

namespace openpromo {
namespace {

Error invalid_tier(std::string details) {
  return Error{400, "invalid_payload", "Invalid payload", std::move(details), {}, {}};
}

Result<Campaign> promotion_campaign(UnitOfWork& tx, const Scope& scope,
                                    std::string_view id_or_name) {
  OP_ASSIGN(Campaign c, find_campaign(tx, scope, id_or_name));
  if (c.campaign_type != CampaignType::kPromotion) {
    return Error{400,
                 "invalid_campaign_params",
                 "Invalid campaign params",
                 "campaign " + c.id + " is not a PROMOTION campaign",
                 c.id,
                 "campaign"};
  }
  return c;
}

Status apply(UnitOfWork& tx, const Scope& scope, const TierInput& in, PromotionTier& t) {
  if (in.name) {
    if (in.name->empty() || in.name->size() > 200)
      return invalid_tier("name must be 1-200 characters");
    t.name = *in.name;
  }
  if (in.banner) t.banner = in.banner;
  if (in.active) t.active = *in.active;
  if (in.hierarchy) {
    if (*in.hierarchy < 1) return invalid_tier("hierarchy must be an integer >= 1");
    t.hierarchy = *in.hierarchy;
  }
  if (in.category_id) {
    OP_ASSIGN(t.category_id, resolve_category(tx, scope, in.category_id, std::nullopt));
  }
  if (in.start_date) t.start_date = *in.start_date;
  if (in.expiration_date) t.expiration_date = *in.expiration_date;
  if (t.start_date && t.expiration_date && *t.expiration_date <= *t.start_date) {
    return invalid_tier("expiration_date must be after start_date");
  }
  if (in.action && in.action->is_null()) {
    t.definition.erase("action");
  } else if (in.action) {
    // A tier may have no discount (the reference allows a tier without an action: it qualifies
    // and is tracked, and gives nothing); a discount given is checked whole.
    if (!in.action->is_object()) return invalid_tier("action must be an object");
    if (const Json* discount = in.action->as_object().if_contains("discount");
        discount && !discount->is_null()) {
      OP_TRY(check_discount(*discount));
    }
    t.definition["action"] = *in.action;
  }
  if (in.metadata) {
    OP_TRY(check_metadata(*in.metadata));
    t.definition["metadata"] = in.metadata->is_null() ? Json(JsonObject{}) : *in.metadata;
  }
  for (auto [key, value] : {std::pair{"validity_timeframe", &in.validity_timeframe},
                            std::pair{"validity_day_of_week", &in.validity_day_of_week},
                            std::pair{"validity_hours", &in.validity_hours}}) {
    if (!*value) continue;
    OP_TRY(check_window(key, **value));
    t.definition[key] = **value;
  }
  return {};
}

Result<PromotionTier> find_tier(UnitOfWork& tx, const Scope& scope, std::string_view id) {
  OP_ASSIGN(auto t, TierRepository(tx).find(scope, id));
  if (!t) return Error::not_found("promotion_tier", std::string(id));
  return std::move(*t);
}

Result<TierDetails> details(UnitOfWork& tx, const Scope& scope, PromotionTier t) {
  TierDetails out;
  OP_ASSIGN(out.campaign, CampaignRepository(tx).find(scope, t.campaign_id));
  OP_ASSIGN(out.assignments, ValidationRuleRepository(tx).assignments_of(scope, t.id));
  OP_ASSIGN(auto usage, UsageRepository(tx).read(scope, {"i|" + t.id}));
  if (!usage.empty()) out.usage = std::move(usage.front());
  out.tier = std::move(t);
  return out;
}

// What an audit entry keeps of a tier.
Json tier_state(const PromotionTier& t) {
  auto time = [](const std::optional<Instant>& v) {
    return v ? Json(format_iso8601(*v)) : Json(nullptr);
  };
  return JsonObject{{"name", t.name},
                    {"active", t.active},
                    {"hierarchy", t.hierarchy},
                    {"start_date", time(t.start_date)},
                    {"expiration_date", time(t.expiration_date)},
                    {"category_id", t.category_id ? Json(*t.category_id) : Json(nullptr)},
                    {"definition", t.definition}};
}

JsonObject tier_event(const PromotionTier& t) {
  return JsonObject{
      {"id", t.id}, {"name", t.name}, {"campaign_id", t.campaign_id}, {"object", "promotion_tier"}};
}

Result<PromotionStack> find_stack(UnitOfWork& tx, const Scope& scope, std::string_view campaign,
                                  std::string_view id) {
  OP_ASSIGN(Campaign c, promotion_campaign(tx, scope, campaign));
  OP_ASSIGN(auto s, StackRepository(tx).find(scope, id));
  if (!s || s->campaign_id != c.id) return Error::not_found("promotion_stack", std::string(id));
  return std::move(*s);
}

Status check_stack(UnitOfWork& tx, const Scope& scope, const PromotionStack& s) {
  if (s.name.empty() || s.name.size() > 200) return invalid_tier("name must be 1-200 characters");
  if (s.tier_ids.empty() || s.tier_ids.size() > PromotionStack::kMaxTiers) {
    return invalid_tier("tiers.ids must list 1 to 30 promotion tiers");
  }
  if (s.hierarchy_mode != "MANUAL") return invalid_tier("tiers.hierarchy_mode must be MANUAL");
  std::set<std::string> seen;
  for (const auto& id : s.tier_ids) {
    if (!seen.insert(id).second) return invalid_tier("tiers.ids lists " + id + " twice");
    OP_ASSIGN(PromotionTier t, find_tier(tx, scope, id));
    if (t.campaign_id != s.campaign_id) {
      return invalid_tier("promotion tier " + id + " belongs to another campaign");
    }
  }
  return {};
}

JsonObject stack_event(const PromotionStack& s) {
  return JsonObject{{"id", s.id},
                    {"name", s.name},
                    {"campaign_id", s.campaign_id},
                    {"object", "promotion_stack"}};
}

}  // namespace

Result<PromotionTier> create_tier_in(UnitOfWork& tx, const Principal& who, const Campaign& c,
                                     const TierInput& in) {
  const Scope scope = who.scope();
  if (!in.name) return invalid_tier("name is required");
  PromotionTier t;
  t.id = new_id("promo_");
  t.project_id = who.project_id;
  t.campaign_id = c.id;
  t.created_at = now_utc();
  if (!in.hierarchy) {
    // Next after the campaign's existing tiers.
    OP_ASSIGN(const int64_t last, TierRepository(tx).max_hierarchy(scope, c.id));
    t.hierarchy = last + 1;
  }
  OP_TRY(apply(tx, scope, in, t));
  if (!t.definition.contains("metadata")) t.definition["metadata"] = JsonObject{};
  OP_TRY(check_metadata_schema(tx, scope, "promotion_tier", t.definition["metadata"], true));
  OP_TRY(check_tier_evaluates(t, c));
  OP_TRY(TierRepository(tx).insert(scope, t));
  OP_TRY(assign_rules(tx, who, in.validation_rules, "promotion_tier", t.id));
  OP_TRY(create_and_assign_rules(tx, who, in.new_rules, "promotion_tier", t.id));
  OP_TRY(record_audit(tx, who, c.id, "campaign.promotion_tier.created", "promotion_tier", t.id,
                      nullptr, tier_state(t)));
  OP_TRY(record_event(tx, who, "campaign.promotion_tier.created", t.id, tier_event(t)));
  return t;
}

Result<TierDetails> PromotionService::create_tier(const Principal& who, std::string_view campaign,
                                                  const TierInput& in) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<TierDetails> {
    OP_ASSIGN(Campaign c, promotion_campaign(tx, who.scope(), campaign));
    OP_TRY(require_owner(c, "changed"));
    OP_ASSIGN(PromotionTier t, create_tier_in(tx, who, c, in));
    return details(tx, who.scope(), std::move(t));
  });
}

Result<TierDetails> PromotionService::get_tier(const Principal& who, std::string_view id) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<TierDetails> {
    OP_ASSIGN(PromotionTier t, find_tier(tx, who.scope(), id));
    return details(tx, who.scope(), std::move(t));
  });
}

Result<Page<TierDetails>> PromotionService::list_tiers(const Principal& who,
                                                       const std::optional<std::string>& campaign,
                                                       const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<TierDetails>> {
    const Scope scope = who.scope();
    std::optional<std::string> campaign_id;
    if (campaign) {
      OP_ASSIGN(Campaign c, promotion_campaign(tx, scope, *campaign));
      campaign_id = c.id;
    }
    OP_ASSIGN(auto page, TierRepository(tx).list(scope, campaign_id, query));
    Page<TierDetails> out;
    out.total = page.total;
    out.has_more = page.has_more;
    std::map<std::string, std::optional<Campaign>> campaigns;
    std::vector<std::string> keys;
    for (const PromotionTier& t : page.items) keys.push_back("i|" + t.id);
    OP_ASSIGN(auto rows, UsageRepository(tx).read(scope, keys));
    std::map<std::string, UsageCounter> usage;
    for (UsageCounter& r : rows) usage.emplace(r.key, std::move(r));
    for (PromotionTier& t : page.items) {
      auto it = campaigns.find(t.campaign_id);
      if (it == campaigns.end()) {
        OP_ASSIGN(auto found, CampaignRepository(tx).find(scope, t.campaign_id));
        it = campaigns.emplace(t.campaign_id, std::move(found)).first;
      }
      TierDetails d;
      d.campaign = it->second;
      if (auto u = usage.find("i|" + t.id); u != usage.end()) d.usage = u->second;
      d.tier = std::move(t);
      out.items.push_back(std::move(d));
    }
    return out;
  });
}

Result<TierDetails> PromotionService::update_tier(const Principal& who, std::string_view id,
                                                  const TierInput& in) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<TierDetails> {
    const Scope scope = who.scope();
    OP_ASSIGN(PromotionTier found, find_tier(tx, scope, id));
    // Read again under the row's lock: a concurrent edit waits, then builds on this one.
    OP_TRY(TierRepository(tx).lock(scope, found.id));
    OP_ASSIGN(PromotionTier t, find_tier(tx, scope, found.id));
    const Json before = tier_state(t);
    OP_TRY(apply(tx, scope, in, t));
    if (in.metadata) {
      OP_TRY(check_metadata_schema(tx, scope, "promotion_tier", *in.metadata, false));
    }
    OP_ASSIGN(Campaign c, find_campaign(tx, scope, t.campaign_id));
    OP_TRY(require_owner(c, "changed"));
    OP_TRY(check_tier_evaluates(t, c));
    t.updated_at = now_utc();
    OP_TRY(TierRepository(tx).update(scope, t));
    OP_TRY(record_audit(tx, who, t.campaign_id, "campaign.promotion_tier.updated", "promotion_tier",
                        t.id, before, tier_state(t)));
    OP_TRY(record_event(tx, who, "campaign.promotion_tier.updated", t.id, tier_event(t)));
    return details(tx, scope, std::move(t));
  });
}

Result<TierDetails> PromotionService::set_tier_active(const Principal& who, std::string_view id,
                                                      bool active) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<TierDetails> {
    const Scope scope = who.scope();
    OP_ASSIGN(PromotionTier t, find_tier(tx, scope, id));
    OP_ASSIGN(Campaign c, find_campaign(tx, scope, t.campaign_id));
    OP_TRY(require_owner(c, "changed"));
    OP_TRY(TierRepository(tx).set_active(scope, t.id, active, now_utc()));
    OP_TRY(record_audit(
        tx, who, t.campaign_id,
        active ? "campaign.promotion_tier.enabled" : "campaign.promotion_tier.disabled",
        "promotion_tier", t.id, JsonObject{{"active", t.active}}, JsonObject{{"active", active}}));
    OP_TRY(record_event(
        tx, who, active ? "campaign.promotion_tier.enabled" : "campaign.promotion_tier.disabled",
        t.id, tier_event(t)));
    OP_ASSIGN(PromotionTier stored, find_tier(tx, scope, t.id));
    return details(tx, scope, std::move(stored));
  });
}

Status PromotionService::delete_tier(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete promotion tiers"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    const Scope scope = who.scope();
    OP_ASSIGN(PromotionTier t, find_tier(tx, scope, id));
    OP_ASSIGN(auto stacks, StackRepository(tx).listing_tier(scope, t.id));
    for (const auto& s : stacks) {
      for (const auto& tier_id : s.tier_ids) {
        if (tier_id == t.id) {
          return Error::resource_in_use("promotion_tier", t.id,
                                        "The tier is part of promotion stack " + s.id);
        }
      }
    }
    OP_TRY(TierRepository(tx).remove(scope, t.id));
    OP_TRY(record_audit(tx, who, t.campaign_id, "campaign.promotion_tier.deleted", "promotion_tier",
                        t.id, tier_state(t), nullptr));
    return record_event(tx, who, "campaign.promotion_tier.deleted", t.id, tier_event(t));
  });
}

Result<PromotionStack> PromotionService::create_stack(const Principal& who,
                                                      std::string_view campaign,
                                                      const StackInput& in) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<PromotionStack> {
    const Scope scope = who.scope();
    OP_ASSIGN(Campaign c, promotion_campaign(tx, scope, campaign));
    OP_TRY(require_owner(c, "changed"));
    PromotionStack s;
    s.id = new_id("stack_");
    s.project_id = who.project_id;
    s.campaign_id = c.id;
    s.name = in.name.value_or("");
    s.tier_ids = in.tier_ids.value_or(std::vector<std::string>{});
    s.hierarchy_mode = in.hierarchy_mode.value_or("MANUAL");
    if (in.category_id) {
      OP_ASSIGN(s.category_id, resolve_category(tx, scope, in.category_id, std::nullopt));
    }
    s.created_at = now_utc();
    OP_TRY(check_stack(tx, scope, s));
    OP_TRY(StackRepository(tx).insert(scope, s));
    OP_TRY(record_event(tx, who, "campaign.promotion_stack.created", s.id, stack_event(s)));
    return s;
  });
}

Result<PromotionStack> PromotionService::get_stack(const Principal& who, std::string_view campaign,
                                                   std::string_view id) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return find_stack(tx, who.scope(), campaign, id); });
}

Result<Page<PromotionStack>> PromotionService::list_stacks(
    const Principal& who, const std::optional<std::string>& campaign, const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<PromotionStack>> {
    std::optional<std::string> campaign_id;
    if (campaign) {
      OP_ASSIGN(Campaign c, promotion_campaign(tx, who.scope(), *campaign));
      campaign_id = c.id;
    }
    return StackRepository(tx).list(who.scope(), campaign_id, query);
  });
}

Result<PromotionStack> PromotionService::update_stack(const Principal& who,
                                                      std::string_view campaign,
                                                      std::string_view id, const StackInput& in) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<PromotionStack> {
    const Scope scope = who.scope();
    OP_ASSIGN(Campaign c, promotion_campaign(tx, scope, campaign));
    OP_TRY(require_owner(c, "changed"));
    OP_ASSIGN(PromotionStack s, find_stack(tx, scope, campaign, id));
    if (in.name) s.name = *in.name;
    if (in.tier_ids) s.tier_ids = *in.tier_ids;
    if (in.hierarchy_mode) s.hierarchy_mode = *in.hierarchy_mode;
    if (in.category_id) {
      OP_ASSIGN(s.category_id, resolve_category(tx, scope, in.category_id, std::nullopt));
    }
    OP_TRY(check_stack(tx, scope, s));
    s.updated_at = now_utc();
    OP_TRY(StackRepository(tx).update(scope, s));
    OP_TRY(record_event(tx, who, "campaign.promotion_stack.updated", s.id, stack_event(s)));
    return s;
  });
}

Status PromotionService::delete_stack(const Principal& who, std::string_view campaign,
                                      std::string_view id) {
  OP_TRY(require_admin(who, "delete promotion stacks"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(PromotionStack s, find_stack(tx, who.scope(), campaign, id));
    OP_TRY(StackRepository(tx).remove(who.scope(), s.id));
    return record_event(tx, who, "campaign.promotion_stack.deleted", s.id, stack_event(s));
  });
}

}  // namespace openpromo
