// Customer: who redeems (spec 16.1). `source_id` is the caller's own id, unique per project and
// fixed once set; POST /customers upserts by it.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct Customer {
  std::string id;  // cust_...
  std::string project_id;
  std::optional<std::string> source_id;
  std::optional<std::string> name, description, email, phone, birthdate;
  JsonObject definition;  // address, metadata
  Instant created_at;
  std::optional<Instant> updated_at;
};

// The fields a create/upsert/update request carries; absent ones are nullopt.
struct CustomerDraft {
  std::optional<std::string> id, source_id, name, description, email, phone, birthdate;
  std::optional<Json> address, metadata;
};

}  // namespace openpromo
