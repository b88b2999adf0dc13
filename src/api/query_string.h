// Query strings in the qs bracket notation that Voucherify clients send, e.g.
// `filters[junction]=and&filters[code][conditions][$in][0]=A&limit=10`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/list_query.h"

namespace openpromo::api {

// One `name=value` pair, its name split into the base and bracket parts:
// `filters[code][conditions][$in][0]` -> {"filters", "code", "conditions", "$in", "0"}.
struct QueryParam {
  std::vector<std::string> path;
  std::string value;
};

class QueryParams {
 public:
  static QueryParams parse(std::string_view query);

  const std::vector<QueryParam>& all() const { return params_; }
  // The value of the last plain `name=value` with this name.
  std::optional<std::string> get(std::string_view name) const;

 private:
  std::vector<QueryParam> params_;
};

// Percent-decoding with `+` as space. Returns nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// The common list parameters (spec 4.3): limit, page, order, starting_after_id,
// created_at[before|after] and deep-object filters. Unknown plain parameters are left for the
// resource to read (shortcut filters); malformed known ones are 400 invalid_query_params, and a
// page past 1000 is 400 page_over_limit.
Result<ListQuery> parse_list_query(const QueryParams& params, int default_limit);

}  // namespace openpromo::api
