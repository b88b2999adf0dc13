#include "model/list_query.h"

#include <array>
#include <utility>

namespace openpromo {

std::optional<FilterOp> filter_op_from_string(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, FilterOp>, 13> kOps{{
      {"$is", FilterOp::kIs},
      {"$is_not", FilterOp::kIsNot},
      {"$in", FilterOp::kIn},
      {"$not_in", FilterOp::kNotIn},
      {"$has_value", FilterOp::kHasValue},
      {"$is_unknown", FilterOp::kIsUnknown},
      {"$more_than", FilterOp::kMoreThan},
      {"$more_than_equal", FilterOp::kMoreThanEqual},
      {"$less_than", FilterOp::kLessThan},
      {"$less_than_equal", FilterOp::kLessThanEqual},
      {"$starts_with", FilterOp::kStartsWith},
      {"$ends_with", FilterOp::kEndsWith},
      {"$contains", FilterOp::kContains},
  }};
  for (const auto& [name, op] : kOps) {
    if (name == text) return op;
  }
  return std::nullopt;
}

}  // namespace openpromo
