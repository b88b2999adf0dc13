// CollectionService: product collections (spec 16.3). STATIC collections list at most 20
// products or SKUs (a listed product brings all its SKUs); AUTO_UPDATE ones hold a filter
// (rules/filter.h) over products and SKUs as the API shows them, each SKU judged on its own
// fields. Membership is computed when asked, so it follows the catalog at once. At most 100
// collections per project; a collection that validation rules or campaigns use cannot be
// deleted (400 resource_in_use).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/api_key.h"
#include "model/list_query.h"
#include "model/product.h"
#include "model/segment.h"
#include "rules/filter.h"
#include "service/wire.h"
#include "store/store.h"

namespace openpromo {

// One `products` entry of a STATIC collection as sent: a product or SKU by id or source id.
struct CollectionItemRef {
  std::string object;  // product | sku
  std::string id;
};

struct CollectionInput {
  std::optional<std::string> name, type;
  std::optional<std::vector<CollectionItemRef>> products;
  std::optional<Json> filter;
};

// A member of a collection: a product, or a SKU (with its product).
struct CollectionMember {
  std::optional<Product> product;
  std::optional<Sku> sku;
};

// A collection ready to test products and SKUs against. `broken`: its stored definition cannot
// be read; nothing is a member, and rules that name it fail closed (service/catalog_cache.h).
struct CompiledCollection {
  ProductCollection collection;
  std::optional<rules::Filter> filter;  // AUTO_UPDATE
  // STATIC: the listed ids, by object.
  std::vector<std::string> product_ids, sku_ids;
  std::string broken;

  // `locations`: resolves the ids `$in_location` names (null: location conditions never hold).
  static CompiledCollection compile(ProductCollection c,
                                    const rules::LocationResolver& locations = nullptr);
  // `product` and `sku` as the API shows them (either may be null). A SKU is a member on its
  // own fields, or (STATIC) when its product is listed. `sent`: the cart line's own data, where
  // location conditions read coordinates ({"metadata": the line's metadata}).
  bool has_product(const Json& product, Instant now, const Json* sent = nullptr) const;
  bool has_sku(const Json& sku, const Json& product, Instant now, const Json* sent = nullptr) const;
};

class CollectionService {
 public:
  static constexpr size_t kMaxPerProject = 100;
  static constexpr size_t kMaxStaticProducts = 20;

  CollectionService(Store& store, const Wire& wire) : store_(store), wire_(wire) {}

  Result<ProductCollection> create(const Principal& who, const CollectionInput& input);
  Result<ProductCollection> get(const Principal& who, std::string_view id);
  Result<Page<ProductCollection>> list(const Principal& who, const ListQuery& query);
  Status remove(const Principal& who, std::string_view id);
  // The collection's products and SKUs, paged.
  Result<Page<CollectionMember>> products(const Principal& who, std::string_view id,
                                          const ListQuery& query);

 private:
  Store& store_;
  const Wire& wire_;
};

}  // namespace openpromo
