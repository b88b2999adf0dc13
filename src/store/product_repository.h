// Products and SKUs (spec 16.3). Source ids are unique per project (a unique violation comes
// back as duplicate_found). Lookups take an id or a source id.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "model/list_query.h"
#include "model/product.h"
#include "model/scope.h"
#include "store/unit_of_work.h"

namespace openpromo {

class ProductRepository {
 public:
  explicit ProductRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const Product& product);
  // The same, but a taken source id is `false` (the caller updates that product instead, in the
  // same transaction).
  Result<bool> insert_if_new(const Scope& scope, const Product& product);
  // `include_binned`: also one in the bin (a permanent delete of it).
  Result<std::optional<Product>> find(const Scope& scope, std::string_view id_or_source_id,
                                      bool include_binned = false);
  // Products whose id or source id is among `keys` (validation resolves a cart's lines in a few
  // queries, whatever the cart's size).
  Result<std::vector<Product>> find_many(const Scope& scope, const std::vector<std::string>& keys);
  Result<Page<Product>> list(const Scope& scope, const ListQuery& query);
  Status update(const Scope& scope, const Product& product);
  Status remove(const Scope& scope, std::string_view id);  // and its SKUs
  // To the bin with its SKUs: hidden, source ids still taken.
  Status bin(const Scope& scope, std::string_view id, Instant now);

 private:
  UnitOfWork& tx_;
};

class SkuRepository {
 public:
  explicit SkuRepository(UnitOfWork& tx) : tx_(tx) {}

  Status insert(const Scope& scope, const Sku& sku);
  Result<std::optional<Sku>> find(const Scope& scope, std::string_view id_or_source_id,
                                  bool include_binned = false);
  Result<std::vector<Sku>> find_many(const Scope& scope, const std::vector<std::string>& keys);
  // A product's SKUs, or (product empty) every SKU of the project.
  Result<Page<Sku>> list(const Scope& scope, std::string_view product_id, const ListQuery& query);
  Status update(const Scope& scope, const Sku& sku);
  Status remove(const Scope& scope, std::string_view id);
  Status bin(const Scope& scope, std::string_view id, Instant now);

 private:
  UnitOfWork& tx_;
};

}  // namespace openpromo
