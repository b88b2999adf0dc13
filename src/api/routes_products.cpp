// /v1/products and /v1/skus (contract tag products).
#include <boost/json/object.hpp>

#include "api/app.h"
#include "api/catalog_codec.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

Reply product_reply(const ProductDetails& p) {
  return Reply{200, serialize(product_details_json(p))};
}

}  // namespace

void add_product_routes(Router<Route>& router, Services& services) {
  Services& s = services;
  router.add("POST", "/v1/products",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto draft, read_product_draft(body));
                     OP_ASSIGN(auto p, s.products.upsert_product(ctx.principal, draft));
                     return product_reply(p);
                   }});
  router.add(
      "GET", "/v1/products",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_ASSIGN(auto query, parse_list_query(ctx.query, 10));
              OP_ASSIGN(auto page, s.products.list_products(ctx.principal, query));
              return Reply{200, serialize(list_json(page, product_details_json, "products"))};
            }});
  router.add("GET", "/v1/products/{productId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto p,
                               s.products.get_product(ctx.principal, ctx.params.get("productId")));
                     return product_reply(p);
                   }});
  router.add("PUT", "/v1/products/{productId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto draft, read_product_draft(body));
                     OP_ASSIGN(auto p, s.products.update_product(
                                           ctx.principal, ctx.params.get("productId"), draft));
                     return product_reply(p);
                   }});
  router.add(
      "DELETE", "/v1/products/{productId}",
      Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
              OP_TRY(s.products.delete_product(ctx.principal, ctx.params.get("productId"),
                                               ctx.query.get("force").value_or("") == "true"));
              return Reply{204, ""};
            }});

  router.add("POST", "/v1/products/{productId}/skus",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto draft, read_sku_draft(body));
                     OP_ASSIGN(auto sku, s.products.create_sku(ctx.principal,
                                                               ctx.params.get("productId"), draft));
                     return Reply{200, serialize(sku_json(sku))};
                   }});
  router.add("GET", "/v1/products/{productId}/skus",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto query, parse_list_query(ctx.query, 100));
                     OP_ASSIGN(auto page, s.products.list_skus(ctx.principal,
                                                               ctx.params.get("productId"), query));
                     // The contract names the array `skus` while data_ref says "data".
                     json::object out = list_json(page, sku_json, "skus");
                     out["data_ref"] = "data";
                     return Reply{200, serialize(out)};
                   }});
  router.add("GET", "/v1/skus/{skuId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto sku,
                               s.products.get_sku(ctx.principal, ctx.params.get("skuId")));
                     return Reply{200, serialize(sku_json(sku))};
                   }});
  router.add("PUT", "/v1/products/{productId}/skus/{skuId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_ASSIGN(auto body, parse_object_body(ctx.request.body));
                     OP_ASSIGN(auto draft, read_sku_draft(body));
                     OP_ASSIGN(auto sku,
                               s.products.update_sku(ctx.principal, ctx.params.get("productId"),
                                                     ctx.params.get("skuId"), draft));
                     return Reply{200, serialize(sku_json(sku))};
                   }});
  router.add("DELETE", "/v1/products/{productId}/skus/{skuId}",
             Route{Auth::kServer, [&s](Context& ctx) -> Result<Reply> {
                     OP_TRY(s.products.delete_sku(ctx.principal, ctx.params.get("productId"),
                                                  ctx.params.get("skuId"),
                                                  ctx.query.get("force").value_or("") == "true"));
                     return Reply{204, ""};
                   }});
}

}  // namespace openpromo::api
