// Filters of auto-update segments and product collections (spec 16.2, 16.3):
//   {"junction": "and"|"or", "<field path>": {"conditions": {"$op": [values]}}, ...}
// A field path walks a JSON document ("email", "address.city", "summary.orders.total_count");
// "metadata.<key>" takes the rest as one metadata key, so keys may contain dots. A field whose
// value has its own "junction" is a nested group. Operators and their semantics are the rule
// language's (rules/rule_set.h), including the date ones against `now` in UTC.
//
// Bounds for hostile input: 50 fields per group, 4 levels, 200 values per condition and 1000
// in the whole filter; beyond
// them, or with an unknown operator, compile() answers 400 invalid_payload naming the field.
//
// Geofencing (spec 15): `{"metadata.customer_location": {"conditions": {"$in_location":
// ["loc_..."]}}}` holds when the geopoint ("geo:LAT,LNG") at the path lies in any listed location;
// `$not_in_location` when it lies in none. Both read their coordinates from the request's copy
// of the document only (`sent` in matches()): positions are where the shopper or the stock is
// now, never a stored profile. Without a readable geopoint there, neither holds (fail closed: a
// location condition cannot be decided without a location). The locations are resolved when
// the filter compiles (LocationResolver); the rules layer knows nothing of geometry.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "core/time.h"

namespace openpromo::rules {

// A set of locations a `$in_location` condition names, resolved when its filter compiles.
class LocationSet {
 public:
  virtual ~LocationSet() = default;
  // `geopoint` as metadata holds it ("geo:LAT,LNG"); false when it is not a readable geopoint.
  virtual bool contains(std::string_view geopoint) const = 0;
};

// Resolves the ids of one location condition (`field`: the filter field, for the error); an
// unknown or unreadable location is an error naming it. Null: location conditions compile
// against no shapes at all and never hold (for membership asked without a request).
using LocationResolver = std::function<Result<std::shared_ptr<const LocationSet>>(
    const std::vector<std::string>& ids, const std::string& field)>;

class Filter {
 public:
  static Result<Filter> compile(const Json& filter, const LocationResolver& locations = nullptr);

  // `sent`: the request's copy of the document (e.g. {"metadata": {...}} as the request sends
  // it), where location conditions read their coordinates; null: they do not hold.
  bool matches(const Json& document, Instant now, const Json* sent = nullptr) const;
  // Every field path the filter reads (e.g. to know whether it needs order counters).
  bool reads_prefix(std::string_view prefix) const;
  // The field paths location conditions read ("metadata.customer_location"), in filter order.
  std::vector<std::string> location_paths() const;
  // The location ids the filter names.
  std::vector<std::string> location_ids() const;

  struct Group;  // compiled form (rule_set.cpp)

 private:
  std::shared_ptr<const Group> root_;
};

}  // namespace openpromo::rules
