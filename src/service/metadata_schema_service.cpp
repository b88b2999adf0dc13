#include "service/metadata_schema_service.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/crypto.h"
#include "service/key_service.h"
#include "store/metadata_schema_repository.h"

namespace openpromo {
namespace {

constexpr std::array<std::string_view, 8> kTypes{"string",   "number", "boolean",  "date",
                                                 "datetime", "object", "geopoint", "image_url"};

Error violation(const std::string& key, const std::string& why) {
  Error e{400,
          "metadata_validation_failed",
          "Metadata validation failed",
          "metadata." + key + ": " + why,
          {},
          {}};
  return e;
}

bool is_date(std::string_view s) {
  return s.size() == 10 && parse_iso8601(s).has_value();
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) {
      return false;
    }
  }
  return true;
}

// "geo:LAT,LNG" with LAT in [-90, 90] and LNG in [-180, 180].
bool is_geopoint(std::string_view s) {
  if (!s.starts_with("geo:")) return false;
  const std::string rest(s.substr(4));
  const size_t comma = rest.find(',');
  if (comma == std::string::npos) return false;
  char* end = nullptr;
  const double lat = std::strtod(rest.c_str(), &end);
  if (end != rest.c_str() + comma) return false;
  const char* lng_start = rest.c_str() + comma + 1;
  const double lng = std::strtod(lng_start, &end);
  if (end == lng_start || *end != '\0') return false;
  return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180;
}

bool value_has_type(const Json& v, std::string_view type) {
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_int64() || v.is_uint64() || v.is_double();
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  if (!v.is_string()) return false;
  const std::string_view s = v.as_string();
  if (type == "date") return is_date(s);
  if (type == "datetime") return parse_iso8601(s).has_value();
  if (type == "geopoint") return is_geopoint(s);
  if (type == "image_url") {
    return (s.starts_with("http://") || s.starts_with("https://")) &&
           (ends_with_ci(s, ".jpg") || ends_with_ci(s, ".jpeg") || ends_with_ci(s, ".png"));
  }
  return false;
}

std::string text(const JsonObject& o, const char* key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool flag(const JsonObject& o, const char* key, bool fallback) {
  const Json* v = o.if_contains(key);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

// Normalises and checks a schema body's properties.
Result<JsonObject> read_properties(const Json* properties) {
  if (!properties || !properties->is_object()) {
    return Error::invalid_payload("properties must be an object of definitions");
  }
  if (properties->as_object().size() > MetadataSchemaService::kMaxDefinitions) {
    return Error::invalid_payload("a schema has at most 100 definitions");
  }
  JsonObject out;
  for (const auto& [key, def] : properties->as_object()) {
    const std::string name(key);
    if (name.empty() || name.size() > 200)
      return Error::invalid_payload("a property name is invalid");
    if (!def.is_object())
      return Error::invalid_payload("properties." + name + " must be an object");
    const JsonObject& d = def.as_object();
    const std::string type = text(d, "type");
    if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
      return Error::invalid_payload("properties." + name +
                                    ".type must be one of string, number, boolean, date, "
                                    "datetime, object, geopoint, image_url");
    }
    out[name] = JsonObject{{"type", type},
                           {"array", flag(d, "array", false)},
                           {"optional", flag(d, "optional", true)},
                           {"deleted", flag(d, "deleted", false)},
                           {"objectType", d.contains("objectType") ? d.at("objectType") : nullptr}};
  }
  return out;
}

}  // namespace

Result<MetadataSchema> MetadataSchemaService::create(const Principal& who,
                                                     const MetadataSchemaInput& in) {
  OP_TRY(require_admin(who, "create metadata schemas"));
  MetadataSchema m;
  m.related_object = in.related_object.value_or("");
  if (m.related_object.empty() || m.related_object.size() > 100) {
    return Error::invalid_payload("related_object is required (e.g. customer, order, product)");
  }
  OP_ASSIGN(JsonObject properties, read_properties(in.properties ? &*in.properties : nullptr));
  m.definition["properties"] = std::move(properties);
  m.definition["allow_defined_only"] = in.allow_defined_only.value_or(false);
  m.id = new_id("ms_");
  m.project_id = who.project_id;
  m.created_at = now_utc();
  OP_TRY(store_.in_write(
      [&](UnitOfWork& tx) { return MetadataSchemaRepository(tx).insert(who.scope(), m); }));
  return m;
}

Result<std::vector<MetadataSchema>> MetadataSchemaService::list(const Principal& who) {
  OP_ASSIGN(auto tx, store_.statements());
  return MetadataSchemaRepository(tx).all(who.scope());
}

Result<MetadataSchema> MetadataSchemaService::get(const Principal& who,
                                                  std::string_view id_or_object) {
  OP_ASSIGN(auto tx, store_.statements());
  OP_ASSIGN(auto found, MetadataSchemaRepository(tx).find(who.scope(), id_or_object));
  if (!found) return Error::not_found("metadata_schema", std::string(id_or_object));
  return std::move(*found);
}

// Types are immutable (spec 16.5): a definition may change its flags, not its type.
Result<MetadataSchema> MetadataSchemaService::update(const Principal& who, std::string_view id,
                                                     const MetadataSchemaInput& in) {
  OP_TRY(require_admin(who, "update metadata schemas"));
  std::optional<JsonObject> incoming;
  if (in.properties) {
    OP_ASSIGN(incoming, read_properties(&*in.properties));
  }
  // Read, merge, compare-and-set: two concurrent updates both land, one after the other.
  for (int attempt = 0; attempt < 32; ++attempt) {
    OP_ASSIGN(MetadataSchema m, get(who, id));
    const std::optional<Instant> read_updated_at = m.updated_at;
    if (incoming) {
      JsonObject merged =
          m.definition.contains("properties") && m.definition.at("properties").is_object()
              ? m.definition.at("properties").as_object()
              : JsonObject{};
      for (const auto& [key, def] : *incoming) {
        if (const Json* old = merged.if_contains(key);
            old && old->is_object() && old->as_object().at("type") != def.at("type")) {
          return Error::invalid_payload("properties." + std::string(key) +
                                        ": a definition's type cannot change");
        }
        merged[key] = def;
      }
      if (merged.size() > kMaxDefinitions) {
        return Error::invalid_payload("a schema has at most 100 definitions");
      }
      m.definition["properties"] = std::move(merged);
    }
    if (in.allow_defined_only) m.definition["allow_defined_only"] = *in.allow_defined_only;
    // Strictly later than what was read, so the compare-and-set token always moves.
    const Instant now = now_utc();
    m.updated_at = read_updated_at && read_updated_at->millis >= now.millis
                       ? Instant{read_updated_at->millis + 1}
                       : now;
    OP_ASSIGN(const bool written, store_.in_write([&](UnitOfWork& tx) {
      return MetadataSchemaRepository(tx).update(who.scope(), m, read_updated_at);
    }));
    if (written) return m;
  }
  return Error::unavailable("the schema changed concurrently too often; retry");
}

Status MetadataSchemaService::remove(const Principal& who, std::string_view id) {
  OP_TRY(require_admin(who, "delete metadata schemas"));
  OP_ASSIGN(MetadataSchema m, get(who, id));
  return store_.in_write(
      [&](UnitOfWork& tx) { return MetadataSchemaRepository(tx).remove(who.scope(), m.id); });
}

Status check_metadata_schema(UnitOfWork& tx, const Scope& scope, std::string_view related_object,
                             const Json& metadata, bool creating) {
  OP_ASSIGN(auto schema, MetadataSchemaRepository(tx).find(scope, related_object));
  if (!schema) return {};
  const Json* props = schema->definition.if_contains("properties");
  const JsonObject empty;
  const JsonObject& properties = props && props->is_object() ? props->as_object() : empty;
  const JsonObject& given = metadata.is_object() ? metadata.as_object() : empty;
  const bool defined_only = flag(schema->definition, "allow_defined_only", false);
  for (const auto& [key, value] : given) {
    const Json* def = properties.if_contains(key);
    const bool live = def && def->is_object() && !flag(def->as_object(), "deleted", false);
    if (!live) {
      if (defined_only) return violation(std::string(key), "is not defined in the schema");
      continue;  // undefined metadata is accepted as is (read as text)
    }
    const JsonObject& d = def->as_object();
    const std::string type = text(d, "type");
    if (value.is_null()) {
      if (!flag(d, "optional", true)) return violation(std::string(key), "is required");
      continue;
    }
    if (flag(d, "array", false)) {
      if (!value.is_array()) return violation(std::string(key), "must be an array of " + type);
      for (const Json& element : value.as_array()) {
        if (!value_has_type(element, type)) {
          return violation(std::string(key), "every element must be a " + type);
        }
      }
    } else if (!value_has_type(value, type)) {
      return violation(std::string(key), "must be a " + type);
    }
  }
  if (creating) {
    for (const auto& [key, def] : properties) {
      if (def.is_object() && !flag(def.as_object(), "optional", true) &&
          !flag(def.as_object(), "deleted", false) && !given.contains(key)) {
        return violation(std::string(key), "is required");
      }
    }
  }
  return {};
}

}  // namespace openpromo
