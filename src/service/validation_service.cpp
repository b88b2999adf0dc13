#include "service/validation_service.h"

#include <array>
#include <unordered_map>

#include "core/crypto.h"
#include "engine/definitions.h"
#include "engine/engine.h"
#include "service/incentives.h"
#include "store/customer_repository.h"
#include "store/order_repository.h"
#include "store/product_repository.h"
#include "store/segment_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {
namespace {

// Voucherify's tracking id is derived from the customer's source id; ours hashes it, so the same
// customer gets the same id and the source id is not exposed.
std::string tracking_id_of(const engine::Customer& customer) {
  const std::string basis = customer.source_id ? *customer.source_id
                            : customer.id      ? *customer.id
                                               : new_uuid();
  return "track_" + sha256_hex("openpromo-tracking:" + basis).substr(0, 24);
}

}  // namespace

Result<ValidationRun> ValidationService::validate(const Principal& who, engine::Request request) {
  const Project& project = who.project;
  OP_ASSIGN(SnapshotPtr snapshot, catalog_.current(project));
  bool refreshed = false;
  auto refresh_once = [&]() -> Status {
    if (refreshed) return {};
    refreshed = true;  // created on another node a moment ago, or gone
    OP_ASSIGN(snapshot, catalog_.refresh(project));
    return {};
  };
  for (const engine::RedeemableRef& ref : request.redeemables) {
    const bool unknown =
        (ref.object == "promotion_stack" && !snapshot->engine.stacks.contains(ref.id)) ||
        (ref.object == "promotion_tier" && !snapshot->engine.tiers.contains(ref.id));
    if (unknown) OP_TRY(refresh_once());
  }
  // A stack stands for its tiers, in the stack's order.
  std::vector<engine::RedeemableRef> refs;
  for (engine::RedeemableRef& ref : request.redeemables) {
    if (ref.object == "promotion_stack") {
      const auto stack = snapshot->engine.stacks.find(ref.id);
      if (stack == snapshot->engine.stacks.end()) {
        return Error::not_found("promotion_stack", ref.id);
      }
      for (const std::string& tier : stack->second) {
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
  OP_TRY(engine::check_request(snapshot->engine, request));

  OP_ASSIGN(auto tx, store_.statements());
  const Scope scope = who.scope();
  // The vouchers' rows first (their counters and own fields), then their incentives on the
  // snapshot that knows their campaigns.
  std::vector<std::optional<Voucher>> vouchers(request.redeemables.size());
  for (size_t i = 0; i < request.redeemables.size(); ++i) {
    const engine::RedeemableRef& ref = request.redeemables[i];
    if (ref.object != "voucher") continue;
    OP_ASSIGN(vouchers[i], VoucherRepository(tx).find(scope, ref.id, project.case_sensitive_codes));
    const std::optional<Voucher>& v = vouchers[i];
    if (v && v->campaign_id && !snapshot->campaigns.contains(*v->campaign_id)) {
      OP_TRY(refresh_once());
    }
  }
  engine::Usage usage;
  for (size_t i = 0; i < request.redeemables.size(); ++i) {
    engine::RedeemableRef& ref = request.redeemables[i];
    if (ref.object == "voucher") {
      if (!vouchers[i]) continue;  // not found
      const Voucher& v = *vouchers[i];
      const Campaign* campaign = nullptr;
      if (v.campaign_id) {
        const auto it = snapshot->campaigns.find(*v.campaign_id);
        if (it != snapshot->campaigns.end()) campaign = &it->second;
      }
      ref.incentive = std::make_shared<const engine::Incentive>(
          voucher_incentive(v, campaign, snapshot->engine));
      engine::IncentiveUsage& use = usage.by_incentive[v.id];
      use.redeemed_quantity = v.redeemed_quantity;
      use.gift_balance = v.gift_balance;
      use.loyalty_balance = v.loyalty_balance;
    } else if (auto tier = snapshot->engine.tiers.find(ref.id);
               tier != snapshot->engine.tiers.end()) {
      ref.incentive = tier->second;
    }
  }
  OP_TRY(add_segments(tx, who, *snapshot, request));
  OP_TRY(add_collections(tx, who, *snapshot, request));
  request.api_key = who.key_id;
  ValidationRun run;
  run.decision = engine::evaluate(snapshot->engine, usage, request, now_utc());
  run.tracking_id = tracking_id_of(request.customer);
  run.request = std::move(request);
  run.catalog = std::move(snapshot);
  return run;
}

// The customer's segments, when the project has any: static memberships from the store, filters
// over the stored profile (customer_view, with its order counters). The stored metadata also
// fills keys the request did not send, so customer rules see the profile.
Status ValidationService::add_segments(UnitOfWork& tx, const Principal& who,
                                       const CatalogSnapshot& snapshot, engine::Request& request) {
  engine::Customer& customer = request.customer;
  const std::optional<std::string>& key = customer.id ? customer.id : customer.source_id;
  if (!customer.present || !key) return {};
  const Scope scope = who.scope();
  OP_ASSIGN(auto stored, CustomerRepository(tx).find(scope, *key));
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
    OP_ASSIGN(orders, OrderRepository(tx).summary(scope, stored->id));
  }
  std::vector<std::string> static_ids;
  if (has_static) {
    OP_ASSIGN(static_ids, SegmentRepository(tx).static_segments_of(scope, stored->id));
  }
  const Json document = wire_.customer(*stored, orders);
  for (std::string& id : member_segments(snapshot.segments, document, static_ids, now_utc())) {
    customer.segments.push_back(std::move(id));
  }
  return {};
}

// Which cart lines belong to each product collection, when the project has any. Lines are
// resolved against the catalog in a few batched queries; a line the catalog does not know is
// judged on what the request says about it (spec 16.3: payload data is used).
Status ValidationService::add_collections(UnitOfWork& tx, const Principal& who,
                                          const CatalogSnapshot& snapshot,
                                          engine::Request& request) {
  if (snapshot.collections.empty() || request.order.items.empty()) return {};
  // Membership is decided per line here and recorded on the line (engine::Collection::by_line).
  const Scope scope = who.scope();
  std::vector<std::string> product_keys, sku_keys;
  for (const engine::OrderItem& item : request.order.items) {
    for (const std::string* k : {&item.product_id, &item.product_source_id}) {
      if (!k->empty()) product_keys.push_back(*k);
    }
    for (const std::string* k : {&item.sku_id, &item.sku_source_id}) {
      if (!k->empty()) sku_keys.push_back(*k);
    }
  }
  OP_ASSIGN(auto skus, SkuRepository(tx).find_many(scope, sku_keys));
  for (const Sku& sku : skus) product_keys.push_back(sku.product_id);
  OP_ASSIGN(auto products, ProductRepository(tx).find_many(scope, product_keys));
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
    Json product_doc = product ? wire_.product(*product) : Json(nullptr);
    if (!product && item.product.is_object()) {
      JsonObject p = item.product.as_object();
      if (!item.product_source_id.empty()) p["source_id"] = item.product_source_id;
      product_doc = std::move(p);
    } else if (!product && !item.product_source_id.empty()) {
      product_doc = JsonObject{{"source_id", item.product_source_id},
                               {"price", item.price ? Json(*item.price) : Json(nullptr)},
                               {"metadata", item.product_metadata}};
    }
    Json sku_doc = sku ? wire_.sku(*sku) : Json(nullptr);
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
