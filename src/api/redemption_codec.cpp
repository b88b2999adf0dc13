#include "api/redemption_codec.h"

#include "api/customer_codec.h"
#include "api/json_codec.h"
#include "api/order_codec.h"
#include "engine/definitions.h"
#include "service/definitions.h"

namespace openpromo::api {
namespace {

Json text_or_null(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json field_or_null(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v ? *v : Json(nullptr);
}

Error bad(std::string details) {
  return Error::invalid_payload(std::move(details));
}

// `customer` of a body: a draft when it is an object with any field.
Result<std::optional<CustomerDraft>> customer_of(const JsonObject& body) {
  const Json* c = body.if_contains("customer");
  if (!c || c->is_null()) return std::optional<CustomerDraft>{};
  if (!c->is_object()) return bad("customer must be an object");
  if (c->as_object().empty()) return std::optional<CustomerDraft>{};
  OP_ASSIGN(CustomerDraft d, read_customer_draft(c->as_object()));
  return std::optional<CustomerDraft>(std::move(d));
}

// `order` of a body, as POST /orders reads it (the amounts were already checked against the
// lines by the validation decoder, with its error keys).
Result<std::optional<OrderInput>> order_of(const JsonObject& body) {
  const Json* o = body.if_contains("order");
  if (!o || o->is_null()) return std::optional<OrderInput>{};
  if (!o->is_object())
    return Error{400, "invalid_order", "Invalid order", "order must be an object", {}, {}};
  OP_ASSIGN(OrderInput in, read_order_input(o->as_object(), kValidationOrderKeys));
  return std::optional<OrderInput>(std::move(in));
}

Result<std::optional<std::string>> tracking_of(const JsonObject& body) {
  OP_ASSIGN(auto t, read_string(body, "tracking_id"));
  if (t && (t->empty() || t->size() > 200)) {
    return bad("tracking_id must be a string of 1 to 200 characters");
  }
  return t;
}

Status check_body_metadata(const JsonObject& body) {
  const Json* m = body.if_contains("metadata");
  if (!m || m->is_null()) return {};
  return check_metadata(*m);
}

}  // namespace

// ---- decoding -----------------------------------------------------------------------------------

Result<RedemptionInput> decode_redemption(const Json& body, ValidationOptions& options) {
  RedemptionInput in;
  OP_ASSIGN(in.request, decode_validation_request(body, options));
  const JsonObject& o = body.as_object();
  OP_TRY(check_body_metadata(o));
  OP_ASSIGN(in.customer, customer_of(o));
  OP_ASSIGN(in.order, order_of(o));
  OP_ASSIGN(in.tracking_id, tracking_of(o));
  in.session_key = options.session.key;
  in.stacked = true;
  return in;
}

Result<RedemptionInput> decode_legacy_redemption(std::string_view object, std::string_view id,
                                                 const Json& body) {
  if (!body.is_null() && !body.is_object()) return bad("the body must be a JSON object");
  RedemptionInput in;
  OP_ASSIGN(in.request, decode_legacy_validation(id, body));
  in.request.redeemables.front().object = std::string(object);
  const JsonObject empty;
  const JsonObject& o = body.is_object() ? body.as_object() : empty;
  OP_TRY(check_body_metadata(o));
  OP_ASSIGN(in.customer, customer_of(o));
  OP_ASSIGN(in.order, order_of(o));
  OP_ASSIGN(in.tracking_id, tracking_of(o));
  OP_ASSIGN(SessionInput session, decode_session(o.if_contains("session")));
  in.session_key = session.key;
  in.stacked = false;
  return in;
}

Result<RollbackInput> decode_rollback(std::string_view id, bool stacked, const QueryParams& query,
                                      const Json& body) {
  if (!body.is_null() && !body.is_object()) return bad("the body must be a JSON object");
  const JsonObject empty;
  const JsonObject& o = body.is_object() ? body.as_object() : empty;
  RollbackInput in;
  in.redemption_id = std::string(id);
  in.stacked = stacked;
  // The SDKs put reason and tracking_id in the query; rollbackStackable may also send them in
  // the body. The query wins.
  OP_ASSIGN(auto body_reason, read_string(o, "reason"));
  OP_ASSIGN(auto body_tracking, read_string(o, "tracking_id"));
  in.reason = query.get("reason") ? query.get("reason") : body_reason;
  in.tracking_id = query.get("tracking_id") ? query.get("tracking_id") : body_tracking;
  if (in.reason && in.reason->size() > 1000) return bad("reason is longer than 1000 characters");
  if (in.tracking_id && in.tracking_id->size() > 200) {
    return bad("tracking_id is longer than 200 characters");
  }
  OP_TRY(check_body_metadata(o));
  if (const Json* m = o.if_contains("metadata"); m && m->is_object()) in.metadata = m->as_object();
  OP_ASSIGN(in.customer, customer_of(o));
  OP_ASSIGN(in.order, order_of(o));
  return in;
}

Result<RedemptionFilter> decode_redemption_filter(const QueryParams& query) {
  RedemptionFilter f;
  if (auto r = query.get("result")) {
    if (*r != "SUCCESS" && *r != "FAILURE") {
      return Error::invalid_query_params("result must be SUCCESS or FAILURE");
    }
    f.result = *r;
  }
  f.campaign_id = query.get("campaign");
  f.customer_id = query.get("customer");
  // `order` is the sort (`-created_at`), as the contract says; an order's redemptions are
  // `filters[order_id][conditions][$is]=ord_...`.
  f.related_object_id = query.get("voucher");
  f.store.area_id = query.get("area_id");
  f.store.area_store_id = query.get("area_store_id");
  return f;
}

// ---- what a redemption records ------------------------------------------------------------------

JsonObject redemption_order_json(const engine::OrderResult& result, const engine::Order& sent,
                                 const Order& saved) {
  JsonObject o = encode_order(result, sent);
  const JsonObject stored = order_json(saved);
  o["id"] = saved.id;
  o["source_id"] = text_or_null(saved.source_id);
  o["status"] = saved.status;
  for (const char* key : {"created_at", "updated_at", "customer", "customer_id", "referrer_id",
                          "metadata", "redemptions"}) {
    if (const Json* v = stored.if_contains(key)) o[key] = *v;
  }
  return o;
}

JsonObject redeemable_snapshot_json(const engine::Incentive& inc, const Voucher* v) {
  JsonObject o;
  o["id"] = inc.id;
  if (inc.kind == engine::Incentive::Kind::kPromotionTier) {
    o["name"] = inc.name;
    JsonObject action;
    if (inc.discount) action["discount"] = inc.discount->source;
    o["action"] = std::move(action);
    o["metadata"] = inc.metadata;
    o["campaign"] = inc.campaign_id ? Json(JsonObject{{"id", *inc.campaign_id},
                                                      {"name", text_or_null(inc.campaign_name)},
                                                      {"object", "campaign"}})
                                    : Json(nullptr);
    o["campaign_id"] = text_or_null(inc.campaign_id);
    o["active"] = inc.active;
    o["object"] = "promotion_tier";
    return o;
  }
  o["code"] = inc.code;
  o["campaign"] = text_or_null(inc.campaign_name);
  o["campaign_id"] = text_or_null(inc.campaign_id);
  o["category"] = inc.category ? Json(inc.category->name) : Json(nullptr);
  o["category_id"] = inc.category ? Json(inc.category->id) : Json(nullptr);
  const char* type = inc.voucher_kind == engine::Incentive::VoucherKind::kGift ? "GIFT_VOUCHER"
                     : inc.voucher_kind == engine::Incentive::VoucherKind::kLoyaltyCard
                         ? "LOYALTY_CARD"
                         : "DISCOUNT_VOUCHER";
  o["type"] = type;
  o["discount"] = inc.discount ? inc.discount->source : Json(nullptr);
  if (inc.voucher_kind == engine::Incentive::VoucherKind::kGift && v) {
    o["gift"] =
        JsonObject{{"amount", v->gift_amount.value_or(0)},
                   {"balance", v->gift_balance.value_or(0)},
                   {"effect", inc.gift_applies_to_items ? "APPLY_TO_ITEMS" : "APPLY_TO_ORDER"}};
  } else {
    o["gift"] = nullptr;
  }
  o["loyalty_card"] = nullptr;
  o["active"] = inc.active;
  o["metadata"] = inc.metadata;
  o["holder_id"] = text_or_null(inc.holder_id);
  if (v) {
    o["redemption"] = JsonObject{
        {"quantity", v->redemption_quantity ? Json(*v->redemption_quantity) : Json(nullptr)},
        {"redeemed_quantity", v->redeemed_quantity},
        {"object", "list"}};
    o["is_referral_code"] = v->is_referral_code;
  }
  o["object"] = "voucher";
  return o;
}

JsonObject redemption_customer_json(const Customer& c) {
  return JsonObject{{"id", c.id},
                    {"name", text_or_null(c.name)},
                    {"email", text_or_null(c.email)},
                    {"source_id", text_or_null(c.source_id)},
                    {"metadata", field_or_null(c.definition, "metadata").is_null()
                                     ? Json(JsonObject{})
                                     : field_or_null(c.definition, "metadata")},
                    {"object", "customer"}};
}

// ---- records ------------------------------------------------------------------------------------

JsonObject redemption_json(const RedemptionDetails& d) {
  const Redemption& r = d.redemption;
  JsonObject o;
  o["id"] = r.id;
  o["object"] = "redemption";
  o["date"] = format_iso8601(r.created_at);
  o["customer_id"] = text_or_null(r.customer_id);
  o["tracking_id"] = text_or_null(r.tracking_id);
  o["metadata"] = field_or_null(r.document, "metadata");
  if (r.gift_amount) o["amount"] = *r.gift_amount;
  o["redemption"] = text_or_null(r.parent_id);
  o["result"] = r.result;
  o["status"] = r.status;
  if (r.result == "FAILURE") {
    o["failure_code"] = text_or_null(r.failure_code);
    o["failure_message"] = text_or_null(r.failure_message);
  }
  if (r.session_key) o["session"] = JsonObject{{"key", *r.session_key}};
  JsonArray rollbacks, children;
  for (const RedemptionRollback& rb : d.rollbacks) {
    rollbacks.push_back(JsonObject{{"id", rb.id}, {"date", format_iso8601(rb.created_at)}});
  }
  for (const Redemption& c : d.children) {
    children.push_back(JsonObject{{"id", c.id}, {"date", format_iso8601(c.created_at)}});
  }
  o["related_redemptions"] =
      JsonObject{{"rollbacks", std::move(rollbacks)}, {"redemptions", std::move(children)}};
  o["order"] = field_or_null(r.document, "order");
  o["channel"] = field_or_null(r.document, "channel");
  o["customer"] = field_or_null(r.document, "customer");
  o["related_object_type"] = r.related_object_type;
  o["related_object_id"] = text_or_null(r.related_object_id);
  const Json redeemable = field_or_null(r.document, "redeemable");
  if (r.related_object_type == "voucher") {
    o["voucher"] = redeemable;
    if (r.gift_amount) o["gift"] = JsonObject{{"amount", *r.gift_amount}};
  } else if (r.related_object_type == "promotion_tier") {
    o["promotion_tier"] = redeemable;
  }
  return o;
}

JsonObject rollback_json(const RedemptionRollback& rb) {
  JsonObject o;
  o["id"] = rb.id;
  o["object"] = "redemption_rollback";
  o["date"] = format_iso8601(rb.created_at);
  o["customer_id"] = text_or_null(rb.customer_id);
  o["tracking_id"] = text_or_null(rb.tracking_id);
  o["metadata"] = field_or_null(rb.document, "metadata");
  if (rb.gift_amount) o["amount"] = *rb.gift_amount;
  o["redemption"] = rb.redemption_id;
  o["reason"] = text_or_null(rb.reason);
  o["result"] = rb.result;
  if (rb.result == "FAILURE") o["failure_code"] = text_or_null(rb.failure_code);
  o["order"] = field_or_null(rb.document, "order");
  o["channel"] = field_or_null(rb.document, "channel");
  o["customer"] = field_or_null(rb.document, "customer");
  o["related_object_type"] = rb.related_object_type;
  const Json redeemable = field_or_null(rb.document, "redeemable");
  o["related_object_id"] =
      redeemable.is_object() ? field_or_null(redeemable.as_object(), "id") : Json(rb.redemption_id);
  if (rb.related_object_type == "voucher") {
    o["voucher"] = redeemable;
    if (rb.gift_amount) o["gift"] = JsonObject{{"amount", *rb.gift_amount}};
  } else if (rb.related_object_type == "promotion_tier") {
    o["promotion_tier"] = redeemable;
  }
  return o;
}

// ---- answers ------------------------------------------------------------------------------------

namespace {

Answer error_answer(const Error& e, std::string_view request_id,
                    const std::optional<std::string>& rule_message) {
  auto parsed = parse_json_text(error_json(e, request_id));
  JsonObject o = parsed.ok() && parsed->is_object() ? std::move(parsed->as_object()) : JsonObject{};
  if (rule_message) o["error"] = JsonObject{{"message", *rule_message}};
  return Answer{e.code, to_json_text(o)};
}

}  // namespace

Answer encode_redemption_outcome(const RedemptionOutcome& out, std::string_view request_id) {
  if (!out.succeeded) {
    std::optional<std::string> rule_message;
    if (!out.redemptions.empty()) {
      if (const Json* m = out.redemptions.front().document.if_contains("error_message");
          m && m->is_string()) {
        rule_message = std::string(m->as_string());
      }
    }
    return error_answer(out.failure ? *out.failure : Error::internal("redemption failed"),
                        request_id, rule_message);
  }
  if (!out.parent) {
    // The legacy single-code endpoints answer with the redemption itself.
    return Answer{
        200, to_json_text(redemption_json(RedemptionDetails{out.redemptions.front(), {}, {}}))};
  }
  JsonArray children;
  for (const Redemption& r : out.redemptions) {
    children.push_back(redemption_json(RedemptionDetails{r, {}, {}}));
  }
  JsonObject o;
  o["redemptions"] = std::move(children);
  o["parent_redemption"] = redemption_json(RedemptionDetails{*out.parent, out.redemptions, {}});
  o["order"] = field_or_null(out.parent->document, "order");
  const ValidationOptions options;
  const ValidationIds ids{"", out.tracking_id, std::string(request_id)};
  JsonArray inapplicable, skipped;
  for (const engine::RedeemableResult& r : out.decision.redeemables) {
    if (r.status == engine::RedeemableStatus::kInapplicable) {
      inapplicable.push_back(redeemable_json(r, out.request, out.decision, options, ids));
    } else if (r.status == engine::RedeemableStatus::kSkipped) {
      skipped.push_back(redeemable_json(r, out.request, out.decision, options, ids));
    }
  }
  // Left out when empty, as in validations.
  if (!inapplicable.empty()) o["inapplicable_redeemables"] = std::move(inapplicable);
  if (!skipped.empty()) o["skipped_redeemables"] = std::move(skipped);
  o["stacking_rules"] = engine::stacking_rules_to_json(out.decision.stacking);
  return Answer{200, to_json_text(o)};
}

Answer encode_rollback_outcome(const RollbackOutcome& out, bool stacked,
                               std::string_view request_id) {
  if (!out.succeeded) {
    return error_answer(out.failure ? *out.failure : Error::internal("rollback failed"), request_id,
                        std::nullopt);
  }
  if (!stacked) {
    // The single endpoint answers with the rollback of the redemption it named.
    const RedemptionRollback* named = nullptr;
    for (const RedemptionRollback& rb : out.rollbacks) {
      if (rb.redemption_id == out.requested_id) named = &rb;
    }
    if (!named && out.parent && out.parent->redemption_id == out.requested_id) named = &*out.parent;
    if (!named && !out.rollbacks.empty()) named = &out.rollbacks.front();
    if (!named) return Answer{500, "{}"};
    return Answer{200, to_json_text(rollback_json(*named))};
  }
  JsonArray rollbacks;
  for (const RedemptionRollback& rb : out.rollbacks) rollbacks.push_back(rollback_json(rb));
  JsonObject o;
  o["rollbacks"] = std::move(rollbacks);
  o["parent_rollback"] = out.parent ? Json(rollback_json(*out.parent)) : Json(nullptr);
  o["order"] = out.order ? Json(order_json(*out.order)) : Json(nullptr);
  return Answer{200, to_json_text(o)};
}

}  // namespace openpromo::api
