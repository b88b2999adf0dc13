// Customer segments (spec 16.2) and product collections (16.3): named groups defined by a fixed
// list or by a filter over the members' fields and metadata, evaluated when asked.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct Segment {
  std::string id;  // seg_...
  std::string project_id;
  std::string name;
  std::string type;                       // static | auto-update | passive
  JsonObject definition;                  // filter (auto-update, passive)
  std::optional<std::string> unreadable;  // the stored definition could not be parsed
  Instant created_at;
};

struct ProductCollection {
  std::string id;  // pc_...
  std::string project_id;
  std::string name;
  std::string type;                       // STATIC | AUTO_UPDATE
  JsonObject definition;                  // products (STATIC) or filter (AUTO_UPDATE)
  std::optional<std::string> unreadable;  // the stored definition could not be parsed
  Instant created_at;
};

// One entry of a customer's activity log (GET /customers/{id}/activity).
struct CustomerActivity {
  std::string id;  // evcus_...
  std::string project_id;
  std::string customer_id;
  std::string type;  // customer.custom_event, customer.order.created, ...
  JsonObject data;
  Instant created_at;
};

}  // namespace openpromo
