#include "service/collection_service.h"

#include <algorithm>
#include <unordered_map>

#include "core/crypto.h"
#include "service/key_service.h"
#include "service/location_service.h"
#include "service/paging.h"
#include "store/campaign_repository.h"
#include "store/product_repository.h"
#include "store/segment_repository.h"
#include "store/validation_rule_repository.h"

namespace openpromo {
namespace {

std::string text_at(const Json& o, const char* key) {
  if (!o.is_object()) return {};
  const Json* v = o.as_object().if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool listed(const std::vector<std::string>& ids, const std::string& id) {
  return !id.empty() && std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

CompiledCollection CompiledCollection::compile(ProductCollection c,
                                               const rules::LocationResolver& locations) {
  CompiledCollection out;
  if (c.unreadable) {
    out.broken = "the stored definition cannot be read: " + *c.unreadable;
  } else if (c.type == "AUTO_UPDATE") {
    const Json* f = c.definition.if_contains("filter");
    auto filter = f ? rules::Filter::compile(*f, locations)
                    : Result<rules::Filter>(Error::invalid_payload("no filter"));
    if (filter.ok()) {
      out.filter = std::move(*filter);
    } else {
      out.broken = "the stored filter no longer compiles: " + filter.error().details;
    }
  } else if (const Json* products = c.definition.if_contains("products");
             products && products->is_array()) {
    for (const Json& p : products->as_array()) {
      (text_at(p, "object") == "sku" ? out.sku_ids : out.product_ids).push_back(text_at(p, "id"));
    }
  }
  out.collection = std::move(c);
  return out;
}

bool CompiledCollection::has_product(const Json& product, Instant now, const Json* sent) const {
  if (!broken.empty() || product.is_null()) return false;
  if (filter) return filter->matches(product, now, sent);
  return listed(product_ids, text_at(product, "id"));
}

bool CompiledCollection::has_sku(const Json& sku, const Json& product, Instant now,
                                 const Json* sent) const {
  if (!broken.empty()) return false;
  if (filter) return !sku.is_null() && filter->matches(sku, now, sent);
  return listed(sku_ids, text_at(sku, "id")) || listed(product_ids, text_at(sku, "product_id")) ||
         listed(product_ids, text_at(product, "id"));
}

Result<ProductCollection> CollectionService::create(const Principal& who,
                                                    const CollectionInput& in) {
  OP_TRY(require_admin(who, "create product collections"));
  ProductCollection c;
  if (!in.name || in.name->empty() || in.name->size() > 200) {
    return Error::invalid_payload("name is required (1 to 200 characters)");
  }
  c.name = *in.name;
  if (!in.type || (*in.type != "STATIC" && *in.type != "AUTO_UPDATE")) {
    return Error::invalid_payload("type must be STATIC or AUTO_UPDATE");
  }
  c.type = *in.type;
  if (c.type == "AUTO_UPDATE") {
    if (!in.filter || !in.filter->is_object()) {
      return Error::invalid_payload("an AUTO_UPDATE collection needs a filter object");
    }
    OP_TRY(rules::Filter::compile(*in.filter));
    c.definition["filter"] = *in.filter;
  } else {
    if (!in.products || in.products->empty()) {
      return Error::invalid_payload("a STATIC collection lists its products");
    }
    if (in.products->size() > kMaxStaticProducts) {
      return Error::invalid_payload("a STATIC collection lists at most 20 products");
    }
  }
  c.id = new_id("pc_");
  c.project_id = who.project_id;
  c.created_at = now_utc();
  OP_TRY(store_.in_write([&](UnitOfWork& tx) -> Status {
    const Scope scope = who.scope();
    if (c.type == "AUTO_UPDATE") {  // the locations it names exist in this unit
      OP_TRY(rules::Filter::compile(*in.filter, location_resolver_in(tx, scope)));
    }
    if (c.type == "STATIC") {
      JsonArray listed_products;
      for (const CollectionItemRef& p : *in.products) {
        if (p.id.empty() || (p.object != "product" && p.object != "sku")) {
          return Error::invalid_payload("products[] need an id and an object of product or sku");
        }
        if (p.object == "product") {
          OP_ASSIGN(auto found, ProductRepository(tx).find(scope, p.id));
          if (!found) return Error::not_found("product", p.id);
          listed_products.push_back(JsonObject{{"id", found->id}, {"object", "product"}});
        } else {
          OP_ASSIGN(auto found, SkuRepository(tx).find(scope, p.id));
          if (!found) return Error::not_found("sku", p.id);
          listed_products.push_back(
              JsonObject{{"id", found->id}, {"product_id", found->product_id}, {"object", "sku"}});
        }
      }
      c.definition["products"] = std::move(listed_products);
    }
    return CollectionRepository(tx).insert(scope, c, static_cast<int64_t>(kMaxPerProject));
  }));
  return c;
}

Result<ProductCollection> CollectionService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, CollectionRepository(tx).find(who.scope(), id));
  if (!found) return Error::not_found("products_collection", std::string(id));
  return std::move(*found);
}

Result<Page<ProductCollection>> CollectionService::list(const Principal& who,
                                                        const ListQuery& query) {
  return store_.in_snapshot(
      [&](UnitOfWork& tx) { return CollectionRepository(tx).list(who.scope(), query); });
}

Status CollectionService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete product collections"));
  return store_.in_write([&](UnitOfWork& tx) -> Status {
    const Scope scope = who.scope();
    OP_ASSIGN(auto found, CollectionRepository(tx).find(scope, id));
    if (!found) return Error::not_found("products_collection", std::string(id));
    const ProductCollection& c = *found;
    // In use: named by a validation rule or a campaign's definition (discount targets).
    OP_ASSIGN(auto rules, ValidationRuleRepository(tx).all(scope));
    for (const ValidationRule& r : rules) {
      if (to_json_text(r.definition).find(c.id) != std::string::npos) {
        return Error::resource_in_use("products_collection", c.id, "validation rule " + r.id);
      }
    }
    OP_ASSIGN(auto campaigns, CampaignRepository(tx).all(scope));
    for (const Campaign& campaign : campaigns) {
      if (to_json_text(campaign.definition).find(c.id) != std::string::npos) {
        return Error::resource_in_use("products_collection", c.id, "campaign " + campaign.id);
      }
    }
    return CollectionRepository(tx).remove(scope, c.id);
  });
}

Result<Page<CollectionMember>> CollectionService::products(const Principal& who,
                                                           std::string_view id,
                                                           const ListQuery& query) {
  return store_.in_snapshot([&](UnitOfWork& tx) -> Result<Page<CollectionMember>> {
    const Scope scope = who.scope();
    OP_ASSIGN(auto found, CollectionRepository(tx).find(scope, id));
    if (!found) return Error::not_found("products_collection", std::string(id));
    const CompiledCollection compiled = CompiledCollection::compile(std::move(*found));
    if (!compiled.broken.empty()) {
      Error e = Error::internal("collection " + std::string(id) + ": " + compiled.broken);
      return e;
    }
    const Instant now = now_utc();
    std::vector<CollectionMember> members;
    // Every product and SKU of the project, in creation order, in two paged passes. Fine for
    // catalogs of thousands; a large catalog wants the filter pushed into SQL (noted on the
    // issue).
    OP_ASSIGN(auto products, read_all<Product>([&](const ListQuery& q) {
                return ProductRepository(tx).list(scope, q);
              }));
    OP_ASSIGN(auto skus, read_all<Sku>([&](const ListQuery& q) {
                return SkuRepository(tx).list(scope, {}, q);
              }));
    std::unordered_map<std::string, std::vector<const Sku*>> skus_of;
    for (const Sku& s : skus) skus_of[s.product_id].push_back(&s);
    for (const Product& p : products) {
      const Json product = wire_.product(p);
      if (compiled.has_product(product, now)) members.push_back(CollectionMember{p, std::nullopt});
      for (const Sku* s : skus_of[p.id]) {
        if (compiled.has_sku(wire_.sku(*s), product, now)) {
          members.push_back(CollectionMember{std::nullopt, *s});
        }
      }
    }
    Page<CollectionMember> page;
    page.total = static_cast<int64_t>(members.size());
    const size_t start = static_cast<size_t>(query.page - 1) * static_cast<size_t>(query.limit);
    for (size_t i = start; i < members.size() && i < start + static_cast<size_t>(query.limit);
         ++i) {
      page.items.push_back(std::move(members[i]));
    }
    page.has_more = start + static_cast<size_t>(query.limit) < members.size();
    return page;
  });
}

}  // namespace openpromo
