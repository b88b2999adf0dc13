// Turns a ListQuery into SQL for one resource table: validates field names and values against
// the table's list fields, then runs the count and the page query.
#pragma once

#include <span>
#include <string_view>

#include "model/list_query.h"
#include "store/sql.h"

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
};

// Rows of `table.columns` for one page, plus the total of matching rows. Scoped to one project.
Result<Page<Row>> list_rows(Connection& conn, const ListTable& table, std::string_view project_id,
                            const ListQuery& query);

}  // namespace openpromo::sql
