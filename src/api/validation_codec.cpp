#include "api/validation_codec.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include <boost/json/parse.hpp>

#include "api/json_writer.h"
#include "api/order_codec.h"
#include "core/money.h"
#include "engine/definitions.h"

namespace openpromo::api {

using engine::Money;

namespace {

Error bad(std::string key, std::string details) {
  Error e = Error::invalid_payload(std::move(details));
  e.key = std::move(key);
  return e;
}

std::string text(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<std::string> optional_text(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  if (v && v->is_string() && !v->as_string().empty()) return std::string(v->as_string());
  return std::nullopt;
}

std::optional<std::string> nonempty(const std::optional<std::string>& v) {
  return v && !v->empty() ? v : std::nullopt;
}

JsonObject object_field(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_object() ? v->as_object() : JsonObject();
}

JsonObject object_or_empty(const std::optional<Json>& v) {
  return v && v->is_object() ? v->as_object() : JsonObject();
}

Error amount_error(std::string details, std::string message) {
  Error e = bad("invalid_amount", std::move(details));
  e.message = std::move(message);
  return e;
}

// A decoded line as the engine sees it: ids from the line or its product/SKU objects, the source
// id standing for the product or the SKU by `related_object`, the price from the line or its
// product, the amount price x quantity unless given.
Result<engine::OrderItem> engine_item(OrderLineInput&& line, size_t index) {
  engine::OrderItem item;
  item.product_id = std::move(line.product_id).value_or("");
  item.sku_id = std::move(line.sku_id).value_or("");
  item.source_id = std::move(line.source_id).value_or("");
  item.related_object = std::move(line.related_object).value_or("");
  if (line.product.is_object()) {
    const JsonObject& po = line.product.as_object();
    if (item.product_id.empty()) item.product_id = text(po, "id");
    item.product_source_id = text(po, "source_id");
    item.product_metadata = object_field(po, "metadata");
  }
  if (line.sku.is_object()) {
    const JsonObject& so = line.sku.as_object();
    if (item.sku_id.empty()) item.sku_id = text(so, "id");
    item.sku_source_id = text(so, "source_id");
    item.sku_metadata = object_field(so, "metadata");
  }
  if (item.related_object == "sku" && item.sku_source_id.empty()) {
    item.sku_source_id = item.source_id;
  }
  if (item.related_object != "sku" && item.product_source_id.empty()) {
    item.product_source_id = item.source_id;
  }
  item.metadata = object_or_empty(line.metadata);
  item.quantity = line.quantity.value_or(1);
  item.price = line.price;
  if (!item.price && line.product.is_object()) {
    OP_ASSIGN(item.price,
              read_money(line.product.as_object(), "price",
                         "order.items[" + std::to_string(index) + "].product.", "invalid_amount"));
  }
  if (line.amount) {
    item.amount = *line.amount;
  } else if (item.price) {
    const auto amount = money_times(*item.price, item.quantity);
    if (!amount) {
      return amount_error(
          "order.items[" + std::to_string(index) + "]: price x quantity exceeds the largest amount",
          "Amount has to be a valid positive number");
    }
    item.amount = *amount;
  }
  return item;
}

}  // namespace

Result<engine::Order> decode_order(const Json* value) {
  engine::Order order;
  if (!value || value->is_null()) return order;
  if (!value->is_object()) return bad("invalid_order", "order must be an object");
  const JsonObject& body = value->as_object();
  OP_ASSIGN(OrderInput in, read_order_header(body, kValidationOrderKeys));
  order.id = nonempty(in.id);
  order.source_id = nonempty(in.source_id);
  order.status = nonempty(in.status);
  order.metadata = object_or_empty(in.metadata);
  // Each line is decoded and turned into the engine's at once: no second copy of the cart.
  OP_ASSIGN(const JsonArray* lines, order_lines(body, kValidationOrderKeys));
  if (lines) {
    order.items.reserve(lines->size());
    for (size_t i = 0; i < lines->size(); ++i) {
      OP_ASSIGN(OrderLineInput line, read_order_line((*lines)[i], i, kValidationOrderKeys));
      OP_ASSIGN(engine::OrderItem item, engine_item(std::move(line), i));
      order.items.push_back(std::move(item));
    }
  }
  order.initial_amount = in.initial_amount;
  Money from_items = 0;
  for (const auto& item : order.items) {
    const auto sum = money_plus(from_items, item.amount);
    if (!sum) {
      return amount_error("the items' amounts sum beyond the largest amount",
                          "Amount has to be a valid positive number");
    }
    from_items = *sum;
  }
  if (!order.items.empty()) {
    if (in.amount && *in.amount != from_items) {
      return amount_error("order.amount " + std::to_string(*in.amount) +
                              " differs from the sum of item amounts " + std::to_string(from_items),
                          "Order amount does not match its items");
    }
    order.amount = from_items;
  } else {
    order.amount = in.amount.value_or(0);
  }
  return order;
}

namespace {

// Gift credits: money in minor units.
Result<std::optional<Money>> gift_credits(const JsonObject& gift) {
  return read_money(gift, "credits", "gift.", "invalid_amount");
}

}  // namespace

bool ValidationOptions::expands(std::string_view what) const {
  return std::find(expand.begin(), expand.end(), what) != expand.end();
}

engine::Customer decode_customer(const Json* value) {
  engine::Customer c;
  if (!value || !value->is_object()) return c;
  const JsonObject& o = value->as_object();
  c.present = !o.empty();
  c.id = optional_text(o, "id");
  c.source_id = optional_text(o, "source_id");
  c.metadata = object_field(o, "metadata");
  c.source = *value;
  return c;
}

Result<engine::Request> decode_validation_request(const Json& body, ValidationOptions& options) {
  if (!body.is_object()) return bad("invalid_payload", "the body must be a JSON object");
  const JsonObject& o = body.as_object();
  engine::Request request;
  const Json* redeemables = o.if_contains("redeemables");
  if (!redeemables || !redeemables->is_array() || redeemables->as_array().empty()) {
    return bad("invalid_payload", "redeemables must be a non-empty list");
  }
  if (redeemables->as_array().size() > 30) {
    return bad("invalid_redeemables", "at most 30 redeemables may be sent");
  }
  size_t stacks = 0;
  for (const Json& r : redeemables->as_array()) {
    if (!r.is_object()) return bad("invalid_payload", "each redeemable must be an object");
    const JsonObject& ro = r.as_object();
    engine::RedeemableRef ref;
    ref.object = text(ro, "object");
    ref.id = text(ro, "id");
    if (ref.object.empty() || ref.id.empty()) {
      return bad("invalid_payload", "each redeemable needs object and id");
    }
    if (ref.object != "voucher" && ref.object != "promotion_tier" &&
        ref.object != "promotion_stack") {
      return bad("invalid_payload",
                 "redeemable object must be voucher, promotion_tier or promotion_stack");
    }
    if (ref.object == "promotion_stack") ++stacks;
    if (const Json* gift = ro.if_contains("gift"); gift && gift->is_object()) {
      OP_ASSIGN(ref.gift_credits, gift_credits(gift->as_object()));
    }
    if (const Json* reward = ro.if_contains("reward"); reward && reward->is_object())
      ref.has_reward = true;
    request.redeemables.push_back(std::move(ref));
  }
  if (stacks > 0 && request.redeemables.size() > 1) {
    return bad("invalid_redeemables", "a promotion_stack must be the only redeemable");
  }
  OP_ASSIGN(request.order, decode_order(o.if_contains("order")));
  request.customer = decode_customer(o.if_contains("customer"));
  request.metadata = object_field(o, "metadata");
  if (const Json* opts = o.if_contains("options"); opts && opts->is_object()) {
    if (const Json* expand = opts->as_object().if_contains("expand");
        expand && expand->is_array()) {
      for (const Json& e : expand->as_array()) {
        if (e.is_string()) options.expand.emplace_back(e.as_string());
      }
    }
    // Ours: `options.best_deal: true` chooses the subset and order of the redeemables that give
    // the largest total discount under the stacking rules (docs/ENGINE.md).
    if (const Json* best = opts->as_object().if_contains("best_deal"); best && !best->is_null()) {
      if (!best->is_bool())
        return bad("invalid_payload", "options.best_deal must be true or false");
      request.best_deal = best->as_bool();
    }
  }
  request.explain = options.expands("explain");
  OP_ASSIGN(options.session, decode_session(o.if_contains("session")));
  options.session_lock = options.session.lock;
  return request;
}

Result<SessionInput> decode_session(const Json* value) {
  SessionInput s;
  if (!value || value->is_null()) return s;
  if (!value->is_object()) return bad("invalid_payload", "session must be an object");
  const JsonObject& o = value->as_object();
  if (const Json* type = o.if_contains("type"); type && !type->is_null()) {
    if (!type->is_string() || type->as_string() != "LOCK") {
      return bad("invalid_payload", "session.type must be LOCK");
    }
    s.lock = true;
  }
  if (const Json* key = o.if_contains("key"); key && !key->is_null()) {
    if (!key->is_string() || key->as_string().empty() || key->as_string().size() > 200) {
      return bad("invalid_payload", "session.key must be a string of 1 to 200 characters");
    }
    for (char c : key->as_string()) {
      const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                      c == '.' || c == ':' || c == '@';
      if (!ok) return bad("invalid_payload", "session.key may hold letters, digits and _-.:@");
    }
    s.key = std::string(key->as_string());
  }
  struct Unit {
    std::string_view name;
    int64_t per_milli_num, per_milli_den;  // millis = ttl * num / den, rounded up
  };
  static constexpr std::array<Unit, 7> kUnits{{{"DAYS", 86'400'000, 1},
                                               {"HOURS", 3'600'000, 1},
                                               {"MINUTES", 60'000, 1},
                                               {"SECONDS", 1'000, 1},
                                               {"MILLISECONDS", 1, 1},
                                               {"MICROSECONDS", 1, 1'000},
                                               {"NANOSECONDS", 1, 1'000'000}}};
  const Unit* unit = &kUnits[0];
  if (const Json* u = o.if_contains("ttl_unit"); u && !u->is_null()) {
    unit = nullptr;
    if (u->is_string()) {
      for (const Unit& k : kUnits) {
        if (u->as_string() == k.name) unit = &k;
      }
    }
    if (!unit) {
      return bad("invalid_payload",
                 "session.ttl_unit must be DAYS, HOURS, MINUTES, SECONDS, MILLISECONDS, "
                 "MICROSECONDS or NANOSECONDS");
    }
  }
  s.ttl_unit = std::string(unit->name);
  s.ttl = unit->name == "DAYS" ? 7 : 0;
  if (const Json* t = o.if_contains("ttl"); t && !t->is_null()) {
    if (!t->is_int64() || t->as_int64() <= 0) {
      return bad("invalid_payload", "session.ttl must be a positive whole number");
    }
    s.ttl = t->as_int64();
  } else if (s.ttl == 0) {
    return bad("invalid_payload", "session.ttl is required with session.ttl_unit");
  }
  constexpr int64_t kMax = ValidationService::kMaxSessionMillis;
  if (unit->per_milli_den == 1 && s.ttl > kMax / unit->per_milli_num) {
    return bad("invalid_payload", "session.ttl is longer than 366 days");
  }
  const int64_t millis = unit->per_milli_den == 1
                             ? s.ttl * unit->per_milli_num
                             : (s.ttl + unit->per_milli_den - 1) / unit->per_milli_den;
  if (millis > kMax) return bad("invalid_payload", "session.ttl is longer than 366 days");
  s.ttl_millis = millis < 1 ? 1 : millis;
  return s;
}

Result<engine::Request> decode_legacy_validation(std::string_view code, const Json& body) {
  if (!body.is_null() && !body.is_object())
    return bad("invalid_payload", "the body must be a JSON object");
  const JsonObject empty;
  const JsonObject& o = body.is_object() ? body.as_object() : empty;
  engine::Request request;
  engine::RedeemableRef ref;
  ref.object = "voucher";
  ref.id = std::string(code);
  if (const Json* gift = o.if_contains("gift"); gift && gift->is_object()) {
    OP_ASSIGN(ref.gift_credits, gift_credits(gift->as_object()));
  }
  if (const Json* reward = o.if_contains("reward"); reward && reward->is_object())
    ref.has_reward = true;
  request.redeemables.push_back(std::move(ref));
  OP_ASSIGN(request.order, decode_order(o.if_contains("order")));
  request.customer = decode_customer(o.if_contains("customer"));
  request.metadata = object_field(o, "metadata");
  return request;
}

// ---- encoding ---------------------------------------------------------------------------------

JsonObject list_of(JsonArray data) {
  JsonObject list;
  list["object"] = "list";
  list["data_ref"] = "data";
  list["total"] = data.size();
  list["data"] = std::move(data);
  return list;
}

JsonArray targets_json(const std::vector<engine::Target>& targets) {
  JsonArray out;
  for (const auto& t : targets) {
    JsonObject o = t.source.is_object() ? t.source.as_object() : JsonObject();
    if (!o.contains("effect")) o["effect"] = engine::to_string(t.effect);
    out.push_back(std::move(o));
  }
  return out;
}

JsonObject error_json(const engine::Failure& f, const std::string& request_id) {
  JsonObject e;
  e["code"] = f.code;
  e["key"] = f.key;
  e["message"] = f.message;
  e["details"] = f.details;
  e["request_id"] = request_id;
  if (!f.resource_id.empty()) e["resource_id"] = f.resource_id;
  if (!f.resource_type.empty()) e["resource_type"] = f.resource_type;
  if (f.rule_message) e["error"] = JsonObject{{"message", *f.rule_message}};
  return e;
}

JsonObject discount_json(const engine::Incentive& inc) {
  JsonObject d = inc.discount && inc.discount->source.is_object() ? inc.discount->source.as_object()
                                                                  : JsonObject();
  if (inc.discount && !d.contains("effect")) d["effect"] = engine::to_string(inc.discount->effect);
  d["is_dynamic"] = false;
  return d;
}

JsonArray categories_json(const engine::Incentive& inc, const engine::StackingRules& s) {
  JsonArray out;
  if (!inc.category) return out;
  JsonObject c = inc.category->source.is_object() ? inc.category->source.as_object() : JsonObject();
  c["id"] = inc.category->id;
  c["name"] = inc.category->name;
  c["hierarchy"] = inc.category->hierarchy;
  c["object"] = "category";
  const auto has = [&](const std::vector<std::string>& l) {
    return std::find(l.begin(), l.end(), inc.category->id) != l.end();
  };
  if (has(s.exclusive_categories)) c["stacking_rules_type"] = "EXCLUSIVE";
  if (has(s.joint_categories)) c["stacking_rules_type"] = "JOINT";
  out.push_back(std::move(c));
  return out;
}

namespace {

JsonArray explain_json(const std::vector<engine::ExplainStep>& steps) {
  JsonArray out;
  for (const auto& s : steps) {
    JsonObject o;
    o["step"] = s.step;
    o["passed"] = s.passed;
    if (!s.detail.empty()) o["detail"] = s.detail;
    if (s.check) {
      o["rule_id"] = s.rule_id;
      o["node"] = s.check->node;
      o["name"] = s.check->name;
      if (!s.check->property.empty()) o["property"] = s.check->property;
      o["operator"] = s.check->op;
      o["expected"] = s.check->expected;
      o["actual"] = s.check->actual;
      if (!s.check->note.empty()) o["detail"] = s.check->note;
    }
    out.push_back(std::move(o));
  }
  return out;
}

const char* status_name(engine::RedeemableStatus s) {
  switch (s) {
    case engine::RedeemableStatus::kApplicable:
      return "APPLICABLE";
    case engine::RedeemableStatus::kInapplicable:
      return "INAPPLICABLE";
    case engine::RedeemableStatus::kSkipped:
      return "SKIPPED";
  }
  return "SKIPPED";
}

}  // namespace

namespace {

void write_targets(JsonWriter& w, const std::vector<engine::Target>& targets) {
  w.begin_object().field("object", "list").field("data_ref", "data");
  w.key("total").number(static_cast<uint64_t>(targets.size()));
  w.key("data").begin_array();
  for (const auto& t : targets) {
    w.begin_object();
    if (t.source.is_object()) w.members(t.source.get_object());
    if (!t.source.is_object() || !t.source.get_object().contains("effect")) {
      w.field("effect", engine::to_string(t.effect));
    }
    w.end_object();
  }
  w.end_array().end_object();
}

void write_details(JsonWriter& w, std::string_view key, std::string_view message) {
  w.key("details").begin_object().field("key", key).field("message", message).end_object();
}

void write_redeemable(JsonWriter& w, const engine::RedeemableResult& r,
                      const engine::Request& request, const engine::Decision& decision,
                      const ValidationOptions& options, const ValidationIds& ids) {
  w.begin_object();
  w.field("status", status_name(r.status)).field("id", r.id).field("object", r.object);
  if (r.status == engine::RedeemableStatus::kApplicable && r.incentive) {
    const engine::Incentive& inc = *r.incentive;
    w.key("order");
    write_order(w, r.order, request.order);
    w.key("applicable_to");
    write_targets(w, r.applicable_to);
    w.key("inapplicable_to");
    write_targets(w, r.inapplicable_to);
    w.field("metadata", inc.metadata);
    w.key("categories").value(Json(categories_json(inc, decision.stacking)));
    if (inc.campaign_id) w.field("campaign_id", *inc.campaign_id);
    if (inc.campaign_name) w.field("campaign_name", *inc.campaign_name);
    if (inc.kind == engine::Incentive::Kind::kPromotionTier) w.field("name", inc.name);
  }
  w.key("result").begin_object();
  if (r.status == engine::RedeemableStatus::kApplicable && r.incentive) {
    const engine::Incentive& inc = *r.incentive;
    if (inc.voucher_kind == engine::Incentive::VoucherKind::kGift) {
      w.key("gift").begin_object().field("credits", r.gift_credits).end_object();
    } else if (inc.discount) {
      w.field("discount", discount_json(inc));
    }
  } else if (r.status == engine::RedeemableStatus::kInapplicable && r.failure) {
    w.field("error", error_json(*r.failure, ids.request_id));
    write_details(w, r.failure->key,
                  r.failure->rule_message ? *r.failure->rule_message : r.failure->message);
  } else if (r.status == engine::RedeemableStatus::kSkipped) {
    write_details(w, r.skip_key, r.skip_message);
  }
  w.end_object();
  if (options.expands("explain")) w.key("explain").value(Json(explain_json(r.explain)));
  w.end_object();
}

JsonObject parsed_object(const std::string& text) {
  return std::move(boost::json::parse(text).as_object());
}

}  // namespace

void write_order(JsonWriter& w, const engine::OrderResult& order, const engine::Order& sent) {
  w.begin_object();
  if (sent.id) w.field("id", *sent.id);
  if (sent.source_id) w.field("source_id", *sent.source_id);
  if (sent.status) w.field("status", *sent.status);
  w.field("amount", order.amount)
      .field("initial_amount", order.initial_amount)
      .field("discount_amount", order.discount_amount)
      .field("items_discount_amount", order.items_discount_amount)
      .field("total_discount_amount", order.total_discount_amount())
      .field("total_amount", order.total_amount())
      .field("applied_discount_amount", order.applied_discount_amount)
      .field("items_applied_discount_amount", order.items_applied_discount_amount)
      .field("total_applied_discount_amount", order.total_applied_discount_amount());
  w.key("items").begin_array();
  for (const engine::LineResult& l : order.lines) {
    const engine::OrderItem& item = *l.item;
    w.begin_object().field("object", "order_item");
    if (!item.product_id.empty()) w.field("product_id", item.product_id);
    if (!item.sku_id.empty()) w.field("sku_id", item.sku_id);
    if (!item.source_id.empty()) w.field("source_id", item.source_id);
    if (!item.related_object.empty()) w.field("related_object", item.related_object);
    w.field("quantity", l.quantity)
        .field("amount", l.amount)
        .field("price", l.unit_price)
        .field("discount_amount", l.discount_amount)
        .field("applied_discount_amount", l.applied_discount_amount)
        .field("subtotal_amount", l.amount - l.discount_amount);
    if (l.discount_quantity > 0) {
      w.field("discount_quantity", l.discount_quantity)
          .field("applied_discount_quantity", l.applied_discount_quantity);
    }
    if (l.applied_quantity > 0) {
      w.field("initial_quantity", l.initial_quantity)
          .field("initial_amount", l.initial_amount)
          .field("applied_quantity", l.applied_quantity)
          .field("applied_quantity_amount", l.applied_quantity_amount);
    }
    if (item.product.is_object()) w.field("product", item.product);
    if (item.sku.is_object()) w.field("sku", item.sku);
    if (!item.metadata.empty()) w.field("metadata", item.metadata);
    w.end_object();
  }
  w.end_array();
  w.field("metadata", sent.metadata)
      .null_field("customer_id")
      .null_field("referrer_id")
      .field("object", "order");
  w.end_object();
}

JsonObject redeemable_json(const engine::RedeemableResult& r, const engine::Request& request,
                           const engine::Decision& decision, const ValidationOptions& options,
                           const ValidationIds& ids) {
  std::string text;
  JsonWriter w(text);
  write_redeemable(w, r, request, decision, options, ids);
  return parsed_object(text);
}

JsonObject encode_order(const engine::OrderResult& order, const engine::Order& sent) {
  std::string text;
  JsonWriter w(text);
  write_order(w, order, sent);
  return parsed_object(text);
}

std::string validation_text(const engine::Decision& decision, const engine::Request& request,
                            const ValidationOptions& options, const ValidationIds& ids) {
  const bool partial = decision.stacking.mode == engine::StackingRules::Mode::kPartial;
  // Each redeemable is written once and placed in every list it belongs to.
  std::vector<std::string> encoded(decision.redeemables.size());
  bool any_skipped = false, any_inapplicable = false;
  for (size_t i = 0; i < decision.redeemables.size(); ++i) {
    const auto& r = decision.redeemables[i];
    encoded[i].reserve(4096);
    JsonWriter piece(encoded[i]);
    write_redeemable(piece, r, request, decision, options, ids);
    any_skipped |= r.status == engine::RedeemableStatus::kSkipped;
    any_inapplicable |= r.status == engine::RedeemableStatus::kInapplicable;
  }
  const auto list = [&](JsonWriter& w, std::string_view name, auto&& belongs) {
    w.key(name).begin_array();
    for (size_t i = 0; i < encoded.size(); ++i) {
      if (belongs(decision.redeemables[i].status)) w.raw(encoded[i]);
    }
    w.end_array();
  };
  std::string text;
  text.reserve(16384);
  JsonWriter w(text);
  w.begin_object().field("id", ids.validation_id).field("valid", decision.valid);
  // PARTIAL lists only the applicable ones in `redeemables` (spec 9.2).
  list(w, "redeemables", [&](engine::RedeemableStatus s) {
    return !partial || s == engine::RedeemableStatus::kApplicable;
  });
  // Left out when empty, as the reference does (clients test for their absence).
  if (any_skipped) {
    list(w, "skipped_redeemables",
         [](engine::RedeemableStatus s) { return s == engine::RedeemableStatus::kSkipped; });
  }
  if (any_inapplicable) {
    list(w, "inapplicable_redeemables",
         [](engine::RedeemableStatus s) { return s == engine::RedeemableStatus::kInapplicable; });
  }
  w.key("order");
  write_order(w, decision.order, request.order);
  w.field("tracking_id", ids.tracking_id);
  if (options.session_lock) {
    w.key("session").begin_object();
    if (options.session.key) {
      w.field("key", *options.session.key);
    } else {
      w.null_field("key");
    }
    w.field("type", "LOCK")
        .field("ttl", options.session.ttl)
        .field("ttl_unit", options.session.ttl_unit)
        .end_object();
  }
  w.field("stacking_rules", engine::stacking_rules_to_json(decision.stacking));
  w.end_object();
  return text;
}

JsonObject encode_validation(const engine::Decision& decision, const engine::Request& request,
                             const ValidationOptions& options, const ValidationIds& ids) {
  return parsed_object(validation_text(decision, request, options, ids));
}

JsonObject encode_legacy_validation(const engine::Decision& decision,
                                    const engine::Request& request, const ValidationIds& ids) {
  JsonObject o;
  const engine::RedeemableResult& r = decision.redeemables.front();
  o["valid"] = decision.valid;
  o["code"] = r.incentive ? r.incentive->code : r.id;
  o["tracking_id"] = ids.tracking_id;
  if (decision.valid && r.incentive) {
    const engine::Incentive& inc = *r.incentive;
    o["applicable_to"] = list_of(targets_json(r.applicable_to));
    o["inapplicable_to"] = list_of(targets_json(r.inapplicable_to));
    o["order"] = encode_order(decision.order, request.order);
    if (inc.voucher_kind == engine::Incentive::VoucherKind::kGift) {
      o["gift"] = JsonObject{{"credits", r.gift_credits}};
    } else if (inc.discount) {
      o["discount"] = discount_json(inc);
    }
    if (inc.campaign_name) o["campaign"] = *inc.campaign_name;
    if (inc.campaign_id) o["campaign_id"] = *inc.campaign_id;
    o["metadata"] = inc.metadata;
    return o;
  }
  engine::Failure f;
  if (r.failure) {
    f = *r.failure;
  } else {
    f.key = r.skip_key;
    f.message = r.skip_message;
  }
  o["reason"] = f.message;
  o["error"] = error_json(f, ids.request_id);
  o["metadata"] = r.incentive ? r.incentive->metadata : JsonObject();
  return o;
}

}  // namespace openpromo::api
