// Store: categories.
#include <array>

#include "store/list_sql.h"
#include "store/store.h"

namespace openpromo {
namespace {

constexpr std::string_view kColumns = "id, project_id, name, hierarchy, created_at, updated_at";

constexpr std::array<sql::ListField, 5> kListFields{{
    {"id", "id", sql::FieldType::kText, true},
    {"name", "name", sql::FieldType::kText, true},
    {"hierarchy", "hierarchy", sql::FieldType::kInteger, true},
    {"created_at", "created_at", sql::FieldType::kTimestamp, true},
    {"updated_at", "COALESCE(updated_at, created_at)", sql::FieldType::kTimestamp, true},
}};

constexpr sql::ListTable kTable{"categories", kColumns, kListFields};

Category from_row(const sql::Row& row) {
  Category c;
  c.id = row.text(0);
  c.project_id = row.text(1);
  c.name = row.text(2);
  c.hierarchy = row.integer(3);
  c.created_at = Instant{row.integer(4)};
  if (!row.is_null(5)) c.updated_at = Instant{row.integer(5)};
  return c;
}

Error duplicate_name(const std::string& name) {
  return Error::duplicate_found("category", "A category named '" + name + "' already exists");
}

}  // namespace

Status Store::insert_category(const Category& c) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "INSERT INTO categories (id, project_id, name, hierarchy, created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, NULL)",
      {c.id, c.project_id, c.name, c.hierarchy, c.created_at.millis});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(c.name);
    return std::move(r).take_error();
  }
  return {};
}

Result<std::optional<Category>> Store::find_category(std::string_view project_id,
                                                     std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  OP_ASSIGN(auto rs, lease->query("SELECT " + std::string(kColumns) +
                                      " FROM categories WHERE project_id = ? AND id = ?",
                                  {std::string(project_id), std::string(id)}));
  if (rs.rows.empty()) return std::optional<Category>{};
  return std::optional<Category>(from_row(rs.rows[0]));
}

Result<Page<Category>> Store::list_categories(std::string_view project_id, const ListQuery& query) {
  return sql::list_page<Category>(*db_, kTable, project_id, query, from_row);
}

Result<Category> Store::update_category(std::string_view project_id, std::string_view id,
                                        const CategoryDraft& draft, Instant updated_at) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query(
      "UPDATE categories SET name = COALESCE(?, name), hierarchy = COALESCE(?, hierarchy),"
      " updated_at = ? WHERE project_id = ? AND id = ? RETURNING " +
          std::string(kColumns),
      {draft.name ? sql::Value(*draft.name) : sql::null(),
       draft.hierarchy ? sql::Value(*draft.hierarchy) : sql::null(), updated_at.millis,
       std::string(project_id), std::string(id)});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(draft.name.value_or(""));
    return std::move(r).take_error();
  }
  if (r->rows.empty()) return Error::not_found("category", std::string(id));
  return from_row(r->rows[0]);
}

Status Store::delete_category(std::string_view project_id, std::string_view id) {
  OP_ASSIGN(auto lease, db_->acquire());
  auto r = lease->query("DELETE FROM categories WHERE project_id = ? AND id = ?",
                        {std::string(project_id), std::string(id)});
  if (!r.ok()) {
    if (r.error().key == sql::kForeignKeyViolation) {
      return Error::resource_in_use("category", std::string(id),
                                    "The category is assigned to other resources");
    }
    return std::move(r).take_error();
  }
  if (r->affected == 0) return Error::not_found("category", std::string(id));
  return {};
}

}  // namespace openpromo
