// ProductService: products and SKUs (spec 16.3). POST /products upserts by source_id, as
// Voucherify's "upsert mode" does; SKUs belong to one product.
#pragma once

#include "model/api_key.h"
#include "model/list_query.h"
#include "model/product.h"
#include "store/store.h"

namespace openpromo {

// A product as the API shows it: with its SKUs.
struct ProductDetails {
  Product product;
  Page<Sku> skus;
};

class ProductService {
 public:
  explicit ProductService(Store& store) : store_(store) {}

  Result<ProductDetails> upsert_product(const Principal& who, const CatalogDraft& draft);
  Result<ProductDetails> get_product(const Principal& who, std::string_view id_or_source_id);
  Result<Page<ProductDetails>> list_products(const Principal& who, const ListQuery& query);
  Result<ProductDetails> update_product(const Principal& who, std::string_view id_or_source_id,
                                        const CatalogDraft& draft);
  // force=false: to the bin with its SKUs (source ids stay taken until purged); true: for good
  // (also one already in the bin).
  Status delete_product(const Principal& who, std::string_view id_or_source_id, bool force);

  Result<Sku> create_sku(const Principal& who, std::string_view product, const CatalogDraft& draft);
  Result<Sku> get_sku(const Principal& who, std::string_view id_or_source_id);
  Result<Page<Sku>> list_skus(const Principal& who, std::string_view product,
                              const ListQuery& query);
  Result<Sku> update_sku(const Principal& who, std::string_view product, std::string_view sku,
                         const CatalogDraft& draft);
  Status delete_sku(const Principal& who, std::string_view product, std::string_view sku,
                    bool force);

 private:
  Store& store_;
};

}  // namespace openpromo
