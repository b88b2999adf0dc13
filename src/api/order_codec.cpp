#include "api/order_codec.h"

#include "api/customer_codec.h"
#include "api/json_codec.h"
#include "core/money.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

Error bad(std::string_view key, std::string details) {
  Error e = Error::invalid_payload(std::move(details));
  e.key = std::string(key);
  return e;
}

Result<std::optional<std::string>> text(const json::object& o, std::string_view field,
                                        const std::string& where, std::string_view key) {
  const json::value* v = o.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return bad(key, where + std::string(field) + " must be a string");
  if (v->as_string().size() > 1000) return bad(key, where + std::string(field) + " is too long");
  return std::optional<std::string>(std::string(v->as_string()));
}

// An amount at `o[key]`; the field's name for the error is built only when there is one.
template <class Where>
Result<std::optional<int64_t>> money(const json::object& o, std::string_view key,
                                     const Where& where, std::string_view error_key) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>();
  if (auto amount = money_value(*v)) return amount;
  return read_money(o, key, where(), error_key);
}

}  // namespace

Result<OrderLineInput> read_order_line(const json::value& value, size_t index,
                                       const OrderErrorKeys& k) {
  // The field names of errors are built only when there is one: this runs for every line of
  // every cart.
  const auto where = [&] { return std::string(k.where) + "items[" + std::to_string(index) + "]."; };
  if (!value.is_object()) {
    const std::string at = where();
    return bad(k.shape, at.substr(0, at.size() - 1) + " must be an object");
  }
  const json::object& o = value.as_object();
  OrderLineInput line;
  for (auto [field, target] :
       {std::pair{"source_id", &line.source_id}, std::pair{"product_id", &line.product_id},
        std::pair{"sku_id", &line.sku_id}, std::pair{"related_object", &line.related_object}}) {
    const json::value* v = o.if_contains(field);
    if (!v || v->is_null()) continue;
    if (!v->is_string() || v->as_string().size() > 1000) {
      OP_TRY(text(o, field, where(), k.shape));  // the error
    }
    *target = std::string(v->as_string());
  }
  if (line.related_object && *line.related_object != "product" && *line.related_object != "sku") {
    return bad(k.shape, where() + "related_object must be product or sku");
  }
  if (const json::value* q = o.if_contains("quantity"); q && !q->is_null()) {
    const auto n = money_value(*q);
    if (!n || *n > kMaxQuantity) OP_TRY(read_count(o, "quantity", kMaxQuantity, where(), k.shape));
    line.quantity = n;
  }
  OP_ASSIGN(line.price, money(o, "price", where, k.money));
  OP_ASSIGN(line.amount, money(o, "amount", where, k.money));
  OP_ASSIGN(line.discount_amount, money(o, "discount_amount", where, k.money));
  if (const json::value* m = o.if_contains("metadata")) line.metadata = *m;
  for (auto [field, target] : {std::pair{"product", &line.product}, std::pair{"sku", &line.sku}}) {
    const json::value* v = o.if_contains(field);
    if (!v || v->is_null()) continue;
    if (!v->is_object()) return bad(k.shape, where() + field + " must be an object");
    // The line's price may come from the product object the line carries.
    const auto object_where = [&] { return where() + field + "."; };
    OP_TRY(money(v->as_object(), "price", object_where, k.money));
    *target = *v;
  }
  return line;
}

namespace {

Json or_null(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

int64_t number_or_zero(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace

Result<OrderInput> read_order_header(const json::object& o, const OrderErrorKeys& k) {
  const std::string where(k.where);
  OrderInput in;
  OP_ASSIGN(in.id, text(o, "id", where, k.shape));
  OP_ASSIGN(in.source_id, text(o, "source_id", where, k.shape));
  OP_ASSIGN(in.status, text(o, "status", where, k.shape));
  OP_ASSIGN(in.customer_id, text(o, "customer_id", where, k.shape));
  OP_ASSIGN(in.referrer_id, text(o, "referrer_id", where, k.shape));
  OP_ASSIGN(in.amount, read_money(o, "amount", where, k.money));
  OP_ASSIGN(in.initial_amount, read_money(o, "initial_amount", where, k.money));
  OP_ASSIGN(in.discount_amount, read_money(o, "discount_amount", where, k.money));
  if (const json::value* m = o.if_contains("metadata")) in.metadata = *m;
  if (const json::value* c = o.if_contains("customer"); c && !c->is_null()) {
    if (!c->is_object()) return bad(k.shape, where + "customer must be an object");
    OP_ASSIGN(in.customer, read_customer_draft(c->as_object()));
  }
  return in;
}

Result<const json::array*> order_lines(const json::object& o, const OrderErrorKeys& k) {
  const json::value* items = o.if_contains("items");
  if (!items || items->is_null()) return static_cast<const json::array*>(nullptr);
  if (!items->is_array()) return bad(k.shape, std::string(k.where) + "items must be an array");
  if (items->as_array().size() > kMaxOrderItems) {
    return bad(k.shape, "an order has at most 500 items");
  }
  return &items->as_array();
}

Result<OrderInput> read_order_input(const json::object& o, const OrderErrorKeys& k) {
  OP_ASSIGN(OrderInput in, read_order_header(o, k));
  OP_ASSIGN(const json::array* items, order_lines(o, k));
  if (items) {
    in.items.emplace();
    in.items->reserve(items->size());
    size_t index = 0;
    for (const json::value& item : *items) {
      OP_ASSIGN(OrderLineInput line, read_order_line(item, index++, k));
      in.items->push_back(std::move(line));
    }
  }
  return in;
}

json::object order_json(const Order& o) {
  const JsonObject& d = o.definition;
  json::object out;
  out["id"] = o.id;
  out["source_id"] = or_null(o.source_id);
  out["created_at"] = format_iso8601(o.created_at);
  out["updated_at"] = o.updated_at ? Json(format_iso8601(*o.updated_at)) : Json(nullptr);
  out["status"] = o.status;
  out["amount"] = o.amount;
  if (const Json* v = d.if_contains("initial_amount")) out["initial_amount"] = *v;
  const int64_t discount = number_or_zero(d, "discount_amount");
  const int64_t items_discount = number_or_zero(d, "items_discount_amount");
  out["discount_amount"] = discount;
  out["items_discount_amount"] = items_discount;
  out["total_discount_amount"] = discount + items_discount;
  out["total_amount"] = o.total_amount;
  out["applied_discount_amount"] = number_or_zero(d, "applied_discount_amount");
  out["items_applied_discount_amount"] = number_or_zero(d, "items_applied_discount_amount");
  out["total_applied_discount_amount"] = number_or_zero(d, "applied_discount_amount") +
                                         number_or_zero(d, "items_applied_discount_amount");
  const Json* items = d.if_contains("items");
  out["items"] = items ? *items : Json(JsonArray{});
  const Json* metadata = d.if_contains("metadata");
  out["metadata"] = metadata ? *metadata : Json(JsonObject{});
  out["customer_id"] = or_null(o.customer_id);
  out["customer"] = o.customer_id ? Json(JsonObject{{"id", *o.customer_id}, {"object", "customer"}})
                                  : Json(nullptr);
  const Json* referrer = d.if_contains("referrer_id");
  out["referrer_id"] = referrer ? *referrer : Json(nullptr);
  out["referrer"] = referrer && referrer->is_string()
                        ? Json(JsonObject{{"id", *referrer}, {"object", "customer"}})
                        : Json(nullptr);
  const Json* redemptions = d.if_contains("redemptions");
  out["redemptions"] = redemptions ? *redemptions : Json(JsonObject{});
  out["object"] = "order";
  return out;
}

}  // namespace openpromo::api
