#include "service/decision_inputs.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "core/crypto.h"
#include "engine/engine.h"
#include "engine/geo.h"
#include "service/customer_service.h"
#include "service/incentives.h"
#include "service/usage_rows.h"
#include "store/customer_repository.h"
#include "store/order_repository.h"
#include "store/product_repository.h"
#include "store/redemption_repository.h"
#include "store/segment_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {
namespace {

// Why the location conditions of `filter` cannot hold for `sent` (the request's own copy of the
// customer or cart line): the first location path it holds no readable geopoint at; empty when
// every path has one.
std::string missing_coordinates(const rules::Filter& filter, const Json& sent,
                                std::string_view where) {
  for (const std::string& path : filter.location_paths()) {
    const Json* metadata = sent.is_object() ? sent.as_object().if_contains("metadata") : nullptr;
    const Json* v = metadata && metadata->is_object()
                        ? metadata->as_object().if_contains(std::string_view(path).substr(9))
                        : nullptr;
    if (v && v->is_string() && engine::parse_geo_uri(v->as_string(), path).ok()) continue;
    return "the request sends no coordinates (\"geo:LATITUDE,LONGITUDE\") in " +
           std::string(where) + path + ", so its location conditions do not hold";
  }
  return {};
}

// The customer's segments, when the project has any: static memberships from the store, filters
// over the stored profile (with its summary counters when a filter reads them), or over the
// customer as the request sends it when it is not stored. Location conditions read the
// coordinates the request sends (customer.metadata.<key>), never the profile's. The stored
// metadata also fills keys the request did not send, so customer rules see the profile.
Status add_segments(UnitOfWork& tx, const Principal& who, const Wire& wire,
                    const CatalogSnapshot& snapshot, const Customer* stored,
                    engine::Request& request) {
  engine::Customer& customer = request.customer;
  const Json sent = JsonObject{{"metadata", customer.metadata}};
  if (const Json* m = stored ? stored->definition.if_contains("metadata") : nullptr;
      m && m->is_object()) {
    for (const auto& [k, v] : m->as_object()) {
      if (!customer.metadata.contains(k)) customer.metadata[k] = v;
    }
  }
  if (snapshot.segments.empty()) return {};
  const Scope scope = who.scope();
  // Read only what the project's segments need: summary counters for filters on `summary.*`,
  // memberships for static segments.
  bool needs_summary = false;
  bool has_static = false;
  for (const CompiledSegment& seg : snapshot.segments) {
    needs_summary = needs_summary || (seg.filter && seg.filter->reads_prefix("summary."));
    has_static = has_static || !seg.filter;
  }
  CustomerSummary counters;
  std::vector<std::string> static_ids;
  Json document;
  if (stored) {
    if (needs_summary) {
      OP_ASSIGN(counters, customer_summary_in(tx, scope, stored->id));
    }
    if (has_static) {
      OP_ASSIGN(static_ids, SegmentRepository(tx).static_segments_of(scope, stored->id));
    }
    document = wire.customer(*stored, counters);
  } else {
    document = customer.source.is_object() ? customer.source : Json(JsonObject{});
    if (!document.as_object().contains("metadata"))
      document.as_object()["metadata"] = sent.at("metadata");
  }
  const Instant now = now_utc();
  for (std::string& id : member_segments(snapshot.segments, document, static_ids, now, &sent)) {
    customer.segments.push_back(std::move(id));
  }
  if (!request.explain) return {};
  for (const CompiledSegment& seg : snapshot.segments) {
    if (!seg.filter || std::find(customer.segments.begin(), customer.segments.end(),
                                 seg.segment.id) != customer.segments.end()) {
      continue;
    }
    std::string note = missing_coordinates(*seg.filter, sent, "customer.");
    if (!note.empty()) request.group_notes.emplace(seg.segment.id, std::move(note));
  }
  return {};
}

// Which cart lines belong to each product collection, when the project has any. Lines are
// resolved against the catalog in a few batched queries; a line the catalog does not know is
// judged on what the request says about it (spec 16.3: payload data is used).
Status add_collections(UnitOfWork& tx, const Principal& who, const Wire& wire,
                       const CatalogSnapshot& snapshot, engine::Request& request) {
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
  std::vector<Json> sent_lines;  // for explain
  for (engine::OrderItem& item : request.order.items) {
    const Sku* sku = sku_of(item.sku_id);
    if (!sku) sku = sku_of(item.sku_source_id);
    const Product* product = product_of(item.product_id);
    if (!product) product = product_of(item.product_source_id);
    if (!product && sku) product = product_of(sku->product_id);
    Json product_doc = product ? wire.product(*product) : Json(nullptr);
    if (!product && item.product.is_object()) {
      JsonObject p = item.product.as_object();
      if (!item.product_source_id.empty()) p["source_id"] = item.product_source_id;
      product_doc = std::move(p);
    } else if (!product && !item.product_source_id.empty()) {
      product_doc = JsonObject{{"source_id", item.product_source_id},
                               {"price", item.price ? Json(*item.price) : Json(nullptr)},
                               {"metadata", item.product_metadata}};
    }
    Json sku_doc = sku ? wire.sku(*sku) : Json(nullptr);
    if (!sku && item.sku.is_object()) sku_doc = item.sku;
    const bool sku_line = item.related_object == "sku" || !sku_doc.is_null();
    // Coordinates as the line sends them: its metadata, else the product's or SKU's it sends.
    JsonObject line_metadata = item.product_metadata;
    for (const auto& [k, v] : item.sku_metadata) line_metadata[k] = v;
    for (const auto& [k, v] : item.metadata) line_metadata[k] = v;
    const Json sent = JsonObject{{"metadata", std::move(line_metadata)}};
    for (const CompiledCollection& c : snapshot.collections) {
      const bool member = sku_line ? c.has_sku(sku_doc, product_doc, now, &sent)
                                   : c.has_product(product_doc, now, &sent);
      if (!member) continue;
      item.collections.push_back(c.collection.id);
    }
    if (request.explain) sent_lines.push_back(sent);
  }
  if (!request.explain) return {};
  // A location collection no line sends coordinates for: explain says so.
  for (const CompiledCollection& c : snapshot.collections) {
    if (!c.filter) continue;
    std::string note;
    for (const Json& sent : sent_lines) {
      note = missing_coordinates(*c.filter, sent, "order.items[].");
      if (note.empty()) break;
    }
    if (!note.empty()) request.group_notes.emplace(c.collection.id, std::move(note));
  }
  return {};
}

// A request that names a stored order and sends no lines or amount is decided on the stored
// order (spec 9.3 step 7: "send order.id only").
Status reuse_stored_order(UnitOfWork& tx, const Scope& scope, const Wire& wire,
                          engine::Request& request) {
  engine::Order& sent = request.order;
  const std::optional<std::string>& key = sent.id ? sent.id : sent.source_id;
  if (!key || !sent.items.empty() || sent.amount != 0) return {};
  OP_ASSIGN(auto stored, OrderRepository(tx).find(scope, *key));
  if (!stored) return {};
  OP_ASSIGN(engine::Order order, wire.engine_order(*stored));
  order.id = sent.id;
  order.source_id = sent.source_id ? sent.source_id : stored->source_id;
  if (sent.status) order.status = sent.status;
  for (const auto& [k, v] : sent.metadata) order.metadata[k] = v;
  sent = std::move(order);
  return {};
}

}  // namespace

std::string tracking_id_of(const engine::Customer& customer) {
  const std::string basis = customer.source_id ? *customer.source_id
                            : customer.id      ? *customer.id
                                               : new_uuid();
  return "track_" + sha256_hex("openpromo-tracking:" + basis).substr(0, 24);
}

Status expand_redeemables(CatalogCache& cache, const Project& project,
                          std::shared_ptr<const CatalogSnapshot>& snapshot,
                          engine::Request& request) {
  bool refreshed = false;
  for (const engine::RedeemableRef& ref : request.redeemables) {
    const bool unknown =
        (ref.object == "promotion_stack" && !snapshot->engine.stacks.contains(ref.id)) ||
        (ref.object == "promotion_tier" && !snapshot->engine.tiers.contains(ref.id));
    if (unknown && !refreshed) {
      refreshed = true;
      OP_ASSIGN(snapshot, cache.refresh(project));
    }
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
        t.stack_id = ref.id;
        refs.push_back(std::move(t));
      }
      continue;
    }
    refs.push_back(std::move(ref));
  }
  request.redeemables = std::move(refs);
  return engine::check_request(snapshot->engine, request);
}

Result<DecisionInputs> read_decision_inputs(UnitOfWork& tx, const Principal& who, const Wire& wire,
                                            const CatalogSnapshot& snapshot,
                                            engine::Request& request, InputMode mode,
                                            const std::optional<std::string>& session_key,
                                            Instant now) {
  const Project& project = who.project;
  const Scope scope = who.scope();
  const size_t n = request.redeemables.size();
  DecisionInputs in;
  in.vouchers.resize(n);
  in.reserved.resize(n);
  request.api_key = who.key_id;

  OP_TRY(reuse_stored_order(tx, scope, wire, request));

  // The vouchers' rows: with what other sessions hold, in one query each (kRead), or found,
  // then locked in id order with the reservations read after the locks (kLock).
  VoucherRepository vouchers(tx);
  if (mode == InputMode::kRead) {
    for (size_t i = 0; i < n; ++i) {
      const engine::RedeemableRef& ref = request.redeemables[i];
      if (ref.object != "voucher") continue;
      OP_ASSIGN(auto found, vouchers.find_reserved(scope, ref.id, project.case_sensitive_codes, now,
                                                   session_key));
      if (!found) continue;
      in.vouchers[i] = std::move(found->voucher);
      in.reserved[i] = found->reserved;
    }
  } else {
    std::vector<std::pair<std::string, size_t>> ids;  // voucher id, redeemable index
    for (size_t i = 0; i < n; ++i) {
      const engine::RedeemableRef& ref = request.redeemables[i];
      if (ref.object != "voucher") continue;
      OP_ASSIGN(auto found, vouchers.find(scope, ref.id, project.case_sensitive_codes));
      if (found) ids.emplace_back(found->id, i);
    }
    std::sort(ids.begin(), ids.end());
    std::vector<std::string> locked_ids;
    for (const auto& [id, i] : ids) {
      OP_ASSIGN(in.vouchers[i], vouchers.lock(scope, id));
      if (in.vouchers[i]) locked_ids.push_back(id);
    }
    OP_ASSIGN(auto held, SessionRepository(tx).reserved(scope, locked_ids, now, session_key));
    for (const auto& [id, i] : ids) {
      if (const auto it = held.find(id); it != held.end()) in.reserved[i] = it->second;
    }
  }

  // Incentives on the snapshot that knows their campaigns.
  for (size_t i = 0; i < n; ++i) {
    engine::RedeemableRef& ref = request.redeemables[i];
    if (ref.object == "voucher") {
      if (!in.vouchers[i]) continue;  // not found
      const Voucher& v = *in.vouchers[i];
      const Campaign* campaign = nullptr;
      if (v.campaign_id) {
        const auto it = snapshot.campaigns.find(*v.campaign_id);
        if (it == snapshot.campaigns.end()) {
          in.stale = true;
          return in;
        }
        campaign = &it->second;
      }
      ref.incentive = std::make_shared<const engine::Incentive>(
          voucher_incentive(v, campaign, snapshot.engine));
      engine::IncentiveUsage& use = in.usage.by_incentive[v.id];
      use.redeemed_quantity = v.redeemed_quantity;
      use.locked_quantity = in.reserved[i].quantity;
      use.gift_balance = v.gift_balance;
      use.locked_gift_credits = in.reserved[i].gift_credits;
      use.loyalty_balance = v.loyalty_balance;
    } else if (!ref.stack_id.empty()) {
      const auto stack = snapshot.stack_tiers.find(ref.stack_id);
      const auto tier = stack == snapshot.stack_tiers.end() ? decltype(stack->second.end()){}
                                                            : stack->second.find(ref.id);
      if (stack == snapshot.stack_tiers.end() || tier == stack->second.end()) {
        in.stale = true;  // the stack changed since it was expanded
        return in;
      }
      ref.incentive = tier->second;
    } else if (auto tier = snapshot.engine.tiers.find(ref.id);
               tier != snapshot.engine.tiers.end()) {
      ref.incentive = tier->second;
    }
  }

  // A restricted key uses only the campaigns it sees (spec 14.3): a tier or stack of another is
  // 403, as the store's lookups answer for codes. The snapshot's assignments are the same rows
  // the SQL visibility predicate reads (Scope::sees is its in-memory twin).
  if (scope.restricted) {
    for (const engine::RedeemableRef& ref : request.redeemables) {
      if (!ref.incentive || !ref.incentive->campaign_id) continue;
      const std::string& id = *ref.incentive->campaign_id;
      const auto c = snapshot.campaigns.find(id);
      if (c == snapshot.campaigns.end() || !scope.sees(c->second.assignments)) {
        return Error::forbidden("campaign", id);
      }
    }
  }

  // The stored customer: its id keys the per-customer counters.
  engine::Customer& customer = request.customer;
  const std::optional<std::string>& key = customer.stored_id ? customer.stored_id
                                          : customer.id      ? customer.id
                                                             : customer.source_id;
  if (customer.present && key) {
    OP_ASSIGN(in.customer, CustomerRepository(tx).find(scope, *key));
    if (in.customer) customer.stored_id = in.customer->id;
  }
  if (customer.present) {
    OP_TRY(add_segments(tx, who, wire, snapshot, in.customer ? &*in.customer : nullptr, request));
  }
  OP_TRY(add_collections(tx, who, wire, snapshot, request));

  // Counter rows: what the rules read (kRead); that plus every row a redemption of these
  // incentives moves, locked in key order (kLock).
  std::vector<std::string> keys = engine::counter_rows_read(request);
  std::vector<UsageCounter> rows;
  if (mode != InputMode::kLock) {
    OP_ASSIGN(rows, UsageRepository(tx).read(scope, keys));
  } else {
    std::set<std::string> all(keys.begin(), keys.end());
    for (const engine::RedeemableRef& ref : request.redeemables) {
      if (!ref.incentive) continue;
      const engine::Incentive& inc = *ref.incentive;
      const auto deltas = engine::redemption_deltas(inc.id, inc.campaign_id, customer.stored_id,
                                                    request.api_key, 0, 0, 0);
      for (std::string& k : engine::rows_touched(deltas)) all.insert(std::move(k));
    }
    in.locked_rows.assign(all.begin(), all.end());
    OP_ASSIGN(rows, UsageRepository(tx).lock(scope, in.locked_rows));
  }
  for (const UsageCounter& row : rows) in.usage.counters[row.key] = to_engine(row);
  return in;
}

}  // namespace openpromo
