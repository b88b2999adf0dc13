#include "api/context_codec.h"

#include "api/catalog_codec.h"
#include "api/json_codec.h"

namespace openpromo::api {
namespace {

namespace json = boost::json;

std::string text_at(const Json& o, const char* key) {
  if (!o.is_object()) return {};
  const Json* v = o.as_object().if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

json::object segment_json(const Segment& s) {
  json::object out;
  out["id"] = s.id;
  out["name"] = s.name;
  out["created_at"] = format_iso8601(s.created_at);
  out["type"] = s.type;
  const Json* filter = s.definition.if_contains("filter");
  out["filter"] = filter ? *filter : Json(nullptr);
  out["initial_sync_status"] = "DONE";
  out["object"] = "segment";
  return out;
}

json::object collection_json(const ProductCollection& c) {
  json::object out;
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

json::object collection_member_json(const CollectionMember& m) {
  return m.sku ? sku_json(*m.sku) : product_json(*m.product);
}

json::object metadata_schema_json(const MetadataSchema& m) {
  json::object out;
  out["id"] = m.id;
  out["related_object"] = m.related_object;
  const Json* properties = m.definition.if_contains("properties");
  out["properties"] = properties ? *properties : Json(JsonObject{});
  const Json* defined_only = m.definition.if_contains("allow_defined_only");
  out["allow_defined_only"] = defined_only && defined_only->is_bool() && defined_only->as_bool();
  out["created_at"] = format_iso8601(m.created_at);
  out["updated_at"] = m.updated_at ? Json(format_iso8601(*m.updated_at)) : Json(nullptr);
  out["object"] = "metadata_schema";
  return out;
}

Result<SegmentInput> read_segment_input(const json::object& body) {
  SegmentInput in;
  if (const json::value* name = body.if_contains("name"); name && name->is_string()) {
    in.name = std::string(name->as_string());
  }
  if (const json::value* type = body.if_contains("type"); type && type->is_string()) {
    in.type = std::string(type->as_string());
  }
  if (const json::value* customers = body.if_contains("customers");
      customers && !customers->is_null()) {
    if (!customers->is_array()) {
      return Error::invalid_payload("customers must be an array of customer ids");
    }
    std::vector<std::string> ids;
    for (const json::value& c : customers->as_array()) {
      if (!c.is_string()) return Error::invalid_payload("customers must be customer ids");
      ids.emplace_back(c.as_string());
    }
    in.customers = std::move(ids);
  }
  in.filter = read_any(body, "filter");
  return in;
}

Result<CollectionInput> read_collection_input(const json::object& body) {
  CollectionInput in;
  if (const json::value* name = body.if_contains("name"); name && name->is_string()) {
    in.name = std::string(name->as_string());
  }
  if (const json::value* type = body.if_contains("type"); type && type->is_string()) {
    in.type = std::string(type->as_string());
  }
  if (const json::value* products = body.if_contains("products");
      products && !products->is_null()) {
    if (!products->is_array()) return Error::invalid_payload("products must be an array");
    std::vector<CollectionItemRef> refs;
    for (const json::value& p : products->as_array()) {
      refs.push_back(CollectionItemRef{text_at(p, "object"), text_at(p, "id")});
    }
    in.products = std::move(refs);
  }
  in.filter = read_any(body, "filter");
  return in;
}

Result<MetadataSchemaInput> read_metadata_schema_input(const json::object& body) {
  MetadataSchemaInput in;
  if (const json::value* r = body.if_contains("related_object"); r && r->is_string()) {
    in.related_object = std::string(r->as_string());
  }
  in.properties = read_any(body, "properties");
  if (const json::value* a = body.if_contains("allow_defined_only"); a && a->is_bool()) {
    in.allow_defined_only = a->as_bool();
  }
  return in;
}

}  // namespace openpromo::api
