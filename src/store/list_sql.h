// Turns a ListQuery into SQL for one resource table: validates field names and values against
// the table's list fields, then runs the count and the page query.
#pragma once

#include <span>
#include <string_view>

#include "model/list_query.h"
#include "model/scope.h"
#include "store/sql.h"
#include "store/unit_of_work.h"

namespace openpromo::sql {

enum class FieldType { kText, kInteger, kTimestamp, kBoolean };

struct ListField {
  std::string_view name;    // as the API names it: "created_at", "hierarchy"
  std::string_view column;  // SQL expression; must never be NULL if the field is sortable
  FieldType type;
  bool sortable;
  // What ORDER BY and cursors use when it differs from `column` (e.g. a time-ordered id that an
  // index already holds in creation order).
  std::string_view sort_column = {};
};

struct ListTable {
  std::string_view table;
  std::string_view columns;  // the SELECT list handed to the row decoder
  std::span<const ListField> fields;
  std::string_view base_condition = {};  // always applied, e.g. "deleted_at IS NULL"
  // Rows of campaigns: the column naming the campaign, qualified ("vouchers.campaign_id");
  // a restricted scope lists only rows of campaigns it sees (store/scope_sql.h).
  std::string_view campaign_column = {};
  // Set when rows without a campaign are seen through their children (redemptions' parents).
  bool parent_rows = false;
};

// Rows of `table.columns` for one page, plus the total of matching rows, in `scope`. Count and
// page agree when the unit is a snapshot or a write.
Result<Page<Row>> list_rows(UnitOfWork& tx, const ListTable& table, const Scope& scope,
                            const ListQuery& query);

// A page of `table` decoded into T by `decode(row)`.
template <class T, class Decode>
Result<Page<T>> list_page(UnitOfWork& tx, const ListTable& table, const Scope& scope,
                          const ListQuery& query, Decode decode) {
  OP_ASSIGN(auto rows, list_rows(tx, table, scope, query));
  Page<T> page;
  page.total = rows.total;
  page.has_more = rows.has_more;
  page.items.reserve(rows.items.size());
  for (const auto& row : rows.items) page.items.push_back(decode(row));
  return page;
}

}  // namespace openpromo::sql
