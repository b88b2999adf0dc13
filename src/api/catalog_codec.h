// Wire shapes of products and SKUs (contract tag products) and the readers of their bodies.
#pragma once

#include <boost/json/object.hpp>

#include "core/error.h"
#include "model/product.h"
#include "service/product_service.h"

namespace openpromo::api {

// The product and SKU as the API shows them (a product without its SKU list). Collection filters
// read these same documents (service/wire.h).
boost::json::object product_json(const Product& p);
boost::json::object sku_json(const Sku& s);
// The product with its `skus` list.
boost::json::object product_details_json(const ProductDetails& p);

// A product (`name`) or SKU (`sku`) body, also a CSV-import row -> draft.
Result<CatalogDraft> read_product_draft(const boost::json::object& body);
Result<CatalogDraft> read_sku_draft(const boost::json::object& body);

}  // namespace openpromo::api
