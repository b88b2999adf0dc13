// ProductService: products and SKUs (spec 16.3). POST /products upserts by source_id, as
// Voucherify's "upsert mode" does; SKUs belong to one product.
#pragma once

#include "model/api_key.h"
#include "model/list_query.h"
#include "model/product.h"
#include "store/store.h"

namespace openpromo {

// Products and SKUs as the API shows them (without a product's SKU list). Collection filters
// read these same documents.
JsonObject product_view(const Product& p);
JsonObject sku_view(const Sku& s);

// A product (name_field "name") or SKU ("sku") body, also a CSV-import row -> draft.
Result<CatalogDraft> catalog_draft_from_json(const JsonObject& body, const char* name_field);

class ProductService {
 public:
  explicit ProductService(Store& store) : store_(store) {}

  Result<Product> upsert_product(const Principal& who, const CatalogDraft& draft);
  Result<Product> get_product(const Principal& who, std::string_view id_or_source_id);
  Result<Page<Product>> list_products(const Principal& who, const ListQuery& query);
  Result<Product> update_product(const Principal& who, std::string_view id_or_source_id,
                                 const CatalogDraft& draft);
  Status delete_product(const Principal& who, std::string_view id_or_source_id);

  Result<Sku> create_sku(const Principal& who, std::string_view product, const CatalogDraft& draft);
  Result<Sku> get_sku(const Principal& who, std::string_view id_or_source_id);
  Result<Page<Sku>> list_skus(const Principal& who, std::string_view product,
                              const ListQuery& query);
  Result<Sku> update_sku(const Principal& who, std::string_view product, std::string_view sku,
                         const CatalogDraft& draft);
  Status delete_sku(const Principal& who, std::string_view product, std::string_view sku);

 private:
  Store& store_;
};

}  // namespace openpromo
