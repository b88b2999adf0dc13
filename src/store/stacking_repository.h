// The project's stacking rules: one row per project at most (a unique project_id), a catalog
// table, so every write tells its unit the catalog changed.
#pragma once

#include <optional>
#include <string_view>

#include "core/error.h"
#include "model/scope.h"
#include "model/stacking.h"
#include "store/unit_of_work.h"

namespace openpromo {

class StackingRepository {
 public:
  explicit StackingRepository(UnitOfWork& tx) : tx_(tx) {}

  // false when the project already has a set (the unique index decides, whatever runs at once).
  Result<bool> insert_if_none(const Scope& scope, const StackingSettings& s);
  // The project's set, if any.
  Result<std::optional<StackingSettings>> find(const Scope& scope);
  Status update(const Scope& scope, const StackingSettings& s);
  Status remove(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
