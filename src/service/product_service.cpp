#include "service/product_service.h"

#include "service/bin_service.h"
#include "store/bin_repository.h"

#include "core/crypto.h"
#include "core/money.h"
#include "service/definitions.h"
#include "service/key_service.h"
#include "service/metadata_schema_service.h"
#include "store/product_repository.h"

namespace openpromo {
namespace {

Status check(const CatalogDraft& d, std::string_view key) {
  const std::string k(key);
  if (d.price && *d.price && (**d.price < 0 || **d.price > kMaxMoney)) {
    return Error{
        400,
        k,
        "Invalid payload",
        "price must be a whole amount in minor units from 0 to " + std::to_string(kMaxMoney),
        {},
        {}};
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

Result<Product> find_product(UnitOfWork& tx, const Scope& scope, std::string_view key) {
  OP_ASSIGN(auto found, ProductRepository(tx).find(scope, key));
  if (!found) return Error::not_found("product", std::string(key));
  return std::move(*found);
}

Result<Sku> find_sku(UnitOfWork& tx, const Scope& scope, std::string_view key) {
  OP_ASSIGN(auto found, SkuRepository(tx).find(scope, key));
  if (!found) return Error::not_found("sku", std::string(key));
  return std::move(*found);
}

Result<ProductDetails> details(UnitOfWork& tx, const Scope& scope, Product p) {
  ListQuery q;
  q.limit = ListQuery::kMaxLimit;
  ProductDetails out;
  OP_ASSIGN(out.skus, SkuRepository(tx).list(scope, p.id, q));
  out.product = std::move(p);
  return out;
}

Result<Product> update_in(UnitOfWork& tx, const Principal& who, std::string_view key,
                          const CatalogDraft& d) {
  OP_TRY(check(d, "invalid_product"));
  const Scope scope = who.scope();
  if (d.metadata) OP_TRY(check_metadata_schema(tx, scope, "product", *d.metadata, false));
  OP_ASSIGN(Product p, find_product(tx, scope, key));
  if (d.source_id && p.source_id && *d.source_id != *p.source_id) {
    return Error{400, "invalid_product", "Invalid payload", "source_id cannot be changed", {}, {}};
  }
  if (d.name) p.name = d.name;
  if (d.price) p.price = *d.price;
  apply(d, p.definition);
  p.updated_at = now_utc();
  OP_TRY(ProductRepository(tx).update(scope, p));
  return p;
}

}  // namespace

Result<ProductDetails> ProductService::upsert_product(const Principal& who, const CatalogDraft& d) {
  OP_TRY(check(d, "invalid_product"));
  return store_.in_write([&](UnitOfWork& tx) -> Result<ProductDetails> {
    const Scope scope = who.scope();
    ProductRepository products(tx);
    const std::optional<std::string>& key = d.id ? d.id : d.source_id;
    if (key) {
      OP_ASSIGN(auto existing, products.find(scope, *key));
      if (existing) {
        OP_ASSIGN(Product p, update_in(tx, who, existing->id, d));
        return details(tx, scope, std::move(p));
      }
      if (d.id) return Error::not_found("product", *d.id);
    }
    // A create must carry the schema's required keys.
    OP_TRY(check_metadata_schema(tx, scope, "product",
                                 d.metadata ? *d.metadata : Json(JsonObject{}), true));
    Product p;
    p.id = new_id("prod_");
    p.project_id = who.project_id;
    p.source_id = d.source_id;
    p.name = d.name;
    if (d.price) p.price = *d.price;
    apply(d, p.definition);
    p.created_at = now_utc();
    OP_ASSIGN(const bool inserted, products.insert_if_new(scope, p));
    if (!inserted) {
      // Another request created this source id meanwhile: update that one instead. None
      // visible: a product in the bin holds it.
      OP_ASSIGN(auto live, ProductRepository(tx).find(scope, *d.source_id));
      if (!live) {
        return Error::duplicate_found("product", "source_id '" + *d.source_id +
                                                     "' belongs to a product in the bin; purge it "
                                                     "(DELETE /v1/trash-bin/{id}) to reuse it");
      }
      OP_ASSIGN(Product updated, update_in(tx, who, *d.source_id, d));
      return details(tx, scope, std::move(updated));
    }
    return details(tx, scope, std::move(p));
  });
}

Result<ProductDetails> ProductService::get_product(const Principal& who, std::string_view key) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<ProductDetails> {
    OP_ASSIGN(Product p, find_product(tx, who.scope(), key));
    return details(tx, who.scope(), std::move(p));
  });
}

Result<Page<ProductDetails>> ProductService::list_products(const Principal& who,
                                                           const ListQuery& q) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<ProductDetails>> {
    OP_ASSIGN(auto page, ProductRepository(tx).list(who.scope(), q));
    Page<ProductDetails> out;
    out.total = page.total;
    out.has_more = page.has_more;
    for (Product& p : page.items) {
      OP_ASSIGN(auto d, details(tx, who.scope(), std::move(p)));
      out.items.push_back(std::move(d));
    }
    return out;
  });
}

Result<ProductDetails> ProductService::update_product(const Principal& who, std::string_view key,
                                                      const CatalogDraft& d) {
  return store_.in_write([&](UnitOfWork& tx) -> Result<ProductDetails> {
    OP_ASSIGN(Product p, update_in(tx, who, key, d));
    return details(tx, who.scope(), std::move(p));
  });
}

Status ProductService::delete_product(const Principal& who, std::string_view key, bool force) {
  OP_TRY(require_admin(who, "delete products"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    const Scope scope = who.scope();
    OP_ASSIGN(auto found, ProductRepository(tx).find(scope, key, /*include_binned=*/force));
    if (!found) return Error::not_found("product", std::string(key));
    if (force) {
      OP_TRY(ProductRepository(tx).remove(scope, found->id));
      return BinRepository(tx).remove_of(scope, found->id);
    }
    const Instant now = now_utc();
    OP_TRY(ProductRepository(tx).bin(scope, found->id, now));
    return record_binned_in(tx, who, "product", found->id,
                            found->name.value_or(found->source_id.value_or(found->id)),
                            std::nullopt, now);
  });
}

Result<Sku> ProductService::create_sku(const Principal& who, std::string_view product,
                                       const CatalogDraft& d) {
  OP_TRY(check(d, "invalid_sku"));
  return store_.in_write([&](UnitOfWork& tx) -> Result<Sku> {
    const Scope scope = who.scope();
    OP_TRY(check_metadata_schema(tx, scope, "sku", d.metadata ? *d.metadata : Json(JsonObject{}),
                                 true));
    OP_ASSIGN(Product p, find_product(tx, scope, product));
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
    OP_TRY(SkuRepository(tx).insert(scope, s));
    return s;
  });
}

Result<Sku> ProductService::get_sku(const Principal& who, std::string_view key) {
  OP_ASSIGN(auto tx, store_.statements());
  return find_sku(tx, who.scope(), key);
}

Result<Page<Sku>> ProductService::list_skus(const Principal& who, std::string_view product,
                                            const ListQuery& q) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<Sku>> {
    OP_ASSIGN(Product p, find_product(tx, who.scope(), product));
    return SkuRepository(tx).list(who.scope(), p.id, q);
  });
}

Result<Sku> ProductService::update_sku(const Principal& who, std::string_view product,
                                       std::string_view key, const CatalogDraft& d) {
  OP_TRY(check(d, "invalid_sku"));
  return store_.in_write([&](UnitOfWork& tx) -> Result<Sku> {
    const Scope scope = who.scope();
    if (d.metadata) OP_TRY(check_metadata_schema(tx, scope, "sku", *d.metadata, false));
    OP_ASSIGN(Product p, find_product(tx, scope, product));
    OP_ASSIGN(Sku s, find_sku(tx, scope, key));
    if (s.product_id != p.id) return Error::not_found("sku", std::string(key));
    if (d.name) s.sku = d.name;
    if (d.price) s.price = *d.price;
    if (d.currency) s.currency = d.currency;
    apply(d, s.definition);
    s.updated_at = now_utc();
    OP_TRY(SkuRepository(tx).update(scope, s));
    return s;
  });
}

Status ProductService::delete_sku(const Principal& who, std::string_view product,
                                  std::string_view key, bool force) {
  OP_TRY(require_admin(who, "delete SKUs"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    const Scope scope = who.scope();
    OP_ASSIGN(auto p, ProductRepository(tx).find(scope, product, /*include_binned=*/force));
    if (!p) return Error::not_found("product", std::string(product));
    OP_ASSIGN(auto sku, SkuRepository(tx).find(scope, key, /*include_binned=*/force));
    if (!sku || sku->product_id != p->id) return Error::not_found("sku", std::string(key));
    if (force) {
      OP_TRY(SkuRepository(tx).remove(scope, sku->id));
      return BinRepository(tx).remove_of(scope, sku->id);
    }
    const Instant now = now_utc();
    OP_TRY(SkuRepository(tx).bin(scope, sku->id, now));
    return record_binned_in(tx, who, "sku", sku->id,
                            sku->sku.value_or(sku->source_id.value_or(sku->id)), p->id, now);
  });
}

}  // namespace openpromo
