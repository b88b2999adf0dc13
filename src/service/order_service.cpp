#include "service/order_service.h"

#include <algorithm>
#include <array>

#include "core/crypto.h"
#include "core/money.h"
#include "service/customer_service.h"
#include "service/definitions.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"
#include "service/segment_service.h"
#include "store/async_action_repository.h"
#include "store/customer_repository.h"
#include "store/order_repository.h"
#include "store/product_repository.h"
#include "store/redemption_repository.h"

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

Json or_null(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json metadata_of(const JsonObject& definition) {
  const Json* m = definition.if_contains("metadata");
  return m ? *m : Json(JsonObject{});
}

// One order line, resolved against the catalog and with its amounts filled in, as the order
// stores and shows it.
Result<JsonObject> resolve_item(UnitOfWork& tx, const Scope& scope, const OrderLineInput& in,
                                size_t index) {
  const std::string where = "items[" + std::to_string(index) + "].";
  if (in.related_object && *in.related_object != "product" && *in.related_object != "sku") {
    return Error::invalid_payload(where + "related_object must be product or sku");
  }
  if (in.metadata && !in.metadata->is_null()) OP_TRY(check_metadata(*in.metadata));
  std::optional<Product> product;
  std::optional<Sku> sku;
  ProductRepository products(tx);
  SkuRepository skus(tx);
  if (in.sku_id) {
    OP_ASSIGN(sku, skus.find(scope, *in.sku_id));
    if (!sku) return Error::not_found("sku", *in.sku_id);
  } else if (in.source_id && in.related_object == "sku") {
    OP_ASSIGN(sku, skus.find(scope, *in.source_id));
  }
  if (in.product_id) {
    OP_ASSIGN(product, products.find(scope, *in.product_id));
    if (!product) return Error::not_found("product", *in.product_id);
  } else if (sku) {
    OP_ASSIGN(product, products.find(scope, sku->product_id));
  } else if (in.source_id && in.related_object != "sku") {
    OP_ASSIGN(product, products.find(scope, *in.source_id));  // unknown: payload only
  }

  JsonObject out;
  out["object"] = "order_item";
  if (in.source_id) out["source_id"] = *in.source_id;
  out["related_object"] = in.related_object ? *in.related_object : (sku ? "sku" : "product");
  if (product) out["product_id"] = product->id;
  if (sku) out["sku_id"] = sku->id;
  const int64_t qty = in.quantity.value_or(1);
  if (in.quantity && *in.quantity == 0) {
    return Error::invalid_payload(where + "quantity must be at least 1");
  }
  out["quantity"] = qty;
  const std::optional<int64_t> catalog_price =
      sku && sku->price ? sku->price : (product ? product->price : std::nullopt);
  const std::optional<int64_t> unit = in.price ? in.price : catalog_price;
  std::optional<int64_t> line = in.amount;
  if (unit) {
    const auto computed = money_times(*unit, qty);
    if (!computed) return invalid_order(where + "price x quantity is too large");
    if (!line) {
      line = computed;
    } else if (in.price && *line != *computed) {
      return invalid_order(where + "amount " + std::to_string(*line) + " is not price " +
                           std::to_string(*unit) + " x quantity " + std::to_string(qty));
    }
    out["price"] = *unit;
  }
  if (line) {
    out["amount"] = *line;
    const int64_t d = in.discount_amount.value_or(0);
    if (d > *line) return invalid_order(where + "discount_amount exceeds the amount");
    if (in.discount_amount) out["discount_amount"] = d;
    out["subtotal_amount"] = *line - d;
  }
  // The product and SKU as the catalog knows them, else as sent.
  if (product) {
    out["product"] = JsonObject{{"id", product->id},
                                {"source_id", or_null(product->source_id)},
                                {"name", or_null(product->name)},
                                {"price", product->price ? Json(*product->price) : Json(nullptr)},
                                {"metadata", metadata_of(product->definition)},
                                {"object", "product"}};
  } else if (in.product.is_object()) {
    out["product"] = in.product;
  }
  if (sku) {
    out["sku"] = JsonObject{{"id", sku->id},
                            {"source_id", or_null(sku->source_id)},
                            {"sku", or_null(sku->sku)},
                            {"price", sku->price ? Json(*sku->price) : Json(nullptr)},
                            {"metadata", metadata_of(sku->definition)},
                            {"object", "sku"}};
  } else if (in.sku.is_object()) {
    out["sku"] = in.sku;
  }
  if (in.metadata && in.metadata->is_object()) out["metadata"] = *in.metadata;
  return out;
}

int64_t number_or_zero(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

std::string activity_type(const std::optional<Order>& before, const Order& after) {
  if (!before) return "customer.order.created";
  if (before->status == after.status) return "customer.order.updated";
  return "customer.order." + std::string(after.status == "CANCELED"    ? "canceled"
                                         : after.status == "FULFILLED" ? "fulfilled"
                                         : after.status == "PAID"      ? "paid"
                                                                       : "updated");
}

}  // namespace

Result<Order> OrderService::upsert(const Principal& who, const OrderInput& input) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<Order> {
    OP_ASSIGN(SavedOrder saved, save_order_in(tx, who, wire_, input, std::nullopt));
    return std::move(saved.after);
  });
}

Result<Order> OrderService::update(const Principal& who, std::string_view id_or_source_id,
                                   const OrderInput& input) {
  OP_ASSIGN(Order found, get(who, id_or_source_id));
  return store_.in_write([&](UnitOfWork& tx) -> Result<Order> {
    OP_ASSIGN(SavedOrder saved, save_order_in(tx, who, wire_, input, found.id));
    return std::move(saved.after);
  });
}

namespace {

// Orders are global (spec 14.2), their redemptions are not: a restricted caller reads an order
// with only the redemptions of campaigns it sees in its `redemptions` map (reads only: writes
// keep the whole map).
Status hide_unseen_redemptions(UnitOfWork& tx, const Scope& scope, std::vector<Order*> orders) {
  if (!scope.restricted) return {};
  std::vector<std::string> ids;
  for (const Order* o : orders) {
    const Json* map = o->definition.if_contains("redemptions");
    if (!map || !map->is_object()) continue;
    for (const auto& entry : map->as_object()) ids.emplace_back(entry.key());
  }
  OP_ASSIGN(auto seen, RedemptionRepository(tx).visible_ids(scope, ids));
  for (Order* o : orders) {
    Json* map = o->definition.if_contains("redemptions");
    if (!map || !map->is_object()) continue;
    JsonObject kept;
    for (const auto& entry : map->as_object()) {
      if (seen.contains(std::string(entry.key()))) kept[entry.key()] = entry.value();
    }
    *map = std::move(kept);
  }
  return {};
}

}  // namespace

Result<Order> OrderService::get(const Principal& who, std::string_view id_or_source_id) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, OrderRepository(tx).find(who.scope(), id_or_source_id));
  if (!found) return Error::not_found("order", std::string(id_or_source_id));
  OP_TRY(hide_unseen_redemptions(tx, who.scope(), {&*found}));
  return std::move(*found);
}

Result<Page<Order>> OrderService::list(const Principal& who, const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<Order>> {
    OP_ASSIGN(auto page, OrderRepository(tx).list(who.scope(), query));
    std::vector<Order*> orders;
    for (Order& o : page.items) orders.push_back(&o);
    OP_TRY(hide_unseen_redemptions(tx, who.scope(), orders));
    return page;
  });
}

Result<SavedOrder> save_order_in(UnitOfWork& tx, const Principal& who, const Wire& wire,
                                 const OrderInput& in, std::optional<std::string> existing_id,
                                 const std::function<Status(Order&)>& finish) {
  if (in.source_id && in.source_id->empty()) {
    return Error::invalid_payload("source_id must not be empty");
  }
  if (in.status && std::find(kStatuses.begin(), kStatuses.end(), *in.status) == kStatuses.end()) {
    return Error::invalid_payload("status must be one of CREATED, PAID, CANCELED, FULFILLED");
  }
  if (in.metadata && !in.metadata->is_null()) OP_TRY(check_metadata(*in.metadata));
  if (in.items && in.items->size() > OrderService::kMaxItems) {
    return Error::invalid_payload("an order has at most 500 items");
  }
  const Scope scope = who.scope();
  {
    OrderRepository orders(tx);
    // The order this save updates, if any, locked until the unit ends. A client's `id` only
    // finds an existing order.
    std::optional<Order> current;
    if (existing_id) {
      OP_ASSIGN(current, orders.find(scope, *existing_id, /*lock=*/true));
      if (!current) return Error::not_found("order", *existing_id);
    } else if (in.id) {
      OP_ASSIGN(current, orders.find(scope, *in.id, /*lock=*/true));
    }
    if (!current && !existing_id && in.source_id) {
      OP_ASSIGN(current, orders.find(scope, *in.source_id, /*lock=*/true));
    }
    // A create must carry the schema's required keys; an update need not.
    OP_TRY(check_metadata_schema(
        tx, scope, "order",
        in.metadata && in.metadata->is_object() ? *in.metadata : Json(JsonObject{}), !current));

    std::optional<JsonArray> items;
    if (in.items) {
      items.emplace();
      for (size_t i = 0; i < in.items->size(); ++i) {
        OP_ASSIGN(JsonObject resolved, resolve_item(tx, scope, (*in.items)[i], i));
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
        const auto next = money_plus(sum, a->as_int64());
        if (!next) return invalid_order("the items' amounts sum beyond the largest amount");
        sum = *next;
        items_discount += number_or_zero(item.as_object(), "discount_amount");
      }
      if (all) items_sum = sum;
    }
    if (in.amount && items_sum && *in.amount != *items_sum) {
      return invalid_order("amount " + std::to_string(*in.amount) +
                           " is not the sum of the items' amounts " + std::to_string(*items_sum));
    }

    // The customer: upserted from `customer`, or an existing one by `customer_id`; locked, so
    // an erasure running at the same time either waits for this order or happened before it.
    std::optional<std::string> customer_id = in.customer_id;
    if (in.customer && (in.customer->id || in.customer->source_id)) {
      OP_ASSIGN(Customer customer, upsert_customer_in(tx, who, wire, *in.customer));
      customer_id = customer.id;
    } else if (customer_id) {
      OP_ASSIGN(Customer customer, find_customer_in(tx, scope, *customer_id));
      customer_id = customer.id;
    }
    if (customer_id) OP_TRY(CustomerRepository(tx).lock(scope, *customer_id));

    const Instant now = now_utc();
    // The order after this save, from the one it updates (or none).
    auto build = [&](const std::optional<Order>& base) -> Result<Order> {
      Order after;
      if (base) {
        if (in.source_id && base->source_id && *in.source_id != *base->source_id) {
          return Error::invalid_payload("an order's source_id cannot be changed");
        }
        after = *base;
        if (in.source_id) after.source_id = in.source_id;
        if (in.status) {
          if (!allowed_transition(base->status, *in.status)) {
            return invalid_status(base->status, *in.status);
          }
          after.status = *in.status;
        }
        if (customer_id) after.customer_id = customer_id;
        JsonObject& ad = after.definition;
        if (items) {
          ad["items"] = *items;
          ad["items_discount_amount"] = items_discount;
        }
        if (in.metadata && in.metadata->is_object()) {
          JsonObject merged = ad.contains("metadata") && ad.at("metadata").is_object()
                                  ? ad.at("metadata").as_object()
                                  : JsonObject{};
          for (const auto& [k, v] : in.metadata->as_object()) merged[k] = v;
          ad["metadata"] = std::move(merged);
        }
        if (in.initial_amount) ad["initial_amount"] = *in.initial_amount;
        if (in.discount_amount) ad["discount_amount"] = *in.discount_amount;
        if (in.referrer_id) ad["referrer_id"] = *in.referrer_id;
        if (in.amount) {
          after.amount = *in.amount;
        } else if (items) {
          after.amount = items_sum.value_or(0);
        }
        after.updated_at = now;
      } else {
        // A client's `id` only finds an existing order; new orders always get a fresh id (ids
        // are global keys, a chosen one could collide with another project's).
        after.id = new_id("ord_");
        after.project_id = who.project_id;
        after.source_id = in.source_id;
        after.status = in.status.value_or("CREATED");
        after.customer_id = customer_id;
        after.created_at = now;
        JsonObject& d = after.definition;
        if (items) d["items"] = *items;
        if (in.metadata && in.metadata->is_object()) d["metadata"] = *in.metadata;
        if (in.initial_amount) d["initial_amount"] = *in.initial_amount;
        if (in.discount_amount) d["discount_amount"] = *in.discount_amount;
        d["items_discount_amount"] = items_discount;
        if (in.referrer_id) d["referrer_id"] = *in.referrer_id;
        after.amount = in.amount ? *in.amount : items_sum.value_or(0);
      }
      const int64_t discounts = number_or_zero(after.definition, "discount_amount") +
                                number_or_zero(after.definition, "items_discount_amount");
      if (discounts > after.amount) return invalid_order("discounts exceed the order amount");
      after.total_amount = after.amount - discounts;
      return after;
    };
    OP_ASSIGN(Order after, build(current));
    if (finish) OP_TRY(finish(after));
    if (current) {
      OP_TRY(orders.update(scope, after));
    } else {
      OP_ASSIGN(const bool inserted, orders.insert_if_new(scope, after));
      if (!inserted) {
        // Concurrent creates of one source id serialise on the unique index: the loser, whose
        // lookup ran before the winner committed, finds the winner's order now (each statement
        // sees what is committed when it starts) and merges into it with the row locked.
        if (!in.source_id) return Error::duplicate_found("order", "the order id exists");
        OP_ASSIGN(current, orders.find(scope, *in.source_id, /*lock=*/true));
        if (!current) return Error::unavailable("the order changed concurrently; retry");
        OP_ASSIGN(after, build(current));
        if (finish) OP_TRY(finish(after));
        OP_TRY(orders.update(scope, after));
      }
    }
    if (after.customer_id) {
      CustomerActivity a;
      a.id = new_id("evcus_");
      a.project_id = who.project_id;
      a.customer_id = *after.customer_id;
      a.type = activity_type(current, after);
      a.data = JsonObject{{"order", JsonObject{{"id", after.id},
                                               {"source_id", or_null(after.source_id)},
                                               {"status", after.status},
                                               {"amount", after.amount},
                                               {"object", "order"}}}};
      a.created_at = now;
      OP_TRY(ActivityRepository(tx).insert(scope, a));
      // The customer's order counters moved: segment bookkeeping in the same unit.
      OP_ASSIGN(Customer customer, find_customer_in(tx, scope, *after.customer_id));
      OP_TRY(refresh_segment_membership(tx, who, wire, customer));
    }
    return SavedOrder{std::move(current), std::move(after)};
  }
}

Result<std::string> OrderService::enqueue_import(const Principal& who, const JsonArray& orders) {
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
  action.request_id = who.request_id;
  action.payload = JsonObject{{"orders", orders}};
  action.created_at = now_utc();
  return store_.in_write([&](UnitOfWork& tx) -> Result<std::string> {
    OP_TRY(AsyncActionRepository(tx).insert(who.scope(), action));
    if (wake_jobs_) tx.after_commit(wake_jobs_);
    return action.id;
  });
}

}  // namespace openpromo
