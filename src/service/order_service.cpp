#include "service/order_service.h"

#include <cmath>
#include <limits>

#include "core/crypto.h"
#include "service/definitions.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"
#include "service/product_service.h"

namespace openpromo {
namespace {

constexpr std::array<std::string_view, 4> kStatuses{"CREATED", "PAID", "CANCELED", "FULFILLED"};

Error invalid_order(std::string details) {
  return Error{400, "invalid_order", "Invalid order", std::move(details), {}, {}};
}

Error invalid_status(const std::string& from, const std::string& to) {
  return Error{400,
               "invalid_order_status",
               "Invalid order status",
               "an order cannot go from " + from + " to " + to,
               {},
               {}};
}

bool allowed_transition(std::string_view from, std::string_view to) {
  if (from == to) return true;
  if (from == "CREATED") return to == "PAID" || to == "CANCELED";
  if (from == "PAID") return to == "FULFILLED" || to == "CANCELED";
  return false;  // CANCELED and FULFILLED are final
}

Result<std::optional<std::string>> text_field(const JsonObject& o, std::string_view key,
                                              const std::string& where) {
  const Json* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string())
    return Error::invalid_payload(where + std::string(key) + " must be a string");
  if (v->as_string().size() > 1000) {
    return Error::invalid_payload(where + std::string(key) + " is too long");
  }
  return std::optional<std::string>(std::string(v->as_string()));
}

// Amounts and quantities: integers (minor units) in [0, 10^15].
Result<std::optional<int64_t>> money_field(const JsonObject& o, std::string_view key,
                                           const std::string& where) {
  const Json* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<int64_t>{};
  std::optional<int64_t> n;
  if (v->is_int64()) n = v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= 1'000'000'000'000'000ULL) {
    n = static_cast<int64_t>(v->as_uint64());
  }
  if (v->is_double()) {
    const double d = v->as_double();
    if (std::isfinite(d) && std::fabs(d) <= 1e15 && std::trunc(d) == d) n = static_cast<int64_t>(d);
  }
  if (!n || *n < 0 || *n > 1'000'000'000'000'000LL) {
    return Error::invalid_payload(where + std::string(key) +
                                  " must be a whole number from 0 to 10^15 (minor units)");
  }
  return n;
}

std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out) || out > 1'000'000'000'000'000LL) return std::nullopt;
  return out;
}

Json or_null(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

// One order line, resolved against the catalog and with its amounts filled in.
Result<JsonObject> resolve_item(Store& store, const std::string& project, const Json& raw,
                                size_t index) {
  const std::string where = "items[" + std::to_string(index) + "].";
  if (!raw.is_object())
    return Error::invalid_payload(where.substr(0, where.size() - 1) + " must be an object");
  const JsonObject& in = raw.as_object();
  OP_ASSIGN(auto source_id, text_field(in, "source_id", where));
  OP_ASSIGN(auto product_id, text_field(in, "product_id", where));
  OP_ASSIGN(auto sku_id, text_field(in, "sku_id", where));
  OP_ASSIGN(auto related, text_field(in, "related_object", where));
  if (related && *related != "product" && *related != "sku") {
    return Error::invalid_payload(where + "related_object must be product or sku");
  }
  OP_ASSIGN(auto quantity, money_field(in, "quantity", where));
  OP_ASSIGN(auto price, money_field(in, "price", where));
  OP_ASSIGN(auto amount, money_field(in, "amount", where));
  OP_ASSIGN(auto discount, money_field(in, "discount_amount", where));
  const Json* metadata = in.if_contains("metadata");
  if (metadata && !metadata->is_null()) OP_TRY(check_metadata(*metadata));

  std::optional<Product> product;
  std::optional<Sku> sku;
  if (sku_id) {
    OP_ASSIGN(sku, store.find_sku(project, *sku_id));
    if (!sku) return Error::not_found("sku", *sku_id);
  } else if (source_id && related == "sku") {
    OP_ASSIGN(sku, store.find_sku(project, *source_id));
  }
  if (product_id) {
    OP_ASSIGN(product, store.find_product(project, *product_id));
    if (!product) return Error::not_found("product", *product_id);
  } else if (sku) {
    OP_ASSIGN(product, store.find_product(project, sku->product_id));
  } else if (source_id && related != "sku") {
    OP_ASSIGN(product, store.find_product(project, *source_id));  // unknown: payload only
  }

  JsonObject out;
  out["object"] = "order_item";
  if (source_id) out["source_id"] = *source_id;
  out["related_object"] = related ? *related : (sku ? "sku" : "product");
  if (product) out["product_id"] = product->id;
  if (sku) out["sku_id"] = sku->id;
  const int64_t qty = quantity.value_or(1);
  if (quantity && *quantity == 0)
    return Error::invalid_payload(where + "quantity must be at least 1");
  out["quantity"] = qty;
  const std::optional<int64_t> catalog_price =
      sku && sku->price ? sku->price : (product ? product->price : std::nullopt);
  const std::optional<int64_t> unit = price ? price : catalog_price;
  std::optional<int64_t> line = amount;
  if (unit) {
    const auto computed = checked_mul(*unit, qty);
    if (!computed) return invalid_order(where + "price x quantity is too large");
    if (!line) {
      line = computed;
    } else if (price && *line != *computed) {
      return invalid_order(where + "amount " + std::to_string(*line) + " is not price " +
                           std::to_string(*unit) + " x quantity " + std::to_string(qty));
    }
    out["price"] = *unit;
  }
  if (line) {
    out["amount"] = *line;
    const int64_t d = discount.value_or(0);
    if (d > *line) return invalid_order(where + "discount_amount exceeds the amount");
    if (discount) out["discount_amount"] = d;
    out["subtotal_amount"] = *line - d;
  }
  // The product and SKU as the catalog knows them, else as sent.
  if (product) {
    JsonObject p{{"id", product->id},
                 {"source_id", or_null(product->source_id)},
                 {"name", or_null(product->name)},
                 {"price", product->price ? Json(*product->price) : Json(nullptr)},
                 {"object", "product"}};
    const JsonObject view = product_view(*product);
    p["metadata"] = view.at("metadata");
    out["product"] = std::move(p);
  } else if (const Json* sent = in.if_contains("product"); sent && sent->is_object()) {
    out["product"] = *sent;
  }
  if (sku) {
    JsonObject s{{"id", sku->id},
                 {"source_id", or_null(sku->source_id)},
                 {"sku", or_null(sku->sku)},
                 {"price", sku->price ? Json(*sku->price) : Json(nullptr)},
                 {"object", "sku"}};
    s["metadata"] = sku_view(*sku).at("metadata");
    out["sku"] = std::move(s);
  } else if (const Json* sent = in.if_contains("sku"); sent && sent->is_object()) {
    out["sku"] = *sent;
  }
  if (metadata && metadata->is_object()) out["metadata"] = *metadata;
  return out;
}

int64_t number_or_zero(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace

JsonObject OrderService::view(const Order& o) {
  const JsonObject& d = o.definition;
  JsonObject out;
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

Result<Order> OrderService::upsert(const Principal& who, const JsonObject& body) {
  OP_ASSIGN(auto id, text_field(body, "id", ""));
  std::optional<std::string> existing;
  if (id) {
    OP_ASSIGN(auto found, store_.find_order(who.project_id, *id));
    if (found) existing = found->id;
  }
  return save(who, body, existing);
}

Result<Order> OrderService::update(const Principal& who, std::string_view id_or_source_id,
                                   const JsonObject& body) {
  OP_ASSIGN(Order found, get(who, id_or_source_id));
  return save(who, body, found.id);
}

Result<Order> OrderService::get(const Principal& who, std::string_view id_or_source_id) {
  OP_ASSIGN(auto found, store_.find_order(who.project_id, id_or_source_id));
  if (!found) return Error::not_found("order", std::string(id_or_source_id));
  return std::move(*found);
}

Result<Page<Order>> OrderService::list(const Principal& who, const ListQuery& query) {
  return store_.list_orders(who.project_id, query);
}

Result<Order> OrderService::save(const Principal& who, const JsonObject& body,
                                 std::optional<std::string> existing) {
  // Everything is checked and resolved before anything is written.
  OP_ASSIGN(auto id, text_field(body, "id", ""));
  OP_ASSIGN(auto source_id, text_field(body, "source_id", ""));
  if (source_id && source_id->empty()) return Error::invalid_payload("source_id must not be empty");
  OP_ASSIGN(auto status, text_field(body, "status", ""));
  if (status && std::find(kStatuses.begin(), kStatuses.end(), *status) == kStatuses.end()) {
    return Error::invalid_payload("status must be one of CREATED, PAID, CANCELED, FULFILLED");
  }
  OP_ASSIGN(auto amount, money_field(body, "amount", ""));
  OP_ASSIGN(auto initial_amount, money_field(body, "initial_amount", ""));
  OP_ASSIGN(auto discount_amount, money_field(body, "discount_amount", ""));
  OP_ASSIGN(auto customer_id, text_field(body, "customer_id", ""));
  OP_ASSIGN(auto referrer_id, text_field(body, "referrer_id", ""));
  const Json* metadata = body.if_contains("metadata");
  if (metadata && !metadata->is_null()) OP_TRY(check_metadata(*metadata));
  {
    // A create must carry the schema's required keys; an update or an upsert that finds the
    // order need not.
    bool creating = !existing;
    if (creating && source_id) {
      OP_ASSIGN(auto found, store_.find_order(who.project_id, *source_id));
      creating = !found;
    }
    OP_TRY(check_metadata_schema(store_, who.project_id, "order",
                                 metadata && metadata->is_object() ? *metadata : Json(JsonObject{}),
                                 creating));
  }

  std::optional<JsonArray> items;
  if (const Json* raw = body.if_contains("items"); raw && !raw->is_null()) {
    if (!raw->is_array()) return Error::invalid_payload("items must be an array");
    if (raw->as_array().size() > kMaxItems) {
      return Error::invalid_payload("an order has at most 500 items");
    }
    items.emplace();
    size_t index = 0;
    for (const Json& item : raw->as_array()) {
      OP_ASSIGN(JsonObject resolved, resolve_item(store_, who.project_id, item, index++));
      items->push_back(std::move(resolved));
    }
  }
  // The lines' sum, when every line has an amount.
  std::optional<int64_t> items_sum;
  int64_t items_discount = 0;
  if (items && !items->empty()) {
    int64_t sum = 0;
    bool all = true;
    for (const Json& item : *items) {
      const Json* a = item.as_object().if_contains("amount");
      if (!a) {
        all = false;
        break;
      }
      if (__builtin_add_overflow(sum, a->as_int64(), &sum))
        return invalid_order("items sum overflows");
      items_discount += number_or_zero(item.as_object(), "discount_amount");
    }
    if (all) items_sum = sum;
  }
  if (amount && items_sum && *amount != *items_sum) {
    return invalid_order("amount " + std::to_string(*amount) +
                         " is not the sum of the items' amounts " + std::to_string(*items_sum));
  }

  // What the merge under lock checks again, checked now too, so a refused order does not
  // upsert its customer first.
  {
    std::optional<Order> current;
    if (existing) {
      OP_ASSIGN(current, store_.find_order(who.project_id, *existing));
    } else if (source_id) {
      OP_ASSIGN(current, store_.find_order(who.project_id, *source_id));
    }
    if (current) {
      if (source_id && current->source_id && *source_id != *current->source_id) {
        return Error::invalid_payload("an order's source_id cannot be changed");
      }
      if (status && !allowed_transition(current->status, *status)) {
        return invalid_status(current->status, *status);
      }
    } else if (discount_amount.value_or(0) + items_discount >
               (amount ? *amount : items_sum.value_or(0))) {
      return invalid_order("discounts exceed the order amount");
    }
  }

  // The customer: upserted from `customer`, or an existing one by `customer_id`.
  if (const Json* c = body.if_contains("customer"); c && !c->is_null()) {
    if (!c->is_object()) return Error::invalid_payload("customer must be an object");
    OP_ASSIGN(CustomerDraft draft, customer_draft_from_json(c->as_object()));
    if (draft.id || draft.source_id) {
      OP_ASSIGN(Customer customer, customers_.upsert(who, draft));
      customer_id = customer.id;
    }
  } else if (customer_id) {
    OP_ASSIGN(Customer customer, customers_.get(who, *customer_id));
    customer_id = customer.id;
  }

  const Instant now = now_utc();
  Order draft;
  // A client's `id` only finds an existing order; new orders always get a fresh id (ids are
  // global keys, a chosen one could collide with another project's).
  draft.id = new_id("ord_");
  draft.project_id = who.project_id;
  draft.source_id = source_id;
  draft.status = status.value_or("CREATED");
  draft.customer_id = customer_id;
  draft.created_at = now;
  JsonObject& d = draft.definition;
  if (items) d["items"] = *items;
  if (metadata && metadata->is_object()) d["metadata"] = *metadata;
  if (initial_amount) d["initial_amount"] = *initial_amount;
  if (discount_amount) d["discount_amount"] = *discount_amount;
  d["items_discount_amount"] = items_discount;
  if (referrer_id) d["referrer_id"] = *referrer_id;
  draft.amount = amount ? *amount : items_sum.value_or(0);
  const int64_t total_discount = discount_amount.value_or(0) + items_discount;
  if (total_discount > draft.amount) return invalid_order("discounts exceed the order amount");
  draft.total_amount = draft.amount - total_discount;

  Store::OrderMerge merge;
  merge.existing_id = existing;
  merge.merge = [&](const Order& before) -> Result<Order> {
    Order after = before;
    if (source_id && before.source_id && *source_id != *before.source_id) {
      return Error::invalid_payload("an order's source_id cannot be changed");
    }
    if (source_id) after.source_id = source_id;
    if (status) {
      if (!allowed_transition(before.status, *status))
        return invalid_status(before.status, *status);
      after.status = *status;
    }
    if (customer_id) after.customer_id = customer_id;
    JsonObject& ad = after.definition;
    if (items) {
      ad["items"] = *items;
      ad["items_discount_amount"] = items_discount;
    }
    if (metadata && metadata->is_object()) {
      JsonObject merged = ad.contains("metadata") && ad.at("metadata").is_object()
                              ? ad.at("metadata").as_object()
                              : JsonObject{};
      for (const auto& [k, v] : metadata->as_object()) merged[k] = v;
      ad["metadata"] = std::move(merged);
    }
    if (initial_amount) ad["initial_amount"] = *initial_amount;
    if (discount_amount) ad["discount_amount"] = *discount_amount;
    if (referrer_id) ad["referrer_id"] = *referrer_id;
    if (amount) {
      after.amount = *amount;
    } else if (items) {
      after.amount = items_sum.value_or(0);
    }
    const int64_t discounts =
        number_or_zero(ad, "discount_amount") + number_or_zero(ad, "items_discount_amount");
    if (discounts > after.amount) return invalid_order("discounts exceed the order amount");
    after.total_amount = after.amount - discounts;
    after.updated_at = now;
    return after;
  };
  const std::string project = who.project_id;
  merge.on_saved = [project, now](sql::Connection& conn, const std::optional<Order>& before,
                                  const Order& after) -> Status {
    if (!after.customer_id) return {};
    std::string type;
    if (!before) {
      type = "customer.order.created";
    } else if (before->status != after.status) {
      type = "customer.order." + std::string(after.status == "CANCELED"    ? "canceled"
                                             : after.status == "FULFILLED" ? "fulfilled"
                                             : after.status == "PAID"      ? "paid"
                                                                           : "updated");
    } else {
      type = "customer.order.updated";
    }
    CustomerActivity a;
    a.id = new_id("evcus_");
    a.project_id = project;
    a.customer_id = *after.customer_id;
    a.type = type;
    a.data = JsonObject{{"order", JsonObject{{"id", after.id},
                                             {"source_id", or_null(after.source_id)},
                                             {"status", after.status},
                                             {"amount", after.amount},
                                             {"object", "order"}}}};
    a.created_at = now;
    return Store::insert_activity(conn, a);
  };
  OP_ASSIGN(Order saved, store_.save_order(draft, merge));
  if (saved.customer_id) customers_.changed(who, *saved.customer_id);  // order counters moved
  return saved;
}

Result<std::string> OrderService::enqueue_import(const Principal& who, const JsonArray& orders,
                                                 const std::string& request_id) {
  OP_TRY(require_admin(who, "import orders"));
  if (orders.empty()) return Error::invalid_payload("send at least one order");
  if (orders.size() > kMaxImport) {
    return Error::invalid_payload("at most 2000 orders per import");
  }
  for (size_t i = 0; i < orders.size(); ++i) {
    if (!orders[i].is_object()) {
      return Error::invalid_payload("orders[" + std::to_string(i) + "] must be an object");
    }
  }
  AsyncAction action;
  action.id = new_id("aa_");
  action.project_id = who.project_id;
  action.type = "ORDERS.IMPORT";
  action.request_id = request_id;
  action.payload = JsonObject{{"orders", orders}};
  action.created_at = now_utc();
  OP_TRY(store_.insert_async_action(action));
  return action.id;
}

}  // namespace openpromo
