// Reading a whole list through a paged store call: for snapshots and membership checks that
// need every row of a project's (small) definition tables.
#pragma once

#include <vector>

#include "core/error.h"
#include "model/list_query.h"

namespace openpromo {

// Every row `list(query)` returns, page by page along the id order.
template <class T, class List>
Result<std::vector<T>> read_all(List list) {
  std::vector<T> out;
  ListQuery query;
  query.limit = ListQuery::kMaxLimit;
  query.order_field = "id";
  query.descending = false;
  while (true) {
    OP_ASSIGN(Page<T> page, list(query));
    for (auto& item : page.items) out.push_back(std::move(item));
    if (!page.has_more || page.items.empty()) break;
    query.starting_after_id = out.back().id;
  }
  return out;
}

}  // namespace openpromo
