// Orders (spec 16.4): what a customer bought, with lines that may reference catalog products and
// SKUs. Amounts are int64 minor units. POST /orders upserts by `id` or `source_id`.
#pragma once

#include <optional>
#include <string>

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

// The customer summary's order counters (spec 16.1): PAID and FULFILLED orders only.
struct OrderSummary {
  int64_t total_amount = 0;
  int64_t total_count = 0;
  int64_t last_order_amount = 0;
  std::optional<Instant> last_order_date;
};

}  // namespace openpromo
