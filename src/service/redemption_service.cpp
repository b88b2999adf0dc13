#include "service/redemption_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/crypto.h"
#include "engine/engine.h"
#include "service/customer_service.h"
#include "service/decision_inputs.h"
#include "service/events.h"
#include "service/order_service.h"
#include "service/segment_service.h"
#include "service/usage_rows.h"
#include "store/catalog_repository.h"
#include "store/customer_repository.h"
#include "store/order_repository.h"
#include "store/project_repository.h"
#include "store/redemption_repository.h"
#include "store/voucher_repository.h"

namespace openpromo {
namespace {

using engine::RedeemableResult;
using engine::RedeemableStatus;

// What one attempt of a unit gives: an answer, or "the snapshot was stale, run again".
struct Attempt {
  std::optional<Answer> answer;
  bool stale = false;
};

Error idempotency_conflict() {
  return Error{409,
               "idempotency_key_reused",
               "Idempotency key reused",
               "the Idempotency-Key was sent with a different request in the last 24 hours",
               {},
               "idempotency_key"};
}

// Claims the key for this unit, or gives the first answer to it.
Result<std::optional<Answer>> claim_key(UnitOfWork& tx, const Scope& scope,
                                        const std::optional<IdempotencyInput>& idem, Instant now) {
  if (!idem) return std::optional<Answer>{};
  const Instant expired_before{now.millis - RedemptionService::kIdempotencyWindowMillis};
  OP_ASSIGN(auto claim, IdempotencyRepository(tx).claim(scope, idem->key, idem->request_hash, now,
                                                        expired_before));
  if (claim.claimed) return std::optional<Answer>{};
  const IdempotentResponse& prev = *claim.previous;
  if (prev.request_hash != idem->request_hash || prev.status == 0) return idempotency_conflict();
  return std::optional<Answer>(Answer{prev.status, prev.body});
}

// Runs `attempt` in fresh units until it gives an answer: again after a stale snapshot, and
// after a 503 (deadlock, serialization failure, lost connection) that happened before the
// commit, when nothing of the attempt remains.
template <class AttemptFn, class Refresh>
Result<Answer> run_attempts(AttemptFn&& attempt, Refresh&& refresh) {
  constexpr int kAttempts = 4;
  for (int i = 1;; ++i) {
    bool committing = false;
    Result<Attempt> r = attempt(committing);
    if (r.ok() && r->answer) return std::move(*r->answer);
    const bool retry = r.ok() ? r->stale : (r.error().code == 503 && !committing);
    if (!retry || i == kAttempts) {
      if (!r.ok()) return std::move(r).take_error();
      return Error::unavailable("the catalog kept changing during the redemption; retry");
    }
    if (r.ok()) OP_TRY(refresh());
  }
}

const char* related_type(const engine::Incentive& inc) {
  return inc.kind == engine::Incentive::Kind::kPromotionTier ? "promotion_tier" : "voucher";
}

JsonObject channel_of(const Principal& who) {
  return JsonObject{{"channel_id", who.key_id}, {"channel_type", "API"}};
}

// The redeemable the answer blames when the redemption is not acceptable: the first
// inapplicable one in the request, else the first skipped one.
const RedeemableResult* blamed(const engine::Decision& d) {
  for (const RedeemableResult& r : d.redeemables) {
    if (r.status == RedeemableStatus::kInapplicable) return &r;
  }
  for (const RedeemableResult& r : d.redeemables) {
    if (r.status == RedeemableStatus::kSkipped) return &r;
  }
  return nullptr;
}

Status record_activity(UnitOfWork& tx, const Scope& scope,
                       const std::optional<std::string>& customer_id, std::string type,
                       JsonObject data, Instant now) {
  if (!customer_id) return {};
  CustomerActivity a;
  a.id = new_id("evcus_");
  a.project_id = scope.project_id;
  a.customer_id = *customer_id;
  a.type = std::move(type);
  a.data = std::move(data);
  a.created_at = now;
  return ActivityRepository(tx).insert(scope, a);
}

int64_t int_or_zero(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

// The order's totals after discounts change by (order, items).
void add_discounts(Order& o, int64_t order_discount, int64_t items_discount) {
  JsonObject& d = o.definition;
  const int64_t od = std::max<int64_t>(0, int_or_zero(d, "discount_amount") + order_discount);
  const int64_t id = std::max<int64_t>(0, int_or_zero(d, "items_discount_amount") + items_discount);
  d["discount_amount"] = od;
  d["items_discount_amount"] = id;
  d["total_discount_amount"] = od + id;
  o.total_amount = std::max<int64_t>(0, o.amount - od - id);
}

JsonObject& redemptions_map(Order& o) {
  Json& m = o.definition["redemptions"];
  if (!m.is_object()) m = JsonObject{};
  return m.as_object();
}

}  // namespace

// ---- redeem -------------------------------------------------------------------------------------

Result<Answer> RedemptionService::redeem(const Principal& who, RedemptionInput input,
                                         const std::optional<IdempotencyInput>& idempotency,
                                         const RedemptionEncoder& encode) {
  const Project& project = who.project;
  const Scope scope = who.scope();
  CatalogCache& cache = validations_.catalog();
  OP_ASSIGN(std::shared_ptr<const CatalogSnapshot> snapshot, cache.current(project));
  // The request's own shape first: a malformed request writes nothing, not even a failure.
  OP_TRY(expand_redeemables(cache, project, snapshot, input.request));

  auto attempt = [&](bool& committing) -> Result<Attempt> {
    const Instant now = now_utc();
    OP_ASSIGN(auto tx, store_.grouped_write());
    OP_ASSIGN(std::optional<Answer> replay, claim_key(tx, scope, idempotency, now));
    if (replay) {
      // The first answer may be a batch-mate's, not committed yet (group commit): replayed only
      // once the unit that read it commits.
      OP_TRY(tx.commit());
      return Attempt{std::move(replay), false};
    }
    OP_ASSIGN(const int64_t version, CatalogRepository(tx).version(scope));
    if (version != snapshot->version) return Attempt{std::nullopt, true};

    engine::Request request = input.request;
    request.record_effects = true;
    // The customer, upserted from the request: its id keys the per-customer counters.
    std::optional<Customer> customer;
    if (input.customer) {
      // Coordinates sent for location segments are checked, not stored (spec 15): the profile
      // never learns where the shopper was.
      CustomerDraft draft = *input.customer;
      if (draft.metadata && draft.metadata->is_object()) {
        for (const std::string& k : snapshot->customer_location_keys) {
          draft.metadata->as_object().erase(k);
        }
      }
      OP_ASSIGN(customer, upsert_customer_in(tx, who, wire_, draft));
      request.customer.present = true;
      request.customer.stored_id = customer->id;
    }
    OP_ASSIGN(DecisionInputs in, read_decision_inputs(tx, who, wire_, *snapshot, request,
                                                      InputMode::kLock, input.session_key, now));
    if (in.stale) return Attempt{std::nullopt, true};
    if (!customer && in.customer) customer = in.customer;
    const std::optional<std::string> customer_id =
        customer ? std::optional<std::string>(customer->id) : std::nullopt;

    RedemptionOutcome out;
    out.decision = engine::evaluate(snapshot->engine, in.usage, request, now);
    out.tracking_id = input.tracking_id ? *input.tracking_id : tracking_id_of(request.customer);
    const engine::Decision& decision = out.decision;
    const Json customer_doc = customer ? wire_.redemption_customer(*customer) : Json(nullptr);

    auto base = [&](std::string id) {
      Redemption r;
      r.id = std::move(id);
      r.project_id = who.project_id;
      r.customer_id = customer_id;
      r.api_key_id = who.key_id;
      if (!who.area_store_id.empty()) r.area_store_id = who.area_store_id;
      r.session_key = input.session_key;
      r.tracking_id = out.tracking_id;
      r.created_at = now;
      r.document["metadata"] = request.metadata;
      r.document["customer"] = customer_doc;
      r.document["channel"] = channel_of(who);
      return r;
    };
    auto finish = [&]() -> Result<Attempt> {
      Answer answer = encode(out);
      if (idempotency) {
        OP_TRY(
            IdempotencyRepository(tx).answer(scope, idempotency->key, answer.status, answer.body));
      }
      committing = true;
      OP_TRY(tx.commit());
      return Attempt{std::move(answer), false};
    };

    if (!decision.valid) {
      // Not acceptable: the failed attempt is recorded, with the key of the limit it hit. A
      // redeemable that does not exist is a plain 404 with nothing recorded: there is no
      // incentive to attach a record to (and the project's records never hold what another
      // project's codes might be called).
      const RedeemableResult* r = blamed(decision);
      if (r && !r->incentive && r->failure && r->failure->code == 404) {
        Error missing = Error::not_found(r->object, r->id);
        missing.details = r->failure->details;
        return missing;
      }
      Redemption failed = base(new_id("rf_"));
      failed.result = "FAILURE";
      failed.status = "FAILED";
      std::string key = "redemption_rules_violated", message = "Redemption rules violated", details;
      int code = 400;
      if (r) {
        failed.related_object_type =
            r->incentive ? related_type(*r->incentive) : std::string(r->object);
        failed.related_object_id = r->incentive ? r->incentive->id : r->id;
        if (r->incentive) failed.campaign_id = r->incentive->campaign_id;
        if (r->failure) {
          key = r->failure->key;
          message = r->failure->message;
          details = r->failure->details;
          code = r->failure->code;
          if (r->failure->rule_message)
            failed.document["error_message"] = *r->failure->rule_message;
        } else {
          key = r->skip_key;
          message = r->skip_message;
          details = r->id;
        }
        if (r->incentive) failed.document["redeemable"] = wire_.redeemable(*r->incentive, nullptr);
      } else {
        failed.related_object_type = "redemption";
      }
      failed.failure_code = key;
      failed.failure_message = message;
      OP_TRY(RedemptionRepository(tx).insert(scope, failed));
      OP_TRY(record_event(tx, who, "redemption.failed", failed.id,
                          JsonObject{{"id", failed.id}, {"failure_code", key}}));
      OP_TRY(record_activity(
          tx, scope, customer_id, "customer.redemption.failed",
          JsonObject{{"redemption",
                      JsonObject{{"id", failed.id}, {"result", "FAILURE"}, {"failure_code", key}}}},
          now));
      out.failure = Error{code, key, message, details, failed.id, "redemption"};
      out.redemptions.push_back(std::move(failed));
      out.request = std::move(request);
      return finish();
    }

    // Acceptable: every effect with its guard, then the records.
    std::vector<const RedeemableResult*> applied;
    for (size_t i : decision.application_order) {
      const RedeemableResult& r = decision.redeemables[i];
      if (r.status == RedeemableStatus::kApplicable && r.incentive) applied.push_back(&r);
    }
    const bool stacked = input.stacked;
    const std::string root_id = new_id("r_");
    std::vector<std::string> child_ids;
    for (size_t k = 0; k < applied.size(); ++k) {
      child_ids.push_back(stacked ? new_id("r_") : root_id);
    }

    // Vouchers in id order (the order their locks were taken in).
    std::vector<size_t> by_voucher(applied.size());
    for (size_t k = 0; k < applied.size(); ++k) by_voucher[k] = k;
    auto voucher_of = [&](size_t k) -> const std::optional<Voucher>& {
      return in.vouchers[applied[k]->request_index];
    };
    std::sort(by_voucher.begin(), by_voucher.end(), [&](size_t a, size_t b) {
      const auto& va = voucher_of(a);
      const auto& vb = voucher_of(b);
      return (va ? va->id : std::string()) < (vb ? vb->id : std::string());
    });
    VoucherRepository vouchers(tx);
    std::map<size_t, Voucher> after;  // the vouchers as the redemption left them
    for (size_t k : by_voucher) {
      const std::optional<Voucher>& v = voucher_of(k);
      if (!v) continue;
      const RedeemableResult& r = *applied[k];
      const Reserved& held = in.reserved[r.request_index];
      OP_ASSIGN(const bool used, vouchers.redeem(scope, v->id, held.quantity, now));
      if (!used) {
        return Error{400, "quantity_exceeded", "Quantity exceeded", v->code, v->id, "voucher"};
      }
      Voucher now_v = *v;
      ++now_v.redeemed_quantity;
      if (r.gift_credits > 0) {
        VoucherTransaction t;
        t.id = new_id("vtx_");
        t.source_id = child_ids[k];
        t.source = "API";
        t.reason = "redemption";
        t.type = "CREDITS_REDEMPTION";
        t.amount = -r.gift_credits;
        t.created_at = now;
        auto debited = vouchers.adjust_gift_balance(scope, v->id, t, held.gift_credits);
        if (!debited.ok()) {
          return Error{400,      "gift_amount_exceeded", "Gift amount exceeded", v->code, v->id,
                       "voucher"};
        }
        now_v = std::move(debited).value();
      }
      after.emplace(k, std::move(now_v));
    }

    // Counters: the locked rows as the decision's deltas leave them.
    engine::CounterRows rows = in.usage.counters;
    std::vector<engine::CounterDelta> deltas;
    for (const RedeemableResult* r : applied) {
      deltas.insert(deltas.end(), r->counter_deltas.begin(), r->counter_deltas.end());
    }
    engine::apply_deltas(rows, deltas, decision.periods);
    std::vector<UsageCounter> written;
    for (const std::string& key : engine::rows_touched(deltas)) {
      written.push_back(to_stored(key, rows[key]));
    }
    OP_TRY(UsageRepository(tx).write(scope, written));

    // The order, paid, with this redemption on it.
    OrderInput order_in = input.order ? *input.order : OrderInput{};
    order_in.customer.reset();
    if (customer_id) order_in.customer_id = customer_id;
    const engine::OrderResult& final_order = decision.order;
    auto mark = [&](Order& o) -> Status {
      if (!order_in.status || *order_in.status == "CREATED") {
        if (o.status == "CREATED") o.status = "PAID";
      }
      add_discounts(o, final_order.applied_discount_amount,
                    final_order.items_applied_discount_amount);
      JsonObject entry{{"date", format_iso8601(now)}};
      if (stacked) {
        entry["related_object_type"] = "redemption";
        entry["related_object_id"] = root_id;
        JsonArray ids;
        for (const auto& id : child_ids) ids.emplace_back(id);
        entry["stacked"] = std::move(ids);
      } else if (!applied.empty()) {
        const engine::Incentive& inc = *applied.front()->incentive;
        entry["related_object_type"] = related_type(inc);
        entry["related_object_id"] = inc.id;
        if (inc.campaign_id) entry["related_object_parent_id"] = *inc.campaign_id;
      }
      redemptions_map(o)[root_id] = std::move(entry);
      return {};
    };
    OP_ASSIGN(SavedOrder saved, save_order_in(tx, who, wire_, order_in, std::nullopt, mark));
    const Order& order = saved.after;

    // The records: a parent and its children, or the single one.
    RedemptionRepository records(tx);
    const Json final_doc = wire_.calculated_order(final_order, request.order, order);
    int64_t gift_total = 0;
    for (const RedeemableResult* r : applied) gift_total += r->gift_credits;
    if (stacked) {
      Redemption parent = base(root_id);
      parent.related_object_type = "redemption";
      parent.related_object_id = root_id;
      parent.order_id = order.id;
      if (gift_total > 0) parent.gift_amount = gift_total;
      parent.discount_amount = final_order.total_applied_discount_amount();
      parent.order_amount = final_order.amount;
      parent.document["order"] = final_doc;
      OP_TRY(records.insert(scope, parent));
      out.parent = std::move(parent);
    }
    for (size_t k = 0; k < applied.size(); ++k) {
      const RedeemableResult& r = *applied[k];
      const engine::Incentive& inc = *r.incentive;
      Redemption child = base(child_ids[k]);
      if (stacked) child.parent_id = root_id;
      child.related_object_type = related_type(inc);
      child.related_object_id = inc.id;
      child.campaign_id = inc.campaign_id;
      child.order_id = order.id;
      if (r.gift_credits > 0) child.gift_amount = r.gift_credits;
      child.discount_amount = r.order_discount + r.items_discount;
      child.order_amount = r.counter_deltas.empty() ? 0 : r.counter_deltas.front().order_amount;
      JsonObject effects = effects_json(RecordedEffects{decision.periods, r.counter_deltas});
      effects["order_discount"] = r.order_discount;
      effects["items_discount"] = r.items_discount;
      child.effects = std::move(effects);
      child.document["order"] =
          stacked ? wire_.calculated_order(r.order, request.order, order) : final_doc;
      const auto v = after.find(k);
      child.document["redeemable"] = wire_.redeemable(inc, v == after.end() ? nullptr : &v->second);
      OP_TRY(records.insert(scope, child));
      OP_TRY(record_event(tx, who, "redemption.succeeded", child.id,
                          JsonObject{{"id", child.id},
                                     {"parent_id", stacked ? Json(root_id) : Json(nullptr)},
                                     {"related_object_type", child.related_object_type},
                                     {"related_object_id", inc.id},
                                     {"order_id", order.id}}));
      OP_TRY(record_activity(tx, scope, customer_id, "customer.redemption.succeeded",
                             JsonObject{{"redemption", JsonObject{{"id", child.id},
                                                                  {"result", "SUCCESS"},
                                                                  {"related_object_id", inc.id}}}},
                             now));
      out.redemptions.push_back(std::move(child));
    }
    if (input.session_key) OP_TRY(SessionRepository(tx).release(scope, *input.session_key));
    out.succeeded = true;
    out.order = order;
    out.request = std::move(request);
    return finish();
  };
  return run_attempts(attempt, [&]() -> Status {
    OP_ASSIGN(snapshot, cache.refresh(project));
    return {};
  });
}

// ---- rollback -----------------------------------------------------------------------------------

Result<Answer> RedemptionService::rollback(const Principal& who, const RollbackInput& input,
                                           const std::optional<IdempotencyInput>& idempotency,
                                           const RollbackEncoder& encode) {
  const Scope scope = who.scope();
  OP_ASSIGN(std::shared_ptr<const CatalogSnapshot> snapshot,
            validations_.catalog().current(who.project));
  const bool with_order = snapshot->engine.stacking.rollback_order_mode != "WITHOUT_ORDER";

  auto attempt = [&](bool& committing) -> Result<Attempt> {
    const Instant now = now_utc();
    OP_ASSIGN(auto tx, store_.grouped_write());
    OP_ASSIGN(std::optional<Answer> replay, claim_key(tx, scope, idempotency, now));
    if (replay) {
      // The first answer may be a batch-mate's, not committed yet (group commit): replayed only
      // once the unit that read it commits.
      OP_TRY(tx.commit());
      return Attempt{std::move(replay), false};
    }
    RedemptionRepository records(tx);

    // The redemption named, then its root locked: concurrent rollbacks of it serialise here.
    OP_ASSIGN(auto named, records.find(scope, input.redemption_id));
    if (!named) return Error::not_found("redemption", input.redemption_id);
    if (named->result != "SUCCESS") {
      return Error{400,
                   "invalid_redemption",
                   "Invalid redemption",
                   "A failed redemption cannot be rolled back.",
                   named->id,
                   "redemption"};
    }
    const std::string root_id = named->parent_id ? *named->parent_id : named->id;
    OP_ASSIGN(auto root, records.lock(scope, root_id));
    if (!root) return Error::not_found("redemption", root_id);
    std::vector<Redemption> children;
    if (root->related_object_type == "redemption") {
      OP_ASSIGN(children, records.children(scope, root->id));
    } else {
      children.push_back(*root);  // a single redemption stands for itself
    }
    if (input.stacked && named->parent_id) {
      return Error{400,
                   "invalid_redemption_parent",
                   "Invalid redemption parent",
                   "You can rollback only a redemption that does not have parent redemption.",
                   {},
                   {}};
    }
    if (!input.stacked && children.size() > 1) {
      if (named->parent_id) {
        return Error{400,
                     "invalid_redemption_parent",
                     "Invalid redemption parent",
                     "You can rollback only a redemption that does not have parent redemption.",
                     {},
                     {}};
      }
      return Error{400,
                   "invalid_redemption",
                   "Invalid redemption",
                   "You can rollback only a single redemption. Use different endpoint for "
                   "stacked redemption.",
                   {},
                   {}};
    }
    // The caller's customer and order must be the redemption's.
    if (input.customer && (input.customer->id || input.customer->source_id)) {
      const std::string key = input.customer->id ? *input.customer->id : *input.customer->source_id;
      OP_ASSIGN(auto c, CustomerRepository(tx).find(scope, key));
      if (!c) return Error::not_found("customer", key);
      if (!root->customer_id || *root->customer_id != c->id) {
        return Error{400,
                     "invalid_customer",
                     "Invalid customer",
                     "Customer is not related with redemption.",
                     {},
                     {}};
      }
    }
    std::optional<Order> order;
    if (root->order_id) {
      OP_ASSIGN(order, OrderRepository(tx).find(scope, *root->order_id));
    }
    if (input.order && (input.order->id || input.order->source_id)) {
      const bool same = order && ((input.order->id && *input.order->id == order->id) ||
                                  (input.order->source_id && order->source_id &&
                                   *input.order->source_id == *order->source_id));
      if (!same) {
        return Error{
            400, "invalid_order", "Invalid order", "Order is not related with redemption.", {}, {}};
      }
    }

    RollbackOutcome out;
    out.requested_id = input.redemption_id;
    auto rollback_base = [&](std::string id, const Redemption& of) {
      RedemptionRollback rb;
      rb.id = std::move(id);
      rb.project_id = who.project_id;
      rb.redemption_id = of.id;
      rb.related_object_type = of.related_object_type;
      rb.campaign_id = of.campaign_id;
      rb.reason = input.reason;
      rb.tracking_id = input.tracking_id ? input.tracking_id : of.tracking_id;
      rb.customer_id = of.customer_id;
      rb.created_at = now;
      rb.document["metadata"] = input.metadata;
      rb.document["customer"] =
          of.document.contains("customer") ? of.document.at("customer") : Json(nullptr);
      rb.document["channel"] = channel_of(who);
      if (const Json* r = of.document.if_contains("redeemable")) rb.document["redeemable"] = *r;
      return rb;
    };
    auto finish = [&]() -> Result<Attempt> {
      Answer answer = encode(out);
      if (idempotency) {
        OP_TRY(
            IdempotencyRepository(tx).answer(scope, idempotency->key, answer.status, answer.body));
      }
      committing = true;
      OP_TRY(tx.commit());
      return Attempt{std::move(answer), false};
    };

    if (root->status != "SUCCEEDED") {
      // Rolled back already: the failed attempt is recorded.
      RedemptionRollback failed = rollback_base(new_id("rrf_"), *named);
      failed.result = "FAILURE";
      failed.failure_code = "already_rolled_back";
      OP_TRY(records.insert_rollback(scope, failed));
      OP_TRY(record_event(tx, who, "redemption.rollback.failed", failed.id,
                          JsonObject{{"id", failed.id}, {"redemption_id", named->id}}));
      out.failure = Error{400,
                          "already_rolled_back",
                          "Already rolled back",
                          "Redemption has been already rolled back.",
                          failed.id,
                          "redemption_rollback"};
      out.rollbacks.push_back(std::move(failed));
      return finish();
    }
    if (add_duration(root->created_at, IsoDuration{kRollbackWindowMonths, 0}) < now) {
      return Error{400,
                   "invalid_redemption",
                   "Invalid redemption",
                   "Only redemptions younger than 3 months can be rolled back.",
                   root->id,
                   "redemption"};
    }
    // The customer first (the lock order redemptions take), then what each child consumed.
    if (root->customer_id) OP_TRY(CustomerRepository(tx).lock(scope, *root->customer_id));
    std::sort(children.begin(), children.end(), [](const Redemption& a, const Redemption& b) {
      return a.related_object_id.value_or("") < b.related_object_id.value_or("");
    });
    VoucherRepository vouchers(tx);
    std::vector<std::pair<RecordedEffects, const Redemption*>> effects;
    int64_t order_discount = 0, items_discount = 0;
    std::map<std::string, std::string> rollback_ids;  // child id -> rollback id
    for (const Redemption& child : children) {
      if (child.status != "SUCCEEDED") continue;
      rollback_ids[child.id] = new_id("rr_");
      if (child.related_object_type == "voucher" && child.related_object_id) {
        OP_TRY(vouchers.unredeem(scope, *child.related_object_id, now));
        if (child.gift_amount && *child.gift_amount > 0) {
          VoucherTransaction t;
          t.id = new_id("vtx_");
          t.source_id = rollback_ids[child.id];
          t.source = "API";
          t.reason = input.reason ? *input.reason : "rollback";
          t.type = "CREDITS_REFUND";
          t.amount = *child.gift_amount;
          t.created_at = now;
          OP_TRY(vouchers.adjust_gift_balance(scope, *child.related_object_id, t, 0, true));
        }
      }
      OP_ASSIGN(RecordedEffects e, effects_from_json(child.effects));
      order_discount += int_or_zero(child.effects, "order_discount");
      items_discount += int_or_zero(child.effects, "items_discount");
      effects.emplace_back(std::move(e), &child);
    }
    // Counters: every row the children moved, locked in key order, then taken back.
    std::vector<engine::CounterDelta> all;
    for (const auto& [e, child] : effects) all.insert(all.end(), e.deltas.begin(), e.deltas.end());
    const std::vector<std::string> keys = engine::rows_touched(all);
    UsageRepository usage(tx);
    OP_ASSIGN(auto locked, usage.lock(scope, keys));
    engine::CounterRows rows;
    for (const UsageCounter& c : locked) rows[c.key] = to_engine(c);
    for (const auto& [e, child] : effects) engine::revert_deltas(rows, e.deltas, e.periods);
    std::vector<UsageCounter> written;
    for (const std::string& key : keys) written.push_back(to_stored(key, rows[key]));
    OP_TRY(usage.write(scope, written));

    std::vector<std::string> moved_ids{root->id};
    for (const auto& [child_id, rb] : rollback_ids) {
      if (child_id != root->id) moved_ids.push_back(child_id);
    }
    OP_ASSIGN(const int64_t moved, records.mark_rolled_back(scope, moved_ids, now));
    if (moved != static_cast<int64_t>(moved_ids.size())) {
      return Error::unavailable("the redemption changed concurrently; retry");
    }

    // The order: canceled with the discounts taken back (WITH_ORDER), or left as it is.
    const std::string parent_rollback_id = new_id("rr_");
    if (order) {
      OrderInput order_in = input.order ? *input.order : OrderInput{};
      order_in.customer.reset();
      order_in.id.reset();
      order_in.source_id.reset();
      auto mark = [&](Order& o) -> Status {
        if (with_order) {
          if (o.status == "CREATED" || o.status == "PAID") o.status = "CANCELED";
          add_discounts(o, -order_discount, -items_discount);
        }
        JsonObject& map = redemptions_map(o);
        Json& entry = map[root->id];
        if (!entry.is_object()) entry = JsonObject{};
        const bool stacked_root = root->related_object_type == "redemption";
        entry.as_object()["rollback_id"] =
            stacked_root ? parent_rollback_id : rollback_ids[root->id];
        entry.as_object()["rollback_date"] = format_iso8601(now);
        if (stacked_root) {
          JsonArray ids;
          for (const auto& [child_id, rb] : rollback_ids) ids.emplace_back(rb);
          entry.as_object()["rollback_stacked"] = std::move(ids);
        }
        return {};
      };
      OP_ASSIGN(SavedOrder saved, save_order_in(tx, who, wire_, order_in, order->id, mark));
      order = saved.after;
    }
    const Json order_doc = order ? wire_.order_document(*order) : Json(nullptr);

    if (root->related_object_type == "redemption") {
      RedemptionRollback parent = rollback_base(parent_rollback_id, *root);
      parent.discount_amount = root->discount_amount;
      parent.order_amount = root->order_amount;
      if (root->gift_amount) parent.gift_amount = -*root->gift_amount;
      parent.document["order"] = order_doc;
      OP_TRY(records.insert_rollback(scope, parent));
      out.parent = std::move(parent);
    }
    for (const auto& [e, child] : effects) {
      RedemptionRollback rb = rollback_base(rollback_ids[child->id], *child);
      if (out.parent) rb.parent_id = out.parent->id;
      rb.discount_amount = child->discount_amount;
      rb.order_amount = child->order_amount;
      if (child->gift_amount) rb.gift_amount = -*child->gift_amount;
      rb.document["order"] = order_doc;
      OP_TRY(records.insert_rollback(scope, rb));
      OP_TRY(record_event(tx, who, "redemption.rollback.succeeded", rb.id,
                          JsonObject{{"id", rb.id}, {"redemption_id", child->id}}));
      OP_TRY(record_activity(
          tx, scope, child->customer_id, "customer.redemption.rollback.succeeded",
          JsonObject{{"redemption_rollback", JsonObject{{"id", rb.id}, {"redemption", child->id}}}},
          now));
      out.rollbacks.push_back(std::move(rb));
    }
    out.succeeded = true;
    out.order = std::move(order);
    return finish();
  };
  return run_attempts(attempt, []() -> Status { return {}; });
}

// ---- reads --------------------------------------------------------------------------------------

Result<RedemptionRecord> RedemptionService::get(const Principal& who, std::string_view id) {
  const Scope scope = who.scope();
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<RedemptionRecord> {
    RedemptionRepository records(tx);
    OP_ASSIGN(auto r, records.find(scope, id));
    if (r) {
      RedemptionDetails d;
      if (r->related_object_type == "redemption") {
        OP_ASSIGN(d.children, records.children(scope, r->id));
      }
      OP_ASSIGN(auto rollbacks, records.rollbacks_of(scope, {r->id}));
      if (auto it = rollbacks.find(r->id); it != rollbacks.end())
        d.rollbacks = std::move(it->second);
      d.redemption = std::move(*r);
      return RedemptionRecord(std::move(d));
    }
    if (id.starts_with("rr")) {
      OP_ASSIGN(auto rb, records.find_rollback(scope, id));
      if (rb) return RedemptionRecord(std::move(*rb));
    }
    return Error::not_found("redemption", std::string(id));
  });
}

namespace {

Result<Page<RedemptionDetails>> details_of(UnitOfWork& tx, const Scope& scope,
                                           Page<Redemption> page) {
  RedemptionRepository records(tx);
  std::vector<std::string> ids;
  for (const Redemption& r : page.items) ids.push_back(r.id);
  OP_ASSIGN(auto rollbacks, records.rollbacks_of(scope, ids));
  Page<RedemptionDetails> out;
  out.total = page.total;
  out.has_more = page.has_more;
  for (Redemption& r : page.items) {
    RedemptionDetails d;
    if (r.related_object_type == "redemption") {
      OP_ASSIGN(d.children, records.children(scope, r.id));
    }
    if (auto it = rollbacks.find(r.id); it != rollbacks.end()) d.rollbacks = std::move(it->second);
    d.redemption = std::move(r);
    out.items.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Result<Page<RedemptionDetails>> RedemptionService::list(const Principal& who,
                                                        const RedemptionFilter& filter,
                                                        const ListQuery& query) {
  const Scope scope = who.scope();
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<RedemptionDetails>> {
    OP_ASSIGN(auto page, RedemptionRepository(tx).list(scope, filter, query));
    return details_of(tx, scope, std::move(page));
  });
}

Result<VoucherRedemptions> RedemptionService::of_voucher(const Principal& who,
                                                         std::string_view code,
                                                         const ListQuery& query) {
  const Scope scope = who.scope();
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<VoucherRedemptions> {
    OP_ASSIGN(auto v, VoucherRepository(tx).find(scope, code, who.project.case_sensitive_codes));
    if (!v) return Error::not_found("voucher", std::string(code));
    RedemptionFilter filter;
    filter.related_object_id = v->id;
    OP_ASSIGN(auto page, RedemptionRepository(tx).list(scope, filter, query));
    VoucherRedemptions out;
    out.quantity = v->redemption_quantity;
    out.redeemed_quantity = v->redeemed_quantity;
    out.code = v->code;
    OP_ASSIGN(out.page, details_of(tx, scope, std::move(page)));
    return out;
  });
}

Result<int64_t> sweep_expired(Store& store, Instant now) {
  return store.in_write([&](UnitOfWork& tx) -> Result<int64_t> {
    OP_ASSIGN(const int64_t sessions, SessionRepository(tx).sweep(now, 1000));
    OP_ASSIGN(const int64_t keys,
              IdempotencyRepository(tx).sweep(
                  Instant{now.millis - RedemptionService::kIdempotencyWindowMillis}, 1000));
    // Expired OAuth tokens (spec 4.2) go with them: they can never authenticate again.
    OP_ASSIGN(const int64_t tokens, OAuthTokenRepository(tx).sweep(now, 1000));
    return sessions + keys + tokens;
  });
}

}  // namespace openpromo
