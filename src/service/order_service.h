// OrderService: orders (spec 16.4). POST /orders upserts by `id` or `source_id`: the same request
// sent many times at once, on any node, yields one order. Lines may reference catalog products
// and SKUs by id or source id; a line's missing price comes from the catalog, a missing amount
// is price x quantity, a missing order amount is the sum of the lines, and given amounts that
// contradict the lines are refused (400 invalid_order). Status moves CREATED -> PAID ->
// FULFILLED, or to CANCELED from CREATED or PAID (ours; 400 invalid_order_status otherwise).
#pragma once

#include <string>

#include "model/api_key.h"
#include "model/list_query.h"
#include "model/order.h"
#include "service/customer_service.h"
#include "store/store.h"

namespace openpromo {

class OrderService {
 public:
  static constexpr size_t kMaxItems = 500;
  static constexpr size_t kMaxImport = 2000;  // orders per POST /orders/import

  OrderService(Store& store, CustomerService& customers) : store_(store), customers_(customers) {}

  // POST /orders: `body` as sent.
  Result<Order> upsert(const Principal& who, const JsonObject& body);
  // PUT /orders/{id}: the order must exist; `body` fields replace, metadata keys merge.
  Result<Order> update(const Principal& who, std::string_view id_or_source_id,
                       const JsonObject& body);
  Result<Order> get(const Principal& who, std::string_view id_or_source_id);
  Result<Page<Order>> list(const Principal& who, const ListQuery& query);
  // POST /orders/import: checks the list's shape, then queues one ORDERS.IMPORT async action that
  // upserts the orders one by one (each retry-safe), recording failures in its result.
  Result<std::string> enqueue_import(const Principal& who, const JsonArray& orders,
                                     const std::string& request_id);

  // The order as the API shows it.
  static JsonObject view(const Order& order);

 private:
  Result<Order> save(const Principal& who, const JsonObject& body,
                     std::optional<std::string> existing);

  Store& store_;
  CustomerService& customers_;
};

}  // namespace openpromo
