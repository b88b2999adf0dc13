#include "service/validation_service.h"

#include <array>
#include <unordered_map>

#include "service/customer_service.h"
#include "service/product_service.h"

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
  OP_TRY(add_segments(who, *snapshot, request));
  OP_TRY(add_collections(who, *snapshot, request, catalog));
  request.api_key = who.key_id;
  ValidationRun run;
  run.decision = engine::evaluate(catalog, usage, request, now_utc());
  run.tracking_id = tracking_id_of(request.customer);
  run.request = std::move(request);
  return run;
}

// The customer's segments, when the project has any: static memberships from the store, filters
// over the stored profile (customer_view, with its order counters). The stored metadata also
// fills keys the request did not send, so customer rules see the profile.
Status ValidationService::add_segments(const Principal& who, const CatalogSnapshot& snapshot,
                                       engine::Request& request) {
  engine::Customer& customer = request.customer;
  const std::optional<std::string>& key = customer.id ? customer.id : customer.source_id;
  if (!customer.present || !key) return {};
  OP_ASSIGN(auto stored, store_.find_customer(who.project_id, *key));
  if (!stored) return {};
  if (const Json* m = stored->definition.if_contains("metadata"); m && m->is_object()) {
    for (const auto& [k, v] : m->as_object()) {
      if (!customer.metadata.contains(k)) customer.metadata[k] = v;
    }
  }
  if (snapshot.segments.empty()) return {};
  // Read only what the project's segments need: order counters for filters on `summary.*`,
  // memberships for static segments.
  bool needs_orders = false;
  bool has_static = false;
  for (const CompiledSegment& seg : snapshot.segments) {
    needs_orders = needs_orders || (seg.filter && seg.filter->reads_prefix("summary."));
    has_static = has_static || !seg.filter;
  }
  OrderSummary orders;
  if (needs_orders) {
    OP_ASSIGN(orders, store_.order_summary(who.project_id, stored->id));
  }
  std::vector<std::string> static_ids;
  if (has_static) {
    OP_ASSIGN(static_ids, store_.static_segments_of(who.project_id, stored->id));
  }
  const Json document(customer_view(*stored, orders));
  for (std::string& id : member_segments(snapshot.segments, document, static_ids, now_utc())) {
    customer.segments.push_back(std::move(id));
  }
  return {};
}

// Which cart lines belong to each product collection, when the project has any. Lines are
// resolved against the catalog in a few batched queries; a line the catalog does not know is
// judged on what the request says about it (spec 16.3: payload data is used).
Status ValidationService::add_collections(const Principal& who, const CatalogSnapshot& snapshot,
                                          engine::Request& request, engine::Catalog& catalog) {
  if (snapshot.collections.empty() || request.order.items.empty()) return {};
  // Membership is decided per line here and recorded on the line (engine::Collection::by_line).
  for (const CompiledCollection& c : snapshot.collections) {
    catalog.collections[c.collection.id].by_line = true;
  }
  std::vector<std::string> product_keys, sku_keys;
  for (const engine::OrderItem& item : request.order.items) {
    for (const std::string* k : {&item.product_id, &item.product_source_id}) {
      if (!k->empty()) product_keys.push_back(*k);
    }
    for (const std::string* k : {&item.sku_id, &item.sku_source_id}) {
      if (!k->empty()) sku_keys.push_back(*k);
    }
  }
  OP_ASSIGN(auto skus, store_.find_skus(who.project_id, sku_keys));
  for (const Sku& sku : skus) product_keys.push_back(sku.product_id);
  OP_ASSIGN(auto products, store_.find_products(who.project_id, product_keys));
  // By id and by source id (a cart may have thousands of lines).
  std::unordered_map<std::string, const Product*> products_by_key;
  for (const Product& p : products) {
    products_by_key.emplace(p.id, &p);
    if (p.source_id) products_by_key.emplace(*p.source_id, &p);
  }
  std::unordered_map<std::string, const Sku*> skus_by_key;
  for (const Sku& sk : skus) {
    skus_by_key.emplace(sk.id, &sk);
    if (sk.source_id) skus_by_key.emplace(*sk.source_id, &sk);
  }
  auto product_of = [&](const std::string& key) -> const Product* {
    const auto it = key.empty() ? products_by_key.end() : products_by_key.find(key);
    return it == products_by_key.end() ? nullptr : it->second;
  };
  auto sku_of = [&](const std::string& key) -> const Sku* {
    const auto it = key.empty() ? skus_by_key.end() : skus_by_key.find(key);
    return it == skus_by_key.end() ? nullptr : it->second;
  };
  const Instant now = now_utc();
  for (engine::OrderItem& item : request.order.items) {
    const Sku* sku = sku_of(item.sku_id);
    if (!sku) sku = sku_of(item.sku_source_id);
    const Product* product = product_of(item.product_id);
    if (!product) product = product_of(item.product_source_id);
    if (!product && sku) product = product_of(sku->product_id);
    Json product_doc = product ? Json(product_view(*product)) : Json(nullptr);
    if (!product && item.product.is_object()) {
      JsonObject p = item.product.as_object();
      if (!item.product_source_id.empty()) p["source_id"] = item.product_source_id;
      product_doc = std::move(p);
    } else if (!product && !item.product_source_id.empty()) {
      product_doc = JsonObject{{"source_id", item.product_source_id},
                               {"price", item.price ? Json(*item.price) : Json(nullptr)},
                               {"metadata", item.product_metadata}};
    }
    Json sku_doc = sku ? Json(sku_view(*sku)) : Json(nullptr);
    if (!sku && item.sku.is_object()) sku_doc = item.sku;
    const bool sku_line = item.related_object == "sku" || !sku_doc.is_null();
    for (const CompiledCollection& c : snapshot.collections) {
      const bool member =
          sku_line ? c.has_sku(sku_doc, product_doc, now) : c.has_product(product_doc, now);
      if (!member) continue;
      item.collections.push_back(c.collection.id);
    }
  }
  return {};
}

}  // namespace openpromo
