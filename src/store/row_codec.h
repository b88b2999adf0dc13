// Small helpers for turning optional domain fields into SQL values and back.
#pragma once

#include <optional>
#include <string>

#include "core/json.h"
#include "core/time.h"
#include "store/sql.h"

namespace openpromo::sql {

inline Value opt(const std::optional<std::string>& v) {
  return v ? Value(*v) : null();
}
inline Value opt(const std::optional<int64_t>& v) {
  return v ? Value(*v) : null();
}
inline Value opt(const std::optional<Instant>& v) {
  return v ? Value(v->millis) : null();
}
inline Value flag(bool b) {
  return Value(int64_t{b ? 1 : 0});
}

inline std::optional<std::string> opt_text(const Row& r, size_t i) {
  return r.is_null(i) ? std::nullopt : std::optional<std::string>(r.text(i));
}
inline std::optional<int64_t> opt_int(const Row& r, size_t i) {
  return r.is_null(i) ? std::nullopt : std::optional<int64_t>(r.integer(i));
}
inline std::optional<Instant> opt_time(const Row& r, size_t i) {
  return r.is_null(i) ? std::nullopt : std::optional<Instant>(Instant{r.integer(i)});
}
// A stored JSON object; unreadable text reads as an empty object (for data whose loss only
// shows less, like metadata of a log line). Definitions use json_definition instead.
inline JsonObject json_object(const Row& r, size_t i) {
  if (r.is_null(i)) return {};
  auto parsed = parse_json_text(r.text(i));
  if (!parsed.ok() || !parsed->is_object()) return {};
  return std::move(parsed->as_object());
}
// A stored definition: when its text cannot be parsed, `unreadable` says why, so the catalog
// can make the incentive that uses it inapplicable instead of reading it as "no conditions".
inline JsonObject json_definition(const Row& r, size_t i, std::optional<std::string>& unreadable) {
  if (r.is_null(i)) return {};
  auto parsed = parse_json_text(r.text(i));
  if (!parsed.ok()) {
    unreadable = parsed.error().details.empty() ? parsed.error().message : parsed.error().details;
    return {};
  }
  if (!parsed->is_object()) {
    unreadable = "the stored definition is not a JSON object";
    return {};
  }
  return std::move(parsed->as_object());
}

}  // namespace openpromo::sql
