// The JSON value type for data the engine stores and returns as given: metadata and definition
// objects (discount, validity windows, code templates) that pass through the layers unchanged.
// It is Boost.JSON's value; only src/api parses request bodies and writes responses.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "core/error.h"

namespace openpromo {

using Json = boost::json::value;
using JsonObject = boost::json::object;
using JsonArray = boost::json::array;

std::string to_json_text(const Json& value);
// Parses stored JSON text (written by to_json_text); a parse failure is an internal error.
Result<Json> parse_json_text(std::string_view text);

// Voucherify's metadata update rule: each key of `patch` (an object) replaces the same key of
// `definition["metadata"]`, a null value removes the key, other keys stay. A non-object patch
// changes nothing.
void merge_metadata(JsonObject& definition, const Json& patch);

}  // namespace openpromo
