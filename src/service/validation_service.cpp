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

Result<std::shared_ptr<const engine::Incentive>> ValidationService::voucher_incentive(
    const Principal& who, const Project& project, SnapshotPtr& snapshot, bool& refreshed,
    std::string_view code_or_id, engine::Usage& usage) {
  using Ptr = std::shared_ptr<const engine::Incentive>;
  OP_ASSIGN(auto found,
            store_.find_voucher(who.project_id, code_or_id, project.case_sensitive_codes));
  if (!found || found->deleted_at) return Ptr();
  const Voucher& v = *found;
  std::optional<Campaign> campaign;
  if (v.campaign_id && !refreshed && !snapshot->campaigns.contains(*v.campaign_id)) {
    refreshed = true;  // created on another node a moment ago, or binned
    OP_ASSIGN(snapshot, catalog_.refresh(project));
  }
  const CatalogSnapshot& catalog = *snapshot;
  if (v.campaign_id) {
    const auto it = catalog.campaigns.find(*v.campaign_id);
    if (it != catalog.campaigns.end()) campaign = it->second;
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
  std::optional<engine::CategoryRef> category;
  if (category_id) {
    if (auto it = catalog.categories.find(*category_id); it != catalog.categories.end()) {
      category = it->second;
    }
  }
  std::vector<std::string> objects{v.id};
  if (campaign) objects.push_back(campaign->id);
  OP_ASSIGN(engine::Incentive inc, engine::incentive_from_json(def, catalog.rules_of(objects)));
  inc.category = std::move(category);
  engine::IncentiveUsage& use = usage.by_incentive[v.id];
  use.redeemed_quantity = v.redeemed_quantity;
  use.gift_balance = v.gift_balance;
  use.loyalty_balance = v.loyalty_balance;
  return Ptr(std::make_shared<const engine::Incentive>(std::move(inc)));
}

Result<ValidationRun> ValidationService::validate(const Principal& who, engine::Request request) {
  OP_ASSIGN(auto project, store_.find_project(who.project_id));
  if (!project) return Error::internal("the key's project does not exist");
  OP_ASSIGN(SnapshotPtr snapshot, catalog_.current(*project));
  bool refreshed = false;
  for (const engine::RedeemableRef& ref : request.redeemables) {
    const bool unknown =
        (ref.object == "promotion_stack" && !snapshot->stacks.contains(ref.id)) ||
        (ref.object == "promotion_tier" && !snapshot->tier_incentives.contains(ref.id));
    if (unknown && !refreshed) {
      refreshed = true;
      OP_ASSIGN(snapshot, catalog_.refresh(*project));
    }
  }
  engine::Catalog catalog;
  catalog.version = static_cast<uint64_t>(snapshot->version);
  catalog.zone = snapshot->zone;
  engine::Usage usage;
  // A stack stands for its tiers, in the stack's order.
  std::vector<engine::RedeemableRef> refs;
  for (engine::RedeemableRef& ref : request.redeemables) {
    if (ref.object == "promotion_stack") {
      const auto stack = snapshot->stacks.find(ref.id);
      if (stack == snapshot->stacks.end()) return Error::not_found("promotion_stack", ref.id);
      for (const std::string& tier : stack->second.tier_ids) {
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
      OP_ASSIGN(ref.incentive,
                voucher_incentive(who, *project, snapshot, refreshed, ref.id, usage));
    } else if (auto tier = snapshot->tier_incentives.find(ref.id);
               tier != snapshot->tier_incentives.end()) {
      ref.incentive = tier->second;
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
