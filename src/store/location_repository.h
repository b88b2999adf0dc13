// Locations (spec 15), scoped by project. A catalog table (store/catalog_tables.h): the
// snapshot holds their compiled shapes, so every write marks the catalog changed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/list_query.h"
#include "model/location.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class LocationRepository {
 public:
  explicit LocationRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const Location& location);
  Result<std::optional<Location>> find(const Scope& scope, std::string_view id);
  // Every location of the project, oldest first (the catalog snapshot compiles them).
  Result<std::vector<Location>> all(const Scope& scope);
  // Filters on name, created_at, updated_at; order by created_at or updated_at.
  Result<Page<Location>> list(const Scope& scope, const ListQuery& query);
  // Writes name and shape; not found: 404.
  Status update(const Scope& scope, const Location& location);
  Status remove(const Scope& scope, std::string_view id);
  // Names of the segments and product collections whose definitions name location `id`.
  Result<std::vector<std::string>> users_of(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
