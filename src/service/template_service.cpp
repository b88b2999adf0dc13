#include "service/template_service.h"

#include "core/crypto.h"
#include "service/key_service.h"
#include "store/campaign_repository.h"
#include "store/promotion_repository.h"
#include "store/template_repository.h"
#include "store/validation_rule_repository.h"

namespace openpromo {
namespace {

Error invalid_template(std::string details) {
  return Error{400, "invalid_payload",  "Invalid payload", std::move(details),
               {},  "campaign_template"};
}

// The definition parts a template carries over, by name.
constexpr std::array<std::string_view, 6> kDefinitionParts{"voucher",
                                                           "validity_timeframe",
                                                           "validity_day_of_week",
                                                           "validity_hours",
                                                           "activity_duration_after_publishing",
                                                           "metadata"};

Json time_value(const std::optional<Instant>& t) {
  return t ? Json(t->millis) : Json(nullptr);
}

OptionalDate date_of(const JsonObject& config, std::string_view key) {
  const Json* v = config.if_contains(key);
  if (!v || !v->is_int64()) return OptionalDate(std::optional<Instant>());
  return OptionalDate(std::optional<Instant>(Instant{v->as_int64()}));
}

std::optional<bool> flag_of(const JsonObject& config, std::string_view key) {
  const Json* v = config.if_contains(key);
  return v && v->is_bool() ? std::optional<bool>(v->as_bool()) : std::nullopt;
}

std::optional<Json> part_of(const JsonObject& config, std::string_view key) {
  const Json* v = config.if_contains(key);
  return v && !v->is_null() ? std::optional<Json>(*v) : std::nullopt;
}

// Copies of the rules assigned to `object_id`, as the template keeps them.
Result<JsonArray> rule_snapshots(UnitOfWork& tx, const Scope& scope, const std::string& object_id) {
  ValidationRuleRepository rules(tx);
  OP_ASSIGN(auto assigned, rules.assignments_of(scope, object_id));
  JsonArray out;
  for (const RuleAssignment& a : assigned) {
    OP_ASSIGN(auto rule, rules.find(scope, a.rule_id));
    if (!rule) continue;
    if (rule->unreadable) {
      return invalid_template("validation rule " + rule->id +
                              " has a definition that cannot be read; fix it first");
    }
    out.push_back(JsonObject{{"name", rule->name},
                             {"type", rule->type},
                             {"context_type", rule->context_type},
                             {"definition", rule->definition}});
  }
  return out;
}

// Fresh rules from the template's copies, named after what they are made for.
std::vector<ValidationRule> rules_from(const CampaignTemplate& t, const Principal& who,
                                       const std::string& for_name) {
  std::vector<ValidationRule> out;
  const Json* rules = t.config.if_contains("rules");
  if (!rules || !rules->is_array()) return out;
  for (const Json& snap : rules->as_array()) {
    if (!snap.is_object()) continue;
    const JsonObject& o = snap.as_object();
    ValidationRule r;
    r.id = new_id("val_");
    r.project_id = who.project_id;
    const Json* name = o.if_contains("name");
    r.name = (name && name->is_string() ? std::string(name->as_string()) : std::string("rule")) +
             " (" + for_name + ")";
    if (const Json* type = o.if_contains("type"); type && type->is_string()) {
      r.type = std::string(type->as_string());
    }
    if (const Json* ctx = o.if_contains("context_type"); ctx && ctx->is_string()) {
      r.context_type = std::string(ctx->as_string());
    }
    if (const Json* d = o.if_contains("definition"); d && d->is_object()) {
      r.definition = d->as_object();
    }
    r.created_at = now_utc();
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> ids_of(const std::vector<ValidationRule>& rules) {
  std::vector<std::string> out;
  for (const ValidationRule& r : rules) out.push_back(r.id);
  return out;
}

Status check_name(const std::optional<std::string>& name) {
  if (!name || name->empty()) return invalid_template("name is required");
  if (name->size() > 200) return invalid_template("name must be at most 200 characters");
  return {};
}

}  // namespace

Result<CampaignTemplate> TemplateService::create(const Principal& who, const TemplateInput& in) {
  OP_TRY(require_admin(who, "create campaign templates"));
  OP_TRY(check_name(in.name));
  if (in.campaign_id.has_value() == in.promotion_tier_id.has_value()) {
    return invalid_template("send exactly one of campaign_id and promotion_tier_id");
  }
  const Scope scope = who.scope();
  CampaignTemplate t;
  t.id = new_id("camp_tpl_");
  t.project_id = who.project_id;
  t.name = *in.name;
  t.description = in.description;
  t.created_at = now_utc();
  return store_.in_write([&](UnitOfWork& tx) -> Result<CampaignTemplate> {
    if (in.campaign_id) {
      OP_ASSIGN(Campaign c, find_campaign(tx, scope, *in.campaign_id));
      if (c.campaign_type != CampaignType::kDiscountCoupons &&
          c.campaign_type != CampaignType::kGiftVouchers) {
        return invalid_template(
            "templates are made from discount or gift campaigns, or from promotion tiers; " + c.id +
            " is " + std::string(to_string(c.campaign_type)));
      }
      if (c.unreadable) {
        return invalid_template("campaign " + c.id + " has a definition that cannot be read");
      }
      t.campaign_type = std::string(to_string(c.campaign_type));
      t.source_campaign_id = c.id;
      t.config["description"] = c.description ? Json(*c.description) : Json(nullptr);
      t.config["type"] = std::string(to_string(c.mode));
      t.config["start_date"] = time_value(c.start_date);
      t.config["expiration_date"] = time_value(c.expiration_date);
      t.config["join_once"] = c.join_once;
      t.config["auto_join"] = c.auto_join;
      t.config["use_voucher_metadata_schema"] = c.use_voucher_metadata_schema;
      for (std::string_view part : kDefinitionParts) {
        if (const Json* v = c.definition.if_contains(part)) t.config[part] = *v;
      }
      OP_ASSIGN(auto rules, rule_snapshots(tx, scope, c.id));
      t.config["rules"] = std::move(rules);
    } else {
      OP_ASSIGN(auto tier, TierRepository(tx).find(scope, *in.promotion_tier_id));
      if (!tier) return Error::not_found("promotion_tier", *in.promotion_tier_id);
      if (tier->unreadable) {
        return invalid_template("promotion tier " + tier->id +
                                " has a definition that cannot be read");
      }
      // A tier becomes a discount campaign whose codes give the tier's discount.
      const Json* action = tier->definition.if_contains("action");
      const Json* discount =
          action && action->is_object() ? action->as_object().if_contains("discount") : nullptr;
      if (!discount || !discount->is_object()) {
        return invalid_template("promotion tier " + tier->id +
                                " has no discount to make a template of");
      }
      t.campaign_type = "DISCOUNT_COUPONS";
      t.source_tier_id = tier->id;
      t.config["voucher"] = JsonObject{{"type", "DISCOUNT_VOUCHER"}, {"discount", *discount}};
      t.config["start_date"] = time_value(tier->start_date);
      t.config["expiration_date"] = time_value(tier->expiration_date);
      for (std::string_view part :
           {"validity_timeframe", "validity_day_of_week", "validity_hours", "metadata"}) {
        if (const Json* v = tier->definition.if_contains(part)) t.config[part] = *v;
      }
      OP_ASSIGN(auto rules, rule_snapshots(tx, scope, tier->id));
      t.config["rules"] = std::move(rules);
    }
    OP_TRY(TemplateRepository(tx).insert(scope, t));
    return t;
  });
}

Result<CampaignTemplate> TemplateService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto found, store_.in_snapshot([&](UnitOfWork& tx) {
    return TemplateRepository(tx).find(who.scope(), id);
  }));
  if (!found) return Error::not_found("campaign_template", std::string(id));
  return std::move(*found);
}

Result<Page<CampaignTemplate>> TemplateService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return TemplateRepository(tx).list(who.scope(), query); });
}

Result<CampaignTemplate> TemplateService::update(const Principal& who, std::string_view id,
                                                 const TemplateInput& in) {
  if (in.name) OP_TRY(check_name(in.name));
  if (in.campaign_id || in.promotion_tier_id) {
    return invalid_template("a template's source cannot change; create another template");
  }
  return store_.in_write([&](UnitOfWork& tx) -> Result<CampaignTemplate> {
    OP_ASSIGN(auto found, TemplateRepository(tx).find(who.scope(), id));
    if (!found) return Error::not_found("campaign_template", std::string(id));
    if (in.name) found->name = *in.name;
    if (in.description) found->description = in.description;
    found->updated_at = now_utc();
    OP_TRY(TemplateRepository(tx).update(who.scope(), *found));
    return std::move(*found);
  });
}

Status TemplateService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete campaign templates"));
  OP_ASSIGN(bool removed, store_.in_write([&](UnitOfWork& tx) {
    return TemplateRepository(tx).remove(who.scope(), id);
  }));
  if (!removed) return Error::not_found("campaign_template", std::string(id));
  return {};
}

Result<SetupResult<CampaignDetails>> TemplateService::campaign_setup(const Principal& who,
                                                                     std::string_view id,
                                                                     CampaignInput overrides) {
  OP_ASSIGN(CampaignTemplate t, get(who, id));
  OP_TRY(check_name(overrides.name));
  if (!overrides.validation_rules.empty()) {
    return invalid_template(
        "validation rules cannot be assigned in a campaign setup: the template's rules are "
        "copied; assign others to the campaign afterwards");
  }
  if (!overrides.tiers.empty()) return invalid_template("a template campaign has no tiers");
  if (overrides.campaign_type && *overrides.campaign_type != t.campaign_type) {
    return invalid_template("the template makes " + t.campaign_type + " campaigns");
  }
  const JsonObject& config = t.config;
  CampaignInput in = std::move(overrides);
  in.campaign_type = t.campaign_type;
  if (!in.description) {
    if (const Json* d = config.if_contains("description"); d && d->is_string()) {
      in.description = std::string(d->as_string());
    }
  }
  if (!in.type) {
    if (const Json* m = config.if_contains("type"); m && m->is_string()) {
      in.type = std::string(m->as_string());
    }
  }
  if (!in.start_date) in.start_date = date_of(config, "start_date");
  if (!in.expiration_date) in.expiration_date = date_of(config, "expiration_date");
  if (!in.join_once) in.join_once = flag_of(config, "join_once");
  if (!in.auto_join) in.auto_join = flag_of(config, "auto_join");
  if (!in.use_voucher_metadata_schema) {
    in.use_voucher_metadata_schema = flag_of(config, "use_voucher_metadata_schema");
  }
  // The voucher: the template's, with the keys the request sends (code_config, redemption)
  // replacing its own.
  std::optional<Json> voucher = part_of(config, "voucher");
  if (in.voucher && in.voucher->is_object() && voucher && voucher->is_object()) {
    for (const auto& [key, value] : in.voucher->as_object()) voucher->as_object()[key] = value;
  } else if (in.voucher) {
    voucher = in.voucher;
  }
  in.voucher = std::move(voucher);
  for (auto [key, target] :
       {std::pair{"validity_timeframe", &in.validity_timeframe},
        std::pair{"validity_day_of_week", &in.validity_day_of_week},
        std::pair{"validity_hours", &in.validity_hours},
        std::pair{"activity_duration_after_publishing", &in.activity_duration_after_publishing},
        std::pair{"metadata", &in.metadata}}) {
    if (!*target) *target = part_of(config, key);
  }
  in.new_rules = rules_from(t, who, *in.name);
  SetupResult<CampaignDetails> out{CampaignDetails{}, ids_of(in.new_rules)};
  OP_ASSIGN(out.created, campaigns_.create(who, in));
  return out;
}

Result<SetupResult<TierDetails>> TemplateService::tier_setup(const Principal& who,
                                                             std::string_view id,
                                                             const std::string& campaign_id,
                                                             TierInput overrides) {
  OP_ASSIGN(CampaignTemplate t, get(who, id));
  OP_TRY(check_name(overrides.name));
  if (campaign_id.empty()) return invalid_template("campaign_id is required");
  if (overrides.action) {
    return invalid_template("a tier set up from a template takes the template's discount");
  }
  if (!overrides.validation_rules.empty()) {
    return invalid_template(
        "validation rules cannot be assigned in a tier setup: the template's rules are copied");
  }
  const JsonObject& config = t.config;
  const Json* voucher = config.if_contains("voucher");
  const Json* discount =
      voucher && voucher->is_object() ? voucher->as_object().if_contains("discount") : nullptr;
  if (t.campaign_type != "DISCOUNT_COUPONS" || !discount || !discount->is_object()) {
    return invalid_template("only a discount template can set up a promotion tier");
  }
  TierInput in = std::move(overrides);
  in.action = JsonObject{{"discount", *discount}};
  if (!in.start_date) in.start_date = date_of(config, "start_date");
  if (!in.expiration_date) in.expiration_date = date_of(config, "expiration_date");
  for (auto [key, target] :
       {std::pair{"validity_timeframe", &in.validity_timeframe},
        std::pair{"validity_day_of_week", &in.validity_day_of_week},
        std::pair{"validity_hours", &in.validity_hours}, std::pair{"metadata", &in.metadata}}) {
    if (!*target) *target = part_of(config, key);
  }
  in.new_rules = rules_from(t, who, *in.name);
  SetupResult<TierDetails> out{TierDetails{}, ids_of(in.new_rules)};
  OP_ASSIGN(out.created, promotions_.create_tier(who, campaign_id, in));
  return out;
}

}  // namespace openpromo
