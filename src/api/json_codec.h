// JSON on the wire: reading request bodies strictly and writing Voucherify's shapes.
// Only src/api includes Boost.JSON; the layers below see plain domain types.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "core/error.h"
#include "model/category.h"
#include "model/list_query.h"
#include "model/project.h"

namespace openpromo::api {

// Parses a request body that must be a JSON object. An empty body reads as `{}`.
// Malformed JSON, nesting deeper than 64 levels, or a non-object top level is 400 invalid_payload.
Result<boost::json::object> parse_object_body(std::string_view body);
// A body that must be a JSON array (bulk imports).
Result<boost::json::array> parse_array_body(std::string_view body);
// Any JSON value (a blank body is an empty object), for the few routes that take more than one
// shape (the SDKs send a bare count, or nothing, where the contract shows an object or array).
Result<boost::json::value> parse_json_body(std::string_view body);

// Field readers (read_string, read_integer, read_bool, read_date, read_any) live in core/json.h.

std::string serialize(const boost::json::value& value);

// {code, key, message, details, request_id[, resource_id, resource_type]}
std::string error_json(const Error& error, std::string_view request_id);

boost::json::object category_json(const Category& c);

// A project's settings (ours: the fields of the management API's project this engine uses, plus
// week_start).
boost::json::object project_json(const Project& p);

// {object:"list", data_ref:<name>, <name>:[...], total, has_more[, more_starting_after]}
template <class T, class Encode>
boost::json::object list_json(const Page<T>& page, Encode encode, std::string_view name = "data");

boost::json::value time_or_null(const std::optional<Instant>& t);

// ---- implementation of the template ------------------------------------------------------------

template <class T, class Encode>
boost::json::object list_json(const Page<T>& page, Encode encode, std::string_view name) {
  boost::json::array data;
  data.reserve(page.items.size());
  for (const auto& item : page.items) data.push_back(encode(item));
  boost::json::object out;
  out["object"] = "list";
  out["data_ref"] = name;
  out[name] = std::move(data);
  out["total"] = page.total;
  out["has_more"] = page.has_more;
  if (page.has_more && !page.items.empty()) {
    const boost::json::value& last = out[name].as_array().back();
    if (last.is_object() && last.as_object().contains("id")) {
      out["more_starting_after"] = last.as_object().at("id");
    }
  }
  return out;
}

}  // namespace openpromo::api
