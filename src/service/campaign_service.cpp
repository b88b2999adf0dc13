#include "service/campaign_service.h"

#include <array>

#include "core/crypto.h"
#include "service/area_service.h"
#include "service/bin_service.h"
#include "service/definitions.h"
#include "service/events.h"
#include "service/incentives.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"
#include "service/promotion_service.h"
#include "service/validation_rule_service.h"
#include "store/area_repository.h"
#include "store/async_action_repository.h"
#include "store/audit_repository.h"
#include "store/bin_repository.h"
#include "store/category_repository.h"
#include "store/project_repository.h"
#include "store/promotion_repository.h"
#include "store/redemption_repository.h"
#include "store/validation_count_repository.h"
#include "store/validation_rule_repository.h"
#include "store/voucher_repository.h"

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
  for (auto [key, value] : {std::pair{"validity_timeframe", &input.validity_timeframe},
                            std::pair{"validity_day_of_week", &input.validity_day_of_week},
                            std::pair{"validity_hours", &input.validity_hours}}) {
    if (!*value) continue;
    OP_TRY(check_window(key, **value));
    definition[key] = **value;
  }
  if (input.activity_duration_after_publishing) {
    const Json& d = *input.activity_duration_after_publishing;
    if (!d.is_null() && (!d.is_string() || !parse_iso_duration(d.as_string()) ||
                         parse_iso_duration(d.as_string())->empty())) {
      return invalid_campaign_params(
          "activity_duration_after_publishing must be an ISO 8601 duration such as P24D or PT1H");
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

JsonObject event_data(const Campaign& c) {
  return JsonObject{{"id", c.id}, {"name", c.name}, {"object", "campaign"}};
}

Error protected_campaign(const Campaign& c, const char* what) {
  return Error{400,
               "resource_protected",
               "Resource protected",
               std::string("The campaign is protected and cannot be ") + what,
               c.id,
               "campaign"};
}

}  // namespace

Result<Campaign> find_campaign(UnitOfWork& tx, const Scope& scope, std::string_view id_or_name) {
  OP_ASSIGN(auto found, CampaignRepository(tx).find(scope, id_or_name));
  if (!found) return Error::not_found("campaign", std::string(id_or_name));
  return std::move(*found);
}

Result<CampaignDetails> campaign_details(UnitOfWork& tx, const Scope& scope, Campaign c) {
  CampaignDetails out;
  if (c.category_id) {
    OP_ASSIGN(out.category, CategoryRepository(tx).find(scope, *c.category_id));
  }
  if (c.campaign_type == CampaignType::kPromotion) {
    OP_ASSIGN(out.tiers, TierRepository(tx).of_campaign(scope, c.id));
  }
  OP_ASSIGN(out.assignments, ValidationRuleRepository(tx).assignments_of(scope, c.id));
  OP_ASSIGN(c.assignments, AreaRepository(tx).of_campaigns(scope.project_wide(), {c.id}));
  out.campaign = std::move(c);
  return out;
}

// Edits and deletes of a campaign a restricted key sees but does not fully own (spec 14.2).
Status require_owner(const Campaign& c, std::string_view action) {
  if (!c.readonly.value_or(false)) return {};
  Error e = Error::forbidden("campaign", c.id);
  e.details = "Resource campaign with id " + c.id +
              " is read-only in given context: the key's areas and stores do not cover all of"
              " its assignments, so it may not be " +
              std::string(action);
  return e;
}

Result<std::optional<std::string>> resolve_category(UnitOfWork& tx, const Scope& scope,
                                                    const std::optional<std::string>& id,
                                                    const std::optional<std::string>& name) {
  CategoryRepository categories(tx);
  if (id) {
    OP_ASSIGN(auto found, categories.find(scope, *id));
    if (!found) return Error::not_found("category", *id);
    return std::optional<std::string>(found->id);
  }
  if (name) {
    OP_ASSIGN(auto found, categories.find_by_name(scope, *name));
    if (!found) return Error::not_found("category", *name);
    return std::optional<std::string>(found->id);
  }
  return std::optional<std::string>{};
}

Result<std::string> enqueue_generation(UnitOfWork& tx, const Principal& who,
                                       const Campaign& campaign, int64_t count,
                                       const CodeConfig& config,
                                       const std::function<void()>& wake_jobs) {
  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = who.project_id;
  action.type = "CAMPAIGN.VOUCHERS_GENERATE";
  action.request_id = who.request_id;
  action.payload["campaign_id"] = campaign.id;
  action.payload["count"] = count;
  action.payload["code_config"] = code_config_to_json(config);
  action.created_at = now_utc();
  OP_TRY(AsyncActionRepository(tx).insert(who.scope(), action));
  OP_TRY(record_event(
      tx, who, "campaign.vouchers.generation.started", campaign.id,
      JsonObject{{"campaign_id", campaign.id}, {"count", count}, {"async_action_id", action.id}}));
  if (wake_jobs) tx.after_commit(wake_jobs);
  return action.id;
}

Result<CodeConfig> CampaignService::code_config_of(const Campaign& c) {
  const Json* tmpl = c.definition.if_contains("voucher");
  const Json* config =
      tmpl && tmpl->is_object() ? tmpl->as_object().if_contains("code_config") : nullptr;
  return code_config_from_json(config ? *config : Json(nullptr));
}

Result<CampaignDetails> CampaignService::create(const Principal& who, const CampaignInput& in) {
  // Restricted keys create campaigns within their own scope (spec 14.2); user keys do not.
  if (who.role != Role::kRestricted) OP_TRY(require_admin(who, "create campaigns"));
  if (!in.name || in.name->empty()) return invalid_campaign_params("name is required");
  if (in.name->size() > 200) return invalid_campaign_params("name must be at most 200 characters");
  const Scope scope = who.scope();
  Campaign c;
  c.id = new_id("camp_");
  c.project_id = who.project_id;
  c.name = *in.name;
  c.description = in.description;
  if (in.campaign_type) {
    auto t = campaign_type_from_string(*in.campaign_type);
    if (!t) return invalid_campaign_params("unknown campaign_type '" + *in.campaign_type + "'");
    c.campaign_type = *t;
  } else if (const Json* type = in.voucher && in.voucher->is_object()
                                    ? in.voucher->as_object().if_contains("type")
                                    : nullptr;
             type && type->is_string()) {
    // Without campaign_type the campaign's type follows from its codes' (as in the reference,
    // whose older SDK examples create gift and loyalty campaigns that way).
    if (type->as_string() == "GIFT_VOUCHER") {
      c.campaign_type = CampaignType::kGiftVouchers;
    } else if (type->as_string() == "LOYALTY_CARD") {
      c.campaign_type = CampaignType::kLoyaltyProgram;
    } else if (in.referral_program) {
      c.campaign_type = CampaignType::kReferralProgram;
    }
  } else if (!in.voucher && !in.tiers.empty()) {
    c.campaign_type = CampaignType::kPromotion;  // `promotion.tiers` and nothing else
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

  const int64_t count = in.vouchers_count.value_or(0);
  if (count < 0 || count > kMaxGeneratedPerRequest) {
    return invalid_campaign_params("vouchers_count must be between 0 and " +
                                   std::to_string(kMaxGeneratedPerRequest));
  }
  if (c.campaign_type == CampaignType::kPromotion) {
    if (count > 0) return invalid_campaign_params("a PROMOTION campaign has tiers, not codes");
  } else {
    if (!in.tiers.empty()) {
      return invalid_campaign_params("only a PROMOTION campaign has promotion tiers");
    }
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
  c.created_at = now_utc();
  // What is stored is what validation evaluates: the template as a voucher of this campaign.
  if (c.campaign_type != CampaignType::kPromotion) OP_TRY(check_template_evaluates(c));

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

  OP_ASSIGN(auto tx, store_.write());
  OP_ASSIGN(c.category_id, resolve_category(tx, scope, in.category_id, in.category));
  OP_TRY(check_metadata_schema(tx, scope, "campaign", c.definition["metadata"], true));
  OP_TRY(CampaignRepository(tx).insert(scope, c));
  OP_TRY(AreaService::apply_to_campaign(tx, scope, c.id,
                                        in.access_settings.value_or(AccessSettings{}),
                                        /*creating=*/true, c.created_at));
  if (scope.restricted) c.readonly = false;  // assigned within its own scope: it owns it
  OP_TRY(assign_rules(tx, who, in.validation_rules, "campaign", c.id));
  OP_TRY(create_and_assign_rules(tx, who, in.new_rules, "campaign", c.id));
  OP_TRY(record_audit(
      tx, who, c.id, in.cloned_from ? "campaign.cloned" : "campaign.created", "campaign", c.id,
      in.cloned_from ? Json(JsonObject{{"source_campaign_id", *in.cloned_from}}) : Json(nullptr),
      campaign_state(c)));
  for (const TierInput& tier : in.tiers) OP_TRY(create_tier_in(tx, who, c, tier));

  std::optional<std::string> action_id;
  if (count == 1) {
    CodeGenerator generator(config);
    Voucher v = voucher_from_template(c, c.created_at);
    VoucherRepository vouchers(tx);
    for (int attempt = 0;; ++attempt) {
      v.id = new_id("v_");
      v.code = generator.next();
      OP_ASSIGN(const bool inserted,
                vouchers.insert_if_new(scope, v, who.project.case_sensitive_codes));
      if (inserted) break;
      if (attempt > 20) return Error::unavailable("no free code found; retry");
    }
    OP_TRY(CampaignRepository(tx).add_vouchers_count(scope, c.id, 1));
    c.vouchers_count = 1;
  } else if (background) {
    OP_ASSIGN(action_id, enqueue_generation(tx, who, c, count, config, wake_jobs_));
  }
  OP_TRY(record_event(tx, who, "campaign.created", c.id, event_data(c)));
  // The campaign as created, not re-read: with codes generated in the background, the answer
  // is IN_PROGRESS with vouchers_count 0 whatever the job has done by now (as Voucherify's).
  OP_ASSIGN(CampaignDetails out, campaign_details(tx, scope, std::move(c)));
  out.async_action_id = std::move(action_id);
  OP_TRY(tx.commit());
  return out;
}

Result<CampaignDetails> CampaignService::get(const Principal& who, std::string_view id_or_name) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<CampaignDetails> {
    OP_ASSIGN(Campaign c, find_campaign(tx, who.scope(), id_or_name));
    return campaign_details(tx, who.scope(), std::move(c));
  });
}

Result<Page<CampaignDetails>> CampaignService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<CampaignDetails>> {
    OP_ASSIGN(auto page, CampaignRepository(tx).list(who.scope(), query));
    Page<CampaignDetails> out;
    out.total = page.total;
    out.has_more = page.has_more;
    for (Campaign& c : page.items) {
      OP_ASSIGN(auto details, campaign_details(tx, who.scope(), std::move(c)));
      out.items.push_back(std::move(details));
    }
    return out;
  });
}

namespace {

Json time_or_null(const std::optional<Instant>& t) {
  return t ? Json(format_iso8601(*t)) : Json(nullptr);
}

}  // namespace

// What an audit entry keeps of a campaign: its settings as stored.
Json campaign_state(const Campaign& c) {
  return JsonObject{{"name", c.name},
                    {"description", c.description ? Json(*c.description) : Json(nullptr)},
                    {"active", c.active},
                    {"start_date", time_or_null(c.start_date)},
                    {"expiration_date", time_or_null(c.expiration_date)},
                    {"category_id", c.category_id ? Json(*c.category_id) : Json(nullptr)},
                    {"join_once", c.join_once},
                    {"auto_join", c.auto_join},
                    {"protected", c.is_protected},
                    {"definition", c.definition}};
}

namespace {

std::optional<Json> definition_part(const JsonObject& d, std::string_view key) {
  const Json* v = d.if_contains(key);
  return v ? std::optional<Json>(*v) : std::nullopt;
}

std::vector<std::string> rule_ids(const std::vector<RuleAssignment>& assignments) {
  std::vector<std::string> out;
  for (const RuleAssignment& a : assignments) out.push_back(a.rule_id);
  return out;
}

}  // namespace

Result<Page<AuditEntry>> CampaignService::audit(const Principal& who, std::string_view id_or_name,
                                                const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<AuditEntry>> {
    OP_ASSIGN(Campaign c, find_campaign(tx, who.scope(), id_or_name));
    return AuditRepository(tx).list_of_campaign(who.scope(), c.id, query);
  });
}

Result<CampaignDetails> CampaignService::clone(const Principal& who, std::string_view id_or_name,
                                               const std::string& name, int64_t vouchers_count) {
  const Scope scope = who.scope();
  CampaignInput in;
  {
    OP_ASSIGN(auto tx, store_.snapshot());
    OP_ASSIGN(Campaign c, find_campaign(tx, scope, id_or_name));
    if (c.campaign_type == CampaignType::kReferralProgram ||
        c.campaign_type == CampaignType::kLoyaltyProgram) {
      return invalid_campaign_params("referral and loyalty programs cannot be cloned");
    }
    if (c.unreadable) {
      return invalid_campaign_params("campaign " + c.id + " has a definition that cannot be read");
    }
    in.name = name;
    in.cloned_from = c.id;
    in.description = c.description;
    in.campaign_type = std::string(to_string(c.campaign_type));
    in.type = std::string(to_string(c.mode));
    in.category_id = c.category_id;
    in.start_date = OptionalDate(c.start_date);
    in.expiration_date = OptionalDate(c.expiration_date);
    in.join_once = c.join_once;
    in.auto_join = c.auto_join;
    in.use_voucher_metadata_schema = c.use_voucher_metadata_schema;
    in.is_protected = c.is_protected;
    if (c.campaign_type != CampaignType::kPromotion) in.vouchers_count = vouchers_count;
    const JsonObject& d = c.definition;
    in.voucher = definition_part(d, "voucher");
    in.validity_timeframe = definition_part(d, "validity_timeframe");
    in.validity_day_of_week = definition_part(d, "validity_day_of_week");
    in.validity_hours = definition_part(d, "validity_hours");
    in.activity_duration_after_publishing =
        definition_part(d, "activity_duration_after_publishing");
    in.metadata = definition_part(d, "metadata");
    ValidationRuleRepository rules(tx);
    OP_ASSIGN(auto assigned, rules.assignments_of(scope, c.id));
    in.validation_rules = rule_ids(assigned);
    // The copy is assigned to the same areas and stores (a restricted key: within its own).
    OP_ASSIGN(auto areas, AreaRepository(tx).of_campaigns(scope.project_wide(), {c.id}));
    if (!areas.empty()) {
      AccessSettings access;
      for (const StoredAssignment& a : areas) {
        if (!a.at.area_store_id.empty()) {
          access.assign.area_stores_ids.push_back(a.at.area_store_id);
        } else if (a.at.all_stores) {
          access.assign.area_all_stores_ids.push_back(a.at.area_id);
        } else {
          access.assign.areas_ids.push_back(a.at.area_id);
        }
      }
      in.access_settings = std::move(access);
    }
    OP_ASSIGN(auto tiers, TierRepository(tx).of_campaign(scope, c.id));
    for (const PromotionTier& t : tiers) {
      if (t.unreadable) {
        return invalid_campaign_params("tier " + t.id + " has a definition that cannot be read");
      }
      TierInput tier;
      tier.name = t.name;
      tier.banner = t.banner;
      tier.category_id = t.category_id;
      tier.active = t.active;
      tier.hierarchy = t.hierarchy;
      tier.start_date = OptionalDate(t.start_date);
      tier.expiration_date = OptionalDate(t.expiration_date);
      tier.action = definition_part(t.definition, "action");
      tier.metadata = definition_part(t.definition, "metadata");
      tier.validity_timeframe = definition_part(t.definition, "validity_timeframe");
      tier.validity_day_of_week = definition_part(t.definition, "validity_day_of_week");
      tier.validity_hours = definition_part(t.definition, "validity_hours");
      OP_ASSIGN(auto tier_rules, rules.assignments_of(scope, t.id));
      tier.validation_rules = rule_ids(tier_rules);
      in.tiers.push_back(std::move(tier));
    }
  }
  if (vouchers_count < 0) return invalid_campaign_params("vouchers_count must not be negative");
  return create(who, in);
}

namespace {

// What a PUT makes of campaign `c` (read under its lock): checked and computed, nothing written.
Result<Campaign> plan_update(UnitOfWork& tx, const Scope& scope, Campaign c,
                             const CampaignInput& in) {
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
    OP_ASSIGN(c.category_id, resolve_category(tx, scope, in.category_id, in.category));
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
      if (kv.key() == "code_config") {
        // Sent back as it is (clients echo what GET returned): fine; changed: refused by name
        // (the reference ignores it silently; new batches take their own code_config).
        const Json* stored = old.if_contains("code_config");
        if (!stored || *stored != kv.value()) {
          return invalid_campaign_params(
              "voucher.code_config cannot be changed after creation; generate new codes with "
              "their own code_config instead");
        }
        continue;
      }
      tmpl[kv.key()] = kv.value();
    }
    const auto gift_amount = [](const JsonObject& t) -> const Json* {
      const Json* gift = t.if_contains("gift");
      return gift && gift->is_object() ? gift->as_object().if_contains("amount") : nullptr;
    };
    const Json* old_amount = gift_amount(old);
    const Json* new_amount = gift_amount(tmpl);
    if (c.campaign_type == CampaignType::kGiftVouchers && old_amount && new_amount &&
        *old_amount != *new_amount) {
      return invalid_campaign_params("voucher.gift.amount (the initial amount) cannot be changed");
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
  // Metadata merges on update as on vouchers (a null value or `unset_metadata_fields` removes a
  // key); apply_definition's replace is for creates.
  const Json* stored_metadata = c.definition.if_contains("metadata");
  JsonObject metadata_holder{{"metadata", stored_metadata && stored_metadata->is_object()
                                              ? *stored_metadata
                                              : Json(JsonObject{})}};
  if (in.referral_program) {
    const Json* stored = c.definition.if_contains("referral_program");
    if (!stored || *stored != *in.referral_program) {
      return invalid_campaign_params("referral_program cannot be changed after creation");
    }
  }
  OP_TRY(apply_definition(in, c.definition));
  if (in.metadata) {
    if (!in.metadata->is_null() && !in.metadata->is_object()) {
      return invalid_campaign_params("metadata must be an object");
    }
    OP_TRY(check_metadata_schema(tx, scope, "campaign", *in.metadata, false));
    merge_metadata(metadata_holder, *in.metadata);
  }
  for (const std::string& key : in.unset_metadata_fields) {
    metadata_holder["metadata"].as_object().erase(key);
  }
  c.definition["metadata"] = std::move(metadata_holder["metadata"]);
  if (c.campaign_type != CampaignType::kPromotion) OP_TRY(check_template_evaluates(c));
  c.updated_at = now_utc();
  return c;
}

constexpr std::array<const char*, 3> kInheritedWindows{"validity_timeframe", "validity_day_of_week",
                                                       "validity_hours"};

// Whether going from `before` to `c` changes codes' rows (spec 13.1 reach).
bool touches_codes(const Campaign& before, const Campaign& c) {
  if (c.campaign_type == CampaignType::kPromotion) return false;
  if (c.start_date != before.start_date || c.expiration_date != before.expiration_date ||
      c.category_id != before.category_id) {
    return true;
  }
  for (const char* key : kInheritedWindows) {
    const Json* was = before.definition.if_contains(key);
    const Json* now_is = c.definition.if_contains(key);
    if ((was ? *was : Json(nullptr)) != (now_is ? *now_is : Json(nullptr))) return true;
  }
  return false;
}

// Writes the planned campaign `c` and its reach over the codes, with its event and audit entry.
Result<Campaign> apply_update(UnitOfWork& tx, const Principal& who, const Campaign& before,
                              const Campaign& c) {
  const Scope scope = who.scope();
  OP_TRY(CampaignRepository(tx).update(scope, c));
  // Reach (spec 13.1): new time limits and category go to the codes nobody holds or redeemed
  // yet, in this unit (one statement each: validation sees all of them changed or none).
  const bool dates_changed =
      c.start_date != before.start_date || c.expiration_date != before.expiration_date;
  const bool category_changed = c.category_id != before.category_id;
  if (c.campaign_type != CampaignType::kPromotion && (dates_changed || category_changed)) {
    OP_TRY(VoucherRepository(tx).follow_campaign(
        scope, c.id, dates_changed, category_changed, before.category_id, c.start_date,
        c.expiration_date, c.category_id, c.updated_at.value_or(now_utc())));
  }
  // Other time limits (the validity windows codes inherit from the campaign) reach the same
  // codes: those someone holds or redeemed keep what they had.
  if (c.campaign_type != CampaignType::kPromotion) {
    for (const char* key : kInheritedWindows) {
      const Json* was = before.definition.if_contains(key);
      const Json* now_is = c.definition.if_contains(key);
      const Json previous = was ? *was : Json(nullptr);
      if (previous == (now_is ? *now_is : Json(nullptr))) continue;
      OP_TRY(VoucherRepository(tx).keep_inherited_part(scope, c.id, key, previous,
                                                       c.updated_at.value_or(now_utc())));
    }
  }
  OP_TRY(record_event(tx, who, "campaign.updated", c.id, event_data(c)));
  OP_ASSIGN(Campaign stored, find_campaign(tx, scope, c.id));
  OP_TRY(record_audit(tx, who, c.id, "campaign.updated", "campaign", c.id, campaign_state(before),
                      campaign_state(stored)));
  return stored;
}

// A new action of `type` on campaign `campaign_id`, on behalf of `who` (the job acts as that key).
AsyncAction campaign_action(const Principal& who, std::string_view type,
                            const std::string& campaign_id) {
  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = who.project_id;
  action.type = std::string(type);
  action.request_id = who.request_id;
  action.payload["campaign_id"] = campaign_id;
  action.payload["actor_key_id"] = who.key_id;
  action.created_at = now_utc();
  return action;
}

// Reads campaign `id_or_name` again under its row's lock: a concurrent update waits for this one
// and then merges into what it wrote, so two PUTs of different keys never lose one (PostgreSQL;
// SQLite's writes run one at a time already).
Result<Campaign> lock_campaign(UnitOfWork& tx, const Scope& scope, std::string_view id_or_name) {
  OP_ASSIGN(Campaign found, find_campaign(tx, scope, id_or_name));
  OP_TRY(CampaignRepository(tx).lock_live(scope, found.id));
  OP_ASSIGN(Campaign c, find_campaign(tx, scope, found.id));
  if (c.is_protected) return protected_campaign(c, "modified");
  return c;
}

}  // namespace

Result<CampaignDetails> CampaignService::update(const Principal& who, std::string_view id_or_name,
                                                const CampaignInput& in, const Json& request) {
  const Scope scope = who.scope();
  return store_.in_write([&](UnitOfWork& tx) -> Result<CampaignDetails> {
    OP_ASSIGN(Campaign before, lock_campaign(tx, scope, id_or_name));
    OP_TRY(require_owner(before, "modified"));
    // Assignments change at once, in this unit (the job below does not apply them again).
    if (in.access_settings) {
      OP_TRY(AreaService::apply_to_campaign(tx, scope, before.id, *in.access_settings,
                                            /*creating=*/false, now_utc()));
    }
    OP_ASSIGN(Campaign c, plan_update(tx, scope, before, in));
    // A change that rewrites many codes, or one behind such a change still queued, is applied
    // by a CAMPAIGN.VOUCHERS_UPDATE job: the campaign row and all its codes in one unit of its
    // own (validation sees the old definition or the new one, never a mix), in the order the
    // PUTs came. The answer shows the campaign as the change will leave it.
    OP_ASSIGN(bool behind, AsyncActionRepository(tx).has_pending(scope, kCampaignUpdate, c.id));
    if (behind || (touches_codes(before, c) && before.vouchers_count > kInlineUpdateLimit)) {
      AsyncAction action = campaign_action(who, kCampaignUpdate, c.id);
      action.payload["request"] = request;
      OP_TRY(AsyncActionRepository(tx).insert(scope, action));
      if (wake_jobs_) tx.after_commit(wake_jobs_);
      OP_ASSIGN(CampaignDetails out, campaign_details(tx, scope, std::move(c)));
      out.async_action_id = action.id;
      return out;
    }
    OP_ASSIGN(Campaign stored, apply_update(tx, who, before, c));
    return campaign_details(tx, scope, std::move(stored));
  });
}

Status CampaignService::run_update(const Principal& job, AsyncAction& action,
                                   const CampaignInput& in) {
  const Json* id = action.payload.if_contains("campaign_id");
  if (!id || !id->is_string()) {
    return Error::internal("malformed " + std::string(kCampaignUpdate) + " payload");
  }
  Principal who = job;
  if (const Json* key = action.payload.if_contains("actor_key_id"); key && key->is_string()) {
    who.key_id = std::string(key->as_string());
  }
  const Scope scope = who.scope();
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(Campaign before, lock_campaign(tx, scope, id->as_string()));
    // In the order the PUTs came, whichever node runs which: an earlier edit of this campaign
    // still queued or running goes first (503: the runner leaves this one for later).
    OP_ASSIGN(bool behind,
              AsyncActionRepository(tx).has_pending(scope, kCampaignUpdate, before.id, &action));
    if (behind) return Error::unavailable("an earlier update of this campaign runs first");
    // Planned again on what the campaign is now: edits that landed since merge with this one.
    OP_ASSIGN(Campaign c, plan_update(tx, scope, before, in));
    const int64_t codes = before.vouchers_count;
    OP_TRY(apply_update(tx, who, before, c));
    action.result["message"] = "Updated the campaign and its " + std::to_string(codes) +
                               " vouchers (those not yet published or redeemed take its new "
                               "time limits and category).";
    action.result["done_count"] = codes;
    action.done_count = codes;
    return {};
  });
}

Status CampaignService::set_active(const Principal& who, std::string_view id_or_name, bool active) {
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(Campaign c, find_campaign(tx, who.scope(), id_or_name));
    OP_TRY(require_owner(c, active ? "enabled" : "disabled"));
    OP_TRY(CampaignRepository(tx).set_active(who.scope(), c.id, active, now_utc()));
    const char* action = active ? "campaign.enabled" : "campaign.disabled";
    OP_TRY(record_audit(tx, who, c.id, action, "campaign", c.id, JsonObject{{"active", c.active}},
                        JsonObject{{"active", active}}));
    return record_event(tx, who, action, c.id, event_data(c));
  });
}

namespace {

// Deletes (force) or bins campaign `c` with all its codes, tiers and rule assignments, in `tx`;
// the audit entry and event go with it.
Status delete_in(UnitOfWork& tx, const Principal& who, const Campaign& c, bool force) {
  const Scope scope = who.scope();
  CampaignRepository campaigns(tx);
  if (force) {
    OP_TRY(AreaRepository(tx).remove_campaign_assignments(scope.project_wide(), c.id));
    OP_TRY(campaigns.remove(scope, c.id));
    OP_TRY(BinRepository(tx).remove_of(scope, c.id));
  } else {
    const Instant now = now_utc();
    OP_TRY(campaigns.bin(scope, c.id, now));
    OP_TRY(record_binned_in(tx, who, "campaign", c.id, c.name, std::nullopt, now));
  }
  OP_TRY(record_audit(tx, who, c.id, force ? "campaign.deleted" : "campaign.binned", "campaign",
                      c.id, campaign_state(c), nullptr));
  return record_event(tx, who, "campaign.deleted", c.id, event_data(c));
}

void record_deleted(AsyncAction& action, int64_t vouchers) {
  action.result["message"] = "Deleted " + std::to_string(vouchers) + " vouchers.";
  action.result["done_count"] = vouchers;
  action.done_count = vouchers;
}

}  // namespace

Result<std::string> CampaignService::remove(const Principal& who, std::string_view id_or_name,
                                            bool force) {
  if (who.role != Role::kRestricted) OP_TRY(require_admin(who, "delete campaigns"));
  const Scope scope = who.scope();
  return store_.in_write([&](UnitOfWork& tx) -> Result<std::string> {
    // A binned campaign can still be deleted for good (which frees its name and codes).
    OP_ASSIGN(auto found, CampaignRepository(tx).find(scope, id_or_name, /*include_binned=*/force));
    if (!found) return Error::not_found("campaign", std::string(id_or_name));
    const Campaign& c = *found;
    OP_TRY(require_owner(c, "deleted"));
    if (c.is_protected) return protected_campaign(c, "deleted");
    AsyncAction action = campaign_action(who, kCampaignDelete, c.id);
    action.payload["force"] = force;
    if (c.vouchers_count > kInlineDeleteLimit) {
      // Many codes: the job deletes them, in one unit of its own (validation sees the campaign
      // whole or gone, never half its codes), while this request answers at once.
      OP_TRY(AsyncActionRepository(tx).insert(scope, action));
      if (wake_jobs_) tx.after_commit(wake_jobs_);
      return action.id;
    }
    OP_TRY(delete_in(tx, who, c, force));
    action.status = "DONE";
    action.operation_status = "SUCCESS";
    action.progress = 100;
    record_deleted(action, c.vouchers_count);
    OP_TRY(AsyncActionRepository(tx).insert(scope, action));
    return action.id;
  });
}

Status CampaignService::run_delete(const Principal& job, AsyncAction& action) {
  const Json* id = action.payload.if_contains("campaign_id");
  const Json* force = action.payload.if_contains("force");
  if (!id || !id->is_string() || !force || !force->is_bool()) {
    return Error::internal("malformed " + std::string(kCampaignDelete) + " payload");
  }
  // Acts as the key that asked (the audit log names it).
  Principal who = job;
  if (const Json* key = action.payload.if_contains("actor_key_id"); key && key->is_string()) {
    who.key_id = std::string(key->as_string());
  }
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    OP_ASSIGN(auto found, CampaignRepository(tx).find(who.scope(), id->as_string(),
                                                      /*include_binned=*/force->as_bool()));
    if (!found) {  // deleted by someone else meanwhile
      record_deleted(action, 0);
      return {};
    }
    if (found->is_protected) return protected_campaign(*found, "deleted");
    OP_TRY(delete_in(tx, who, *found, force->as_bool()));
    record_deleted(action, found->vouchers_count);
    return {};
  });
}

Result<CampaignSummary> CampaignService::summary(const Principal& who, std::string_view id_or_name,
                                                 std::optional<Instant> from,
                                                 std::optional<Instant> to, const StoreCut& cut) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<CampaignSummary> {
    OP_ASSIGN(Campaign c, find_campaign(tx, who.scope(), id_or_name));
    CampaignSummary out;
    OP_ASSIGN(out.vouchers, CampaignRepository(tx).count_vouchers(who.scope(), c.id, from, to));
    OP_ASSIGN(out.redemptions,
              RedemptionRepository(tx).campaign_summary(who.scope(), c.id, from, to, cut));
    // Validations are counted per campaign, not per store: a store cut leaves them out.
    if (!cut.area_id && !cut.area_store_id) {
      OP_ASSIGN(out.validations, ValidationCountRepository(tx).sum(who.scope(), c.id, from, to));
    }
    OP_ASSIGN(out.campaign, campaign_details(tx, who.scope(), std::move(c)));
    return out;
  });
}

Result<Page<AsyncAction>> CampaignService::async_actions(const Principal& who,
                                                         const ListQuery& query) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return AsyncActionRepository(tx).list(who.scope(), query); });
}

Result<AsyncAction> CampaignService::async_action(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, AsyncActionRepository(tx).find(who.scope(), id));
  if (!found) return Error::not_found("async_action", std::string(id));
  return std::move(*found);
}

}  // namespace openpromo
