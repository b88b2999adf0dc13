#include "api/json_codec.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <limits>

namespace openpromo::api {

namespace json = boost::json;

Result<json::object> parse_object_body(std::string_view body) {
  bool blank = true;
  for (char c : body) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') blank = false;
  }
  if (blank) return json::object{};
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec, json::storage_ptr(), options);
  if (ec) return Error::invalid_payload("Invalid JSON: " + ec.message());
  if (!parsed.is_object()) return Error::invalid_payload("The request body must be a JSON object");
  return std::move(parsed.as_object());
}

Result<json::array> parse_array_body(std::string_view body) {
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec, json::storage_ptr(), options);
  if (ec) return Error::invalid_payload("Invalid JSON: " + ec.message());
  if (!parsed.is_array()) return Error::invalid_payload("The request body must be a JSON array");
  return std::move(parsed.as_array());
}

Result<std::optional<std::string>> read_string(const json::object& obj, std::string_view field) {
  const json::value* v = obj.if_contains(field);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return Error::invalid_payload(std::string(field) + " must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<int64_t>> read_integer(const json::object& obj, std::string_view field) {
  const json::value* v = obj.if_contains(field);
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

Result<std::optional<bool>> read_bool(const json::object& obj, std::string_view field) {
  const json::value* v = obj.if_contains(field);
  if (!v || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) return Error::invalid_payload(std::string(field) + " must be true or false");
  return std::optional<bool>(v->as_bool());
}

Result<std::optional<std::optional<Instant>>> read_date(const json::object& obj,
                                                        std::string_view field) {
  using Out = std::optional<std::optional<Instant>>;
  const json::value* v = obj.if_contains(field);
  if (!v) return Out{};
  if (v->is_null()) return Out(std::optional<Instant>{});
  if (v->is_string()) {
    if (auto t = parse_iso8601(v->as_string())) return Out(std::optional<Instant>(*t));
  }
  return Error::invalid_payload(std::string(field) + " must be an ISO 8601 date or null");
}

std::optional<json::value> read_any(const json::object& obj, std::string_view field) {
  const json::value* v = obj.if_contains(field);
  if (!v) return std::nullopt;
  return *v;
}

json::value time_or_null(const std::optional<Instant>& t) {
  if (!t) return nullptr;
  return json::value(format_iso8601(*t));
}

std::string serialize(const json::value& value) {
  return json::serialize(value);
}

std::string error_json(const Error& error, std::string_view request_id) {
  json::object out;
  out["code"] = error.code;
  out["key"] = error.key;
  out["message"] = error.message;
  out["details"] = error.details;
  out["request_id"] = request_id;
  if (!error.resource_id.empty()) out["resource_id"] = error.resource_id;
  if (!error.resource_type.empty()) out["resource_type"] = error.resource_type;
  return json::serialize(out);
}

json::object category_json(const Category& c) {
  json::object out;
  out["id"] = c.id;
  out["name"] = c.name;
  out["hierarchy"] = c.hierarchy;
  out["created_at"] = format_iso8601(c.created_at);
  if (c.updated_at) out["updated_at"] = format_iso8601(*c.updated_at);
  out["object"] = "category";
  return out;
}

}  // namespace openpromo::api
