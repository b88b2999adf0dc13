// Exports (spec 13.5): the export objects; their CSV files live in the exports directory.
#pragma once

#include <optional>
#include <string_view>

#include "core/error.h"
#include "model/export.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class ExportRepository {
 public:
  explicit ExportRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const Export& e);
  Result<std::optional<Export>> find(const Scope& scope, std::string_view id);
  // Orders: created_at (default), status, exported_object; filters the same.
  Result<Page<Export>> list(const Scope& scope, const ListQuery& query);
  // Writes status, row_count, error and updated_at; not_found when it was deleted meanwhile.
  Status set_status(const Scope& scope, const Export& e);
  // false when there was none.
  Result<bool> remove(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
