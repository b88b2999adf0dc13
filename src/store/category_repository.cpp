#include "store/category_repository.h"

#include <array>

#include "store/list_sql.h"
#include "store/scope_sql.h"

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

Status CategoryRepository::insert(const Scope& scope, const Category& c) {
  auto r = tx_.query(
      "INSERT INTO categories (id, project_id, name, hierarchy, created_at, updated_at)"
      " VALUES (?, ?, ?, ?, ?, NULL)",
      {c.id, scope.project_id, c.name, c.hierarchy, c.created_at.millis});
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(c.name);
    return std::move(r).take_error();
  }
  tx_.catalog_changed(scope.project_id);
  return {};
}

Result<std::optional<Category>> CategoryRepository::find(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM categories WHERE " +
                                   s.where() + " AND id = ?",
                               s.params({std::string(id)})));
  if (rs.rows.empty()) return std::optional<Category>{};
  return std::optional<Category>(from_row(rs.rows[0]));
}

Result<std::optional<Category>> CategoryRepository::find_by_name(const Scope& scope,
                                                                 std::string_view name) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM categories WHERE " +
                                   s.where() + " AND name = ?",
                               s.params({std::string(name)})));
  if (rs.rows.empty()) return std::optional<Category>{};
  return std::optional<Category>(from_row(rs.rows[0]));
}

Result<Page<Category>> CategoryRepository::list(const Scope& scope, const ListQuery& query) {
  return sql::list_page<Category>(tx_, kTable, scope, query, from_row);
}

Result<std::vector<Category>> CategoryRepository::all(const Scope& scope) {
  const sql::Scoped s(scope);
  OP_ASSIGN(auto rs, tx_.query("SELECT " + std::string(kColumns) + " FROM categories WHERE " +
                                   s.where() + " ORDER BY id",
                               s.params()));
  std::vector<Category> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(from_row(row));
  return out;
}

Result<Category> CategoryRepository::update(const Scope& scope, std::string_view id,
                                            const CategoryDraft& draft, Instant updated_at) {
  const sql::Scoped s(scope);
  std::vector<sql::Value> params{draft.name ? sql::Value(*draft.name) : sql::null(),
                                 draft.hierarchy ? sql::Value(*draft.hierarchy) : sql::null(),
                                 updated_at.millis};
  s.bind(params);
  params.emplace_back(std::string(id));
  auto r = tx_.query(
      "UPDATE categories SET name = COALESCE(?, name), hierarchy = COALESCE(?, hierarchy),"
      " updated_at = ? WHERE " +
          s.where() + " AND id = ? RETURNING " + std::string(kColumns),
      params);
  if (!r.ok()) {
    if (r.error().key == sql::kUniqueViolation) return duplicate_name(draft.name.value_or(""));
    return std::move(r).take_error();
  }
  if (r->rows.empty()) return Error::not_found("category", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return from_row(r->rows[0]);
}

Status CategoryRepository::remove(const Scope& scope, std::string_view id) {
  const sql::Scoped s(scope);
  auto r = tx_.query("DELETE FROM categories WHERE " + s.where() + " AND id = ?",
                     s.params({std::string(id)}));
  if (!r.ok()) {
    if (r.error().key == sql::kForeignKeyViolation) {
      return Error::resource_in_use("category", std::string(id),
                                    "The category is assigned to other resources");
    }
    return std::move(r).take_error();
  }
  if (r->affected == 0) return Error::not_found("category", std::string(id));
  tx_.catalog_changed(scope.project_id);
  return {};
}

}  // namespace openpromo
