// LocationService: the locations geofencing filters name (spec 15). The contract reads them
// (GET /v1/locations[/{id}]); writing them is ours (the reference draws them in its dashboard).
// Every shape is parsed by engine/geo.h before it is stored, so a stored shape always compiles.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "engine/geo.h"
#include "model/api_key.h"
#include "model/list_query.h"
#include "model/location.h"
#include "rules/filter.h"
#include "store/store.h"

namespace openpromo {

// Locations compiled into an index (service/catalog_cache.h holds one per snapshot); a stored
// shape that no longer parses is kept as broken, so filters naming it fail closed.
std::shared_ptr<const engine::LocationIndex> compile_locations(
    const std::vector<Location>& locations);
// Resolves location ids against the store in `tx` (each looked up by id), for a filter being
// created: an unknown location is a 400 naming the filter field.
rules::LocationResolver location_resolver_in(UnitOfWork& tx, const Scope& scope);

class LocationService {
 public:
  explicit LocationService(Store& store) : store_(store) {}

  Result<Location> create(const Principal& who, std::optional<std::string> name,
                          std::optional<Json> shape);
  Result<Location> get(const Principal& who, std::string_view id);
  Result<Page<Location>> list(const Principal& who, const ListQuery& query);
  // Absent fields stay as they are.
  Result<Location> update(const Principal& who, std::string_view id,
                          std::optional<std::string> name, std::optional<Json> shape);
  // Refused (400 resource_in_use, naming them) while a segment or collection uses it.
  Status remove(const Principal& who, std::string_view id);

 private:
  Store& store_;
};

}  // namespace openpromo
