// The JSON value type for data the engine stores and returns as given: metadata and definition
// objects (discount, validity windows, code templates) that pass through the layers unchanged.
// It is Boost.JSON's value; only src/api parses request bodies and writes responses.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

namespace openpromo {

using Json = boost::json::value;
using JsonObject = boost::json::object;
using JsonArray = boost::json::array;

std::string to_json_text(const Json& value);

// Numbers as definitions and requests carry them (int64, uint64 or double).
inline bool json_is_number(const Json& v) {
  return v.is_int64() || v.is_uint64() || v.is_double();
}
// The number as a double; NaN when `v` is not a number.
inline double json_number(const Json& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  if (v.is_double()) return v.as_double();
  return __builtin_nan("");
}
// Parses stored JSON text (written by to_json_text); a parse failure is an internal error.
Result<Json> parse_json_text(std::string_view text);

// Voucherify's metadata update rule: each key of `patch` (an object) replaces the same key of
// `definition["metadata"]`, a null value removes the key, other keys stay. A non-object patch
// changes nothing.
void merge_metadata(JsonObject& definition, const Json& patch);

// Field readers for request bodies: absent or null is nullopt; a value of the wrong type is 400
// invalid_payload naming the field.
Result<std::optional<std::string>> read_string(const JsonObject& obj, std::string_view field);
// Integers; JavaScript's integral doubles (8.0) are accepted when exact.
Result<std::optional<int64_t>> read_integer(const JsonObject& obj, std::string_view field);
Result<std::optional<bool>> read_bool(const JsonObject& obj, std::string_view field);
// ISO 8601 date or null; outer optional = present, inner = not null.
Result<std::optional<std::optional<Instant>>> read_date(const JsonObject& obj,
                                                        std::string_view field);
// Any JSON value, as given (outer optional = present; a present null is "present, empty").
std::optional<Json> read_any(const JsonObject& obj, std::string_view field);

}  // namespace openpromo
