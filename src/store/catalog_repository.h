// The project's catalog version: moved by triggers (store/catalog_tables.h) with every
// committed change to a catalog table. 0: never changed.
#pragma once

#include <cstdint>

#include "core/error.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class CatalogRepository {
 public:
  explicit CatalogRepository(UnitOfWork& tx) : tx_(tx) {}

  Result<int64_t> version(const Scope& scope);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
