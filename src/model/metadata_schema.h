// A metadata schema (spec 16.5): the typed definitions of one resource type's metadata keys.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct MetadataSchema {
  std::string id;  // ms_...
  std::string project_id;
  std::string related_object;  // customer, product, order, campaign, voucher, ...
  JsonObject definition;       // properties, allow_defined_only
  Instant created_at;
  std::optional<Instant> updated_at;
};

}  // namespace openpromo
