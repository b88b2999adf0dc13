#include "core/json.h"

#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace openpromo {

std::string to_json_text(const Json& value) {
  return boost::json::serialize(value);
}

Result<Json> parse_json_text(std::string_view text) {
  boost::system::error_code ec;
  Json v = boost::json::parse(text, ec);
  if (ec) return Error::internal("stored JSON is corrupt: " + ec.message());
  return v;
}

void merge_metadata(JsonObject& definition, const Json& patch) {
  if (!patch.is_object()) return;
  JsonObject merged = definition.contains("metadata") && definition.at("metadata").is_object()
                          ? definition.at("metadata").as_object()
                          : JsonObject{};
  for (const auto& kv : patch.as_object()) {
    if (kv.value().is_null()) {
      merged.erase(kv.key());
    } else {
      merged[kv.key()] = kv.value();
    }
  }
  definition["metadata"] = std::move(merged);
}

Result<std::optional<std::string>> read_string(const JsonObject& obj, std::string_view field) {
  const Json* v = obj.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return Error::invalid_payload(std::string(field) + " must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<int64_t>> read_integer(const JsonObject& obj, std::string_view field) {
  const Json* v = obj.if_contains(field);
  if (!v || v->is_null()) return std::optional<int64_t>{};
  if (v->is_int64()) return std::optional<int64_t>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return std::optional<int64_t>(static_cast<int64_t>(v->as_uint64()));
  }
  // JavaScript clients may send 8.0 for 8; accept integral doubles that fit exactly.
  if (v->is_double()) {
    const double d = v->as_double();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9007199254740992.0) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
  }
  return Error::invalid_payload(std::string(field) + " must be an integer");
}

Result<std::optional<bool>> read_bool(const JsonObject& obj, std::string_view field) {
  const Json* v = obj.if_contains(field);
  if (!v || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) return Error::invalid_payload(std::string(field) + " must be true or false");
  return std::optional<bool>(v->as_bool());
}

Result<std::optional<std::optional<Instant>>> read_date(const JsonObject& obj,
                                                        std::string_view field) {
  using Out = std::optional<std::optional<Instant>>;
  const Json* v = obj.if_contains(field);
  if (!v) return Out{};
  if (v->is_null()) return Out(std::optional<Instant>{});
  if (v->is_string()) {
    if (auto t = parse_iso8601(v->as_string())) return Out(std::optional<Instant>(*t));
  }
  return Error::invalid_payload(std::string(field) + " must be an ISO 8601 date or null");
}

std::optional<Json> read_any(const JsonObject& obj, std::string_view field) {
  const Json* v = obj.if_contains(field);
  if (!v) return std::nullopt;
  return *v;
}

}  // namespace openpromo
