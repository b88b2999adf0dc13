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
inline JsonObject json_object(const Row& r, size_t i) {
  if (r.is_null(i)) return {};
  auto parsed = parse_json_text(r.text(i));
  if (!parsed.ok() || !parsed->is_object()) return {};
  return std::move(parsed->as_object());
}

}  // namespace openpromo::sql
