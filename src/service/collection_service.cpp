#include "service/collection_service.h"

#include <algorithm>
#include <unordered_map>

#include "core/crypto.h"
#include "service/key_service.h"
#include "service/paging.h"
#include "service/product_service.h"

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

Result<CompiledCollection> CompiledCollection::compile(ProductCollection c) {
  CompiledCollection out;
  if (c.type == "AUTO_UPDATE") {
    const Json* f = c.definition.if_contains("filter");
    if (!f) return Error::internal("collection without a filter");
    OP_ASSIGN(out.filter, rules::Filter::compile(*f));
  } else if (const Json* products = c.definition.if_contains("products");
             products && products->is_array()) {
    for (const Json& p : products->as_array()) {
      (text_at(p, "object") == "sku" ? out.sku_ids : out.product_ids).push_back(text_at(p, "id"));
    }
  }
  out.collection = std::move(c);
  return out;
}

bool CompiledCollection::has_product(const Json& product, Instant now) const {
  if (product.is_null()) return false;
  if (filter) return filter->matches(product, now);
  return listed(product_ids, text_at(product, "id"));
}

bool CompiledCollection::has_sku(const Json& sku, const Json& product, Instant now) const {
  if (filter) return !sku.is_null() && filter->matches(sku, now);
  return listed(sku_ids, text_at(sku, "id")) || listed(product_ids, text_at(sku, "product_id")) ||
         listed(product_ids, text_at(product, "id"));
}

JsonObject CollectionService::view(const ProductCollection& c) {
  JsonObject out;
  out["id"] = c.id;
  out["name"] = c.name;
  out["type"] = c.type;
  const Json* filter = c.definition.if_contains("filter");
  out["filter"] = filter ? *filter : Json(nullptr);
  const Json* products = c.definition.if_contains("products");
  if (products) out["products"] = *products;
  out["created_at"] = format_iso8601(c.created_at);
  out["object"] = "products_collection";
  return out;
}

Result<ProductCollection> CollectionService::create(const Principal& who, const JsonObject& body) {
  OP_TRY(require_admin(who, "create product collections"));
  ProductCollection c;
  const Json* name = body.if_contains("name");
  if (!name || !name->is_string() || name->as_string().empty() || name->as_string().size() > 200) {
    return Error::invalid_payload("name is required (1 to 200 characters)");
  }
  c.name = std::string(name->as_string());
  const Json* type = body.if_contains("type");
  if (!type || !type->is_string() ||
      (type->as_string() != "STATIC" && type->as_string() != "AUTO_UPDATE")) {
    return Error::invalid_payload("type must be STATIC or AUTO_UPDATE");
  }
  c.type = std::string(type->as_string());
  if (c.type == "STATIC") {
    const Json* products = body.if_contains("products");
    if (!products || !products->is_array() || products->as_array().empty()) {
      return Error::invalid_payload("a STATIC collection lists its products");
    }
    if (products->as_array().size() > kMaxStaticProducts) {
      return Error::invalid_payload("a STATIC collection lists at most 20 products");
    }
    JsonArray listed_products;
    for (const Json& p : products->as_array()) {
      const std::string object = text_at(p, "object");
      const std::string id = text_at(p, "id");
      if (id.empty() || (object != "product" && object != "sku")) {
        return Error::invalid_payload("products[] need an id and an object of product or sku");
      }
      if (object == "product") {
        OP_ASSIGN(auto found, store_.find_product(who.project_id, id));
        if (!found) return Error::not_found("product", id);
        listed_products.push_back(JsonObject{{"id", found->id}, {"object", "product"}});
      } else {
        OP_ASSIGN(auto found, store_.find_sku(who.project_id, id));
        if (!found) return Error::not_found("sku", id);
        listed_products.push_back(
            JsonObject{{"id", found->id}, {"product_id", found->product_id}, {"object", "sku"}});
      }
    }
    c.definition["products"] = std::move(listed_products);
  } else {
    const Json* filter = body.if_contains("filter");
    if (!filter || !filter->is_object()) {
      return Error::invalid_payload("an AUTO_UPDATE collection needs a filter object");
    }
    OP_TRY(rules::Filter::compile(*filter));
    c.definition["filter"] = *filter;
  }
  c.id = new_id("pc_");
  c.project_id = who.project_id;
  c.created_at = now_utc();
  OP_TRY(store_.insert_collection(c, static_cast<int64_t>(kMaxPerProject)));
  return c;
}

Result<ProductCollection> CollectionService::get(const Principal& who, std::string_view id) {
  OP_ASSIGN(auto found, store_.find_collection(who.project_id, id));
  if (!found) return Error::not_found("products_collection", std::string(id));
  return std::move(*found);
}

Result<Page<ProductCollection>> CollectionService::list(const Principal& who,
                                                        const ListQuery& query) {
  return store_.list_collections(who.project_id, query);
}

Status CollectionService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete product collections"));
  OP_ASSIGN(ProductCollection c, get(who, id));
  // In use: named by a validation rule or a campaign's definition (discount targets).
  OP_ASSIGN(auto rules, read_all<ValidationRule>([&](const ListQuery& q) {
              return store_.list_validation_rules(who.project_id, q);
            }));
  for (const ValidationRule& r : rules) {
    if (to_json_text(r.definition).find(c.id) != std::string::npos) {
      return Error::resource_in_use("products_collection", c.id, "validation rule " + r.id);
    }
  }
  OP_ASSIGN(auto campaigns, read_all<Campaign>([&](const ListQuery& q) {
              return store_.list_campaigns(who.project_id, q);
            }));
  for (const Campaign& campaign : campaigns) {
    if (to_json_text(campaign.definition).find(c.id) != std::string::npos) {
      return Error::resource_in_use("products_collection", c.id, "campaign " + campaign.id);
    }
  }
  return store_.delete_collection(who.project_id, c.id);
}

Result<Page<JsonObject>> CollectionService::products(const Principal& who, std::string_view id,
                                                     const ListQuery& query) {
  OP_ASSIGN(ProductCollection c, get(who, id));
  OP_ASSIGN(CompiledCollection compiled, CompiledCollection::compile(c));
  const Instant now = now_utc();
  std::vector<JsonObject> members;
  // Every product and SKU of the project, in creation order, in two paged passes. Fine for
  // catalogs of thousands; a large catalog wants the filter pushed into SQL (noted on the issue).
  OP_ASSIGN(auto products, read_all<Product>([&](const ListQuery& q) {
              return store_.list_products(who.project_id, q);
            }));
  OP_ASSIGN(auto skus, read_all<Sku>([&](const ListQuery& q) {
              return store_.list_project_skus(who.project_id, q);
            }));
  std::unordered_map<std::string, std::vector<const Sku*>> skus_of;
  for (const Sku& s : skus) skus_of[s.product_id].push_back(&s);
  for (const Product& p : products) {
    const Json product(product_view(p));
    if (compiled.has_product(product, now)) members.push_back(product.as_object());
    for (const Sku* s : skus_of[p.id]) {
      const Json sku(sku_view(*s));
      if (compiled.has_sku(sku, product, now)) members.push_back(sku.as_object());
    }
  }
  Page<JsonObject> page;
  page.total = static_cast<int64_t>(members.size());
  const size_t start = static_cast<size_t>(query.page - 1) * static_cast<size_t>(query.limit);
  for (size_t i = start; i < members.size() && i < start + static_cast<size_t>(query.limit); ++i) {
    page.items.push_back(std::move(members[i]));
  }
  page.has_more = start + static_cast<size_t>(query.limit) < members.size();
  return page;
}

}  // namespace openpromo
