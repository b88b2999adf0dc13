// OrderService: orders (spec 16.4). POST /orders upserts by `id` or `source_id`: the same request
// sent many times at once, on any node, yields one order. Lines may reference catalog products
// and SKUs by id or source id; a line's missing price comes from the catalog, a missing amount
// is price x quantity, a missing order amount is the sum of the lines, and given amounts that
// contradict the lines are refused (400 invalid_order). Status moves CREATED -> PAID ->
// FULFILLED, or to CANCELED from CREATED or PAID (ours; 400 invalid_order_status otherwise).
//
// A save is one unit of work: the customer upsert, the order (inserted, or merged with the row
// locked), its activity entry and the segment bookkeeping commit together, so a refused order
// writes nothing, not even its customer.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/api_key.h"
#include "model/list_query.h"
#include "model/order.h"
#include "service/wire.h"
#include "store/store.h"

namespace openpromo {

class OrderService {
 public:
  static constexpr size_t kMaxItems = 500;
  static constexpr size_t kMaxImport = 2000;  // orders per POST /orders/import

  OrderService(Store& store, const Wire& wire, std::function<void()> wake_jobs)
      : store_(store), wire_(wire), wake_jobs_(std::move(wake_jobs)) {}

  // POST /orders.
  Result<Order> upsert(const Principal& who, const OrderInput& input);
  // PUT /orders/{id}: the order must exist; fields replace, metadata keys merge.
  Result<Order> update(const Principal& who, std::string_view id_or_source_id,
                       const OrderInput& input);
  Result<Order> get(const Principal& who, std::string_view id_or_source_id);
  Result<Page<Order>> list(const Principal& who, const ListQuery& query);
  // POST /orders/import: queues one ORDERS.IMPORT async action with the orders as sent (each an
  // object); the job decodes and upserts them one by one (each retry-safe), recording failures.
  Result<std::string> enqueue_import(const Principal& who, const JsonArray& orders);

 private:
  Store& store_;
  const Wire& wire_;
  std::function<void()> wake_jobs_;
};

// An order save inside the caller's unit (POST /orders, and the order a redemption upserts): the
// customer upserted from `customer` (or found by `customer_id`) and locked, the order merged into
// `existing_id`, or into the one `id` or `source_id` finds (locked), or inserted; its activity
// and the customer's segment bookkeeping. `finish` adjusts the merged order before it is
// written (a redemption marks it paid and records itself on it).
struct SavedOrder {
  std::optional<Order> before;
  Order after;
};
Result<SavedOrder> save_order_in(UnitOfWork& tx, const Principal& who, const Wire& wire,
                                 const OrderInput& in, std::optional<std::string> existing_id,
                                 const std::function<Status(Order&)>& finish = {});

}  // namespace openpromo
