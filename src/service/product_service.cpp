#include "service/product_service.h"

#include "core/crypto.h"
#include "service/definitions.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"

namespace openpromo {
namespace {

Status check(const CatalogDraft& d, std::string_view key) {
  const std::string k(key);
  if (d.price && *d.price && **d.price < 0) {
    return Error{400, k, "Invalid payload", "price must be a non-negative integer (minor units)",
                 {},  {}};
  }
  if (d.source_id && d.source_id->empty()) {
    return Error{400, k, "Invalid payload", "source_id must not be empty", {}, {}};
  }
  if (d.metadata) OP_TRY(check_metadata(*d.metadata));
  return {};
}

// Applies present fields; metadata merges key by key (null removes a key).
void apply(const CatalogDraft& d, JsonObject& definition) {
  if (d.attributes) definition["attributes"] = *d.attributes;
  if (d.image_url) definition["image_url"] = *d.image_url;
  if (d.metadata) merge_metadata(definition, *d.metadata);
  if (!definition.contains("metadata")) definition["metadata"] = JsonObject{};
}

Json text_or_null(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json from(const JsonObject& d, const char* key, Json fallback = nullptr) {
  const Json* v = d.if_contains(key);
  return v ? *v : fallback;
}

}  // namespace

Result<CatalogDraft> catalog_draft_from_json(const JsonObject& body, const char* name_field) {
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

JsonObject sku_view(const Sku& s) {
  JsonObject out;
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

JsonObject product_view(const Product& p) {
  JsonObject out;
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

Result<Product> ProductService::upsert_product(const Principal& who, const CatalogDraft& d) {
  OP_TRY(check(d, "invalid_product"));
  const std::optional<std::string>& key = d.id ? d.id : d.source_id;
  bool creating = true;  // a create must carry the schema's required keys
  if (key) {
    OP_ASSIGN(auto existing, store_.find_product(who.project_id, *key));
    creating = !existing;
  }
  OP_TRY(check_metadata_schema(store_, who.project_id, "product",
                               d.metadata ? *d.metadata : Json(JsonObject{}), creating));
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (key) {
      OP_ASSIGN(auto existing, store_.find_product(who.project_id, *key));
      if (existing) return update_product(who, existing->id, d);
      if (d.id) return Error::not_found("product", *d.id);
    }
    Product p;
    p.id = new_id("prod_");
    p.project_id = who.project_id;
    p.source_id = d.source_id;
    p.name = d.name;
    if (d.price) p.price = *d.price;
    apply(d, p.definition);
    p.created_at = now_utc();
    auto inserted = store_.insert_product(p);
    if (inserted.ok()) return p;
    // Another request created this source_id meanwhile: update that one instead.
    if (inserted.error().key != "duplicate_found") return std::move(inserted).take_error();
  }
  return Error::unavailable("product upsert kept racing; retry");
}

Result<Product> ProductService::get_product(const Principal& who, std::string_view key) {
  OP_ASSIGN(auto found, store_.find_product(who.project_id, key));
  if (!found) return Error::not_found("product", std::string(key));
  return std::move(*found);
}

Result<Page<Product>> ProductService::list_products(const Principal& who, const ListQuery& q) {
  return store_.list_products(who.project_id, q);
}

Result<Product> ProductService::update_product(const Principal& who, std::string_view key,
                                               const CatalogDraft& d) {
  OP_TRY(check(d, "invalid_product"));
  if (d.metadata) {
    OP_TRY(check_metadata_schema(store_, who.project_id, "product", *d.metadata, false));
  }
  OP_ASSIGN(Product p, get_product(who, key));
  if (d.source_id && p.source_id && *d.source_id != *p.source_id) {
    return Error{400, "invalid_product", "Invalid payload", "source_id cannot be changed", {}, {}};
  }
  if (d.name) p.name = d.name;
  if (d.price) p.price = *d.price;
  apply(d, p.definition);
  p.updated_at = now_utc();
  OP_TRY(store_.update_product(p));
  return p;
}

Status ProductService::delete_product(const Principal& who, std::string_view key) {
  OP_TRY(require_admin(who, "delete products"));
  OP_ASSIGN(Product p, get_product(who, key));
  return store_.delete_product(who.project_id, p.id);
}

Result<Sku> ProductService::create_sku(const Principal& who, std::string_view product,
                                       const CatalogDraft& d) {
  OP_TRY(check(d, "invalid_sku"));
  OP_TRY(check_metadata_schema(store_, who.project_id, "sku",
                               d.metadata ? *d.metadata : Json(JsonObject{}), true));
  OP_ASSIGN(Product p, get_product(who, product));
  Sku s;
  s.id = new_id("sku_");
  s.project_id = who.project_id;
  s.product_id = p.id;
  s.source_id = d.source_id;
  s.sku = d.name;
  if (d.price) s.price = *d.price;
  s.currency = d.currency;
  apply(d, s.definition);
  s.created_at = now_utc();
  OP_TRY(store_.insert_sku(s));
  return s;
}

Result<Sku> ProductService::get_sku(const Principal& who, std::string_view key) {
  OP_ASSIGN(auto found, store_.find_sku(who.project_id, key));
  if (!found) return Error::not_found("sku", std::string(key));
  return std::move(*found);
}

Result<Page<Sku>> ProductService::list_skus(const Principal& who, std::string_view product,
                                            const ListQuery& q) {
  OP_ASSIGN(Product p, get_product(who, product));
  return store_.list_skus(who.project_id, p.id, q);
}

Result<Sku> ProductService::update_sku(const Principal& who, std::string_view product,
                                       std::string_view key, const CatalogDraft& d) {
  OP_TRY(check(d, "invalid_sku"));
  if (d.metadata) OP_TRY(check_metadata_schema(store_, who.project_id, "sku", *d.metadata, false));
  OP_ASSIGN(Product p, get_product(who, product));
  OP_ASSIGN(Sku s, get_sku(who, key));
  if (s.product_id != p.id) return Error::not_found("sku", std::string(key));
  if (d.name) s.sku = d.name;
  if (d.price) s.price = *d.price;
  if (d.currency) s.currency = d.currency;
  apply(d, s.definition);
  s.updated_at = now_utc();
  OP_TRY(store_.update_sku(s));
  return s;
}

Status ProductService::delete_sku(const Principal& who, std::string_view product,
                                  std::string_view key) {
  OP_TRY(require_admin(who, "delete SKUs"));
  OP_ASSIGN(Product p, get_product(who, product));
  OP_ASSIGN(Sku s, get_sku(who, key));
  if (s.product_id != p.id) return Error::not_found("sku", std::string(key));
  return store_.delete_sku(who.project_id, s.id);
}

}  // namespace openpromo
