#include "service/campaign_service.h"

#include "core/crypto.h"
#include "service/definitions.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"

namespace openpromo {
namespace {

Error invalid_campaign_params(std::string details) {
  return Error{400, "invalid_campaign_params", "Invalid campaign params", std::move(details), {},
               {}};
}

std::string_view voucher_type_for(CampaignType t) {
  switch (t) {
    case CampaignType::kGiftVouchers:
      return "GIFT_VOUCHER";
    case CampaignType::kLoyaltyProgram:
      return "LOYALTY_CARD";
    default:
      return "DISCOUNT_VOUCHER";
  }
}

// Checks the voucher template of a campaign of type `t` and fills what it implies.
Status check_template(CampaignType t, JsonObject& tmpl) {
  const std::string type(voucher_type_for(t));
  if (const Json* given = tmpl.if_contains("type");
      given && !(given->is_string() && given->as_string() == type)) {
    return invalid_campaign_params("voucher.type must be " + type + " for a " +
                                   std::string(to_string(t)) + " campaign");
  }
  tmpl["type"] = type;
  if (t == CampaignType::kDiscountCoupons || t == CampaignType::kReferralProgram) {
    const Json* discount = tmpl.if_contains("discount");
    if (!discount || discount->is_null()) {
      return Error{400,
                   "invalid_campaign",
                   "Invalid campaign",
                   "Property 'discount' is required for " + std::string(to_string(t)) + " campaign",
                   {},
                   {}};
    }
    OP_TRY(check_discount(*discount));
  }
  if (t == CampaignType::kGiftVouchers) {
    const Json* gift = tmpl.if_contains("gift");
    const Json* amount =
        gift && gift->is_object() ? gift->as_object().if_contains("amount") : nullptr;
    if (!amount || !amount->is_int64() || amount->as_int64() <= 0) {
      return Error{400,
                   "invalid_balance",
                   "Invalid balance",
                   "voucher.gift.amount must be an integer greater than 0",
                   {},
                   {}};
    }
    if (const Json* effect = gift->as_object().if_contains("effect");
        effect && !(effect->is_string() && (effect->as_string() == "APPLY_TO_ORDER" ||
                                            effect->as_string() == "APPLY_TO_ITEMS"))) {
      return invalid_campaign_params(
          "voucher.gift.effect must be APPLY_TO_ORDER or APPLY_TO_ITEMS");
    }
  }
  if (t == CampaignType::kLoyaltyProgram) {
    const Json* card = tmpl.if_contains("loyalty_card");
    const Json* points =
        card && card->is_object() ? card->as_object().if_contains("points") : nullptr;
    if (!points || !points->is_int64() || points->as_int64() < 0) {
      return invalid_campaign_params("voucher.loyalty_card.points must be an integer >= 0");
    }
  }
  if (const Json* redemption = tmpl.if_contains("redemption");
      redemption && !redemption->is_null()) {
    const Json* q =
        redemption->is_object() ? redemption->as_object().if_contains("quantity") : nullptr;
    if (!redemption->is_object() ||
        (q && !q->is_null() && !(q->is_int64() && q->as_int64() >= 1))) {
      return invalid_campaign_params("voucher.redemption.quantity must be null or an integer >= 1");
    }
  }
  OP_ASSIGN(
      CodeConfig config,
      code_config_from_json(tmpl.contains("code_config") ? tmpl.at("code_config") : Json(nullptr)));
  tmpl["code_config"] = code_config_to_json(config);
  if (!tmpl.contains("is_referral_code")) {
    tmpl["is_referral_code"] = t == CampaignType::kReferralProgram;
  }
  return {};
}

// Applies the pass-through definition parts present in `input` to `definition`.
Status apply_definition(const CampaignInput& input, JsonObject& definition) {
  if (input.validity_timeframe) {
    OP_TRY(check_validity_timeframe(*input.validity_timeframe));
    definition["validity_timeframe"] = *input.validity_timeframe;
  }
  if (input.validity_day_of_week) {
    OP_TRY(check_validity_day_of_week(*input.validity_day_of_week));
    definition["validity_day_of_week"] = *input.validity_day_of_week;
  }
  if (input.validity_hours) {
    OP_TRY(check_validity_hours(*input.validity_hours));
    definition["validity_hours"] = *input.validity_hours;
  }
  if (input.activity_duration_after_publishing) {
    const Json& d = *input.activity_duration_after_publishing;
    if (!d.is_null() && !d.is_string()) {
      return invalid_campaign_params("activity_duration_after_publishing must be a duration");
    }
    definition["activity_duration_after_publishing"] = d;
  }
  if (input.referral_program) definition["referral_program"] = *input.referral_program;
  if (input.metadata) {
    OP_TRY(check_metadata(*input.metadata));
    definition["metadata"] = input.metadata->is_null() ? Json(JsonObject{}) : *input.metadata;
  }
  return {};
}

Status check_dates(const std::optional<Instant>& start, const std::optional<Instant>& end) {
  if (start && end && *end <= *start) {
    return invalid_campaign_params("expiration_date must be after start_date");
  }
  return {};
}

}  // namespace

Result<Project> CampaignService::project_of(const Principal& who) {
  OP_ASSIGN(auto project, store_.find_project(who.project_id));
  if (!project) return Error::internal("the key's project does not exist");
  return std::move(*project);
}

Result<std::optional<std::string>> CampaignService::resolve_category(
    const Principal& who, const std::optional<std::string>& id,
    const std::optional<std::string>& name) {
  if (id) {
    OP_ASSIGN(auto found, store_.find_category(who.project_id, *id));
    if (!found) return Error::not_found("category", *id);
    return std::optional<std::string>(found->id);
  }
  if (name) {
    ListQuery q;
    q.limit = 1;
    q.filters.push_back(FilterCondition{"name", FilterOp::kIs, {*name}});
    OP_ASSIGN(auto page, store_.list_categories(who.project_id, q));
    if (page.items.empty()) return Error::not_found("category", *name);
    return std::optional<std::string>(page.items[0].id);
  }
  return std::optional<std::string>{};
}

Result<CodeConfig> CampaignService::code_config_of(const Campaign& c) {
  const Json* tmpl = c.definition.if_contains("voucher");
  const Json* config =
      tmpl && tmpl->is_object() ? tmpl->as_object().if_contains("code_config") : nullptr;
  return code_config_from_json(config ? *config : Json(nullptr));
}

Voucher CampaignService::voucher_from_template(const Campaign& c, Instant now) {
  Voucher v;
  v.project_id = c.project_id;
  v.campaign_id = c.id;
  v.category_id = c.category_id;
  v.start_date = c.start_date;
  v.expiration_date = c.expiration_date;
  v.created_at = now;
  const Json* tmpl_value = c.definition.if_contains("voucher");
  if (!tmpl_value || !tmpl_value->is_object()) return v;
  const JsonObject& tmpl = tmpl_value->as_object();
  if (const Json* t = tmpl.if_contains("type"); t && t->is_string()) {
    v.type = voucher_type_from_string(t->as_string()).value_or(VoucherType::kDiscount);
  }
  if (const Json* r = tmpl.if_contains("redemption"); r && r->is_object()) {
    if (const Json* q = r->as_object().if_contains("quantity"); q && q->is_int64()) {
      v.redemption_quantity = q->as_int64();
    }
  }
  if (const Json* g = tmpl.if_contains("gift"); g && g->is_object()) {
    if (const Json* a = g->as_object().if_contains("amount"); a && a->is_int64()) {
      v.gift_amount = v.gift_balance = a->as_int64();
    }
  }
  if (const Json* l = tmpl.if_contains("loyalty_card"); l && l->is_object()) {
    if (const Json* p = l->as_object().if_contains("points"); p && p->is_int64()) {
      v.loyalty_points = v.loyalty_balance = p->as_int64();
    }
  }
  if (const Json* r = tmpl.if_contains("is_referral_code"); r && r->is_bool()) {
    v.is_referral_code = r->as_bool();
  }
  return v;
}

Result<std::string> CampaignService::enqueue_generation(const Campaign& campaign, int64_t count,
                                                        const CodeConfig& config,
                                                        const std::string& request_id) {
  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = campaign.project_id;
  action.type = "CAMPAIGN.VOUCHERS_GENERATE";
  action.request_id = request_id;
  action.payload["campaign_id"] = campaign.id;
  action.payload["count"] = count;
  action.payload["code_config"] = code_config_to_json(config);
  action.created_at = now_utc();
  OP_TRY(store_.insert_async_action(action));
  if (wake_jobs_) wake_jobs_();
  return action.id;
}

Result<CampaignCreated> CampaignService::create(const Principal& who, const CampaignInput& in,
                                                const std::string& request_id) {
  OP_TRY(require_admin(who, "create campaigns"));
  if (!in.name || in.name->empty()) return invalid_campaign_params("name is required");
  if (in.name->size() > 200) return invalid_campaign_params("name must be at most 200 characters");
  Campaign c;
  c.id = new_id("camp_");
  c.project_id = who.project_id;
  c.name = *in.name;
  c.description = in.description;
  if (in.campaign_type) {
    auto t = campaign_type_from_string(*in.campaign_type);
    if (!t) return invalid_campaign_params("unknown campaign_type '" + *in.campaign_type + "'");
    c.campaign_type = *t;
  }
  if (in.type) {
    auto m = campaign_mode_from_string(*in.type);
    if (!m) return invalid_campaign_params("type must be AUTO_UPDATE, STATIC or STANDALONE");
    c.mode = *m;
  }
  if (in.start_date) c.start_date = *in.start_date;
  if (in.expiration_date) c.expiration_date = *in.expiration_date;
  OP_TRY(check_dates(c.start_date, c.expiration_date));
  c.join_once = in.join_once.value_or(false);
  c.auto_join = in.auto_join.value_or(false);
  c.use_voucher_metadata_schema = in.use_voucher_metadata_schema.value_or(false);
  c.is_protected = in.is_protected.value_or(false);
  if (c.campaign_type == CampaignType::kLoyaltyProgram) c.join_once = true;  // spec 5.1
  if (c.mode == CampaignMode::kStandalone) c.join_once = false;
  OP_ASSIGN(c.category_id, resolve_category(who, in.category_id, in.category));

  int64_t count = in.vouchers_count.value_or(0);
  if (count < 0 || count > kMaxGeneratedPerRequest) {
    return invalid_campaign_params("vouchers_count must be between 0 and " +
                                   std::to_string(kMaxGeneratedPerRequest));
  }
  if (c.campaign_type == CampaignType::kPromotion) {
    if (count > 0) return invalid_campaign_params("a PROMOTION campaign has tiers, not codes");
    // Tiers given in `promotion.tiers` are created by PromotionService::create_campaign_with_tiers.
  } else {
    JsonObject tmpl;
    if (in.voucher) {
      if (!in.voucher->is_object()) return invalid_campaign_params("voucher must be an object");
      tmpl = in.voucher->as_object();
    }
    OP_TRY(check_template(c.campaign_type, tmpl));
    c.definition["voucher"] = std::move(tmpl);
  }
  OP_TRY(apply_definition(in, c.definition));
  if (!c.definition.contains("metadata")) c.definition["metadata"] = JsonObject{};
  OP_TRY(check_metadata_schema(store_, who.project_id, "campaign", c.definition["metadata"], true));
  c.created_at = now_utc();

  CodeConfig config;
  if (c.campaign_type != CampaignType::kPromotion) {
    OP_ASSIGN(config, code_config_of(c));
    OP_TRY(config.check_capacity(count));
  }
  const bool background = count > 1;
  if (background) {
    c.creation_status = std::string(kStatusInProgress);
    c.vouchers_generation_status = std::string(kStatusInProgress);
  }
  OP_TRY(store_.insert_campaign(c));

  CampaignCreated out;
  if (count == 1) {
    OP_ASSIGN(Project project, project_of(who));
    CodeGenerator generator(config);
    Voucher v = voucher_from_template(c, c.created_at);
    for (int attempt = 0;; ++attempt) {
      v.id = new_id("v_");
      v.code = generator.next();
      auto inserted = store_.insert_voucher(v, project.case_sensitive_codes);
      if (inserted.ok()) break;
      if (inserted.error().key != "duplicate_found" || attempt > 20) {
        // Nothing half-created: the campaign goes too.
        (void)store_.delete_campaign_permanently(c.project_id, c.id);
        return std::move(inserted).take_error();
      }
    }
    OP_TRY(store_.increment_vouchers_count(c.id, 1));
    c.vouchers_count = 1;
  } else if (background) {
    auto action = enqueue_generation(c, count, config, request_id);
    if (!action.ok()) {
      (void)store_.delete_campaign_permanently(c.project_id, c.id);
      return std::move(action).take_error();
    }
    out.async_action_id = *action;
  }
  // The campaign as created, not re-read: with codes generated in the background, the answer
  // is IN_PROGRESS with vouchers_count 0 whatever the job has done by now (as Voucherify's).
  out.campaign = std::move(c);
  return out;
}

Result<Campaign> CampaignService::get(const Principal& who, std::string_view id_or_name) {
  OP_ASSIGN(auto found, store_.find_campaign(who.project_id, id_or_name));
  if (!found) return Error::not_found("campaign", std::string(id_or_name));
  return std::move(*found);
}

Result<Page<Campaign>> CampaignService::list(const Principal& who, const ListQuery& query) {
  return store_.list_campaigns(who.project_id, query);
}

Result<Campaign> CampaignService::update(const Principal& who, std::string_view id_or_name,
                                         const CampaignInput& in) {
  OP_ASSIGN(Campaign c, get(who, id_or_name));
  if (c.is_protected) {
    return Error{400,
                 "resource_protected",
                 "Resource protected",
                 "The campaign is protected and cannot be modified",
                 c.id,
                 "campaign"};
  }
  if (in.name && *in.name != c.name) {
    return invalid_campaign_params("a campaign's name cannot be changed");
  }
  if (in.campaign_type && *in.campaign_type != to_string(c.campaign_type)) {
    return invalid_campaign_params("a campaign's campaign_type cannot be changed");
  }
  if (in.description) c.description = in.description;
  if (in.start_date) c.start_date = *in.start_date;
  if (in.expiration_date) c.expiration_date = *in.expiration_date;
  OP_TRY(check_dates(c.start_date, c.expiration_date));
  if (in.join_once) c.join_once = *in.join_once;
  if (in.auto_join) c.auto_join = *in.auto_join;
  if (in.use_voucher_metadata_schema)
    c.use_voucher_metadata_schema = *in.use_voucher_metadata_schema;
  if (in.is_protected) c.is_protected = *in.is_protected;
  if (in.category_id || in.category) {
    OP_ASSIGN(c.category_id, resolve_category(who, in.category_id, in.category));
  }
  if (in.voucher && c.campaign_type != CampaignType::kPromotion) {
    // Code generation settings and the discount type are fixed after creation (spec 13.1);
    // other template fields (discount values, redemption quantity) may change.
    if (!in.voucher->is_object()) return invalid_campaign_params("voucher must be an object");
    JsonObject tmpl = c.definition.contains("voucher") && c.definition.at("voucher").is_object()
                          ? c.definition.at("voucher").as_object()
                          : JsonObject{};
    const JsonObject old = tmpl;
    for (const auto& kv : in.voucher->as_object()) {
      if (kv.key() == "code_config") continue;
      tmpl[kv.key()] = kv.value();
    }
    const Json* old_discount = old.if_contains("discount");
    const Json* new_discount = tmpl.if_contains("discount");
    if (old_discount && new_discount && old_discount->is_object() && new_discount->is_object() &&
        old_discount->as_object().if_contains("type") &&
        new_discount->as_object().if_contains("type") &&
        old_discount->as_object().at("type") != new_discount->as_object().at("type")) {
      return invalid_campaign_params("the discount type of a campaign cannot be changed");
    }
    if (old.contains("code_config")) tmpl["code_config"] = old.at("code_config");
    OP_TRY(check_template(c.campaign_type, tmpl));
    c.definition["voucher"] = std::move(tmpl);
  }
  OP_TRY(apply_definition(in, c.definition));
  if (in.metadata) {
    OP_TRY(check_metadata_schema(store_, who.project_id, "campaign", *in.metadata, false));
  }
  c.updated_at = now_utc();
  OP_TRY(store_.update_campaign(c));
  return get(who, c.id);
}

Result<Campaign> CampaignService::set_active(const Principal& who, std::string_view id_or_name,
                                             bool active) {
  OP_ASSIGN(Campaign c, get(who, id_or_name));
  // One statement: an edit running at the same time cannot undo the switch.
  OP_TRY(store_.set_campaign_active(who.project_id, c.id, active, now_utc()));
  return get(who, c.id);
}

Result<std::string> CampaignService::remove(const Principal& who, std::string_view id_or_name,
                                            bool force, const std::string& request_id) {
  OP_TRY(require_admin(who, "delete campaigns"));
  // A binned campaign can still be deleted for good (which frees its name and codes).
  OP_ASSIGN(auto found, store_.find_campaign(who.project_id, id_or_name, /*include_binned=*/force));
  if (!found) return Error::not_found("campaign", std::string(id_or_name));
  Campaign c = std::move(*found);
  if (c.is_protected) {
    return Error{400,
                 "resource_protected",
                 "Resource protected",
                 "The campaign is protected and cannot be deleted",
                 c.id,
                 "campaign"};
  }
  if (force) {
    OP_TRY(store_.delete_campaign_permanently(who.project_id, c.id));
  } else {
    OP_TRY(store_.bin_campaign(who.project_id, c.id, now_utc()));
  }
  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = who.project_id;
  action.type = "CAMPAIGN.VOUCHERS_DELETE";
  action.status = "DONE";
  action.operation_status = "SUCCESS";
  action.progress = 100;
  action.request_id = request_id;
  action.payload["campaign_id"] = c.id;
  action.payload["force"] = force;
  action.result["message"] = "Deleted " + std::to_string(c.vouchers_count) + " vouchers.";
  action.result["done_count"] = c.vouchers_count;
  action.done_count = c.vouchers_count;
  action.created_at = now_utc();
  OP_TRY(store_.insert_async_action(action));
  return action.id;
}

Result<CampaignService::Added> CampaignService::add_vouchers(const Principal& who,
                                                             std::string_view campaign_ref,
                                                             int64_t count,
                                                             const VoucherInput& overrides,
                                                             const std::string& request_id) {
  OP_ASSIGN(Campaign c, get(who, campaign_ref));
  if (c.campaign_type == CampaignType::kPromotion) {
    return invalid_campaign_params("a PROMOTION campaign has tiers, not codes");
  }
  if (count < 1 || count > kMaxGeneratedPerRequest) {
    return invalid_campaign_params("vouchers_count must be between 1 and " +
                                   std::to_string(kMaxGeneratedPerRequest));
  }
  CodeConfig config;
  if (overrides.code_config) {
    OP_ASSIGN(config, code_config_from_json(*overrides.code_config));
  } else {
    OP_ASSIGN(config, code_config_of(c));
  }
  OP_TRY(config.check_capacity(count));
  Added out;
  if (count > 1) {
    OP_ASSIGN(out.async_action_id, enqueue_generation(c, count, config, request_id));
    return out;
  }
  OP_ASSIGN(Project project, project_of(who));
  Voucher v = voucher_from_template(c, now_utc());
  if (overrides.category_id || overrides.category) {
    OP_ASSIGN(v.category_id, resolve_category(who, overrides.category_id, overrides.category));
  }
  if (overrides.active) v.active = *overrides.active;
  if (overrides.start_date) v.start_date = *overrides.start_date;
  if (overrides.expiration_date) v.expiration_date = *overrides.expiration_date;
  if (overrides.redemption_quantity) v.redemption_quantity = *overrides.redemption_quantity;
  if (overrides.metadata) {
    OP_TRY(check_metadata(*overrides.metadata));
    v.definition["metadata"] = *overrides.metadata;
  }
  if (overrides.additional_info) v.definition["additional_info"] = *overrides.additional_info;
  const bool given_code = overrides.code.has_value();
  if (given_code) OP_TRY(check_code(*overrides.code));
  CodeGenerator generator(config);
  for (int attempt = 0;; ++attempt) {
    v.id = new_id("v_");
    v.code = given_code ? *overrides.code : generator.next();
    auto inserted = store_.insert_voucher(v, project.case_sensitive_codes);
    if (inserted.ok()) break;
    if (given_code || inserted.error().key != "duplicate_found" || attempt > 20) {
      return std::move(inserted).take_error();
    }
  }
  // The counter moves only by guarded increments (jobs may be adding codes concurrently).
  OP_TRY(store_.increment_vouchers_count(c.id, 1));
  out.voucher = std::move(v);
  return out;
}

}  // namespace openpromo
