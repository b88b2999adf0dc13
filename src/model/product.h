// Products and their SKUs (spec 16.3): what carts are made of and what discounts target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"

namespace openpromo {

struct Product {
  std::string id;  // prod_...
  std::string project_id;
  std::optional<std::string> source_id;
  std::optional<std::string> name;
  std::optional<int64_t> price;  // minor units
  JsonObject definition;         // attributes (names), metadata, image_url
  Instant created_at;
  std::optional<Instant> updated_at;
};

struct Sku {
  std::string id;  // sku_...
  std::string project_id;
  std::string product_id;
  std::optional<std::string> source_id;
  std::optional<std::string> sku;  // the SKU's name
  std::optional<int64_t> price;
  std::optional<std::string> currency;
  JsonObject definition;  // attributes (values), metadata, image_url
  Instant created_at;
  std::optional<Instant> updated_at;
};

// Fields of a create/update request; absent ones are nullopt (on update: unchanged).
struct CatalogDraft {
  std::optional<std::string> id, source_id, name, currency;
  std::optional<std::optional<int64_t>> price;  // present null clears
  std::optional<Json> attributes, metadata, image_url;
};

}  // namespace openpromo
