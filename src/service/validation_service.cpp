#include "service/validation_service.h"

#include "core/crypto.h"
#include "engine/definitions.h"
#include "engine/engine.h"

namespace openpromo {
namespace {

void put_date(JsonObject& o, const char* key, const std::optional<Instant>& own,
              const std::optional<Instant>& inherited) {
  if (own) {
    o[key] = format_iso8601(*own);
  } else if (inherited) {
    o[key] = format_iso8601(*inherited);
  }
}

JsonObject campaign_json(const std::optional<Campaign>& c) {
  JsonObject o;
  if (!c) return o;
  o["id"] = c->id;
  o["name"] = c->name;
  o["active"] = c->active;
  return o;
}

// Voucherify's tracking id is derived from the customer's source id; ours hashes it, so the same
// customer gets the same id and the source id is not exposed.
std::string tracking_id_of(const engine::Customer& customer) {
  const std::string basis = customer.source_id ? *customer.source_id
                            : customer.id      ? *customer.id
                                               : new_uuid();
  return "track_" + sha256_hex("openpromo-tracking:" + basis).substr(0, 24);
}

}  // namespace

Result<TimeZone> ValidationService::zone_of(const Project& project) {
  std::lock_guard lock(zones_mutex_);
  if (auto it = zones_.find(project.time_zone); it != zones_.end()) return it->second;
  OP_ASSIGN(TimeZone zone, TimeZone::load(project.time_zone));
  zones_.emplace(project.time_zone, zone);
  return zone;
}

Result<std::optional<engine::CategoryRef>> ValidationService::category_of(
    const Principal& who, const std::optional<std::string>& id) {
  if (!id) return std::optional<engine::CategoryRef>();
  OP_ASSIGN(auto found, store_.find_category(who.project_id, *id));
  if (!found) return std::optional<engine::CategoryRef>();
  engine::CategoryRef ref;
  ref.id = found->id;
  ref.name = found->name;
  ref.hierarchy = found->hierarchy;
  JsonObject source{{"id", found->id},
                    {"name", found->name},
                    {"hierarchy", found->hierarchy},
                    {"created_at", format_iso8601(found->created_at)},
                    {"object", "category"}};
  ref.source = std::move(source);
  return std::optional<engine::CategoryRef>(std::move(ref));
}

Result<std::vector<engine::Rule>> ValidationService::rules_of(
    const Principal& who, const std::vector<std::string>& object_ids) {
  OP_ASSIGN(auto rows, store_.rules_for_objects(who.project_id, object_ids));
  std::vector<engine::Rule> rules;
  for (auto& [object_id, rule] : rows) {
    bool seen = false;
    for (const auto& r : rules) seen = seen || r.id == rule.id;
    if (seen) continue;  // one rule assigned to both a campaign and its voucher counts once
    OP_ASSIGN(engine::Rule compiled, engine::compile_rule(rule.id, rule.definition));
    rules.push_back(std::move(compiled));
  }
  return rules;
}

Result<std::shared_ptr<const engine::Incentive>> ValidationService::voucher_incentive(
    const Principal& who, const Project& project, std::string_view code_or_id,
    engine::Usage& usage) {
  using Ptr = std::shared_ptr<const engine::Incentive>;
  OP_ASSIGN(auto found,
            store_.find_voucher(who.project_id, code_or_id, project.case_sensitive_codes));
  if (!found || found->deleted_at) return Ptr();
  const Voucher& v = *found;
  std::optional<Campaign> campaign;
  if (v.campaign_id) {
    OP_ASSIGN(campaign, store_.find_campaign(who.project_id, *v.campaign_id));
  }
  // The effective definition: the voucher's own fields over its campaign's template.
  JsonObject def = v.definition;
  if (campaign) {
    const Json* tmpl = campaign->definition.if_contains("voucher");
    for (const char* key : {"discount", "gift", "loyalty_card"}) {
      if (!def.contains(key) && tmpl && tmpl->is_object() && tmpl->as_object().contains(key)) {
        def[key] = tmpl->as_object().at(key);
      }
    }
    for (const char* key : {"validity_timeframe", "validity_day_of_week", "validity_hours"}) {
      if (!def.contains(key) && campaign->definition.contains(key))
        def[key] = campaign->definition.at(key);
    }
  }
  def["object"] = "voucher";
  def["id"] = v.id;
  def["code"] = v.code;
  def["type"] = to_string(v.type);
  def["active"] = v.active;
  def.erase("start_date");
  def.erase("expiration_date");
  put_date(def, "start_date", v.start_date, campaign ? campaign->start_date : std::nullopt);
  put_date(def, "expiration_date", v.expiration_date,
           campaign ? campaign->expiration_date : std::nullopt);
  def["redemption"] = JsonObject{
      {"quantity", v.redemption_quantity ? Json(*v.redemption_quantity) : Json(nullptr)}};
  if (v.holder_id) def["holder_id"] = *v.holder_id;
  def["campaign"] = campaign_json(campaign);
  const std::optional<std::string> category_id =
      v.category_id ? v.category_id : (campaign ? campaign->category_id : std::nullopt);
  OP_ASSIGN(auto category, category_of(who, category_id));
  if (category) def["category"] = category->source;
  std::vector<std::string> objects{v.id};
  if (campaign) objects.push_back(campaign->id);
  OP_ASSIGN(auto rules, rules_of(who, objects));
  OP_ASSIGN(engine::Incentive inc, engine::incentive_from_json(def, std::move(rules)));
  inc.category = std::move(category);
  engine::IncentiveUsage& use = usage.by_incentive[v.id];
  use.redeemed_quantity = v.redeemed_quantity;
  use.gift_balance = v.gift_balance;
  use.loyalty_balance = v.loyalty_balance;
  return Ptr(std::make_shared<const engine::Incentive>(std::move(inc)));
}

Result<std::shared_ptr<const engine::Incentive>> ValidationService::tier_incentive(
    const Principal& who, std::string_view id) {
  using Ptr = std::shared_ptr<const engine::Incentive>;
  OP_ASSIGN(auto tier, store_.find_tier(who.project_id, id));
  if (!tier) return Ptr();
  OP_ASSIGN(auto campaign, store_.find_campaign(who.project_id, tier->campaign_id));
  JsonObject def = tier->definition;
  def["object"] = "promotion_tier";
  def["id"] = tier->id;
  def["name"] = tier->name;
  def["active"] = tier->active;
  def.erase("start_date");
  def.erase("expiration_date");
  put_date(def, "start_date", tier->start_date, campaign ? campaign->start_date : std::nullopt);
  put_date(def, "expiration_date", tier->expiration_date,
           campaign ? campaign->expiration_date : std::nullopt);
  def["campaign"] = campaign_json(campaign);
  if (!campaign) def["campaign"] = JsonObject{{"id", tier->campaign_id}, {"active", false}};
  const std::optional<std::string> category_id =
      tier->category_id ? tier->category_id : (campaign ? campaign->category_id : std::nullopt);
  OP_ASSIGN(auto category, category_of(who, category_id));
  std::vector<std::string> objects{tier->id, tier->campaign_id};
  OP_ASSIGN(auto rules, rules_of(who, objects));
  OP_ASSIGN(engine::Incentive inc, engine::incentive_from_json(def, std::move(rules)));
  inc.category = std::move(category);
  return Ptr(std::make_shared<const engine::Incentive>(std::move(inc)));
}

Result<ValidationRun> ValidationService::validate(const Principal& who, engine::Request request) {
  OP_ASSIGN(auto project, store_.find_project(who.project_id));
  if (!project) return Error::internal("the key's project does not exist");
  engine::Catalog catalog;
  OP_ASSIGN(catalog.zone, zone_of(*project));
  engine::Usage usage;
  // A stack stands for its tiers, in the stack's order.
  std::vector<engine::RedeemableRef> refs;
  for (engine::RedeemableRef& ref : request.redeemables) {
    if (ref.object == "promotion_stack") {
      OP_ASSIGN(auto stack, store_.find_stack(who.project_id, ref.id));
      if (!stack) return Error::not_found("promotion_stack", ref.id);
      for (const std::string& tier : stack->tier_ids) {
        engine::RedeemableRef t;
        t.object = "promotion_tier";
        t.id = tier;
        refs.push_back(std::move(t));
      }
      continue;
    }
    refs.push_back(std::move(ref));
  }
  request.redeemables = std::move(refs);
  OP_TRY(engine::check_request(catalog, request));
  for (engine::RedeemableRef& ref : request.redeemables) {
    if (ref.object == "voucher") {
      OP_ASSIGN(ref.incentive, voucher_incentive(who, *project, ref.id, usage));
    } else {
      OP_ASSIGN(ref.incentive, tier_incentive(who, ref.id));
    }
  }
  request.api_key = who.key_id;
  ValidationRun run;
  run.decision = engine::evaluate(catalog, usage, request, now_utc());
  run.tracking_id = tracking_id_of(request.customer);
  run.request = std::move(request);
  return run;
}

}  // namespace openpromo
