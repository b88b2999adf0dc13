#include "api/catalog_codec.h"

#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

Json text_or_null(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json from(const JsonObject& d, const char* key, Json fallback = nullptr) {
  const Json* v = d.if_contains(key);
  return v ? *v : fallback;
}

Result<CatalogDraft> read_draft(const json::object& body, const char* name_field) {
  CatalogDraft d;
  OP_ASSIGN(d.id, read_string(body, "id"));
  OP_ASSIGN(d.source_id, read_string(body, "source_id"));
  OP_ASSIGN(d.name, read_string(body, name_field));
  OP_ASSIGN(d.currency, read_string(body, "currency"));
  if (body.contains("price")) {
    OP_ASSIGN(auto price, read_integer(body, "price"));
    d.price = price;
  }
  d.attributes = read_any(body, "attributes");
  d.metadata = read_any(body, "metadata");
  d.image_url = read_any(body, "image_url");
  return d;
}

}  // namespace

json::object sku_json(const Sku& s) {
  json::object out;
  out["id"] = s.id;
  out["source_id"] = text_or_null(s.source_id);
  out["product_id"] = s.product_id;
  out["sku"] = text_or_null(s.sku);
  out["price"] = s.price ? Json(*s.price) : Json(nullptr);
  out["currency"] = text_or_null(s.currency);
  out["attributes"] = from(s.definition, "attributes", JsonObject{});
  out["image_url"] = from(s.definition, "image_url");
  out["metadata"] = from(s.definition, "metadata", JsonObject{});
  out["created_at"] = format_iso8601(s.created_at);
  out["updated_at"] = s.updated_at ? Json(format_iso8601(*s.updated_at)) : Json(nullptr);
  out["object"] = "sku";
  return out;
}

json::object product_json(const Product& p) {
  json::object out;
  out["id"] = p.id;
  out["source_id"] = text_or_null(p.source_id);
  out["name"] = text_or_null(p.name);
  out["price"] = p.price ? Json(*p.price) : Json(nullptr);
  out["attributes"] = from(p.definition, "attributes", JsonArray{});
  out["metadata"] = from(p.definition, "metadata", JsonObject{});
  out["image_url"] = from(p.definition, "image_url");
  out["created_at"] = format_iso8601(p.created_at);
  out["updated_at"] = p.updated_at ? Json(format_iso8601(*p.updated_at)) : Json(nullptr);
  out["object"] = "product";
  return out;
}

json::object product_details_json(const ProductDetails& p) {
  json::object out = product_json(p.product);
  json::object list = list_json(p.skus, sku_json, "data");
  list.erase("has_more");
  out["skus"] = std::move(list);
  return out;
}

Result<CatalogDraft> read_product_draft(const json::object& body) {
  return read_draft(body, "name");
}

Result<CatalogDraft> read_sku_draft(const json::object& body) {
  return read_draft(body, "sku");
}

}  // namespace openpromo::api
