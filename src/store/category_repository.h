// Categories (spec 10.3). Names are unique within a project.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/category.h"
#include "model/list_query.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class CategoryRepository {
 public:
  explicit CategoryRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const Category& category);
  Result<std::optional<Category>> find(const Scope& scope, std::string_view id);
  Result<std::optional<Category>> find_by_name(const Scope& scope, std::string_view name);
  Result<Page<Category>> list(const Scope& scope, const ListQuery& query);
  Result<std::vector<Category>> all(const Scope& scope);
  // Sets the draft's present fields and updated_at in one statement; returns the row as stored.
  Result<Category> update(const Scope& scope, std::string_view id, const CategoryDraft& draft,
                          Instant updated_at);
  Status remove(const Scope& scope, std::string_view id);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
