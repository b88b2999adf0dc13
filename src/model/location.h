// Location (spec 15): a named boundary, a circle or a GeoJSON polygon, that geofencing filters
// check coordinates against. `shape` is stored as the contract's LocationShape, checked by
// engine/geo.h before it is written.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct Location {
  std::string id;  // loc_...
  std::string project_id;
  std::string name;
  Json shape;
  Instant created_at;
  std::optional<Instant> updated_at;
};

}  // namespace openpromo
