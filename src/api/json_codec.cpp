#include "api/json_codec.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <limits>

namespace openpromo::api {

namespace json = boost::json;

Result<json::value> parse_json_body(std::string_view body) {
  bool blank = true;
  for (char c : body) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') blank = false;
  }
  if (blank) return json::value(json::object{});
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec, json::storage_ptr(), options);
  if (ec) return Error::invalid_payload("Invalid JSON: " + ec.message());
  return parsed;
}

Result<json::object> parse_object_body(std::string_view body) {
  OP_ASSIGN(json::value parsed, parse_json_body(body));
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

json::value time_or_null(const std::optional<Instant>& t) {
  if (!t) return nullptr;
  return json::value(format_iso8601(*t));
}

json::object project_json(const Project& p) {
  json::object o;
  o["id"] = p.id;
  o["name"] = p.name;
  o["timezone"] = p.time_zone;
  o["currency"] = p.currency;
  o["case_sensitive_codes"] = p.case_sensitive_codes;
  o["client_redeem_enabled"] = p.client_redeem_enabled;
  o["client_publish_enabled"] = p.client_publish_enabled;
  o["week_start"] = p.week_start;
  o["created_at"] = format_iso8601(p.created_at);
  o["object"] = "project";
  return o;
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
