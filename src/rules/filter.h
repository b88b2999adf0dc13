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
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "core/json.h"
#include "core/time.h"

namespace openpromo::rules {

class Filter {
 public:
  static Result<Filter> compile(const Json& filter);

  bool matches(const Json& document, Instant now) const;
  // Every field path the filter reads (e.g. to know whether it needs order counters).
  bool reads_prefix(std::string_view prefix) const;

  struct Group;  // compiled form (rule_set.cpp)

 private:
  std::shared_ptr<const Group> root_;
};

}  // namespace openpromo::rules
