#include "service/promotion_service.h"

#include <set>

#include "core/crypto.h"
#include "service/definitions.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"

namespace openpromo {
namespace {

Error invalid_tier(std::string details) {
  return Error{400, "invalid_payload", "Invalid payload", std::move(details), {}, {}};
}

}  // namespace

Result<Campaign> PromotionService::promotion_campaign(const Principal& who,
                                                      std::string_view id_or_name) {
  OP_ASSIGN(auto c, store_.find_campaign(who.project_id, id_or_name));
  if (!c) return Error::not_found("campaign", std::string(id_or_name));
  if (c->campaign_type != CampaignType::kPromotion) {
    return Error{400,
                 "invalid_campaign_params",
                 "Invalid campaign params",
                 "campaign " + c->id + " is not a PROMOTION campaign",
                 c->id,
                 "campaign"};
  }
  return std::move(*c);
}

Status PromotionService::apply(const Principal& who, const TierInput& in, PromotionTier& t) {
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
    OP_ASSIGN(auto cat, store_.find_category(who.project_id, *in.category_id));
    if (!cat) return Error::not_found("category", *in.category_id);
    t.category_id = cat->id;
  }
  if (in.start_date) t.start_date = *in.start_date;
  if (in.expiration_date) t.expiration_date = *in.expiration_date;
  if (t.start_date && t.expiration_date && *t.expiration_date <= *t.start_date) {
    return invalid_tier("expiration_date must be after start_date");
  }
  if (in.action) {
    const Json* discount =
        in.action->is_object() ? in.action->as_object().if_contains("discount") : nullptr;
    if (!discount) return invalid_tier("action.discount is required");
    OP_TRY(check_discount(*discount));
    t.definition["action"] = *in.action;
  }
  if (in.metadata) {
    OP_TRY(check_metadata(*in.metadata));
    t.definition["metadata"] = in.metadata->is_null() ? Json(JsonObject{}) : *in.metadata;
  }
  if (in.validity_timeframe) {
    OP_TRY(check_validity_timeframe(*in.validity_timeframe));
    t.definition["validity_timeframe"] = *in.validity_timeframe;
  }
  if (in.validity_day_of_week) {
    OP_TRY(check_validity_day_of_week(*in.validity_day_of_week));
    t.definition["validity_day_of_week"] = *in.validity_day_of_week;
  }
  if (in.validity_hours) {
    OP_TRY(check_validity_hours(*in.validity_hours));
    t.definition["validity_hours"] = *in.validity_hours;
  }
  return {};
}

Result<PromotionTier> PromotionService::create_tier(const Principal& who, std::string_view campaign,
                                                    const TierInput& in) {
  OP_ASSIGN(Campaign c, promotion_campaign(who, campaign));
  if (!in.name) return invalid_tier("name is required");
  if (!in.action) return invalid_tier("action.discount is required");
  PromotionTier t;
  t.id = new_id("promo_");
  t.project_id = who.project_id;
  t.campaign_id = c.id;
  t.created_at = now_utc();
  if (!in.hierarchy) {
    // Next after the campaign's existing tiers.
    ListQuery q;
    q.limit = 1;
    q.order_field = "hierarchy";
    q.descending = true;
    OP_ASSIGN(auto last, store_.list_tiers(who.project_id, c.id, q));
    t.hierarchy = last.items.empty() ? 1 : last.items[0].hierarchy + 1;
  }
  OP_TRY(apply(who, in, t));
  if (!t.definition.contains("metadata")) t.definition["metadata"] = JsonObject{};
  OP_TRY(check_metadata_schema(store_, who.project_id, "promotion_tier", t.definition["metadata"],
                               true));
  OP_TRY(store_.insert_tier(t));
  return t;
}

Result<CampaignCreated> PromotionService::create_campaign_with_tiers(
    const Principal& who, CampaignService& campaigns, CampaignInput input,
    const std::vector<TierInput>& tiers, const std::string& request_id) {
  input.promotion.reset();
  OP_ASSIGN(CampaignCreated created, campaigns.create(who, input, request_id));
  for (const TierInput& tier : tiers) {
    auto made = create_tier(who, created.campaign.id, tier);
    if (!made.ok()) {
      (void)store_.delete_campaign_permanently(who.project_id, created.campaign.id);
      return std::move(made).take_error();
    }
  }
  return created;
}

Result<PromotionTier> PromotionService::get_tier(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto t, store_.find_tier(who.project_id, id));
  if (!t) return Error::not_found("promotion_tier", std::string(id));
  return std::move(*t);
}

Result<Page<PromotionTier>> PromotionService::list_tiers(const Principal& who,
                                                         const std::optional<std::string>& campaign,
                                                         const ListQuery& query) {
  std::optional<std::string> campaign_id;
  if (campaign) {
    OP_ASSIGN(Campaign c, promotion_campaign(who, *campaign));
    campaign_id = c.id;
  }
  return store_.list_tiers(who.project_id, campaign_id, query);
}

Result<PromotionTier> PromotionService::update_tier(const Principal& who, std::string_view id,
                                                    const TierInput& in) {
  OP_ASSIGN(PromotionTier t, get_tier(who, id));
  OP_TRY(apply(who, in, t));
  if (in.metadata) {
    OP_TRY(check_metadata_schema(store_, who.project_id, "promotion_tier", *in.metadata, false));
  }
  t.updated_at = now_utc();
  OP_TRY(store_.update_tier(t));
  return t;
}

Result<PromotionTier> PromotionService::set_tier_active(const Principal& who, std::string_view id,
                                                        bool active) {
  OP_ASSIGN(PromotionTier t, get_tier(who, id));
  OP_TRY(store_.set_tier_active(who.project_id, t.id, active, now_utc()));
  return get_tier(who, t.id);
}

Status PromotionService::delete_tier(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete promotion tiers"));
  OP_ASSIGN(PromotionTier t, get_tier(who, id));
  ListQuery q;
  q.limit = ListQuery::kMaxLimit;
  OP_ASSIGN(auto stacks, store_.list_stacks(who.project_id, t.campaign_id, q));
  for (const auto& s : stacks.items) {
    for (const auto& tier_id : s.tier_ids) {
      if (tier_id == t.id) {
        return Error::resource_in_use("promotion_tier", t.id,
                                      "The tier is part of promotion stack " + s.id);
      }
    }
  }
  return store_.delete_tier(who.project_id, t.id);
}

Status PromotionService::check_stack(const Principal& who, const PromotionStack& s) {
  if (s.name.empty() || s.name.size() > 200) return invalid_tier("name must be 1-200 characters");
  if (s.tier_ids.empty() || s.tier_ids.size() > PromotionStack::kMaxTiers) {
    return invalid_tier("tiers.ids must list 1 to 30 promotion tiers");
  }
  if (s.hierarchy_mode != "MANUAL") return invalid_tier("tiers.hierarchy_mode must be MANUAL");
  std::set<std::string> seen;
  for (const auto& id : s.tier_ids) {
    if (!seen.insert(id).second) return invalid_tier("tiers.ids lists " + id + " twice");
    OP_ASSIGN(auto t, store_.find_tier(who.project_id, id));
    if (!t) return Error::not_found("promotion_tier", id);
    if (t->campaign_id != s.campaign_id) {
      return invalid_tier("promotion tier " + id + " belongs to another campaign");
    }
  }
  return {};
}

Result<PromotionStack> PromotionService::create_stack(const Principal& who,
                                                      std::string_view campaign,
                                                      const StackInput& in) {
  OP_ASSIGN(Campaign c, promotion_campaign(who, campaign));
  PromotionStack s;
  s.id = new_id("stack_");
  s.project_id = who.project_id;
  s.campaign_id = c.id;
  s.name = in.name.value_or("");
  s.tier_ids = in.tier_ids.value_or(std::vector<std::string>{});
  s.hierarchy_mode = in.hierarchy_mode.value_or("MANUAL");
  if (in.category_id) {
    OP_ASSIGN(auto cat, store_.find_category(who.project_id, *in.category_id));
    if (!cat) return Error::not_found("category", *in.category_id);
    s.category_id = cat->id;
  }
  s.created_at = now_utc();
  OP_TRY(check_stack(who, s));
  OP_TRY(store_.insert_stack(s));
  return s;
}

Result<PromotionStack> PromotionService::get_stack(const Principal& who, std::string_view campaign,
                                                   std::string_view id) {
  OP_ASSIGN(Campaign c, promotion_campaign(who, campaign));
  OP_ASSIGN(auto s, store_.find_stack(who.project_id, id));
  if (!s || s->campaign_id != c.id) return Error::not_found("promotion_stack", std::string(id));
  return std::move(*s);
}

Result<Page<PromotionStack>> PromotionService::list_stacks(
    const Principal& who, const std::optional<std::string>& campaign, const ListQuery& query) {
  std::optional<std::string> campaign_id;
  if (campaign) {
    OP_ASSIGN(Campaign c, promotion_campaign(who, *campaign));
    campaign_id = c.id;
  }
  return store_.list_stacks(who.project_id, campaign_id, query);
}

Result<PromotionStack> PromotionService::update_stack(const Principal& who,
                                                      std::string_view campaign,
                                                      std::string_view id, const StackInput& in) {
  OP_ASSIGN(PromotionStack s, get_stack(who, campaign, id));
  if (in.name) s.name = *in.name;
  if (in.tier_ids) s.tier_ids = *in.tier_ids;
  if (in.hierarchy_mode) s.hierarchy_mode = *in.hierarchy_mode;
  if (in.category_id) {
    OP_ASSIGN(auto cat, store_.find_category(who.project_id, *in.category_id));
    if (!cat) return Error::not_found("category", *in.category_id);
    s.category_id = cat->id;
  }
  OP_TRY(check_stack(who, s));
  s.updated_at = now_utc();
  OP_TRY(store_.update_stack(s));
  return s;
}

Status PromotionService::delete_stack(const Principal& who, std::string_view campaign,
                                      std::string_view id) {
  OP_TRY(require_admin(who, "delete promotion stacks"));
  OP_ASSIGN(PromotionStack s, get_stack(who, campaign, id));
  return store_.delete_stack(who.project_id, s.id);
}

}  // namespace openpromo
