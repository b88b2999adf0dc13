// ListQuery: what a list request asks for (page or cursor, order, filters), independent of HTTP
// and of SQL. The api layer parses it from the query string; the store validates the field names
// against the resource's list fields and turns it into SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace openpromo {

// Operators of the deep-object filter syntax (spec 4.3), e.g. `filters[name][conditions][$is]=x`.
enum class FilterOp {
  kIs,
  kIsNot,
  kIn,
  kNotIn,
  kHasValue,
  kIsUnknown,
  kMoreThan,
  kMoreThanEqual,
  kLessThan,
  kLessThanEqual,
  kStartsWith,
  kEndsWith,
  kContains,
};

std::optional<FilterOp> filter_op_from_string(std::string_view text);  // "$is" -> kIs

struct FilterCondition {
  std::string field;
  FilterOp op = FilterOp::kIs;
  std::vector<std::string> values;  // one value for most operators, many for $in / $not_in
};

struct ListQuery {
  static constexpr int kMaxLimit = 100;
  static constexpr int kMaxPage = 1000;

  int limit = 10;  // 1..kMaxLimit
  int page = 1;    // 1..kMaxPage, ignored when starting_after_id is set
  std::string order_field = "created_at";
  bool descending = false;
  std::optional<std::string> starting_after_id;  // cursor: items after this id, in `order`
  std::optional<Instant> created_before;
  std::optional<Instant> created_after;
  std::vector<FilterCondition> filters;
  bool filters_or = false;  // filters[junction]=or
  // What the server itself narrows the list to (a customer's publications, a code's holders):
  // always ANDed with the caller's filters, whatever their junction.
  std::vector<FilterCondition> required;
  // false: no COUNT query (Page::total stays 0). Jobs that walk a whole table page by page
  // (exports) need only has_more.
  bool count_total = true;
};

template <class T>
struct Page {
  std::vector<T> items;
  int64_t total = 0;      // matching items across all pages
  bool has_more = false;  // another page or cursor step would return more
};

}  // namespace openpromo
