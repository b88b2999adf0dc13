// Orders (spec 16.4): what a customer bought, with lines that may reference catalog products and
// SKUs. Amounts are int64 minor units. POST /orders upserts by `id` or `source_id`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/customer.h"

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct Order {
  std::string id;  // ord_...
  std::string project_id;
  std::optional<std::string> source_id;
  std::string status = "CREATED";  // CREATED | PAID | CANCELED | FULFILLED
  std::optional<std::string> customer_id;
  int64_t amount = 0;
  int64_t total_amount = 0;
  // items (as shown), metadata, referrer_id and the discount amounts
  JsonObject definition;
  Instant created_at;
  std::optional<Instant> updated_at;
};

// One order line as a request sends it (POST /orders, and the `order` of validations and
// redemptions), decoded by the one order decoder (api/order_codec.h).
struct OrderLineInput {
  std::optional<std::string> source_id, product_id, sku_id, related_object;
  std::optional<int64_t> quantity, price, amount, discount_amount;
  std::optional<Json> metadata;
  Json product, sku;  // the objects as sent (null when absent)
};

// An order as a request sends it: present fields only.
struct OrderInput {
  std::optional<std::string> id, source_id, status, customer_id, referrer_id;
  std::optional<int64_t> amount, initial_amount, discount_amount;
  std::optional<Json> metadata;
  std::optional<CustomerDraft> customer;             // the `customer` object
  std::optional<std::vector<OrderLineInput>> items;  // absent, or the lines (maybe none)
};

// The customer summary's order counters (spec 16.1): PAID and FULFILLED orders only.
struct OrderSummary {
  int64_t total_amount = 0;
  int64_t total_count = 0;
  int64_t last_order_amount = 0;
  std::optional<Instant> last_order_date;
};

}  // namespace openpromo
