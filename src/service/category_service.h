// CategoryService: the use cases behind /v1/categories.
//
// Permissions (spec 10.1): any key may list and read categories; Admin and User keys may edit a
// category's name and hierarchy; only Admin keys create and delete them, since categories are
// project-wide stacking definitions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.h"
#include "model/api_key.h"
#include "model/category.h"
#include "model/list_query.h"
#include "store/store.h"

namespace openpromo {

class CategoryService {
 public:
  static constexpr size_t kMaxNameLength = 200;

  explicit CategoryService(Store& store) : store_(store) {}

  Result<Category> create(const Principal& who, const CategoryDraft& draft);
  Result<Category> get(const Principal& who, std::string_view id);
  Result<Page<Category>> list(const Principal& who, const ListQuery& query);
  Result<Category> update(const Principal& who, std::string_view id, const CategoryDraft& draft);
  Status remove(const Principal& who, std::string_view id);

 private:
  Store& store_;
};

}  // namespace openpromo
