// Orders (spec 16.4) and the order counters of customer summaries.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "model/list_query.h"
#include "model/order.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class OrderRepository {
 public:
  explicit OrderRepository(UnitOfWork& tx) : tx_(tx) {}

  // Inserts unless an order with the same source id exists (false then): concurrent creates of
  // one source id serialise on the unique index and all but one see `false`.
  Result<bool> insert_if_new(const Scope& scope, const Order& order);
  // By id or source id (an id equal to another order's source id: the id wins). `lock`: the row
  // stays locked until the unit ends (PostgreSQL; SQLite write units serialise anyway).
  Result<std::optional<Order>> find(const Scope& scope, std::string_view id_or_source_id,
                                    bool lock = false);
  Result<Page<Order>> list(const Scope& scope, const ListQuery& query);
  // Writes every field of an existing order; 409 duplicate_found when the source id is taken.
  Status update(const Scope& scope, const Order& order);
  Result<int64_t> remove_of_customer(const Scope& scope, std::string_view customer_id);

  Result<OrderSummary> summary(const Scope& scope, std::string_view customer_id);
  // The same for many customers in two queries (customer lists); customers without PAID or
  // FULFILLED orders are absent.
  Result<std::unordered_map<std::string, OrderSummary>> summaries(
      const Scope& scope, const std::vector<std::string>& customer_ids);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
